/*
 * The softmax explorer: an interactive widget that works in the static book,
 * with no kernel and no external library.
 *
 * Every element <div class="softmax-explorer" data-logits="2.0, 1.0, 0.1, -1.0"
 * data-temperature="1.0"></div> of a page becomes a small laboratory: one
 * input per logit, a temperature slider on a log scale (0.05 to 20), a table of
 * the probabilities softmax(z / T) and log-probabilities log_softmax(z / T),
 * and a bar chart. Everything updates as the reader moves a control.
 *
 * The arithmetic follows the package's numerical core (src/softmax_course/_core.py)
 * step by step, in float64: subtract the largest logit (and keep the rounding
 * error of that subtraction, found exactly by TwoSum), divide by T,
 * exponentiate, sum every term but the largest (which is exp(0) = 1), and
 * take log1p of that sum. So the numbers shown agree with
 * softmax_course.softmax and log_softmax to a few units in the last place
 * (tests/test_explorer.py checks this in a real browser).
 *
 * Each number cell carries its full-precision value in data-value, so a test
 * (or a curious reader's console) can read back exactly what was computed.
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var T_MIN = 0.05;
  var T_MAX = 20;
  var LOGIT_SLIDER_LIMIT = 10;
  var MAX_CLASSES = 10;
  var counter = 0;

  /**
   * Softmax and log-softmax of finite logits at temperature T (float64).
   * Returns {probabilities, logProbabilities, logSumExp, argmax}, where
   * logSumExp is log(sum(exp(z / T))).
   */
  function compute(logits, temperature) {
    var z = logits.map(Number);
    var T = Number(temperature);
    if (z.length === 0) {
      throw new RangeError("softmax needs at least one logit");
    }
    if (!z.every(Number.isFinite)) {
      throw new RangeError("every logit must be a finite number");
    }
    if (!(Number.isFinite(T) && T > 0)) {
      throw new RangeError("the temperature must be a finite positive number");
    }
    var argmax = 0;
    for (var i = 1; i < z.length; i++) {
      if (z[i] > z[argmax]) argmax = i;
    }
    var m = z[argmax];
    var d = new Array(z.length);
    var terms = new Array(z.length);
    var s = 0;
    for (var k = 0; k < z.length; k++) {
      // TwoSum: diff + err == z[k] - m exactly.
      var diff = z[k] - m;
      var bVirtual = diff - z[k];
      var aVirtual = diff - bVirtual;
      var err = (z[k] - aVirtual) - (m + bVirtual);
      if (!Number.isFinite(diff)) {
        // z[k] - m overflowed (logits near +-1.8e308): no rounding error to
        // keep, and (z[k] - m) / T may still be finite when T > 1.
        err = 0;
        d[k] = T > 1 ? z[k] / T - m / T : diff / T;
      } else {
        d[k] = diff / T;
      }
      terms[k] = k === argmax ? 1 : Math.exp(d[k]) * (1 + err / T);
      if (k !== argmax) s += terms[k];
    }
    var log1pS = Math.log1p(s);
    var probabilities = terms.map(function (t) { return t / (1 + s); });
    var logProbabilities = d.map(function (dk) { return dk - log1pS; });
    return {
      probabilities: probabilities,
      logProbabilities: logProbabilities,
      logSumExp: m / T + log1pS,
      argmax: argmax,
    };
  }

  /** Numbers as a reader wants them: 4 decimals, or 3 significant digits if tiny. */
  function formatNumber(x) {
    if (x === 0) return "0";
    if (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5) return x.toFixed(4);
    return x.toExponential(2);
  }

  /** The temperature shown on the slider: rounded to 3 significant digits. */
  function temperatureFromSlider(value) {
    return Number(Math.pow(10, Number(value)).toPrecision(3));
  }

  function parseLogits(text) {
    var parts = String(text || "").split(",").map(function (part) { return part.trim(); });
    var values = parts.filter(function (part) { return part !== ""; }).map(Number);
    if (values.length < 2 || values.length > MAX_CLASSES || !values.every(Number.isFinite)) {
      return [2.0, 1.0, 0.1, -1.0];
    }
    return values;
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svgElement(tag, attributes) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    return node;
  }

  function Explorer(root) {
    counter += 1;
    this.id = "softmax-explorer-" + counter;
    this.root = root;
    this.initialLogits = parseLogits(root.getAttribute("data-logits"));
    var t0 = Number(root.getAttribute("data-temperature"));
    this.initialTemperature = Number.isFinite(t0) && t0 >= T_MIN && t0 <= T_MAX ? t0 : 1;
    this.logits = this.initialLogits.slice();
    this.temperature = this.initialTemperature;
    this.build();
    this.update();
  }

  Explorer.prototype.build = function () {
    var self = this;
    var root = this.root;
    var K = this.logits.length;
    root.textContent = "";
    root.classList.add("softmax-explorer--ready");
    root.setAttribute("role", "group");
    root.setAttribute("aria-labelledby", this.id + "-title");

    root.appendChild(element("p", { class: "sme-title", id: this.id + "-title" },
      "Softmax explorer: p = softmax(z / T)"));

    var controls = element("div", { class: "sme-controls" });
    this.logitInputs = [];
    this.logitSliders = [];
    for (var k = 0; k < K; k++) {
      var row = element("div", { class: "sme-logit" });
      var numberId = this.id + "-z" + (k + 1);
      row.appendChild(element("label", { for: numberId }, "logit z" + (k + 1)));
      var slider = element("input", {
        type: "range", min: -LOGIT_SLIDER_LIMIT, max: LOGIT_SLIDER_LIMIT, step: "0.1",
        class: "sme-logit-slider", "aria-label": "logit z" + (k + 1) + " (slider)",
        "data-class": String(k),
      });
      var number = element("input", {
        type: "number", step: "0.1", id: numberId, class: "sme-logit-input",
        "data-class": String(k),
      });
      row.appendChild(slider);
      row.appendChild(number);
      controls.appendChild(row);
      this.logitInputs.push(number);
      this.logitSliders.push(slider);
      (function (index, sliderInput, numberInput) {
        sliderInput.addEventListener("input", function () {
          self.setLogit(index, Number(sliderInput.value), sliderInput);
        });
        numberInput.addEventListener("input", function () {
          var value = numberInput.value.trim() === "" ? NaN : Number(numberInput.value);
          if (Number.isFinite(value)) {
            numberInput.removeAttribute("aria-invalid");
            self.setLogit(index, value, numberInput);
          } else {
            numberInput.setAttribute("aria-invalid", "true");
          }
        });
      })(k, slider, number);
    }

    var tRow = element("div", { class: "sme-temperature" });
    var tId = this.id + "-temperature";
    tRow.appendChild(element("label", { for: tId }, "temperature T"));
    this.temperatureSlider = element("input", {
      type: "range", id: tId, class: "sme-temperature-slider",
      min: Math.log10(T_MIN).toFixed(4), max: Math.log10(T_MAX).toFixed(4), step: "0.01",
      "aria-describedby": tId + "-value",
    });
    this.temperatureOutput = element("output", { id: tId + "-value", for: tId, class: "sme-temperature-value" });
    tRow.appendChild(this.temperatureSlider);
    tRow.appendChild(this.temperatureOutput);
    controls.appendChild(tRow);
    this.temperatureSlider.addEventListener("input", function () {
      self.temperature = temperatureFromSlider(self.temperatureSlider.value);
      self.update();
    });

    var reset = element("button", { type: "button", class: "sme-reset" }, "Reset");
    reset.addEventListener("click", function () { self.reset(); });
    controls.appendChild(reset);
    root.appendChild(controls);

    var output = element("div", { class: "sme-output" });
    this.chart = svgElement("svg", { class: "sme-chart", role: "img", viewBox: "0 0 320 214" });
    this.chartTitle = svgElement("title", { id: this.id + "-chart-title" });
    this.chart.appendChild(this.chartTitle);
    this.chart.setAttribute("aria-labelledby", this.id + "-chart-title");
    output.appendChild(this.chart);

    var table = element("table", { class: "sme-table" });
    table.appendChild(element("caption", {}, "Probabilities and log-probabilities"));
    var head = element("tr");
    ["class", "z / T", "probability", "log-probability"].forEach(function (name) {
      head.appendChild(element("th", { scope: "col" }, name));
    });
    var thead = element("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = element("tbody");
    this.cells = [];
    for (var j = 0; j < K; j++) {
      var tr = element("tr", { "data-class": String(j) });
      tr.appendChild(element("th", { scope: "row" }, String(j + 1)));
      var cells = {
        scaled: element("td", { class: "sme-scaled" }),
        probability: element("td", { class: "sme-prob" }),
        logProbability: element("td", { class: "sme-logprob" }),
      };
      tr.appendChild(cells.scaled);
      tr.appendChild(cells.probability);
      tr.appendChild(cells.logProbability);
      tbody.appendChild(tr);
      this.cells.push(cells);
    }
    table.appendChild(tbody);
    var tfoot = element("tfoot");
    var footRow = element("tr");
    footRow.appendChild(element("th", { scope: "row", colspan: "2" }, "sum / log-sum-exp"));
    this.sumCell = element("td", { class: "sme-sum" });
    this.lseCell = element("td", { class: "sme-lse" });
    footRow.appendChild(this.sumCell);
    footRow.appendChild(this.lseCell);
    tfoot.appendChild(footRow);
    table.appendChild(tfoot);
    output.appendChild(table);
    root.appendChild(output);

    this.summary = element("p", { class: "sme-summary", "aria-live": "polite" });
    root.appendChild(this.summary);
  };

  Explorer.prototype.setLogit = function (index, value, source) {
    this.logits[index] = value;
    if (source !== this.logitInputs[index]) this.logitInputs[index].value = String(value);
    if (source !== this.logitSliders[index]) this.logitSliders[index].value = String(value);
    this.update();
  };

  Explorer.prototype.reset = function () {
    this.logits = this.initialLogits.slice();
    this.temperature = this.initialTemperature;
    this.update();
  };

  Explorer.prototype.syncControls = function () {
    var self = this;
    this.logits.forEach(function (value, k) {
      if (document.activeElement !== self.logitInputs[k]) self.logitInputs[k].value = String(value);
      if (document.activeElement !== self.logitSliders[k]) self.logitSliders[k].value = String(value);
    });
    if (document.activeElement !== this.temperatureSlider) {
      this.temperatureSlider.value = String(Math.log10(this.temperature));
    }
    this.temperatureOutput.textContent = "T = " + String(this.temperature);
  };

  Explorer.prototype.update = function () {
    var result = compute(this.logits, this.temperature);
    var T = this.temperature;
    this.result = result;
    this.syncControls();
    this.root.setAttribute("data-current-logits", this.logits.join(", "));
    this.root.setAttribute("data-current-temperature", String(T));

    var sum = 0;
    for (var k = 0; k < this.logits.length; k++) {
      var p = result.probabilities[k];
      var logp = result.logProbabilities[k];
      var scaled = this.logits[k] / T;
      sum += p;
      setCell(this.cells[k].scaled, scaled);
      setCell(this.cells[k].probability, p);
      setCell(this.cells[k].logProbability, logp);
    }
    setCell(this.sumCell, sum);
    setCell(this.lseCell, result.logSumExp);
    this.drawChart(result.probabilities);
    this.summary.textContent = "At T = " + T + ", class " + (result.argmax + 1) +
      " has the largest probability, " + formatNumber(result.probabilities[result.argmax]) +
      " (uniform would be " + formatNumber(1 / this.logits.length) + ").";
  };

  function setCell(cell, value) {
    cell.setAttribute("data-value", String(value));
    cell.textContent = formatNumber(value);
  }

  Explorer.prototype.drawChart = function (probabilities) {
    var svg = this.chart;
    while (svg.lastChild && svg.lastChild !== this.chartTitle) svg.removeChild(svg.lastChild);
    var K = probabilities.length;
    var left = 34, right = 8, top = 10, bottom = 28;
    var width = 320 - left - right, height = 200 - top - bottom;
    var slot = width / K, barWidth = Math.min(48, slot * 0.7);
    [0, 0.25, 0.5, 0.75, 1].forEach(function (tick) {
      var y = top + height * (1 - tick);
      svg.appendChild(svgElement("line", { x1: left, x2: left + width, y1: y, y2: y, class: "sme-grid" }));
      var label = svgElement("text", { x: left - 4, y: y + 3, class: "sme-axis-label", "text-anchor": "end" });
      label.textContent = String(tick);
      svg.appendChild(label);
    });
    var uniformY = top + height * (1 - 1 / K);
    svg.appendChild(svgElement("line", {
      x1: left, x2: left + width, y1: uniformY, y2: uniformY, class: "sme-uniform",
    }));
    // Legend, under the class labels: the dashed line is the uniform distribution.
    var legendY = top + height + 34;
    svg.appendChild(svgElement("line", {
      x1: left + width - 96, x2: left + width - 76, y1: legendY - 3, y2: legendY - 3, class: "sme-uniform",
    }));
    var uniformLabel = svgElement("text", {
      x: left + width, y: legendY, class: "sme-axis-label sme-uniform-label", "text-anchor": "end",
    });
    uniformLabel.textContent = "uniform, 1/" + K;
    svg.appendChild(uniformLabel);
    probabilities.forEach(function (p, k) {
      var x = left + slot * k + (slot - barWidth) / 2;
      var barHeight = Math.max(height * p, 0);
      svg.appendChild(svgElement("rect", {
        x: x, y: top + height - barHeight, width: barWidth, height: barHeight,
        class: "sme-bar", "data-class": String(k),
      }));
      var label = svgElement("text", {
        x: x + barWidth / 2, y: top + height + 16, class: "sme-axis-label", "text-anchor": "middle",
      });
      label.textContent = "class " + (k + 1);
      svg.appendChild(label);
      var value = svgElement("text", {
        x: x + barWidth / 2, y: top + height - barHeight - 3, class: "sme-axis-label sme-bar-label",
        "text-anchor": "middle",
      });
      value.textContent = p.toFixed(2);
      svg.appendChild(value);
    });
    this.chartTitle.textContent = "Bar chart of the probabilities: " + probabilities.map(function (p, k) {
      return "class " + (k + 1) + " " + formatNumber(p);
    }).join(", ") + ". The dashed line is the uniform probability 1/" + K + ".";
  };

  function initAll() {
    var roots = document.querySelectorAll("div.softmax-explorer:not(.softmax-explorer--ready)");
    Array.prototype.forEach.call(roots, function (root) {
      root.softmaxExplorer = new Explorer(root);
    });
  }

  window.SoftmaxExplorer = {
    compute: compute,
    formatNumber: formatNumber,
    temperatureFromSlider: temperatureFromSlider,
    initAll: initAll,
    T_MIN: T_MIN,
    T_MAX: T_MAX,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
