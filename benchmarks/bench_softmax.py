"""Speed, memory and accuracy of softmax_course against scipy.special and TensorFlow.

Run with ``make bench`` (or ``python benchmarks/bench_softmax.py``). It prints the
targets of the speed issues next to the measured values and writes everything,
with the machine's CPU model, core count and library versions, to
``benchmarks/results/bench_softmax.json``, which the appendix of the book reads.

Speed: every case times each implementation once per round, in a rotating
order, for several rounds in one process (after a warm-up call); the
implementations of one function run back to back, and a ratio is taken within
a round and summarised by its min, median and max. The time is
the CPU time of the process (``time.process_time``: user and system time,
page faults included), not the wall-clock time, so that other jobs on a
shared machine do not count; every implementation runs on one thread
(TensorFlow is limited to one), so the two agree on an idle machine. Wall
times are stored too.
Memory: the peak of NumPy's allocations (``tracemalloc``) during one call,
minus the result. Accuracy: the largest error in ULPs against a 50-digit
mpmath reference, on the adversarial logits of chapter 5 at spreads 1 to 1000.

Sign patterns: the same comparison for three kinds of rows, each in float32 and
float64, for a large, a 4096 x 1000 and a medium batch: ``mixed`` (classifier
logits, normal with standard deviation 4), ``all-negative`` (their
log-probabilities, every logit < 0) and ``large-maximum`` (the same logits +
1000), with the time ratios to SciPy and to one bare ``np.exp`` and the largest
ULP error of the course's functions on a few rows of the batch.

The matrix (issue 20): K in {2, 10, 100, 1000, 32000} x spread in {1, 30, 1000}
x float32/float64 x softmax/log_softmax, on normal logits times the spread, about
2 million logits per call (``2_000_000 // K`` rows). In each round the course's
function, SciPy's and one bare ``np.exp`` (of spread-1 logits of the same shape
and dtype: every exponential normal) run one after the other in a rotating
order; a ratio is taken within a round, and the median over the rounds is
reported. The largest ULP errors of the course on the first rows of each cell
are measured against the 50-digit mpmath references in the same run.

Options: ``--rounds N`` (default 5), ``--quick`` (small arrays and 3 rounds, a
smoke test; its results are written to ``bench_softmax_quick.json``).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import mpmath
import numpy as np
import scipy
import scipy.special as sp

import softmax_course as sc
from softmax_course.teaching import naive_log_softmax, shifted_softmax
from softmax_course.testing import (
    ULP_BOUNDS,
    adversarial_logits,
    logsumexp_ulp_error,
    max_ulp_error,
    reference_cross_entropy,
    reference_log_softmax,
    reference_logsumexp,
    reference_softmax,
    ulp_error,
)

RESULTS = Path(__file__).resolve().parent / "results"
FUNCTIONS = ("softmax", "log_softmax", "logsumexp", "cross_entropy")
SHAPES = {"large": (2048, 32000), "medium": (256, 1000), "small": (10,)}
QUICK_SHAPES = {"large": (128, 32000), "medium": (256, 1000), "small": (10,)}
PATTERN_SHAPES = {"large": SHAPES["large"], "batch": (4096, 1000), "medium": SHAPES["medium"]}
QUICK_PATTERN_SHAPES = {"large": QUICK_SHAPES["large"], "medium": SHAPES["medium"]}
PATTERNS = ("mixed", "all-negative", "large-maximum")
#: Rows of each sign-pattern batch whose ULP errors are measured against mpmath.
ULP_ROWS = {1000: 3, 32000: 1}
SPREADS = (1.0, 10.0, 100.0, 1000.0)

#: The matrix of issue 20: classes, spreads, logits per call, where np.exp is compared.
MATRIX_K = (2, 10, 100, 1000, 32000)
MATRIX_SPREADS = (1.0, 30.0, 1000.0)
LOGITS_PER_CALL = 2_000_000
QUICK_LOGITS_PER_CALL = 64_000
EXP_K = (1000, 32000)
#: Rows of each matrix cell whose ULP errors are measured against mpmath.
MATRIX_ULP_VALUES = 2000

#: The targets of the issue: time ratio to scipy.special, and to one bare np.exp.
TARGET_SCIPY = 1.0
TARGET_EXP = {"float32": 1.3, "float64": 1.5}
TARGET_MEMORY = 0.25  # peak extra memory / size of the logits (= softmax's output)
TARGET_ULPS = {function: ULP_BOUNDS[function] for function in FUNCTIONS}


def load_tensorflow():
    """TensorFlow on the CPU, or None if it is not installed."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    try:
        import tensorflow as tf
    except ImportError:
        return None
    tf.config.set_visible_devices([], "GPU")
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    return tf


def implementations(x, labels, exp_input=None):
    """The NumPy-based functions to time on logits ``x``, by (function, library).

    ``np.exp`` runs on ``exp_input`` (default ``x``): an array of the shape and
    dtype of ``x`` whose exponentials do not overflow, the cost of one ``exp``.
    """
    exp_input = x if exp_input is None else exp_input
    rows = np.arange(x.shape[0]) if x.ndim == 2 else None

    def scipy_ce():
        log_probs = sp.log_softmax(x, axis=-1)
        picked = log_probs[rows, labels] if rows is not None else log_probs[labels]
        return -picked

    impls = {
        ("softmax", "course"): lambda: sc.softmax(x),
        ("softmax", "scipy"): lambda: sp.softmax(x, axis=-1),
        ("log_softmax", "course"): lambda: sc.log_softmax(x),
        ("log_softmax", "scipy"): lambda: sp.log_softmax(x, axis=-1),
        ("logsumexp", "course"): lambda: sc.logsumexp(x),
        ("logsumexp", "scipy"): lambda: sp.logsumexp(x, axis=-1),
        ("cross_entropy", "course"): lambda: sc.cross_entropy(x, labels, reduction="none"),
        ("cross_entropy", "scipy"): scipy_ce,
        ("exp", "numpy"): lambda: np.exp(exp_input),
    }
    return impls


def calls_per_timing(function, budget=0.05):
    """How many calls make one timing last about ``budget`` seconds."""
    function()
    start = time.process_time()
    function()
    once = time.process_time() - start
    return max(1, min(20000, int(budget / max(once, 1e-7))))


def time_rounds(impls, rounds):
    """CPU and wall seconds per call of each implementation, one entry per round.

    The implementations of one function (and ``np.exp`` with softmax) run one
    right after the other, so that the timings a ratio compares are close in
    time; the order of the groups and within each group rotates every round.
    """
    names = list(impls)
    groups = [
        [n for n in names if n[0] == f or (f == "softmax" and n[0] == "exp")] for f in FUNCTIONS
    ]
    groups = [group for group in groups if group]
    counts = {name: calls_per_timing(impls[name]) for name in names}
    times = {name: [] for name in names}
    wall = {name: [] for name in names}
    for round_index in range(rounds):  # calls_per_timing has warmed every one up
        order = []
        first = round_index % len(groups)
        for group in groups[first:] + groups[:first]:
            shift = round_index % len(group)
            order += group[shift:] + group[:shift]
        for name in order:
            function, count = impls[name], counts[name]
            gc.collect()
            start, start_wall = time.process_time(), time.perf_counter()
            for _ in range(count):
                result = function()
            times[name].append((time.process_time() - start) / count)
            wall[name].append((time.perf_counter() - start_wall) / count)
            del result
    return times, wall


def summary(values):
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
        "values": list(values),
    }


def ratios(times, numerator, denominator):
    return summary([a / b for a, b in zip(times[numerator], times[denominator], strict=True)])


def peak_extra_memory(function):
    """Peak bytes NumPy allocates during ``function()``, minus its result."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    result = np.asarray(function())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return max(0, peak - before - result.nbytes)


def logits_for(shape, dtype, seed):
    """Logits like a classifier's: normal with standard deviation 4, labels uniform."""
    rng = np.random.default_rng(seed)
    x = (4.0 * rng.standard_normal(shape, dtype=np.float32)).astype(dtype)
    labels = rng.integers(0, shape[-1], size=shape[:-1]) if len(shape) > 1 else 3
    return x, labels


def pattern_logits(pattern, shape, dtype, seed):
    """Logits of one sign pattern (see the module doc) and labels."""
    x, labels = logits_for(shape, dtype, seed)
    if pattern == "all-negative":
        x = sc.log_softmax(x.astype(np.float64)).astype(dtype)
    elif pattern == "large-maximum":
        x = (x.astype(np.float64) + 1000.0).astype(dtype)
    return x, labels


def speed_record(x, labels, dtype, size, pattern, rounds, exp_input=None):
    """Time every implementation on ``x``; ratios to SciPy and to one np.exp."""
    impls = implementations(x, labels, exp_input)
    times, wall = time_rounds(impls, rounds)
    return {
        "dtype": dtype,
        "size": size,
        "pattern": pattern,
        "shape": list(x.shape),
        "rounds": rounds,
        "seconds": {f"{f}/{lib}": summary(t) for (f, lib), t in times.items()},
        "wall_seconds": {f"{f}/{lib}": summary(t) for (f, lib), t in wall.items()},
        "ratio_to_scipy": {
            function: ratios(times, (function, "course"), (function, "scipy"))
            for function in FUNCTIONS
        },
        "ratio_to_exp": {
            function: ratios(times, (function, "course"), ("exp", "numpy"))
            for function in ("softmax", "log_softmax")
        },
    }


def run_speed(shapes, rounds, log):
    """Time every case of classifier-like (mixed-sign) logits; returns case records."""
    cases = []
    for dtype in ("float32", "float64"):
        for size, shape in shapes.items():
            x, labels = logits_for(shape, dtype, seed=7)
            record = speed_record(x, labels, dtype, size, "mixed", rounds)
            if size == "large":
                record["softmax_ratio_to_exp"] = record["ratio_to_exp"]["softmax"]
                record["memory"] = memory_record(x, labels)
            cases.append(record)
            log(f"  timed {dtype} {size} {tuple(shape)}")
            del x
            gc.collect()
    return cases


def matrix_ulps(x, labels):
    """Largest ULP errors of the course on the first rows of ``x`` (about 2000 values)."""
    rows = max(1, min(x.shape[0], MATRIX_ULP_VALUES // x.shape[1]))
    x, labels = x[:rows], labels[:rows]
    with np.errstate(all="ignore"):
        lse = logsumexp_ulp_error(sc.logsumexp(x), reference_logsumexp(x), x)
        ce = ulp_error(
            sc.cross_entropy(x, labels, reduction="none"), reference_cross_entropy(x, labels)
        )
        return {
            "rows": rows,
            "softmax": max_ulp_error(sc.softmax, x, reference_softmax(x)),
            "log_softmax": float(ulp_error(sc.log_softmax(x), reference_log_softmax(x)).max()),
            "logsumexp": float(lse.max()),
            "cross_entropy": float(ce.max()),
        }


def time_interleaved(impls, rounds):
    """CPU seconds per call of each implementation, one entry per round, in rotating order."""
    names = list(impls)
    counts = {name: calls_per_timing(impls[name], budget=0.02) for name in names}
    times = {name: [] for name in names}
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            start = time.process_time()
            for _ in range(counts[name]):
                result = impls[name]()
            times[name].append((time.process_time() - start) / counts[name])
            del result
    return times


def matrix_cell(dtype, classes, spread, rounds, logits_per_call):
    """One cell of the matrix: times, ratios to SciPy and to one np.exp, ULP maxima."""
    rng = np.random.default_rng(classes * 1000 + int(spread))
    shape = (max(1, logits_per_call // classes), classes)
    x = (spread * rng.standard_normal(shape)).astype(dtype)
    exp_input = rng.standard_normal(shape).astype(dtype)
    labels = rng.integers(0, classes, shape[0])
    impls = {
        "softmax/course": lambda: sc.softmax(x),
        "softmax/scipy": lambda: sp.softmax(x, axis=-1),
        "log_softmax/course": lambda: sc.log_softmax(x),
        "log_softmax/scipy": lambda: sp.log_softmax(x, axis=-1),
        "exp/numpy": lambda: np.exp(exp_input),
    }
    times = time_interleaved(impls, rounds)
    record = {
        "dtype": dtype,
        "classes": classes,
        "spread": spread,
        "shape": list(shape),
        "rounds": rounds,
        "seconds": {name: summary(t) for name, t in times.items()},
        "ratio_to_scipy": {
            f: ratios(times, f"{f}/course", f"{f}/scipy") for f in ("softmax", "log_softmax")
        },
        "ulps": matrix_ulps(x, labels),
    }
    if classes in EXP_K:
        record["ratio_to_exp"] = {
            f: ratios(times, f"{f}/course", "exp/numpy") for f in ("softmax", "log_softmax")
        }
    return record


def run_matrix(rounds, logits_per_call, log):
    """Every cell of the matrix (see the module doc)."""
    cells = []
    for dtype in ("float32", "float64"):
        for classes in MATRIX_K:
            for spread in MATRIX_SPREADS:
                cells.append(matrix_cell(dtype, classes, spread, rounds, logits_per_call))
                log(f"  matrix {dtype} K={classes} spread={spread:g}")
                gc.collect()
    return cells


def matrix_report(cells):
    """The matrix: median ratios to SciPy, to one np.exp, and the ULP maxima."""
    lines = ["", "Matrix (issue 20): median time ratio course / scipy.special (target <= 1.0)"]
    head = "".join(f"{'K=' + str(k):>9s}" for k in MATRIX_K)
    for function in ("softmax", "log_softmax"):
        lines.append(f"{function:12s}{'dtype':8s}{'spread':>7s}{head}")
        for dtype in ("float32", "float64"):
            for spread in MATRIX_SPREADS:
                row = [c for c in cells if c["dtype"] == dtype and c["spread"] == spread]
                values = "".join(f"{c['ratio_to_scipy'][function]['median']:9.2f}" for c in row)
                lines.append(f"{'':12s}{dtype:8s}{spread:7g}{values}")
    met = sum(
        c["ratio_to_scipy"][f]["median"] <= TARGET_SCIPY
        for c in cells
        for f in ("softmax", "log_softmax")
    )
    lines.append(f"cells at or below SciPy's time: {met} of {2 * len(cells)}")
    lines += ["", "Median time ratio course / one bare np.exp (target <= 1.3 float32, 1.5 float64)"]
    lines.append(f"{'dtype':8s}{'K':>7s}{'spread':>7s}{'softmax':>9s}{'log_softmax':>13s}")
    for c in cells:
        if "ratio_to_exp" in c:
            e = c["ratio_to_exp"]
            lines.append(
                f"{c['dtype']:8s}{c['classes']:7d}{c['spread']:7g}"
                f"{e['softmax']['median']:9.2f}{e['log_softmax']['median']:13.2f}"
            )
    lines += [
        "",
        "Largest ULP errors of the course on the first rows of each cell (bounds: "
        + ", ".join(f"{f} {TARGET_ULPS[f]:g}" for f in FUNCTIONS)
        + ")",
    ]
    for function in FUNCTIONS:
        worst = max(c["ulps"][function] for c in cells)
        lines.append(f"{function:14s}{worst:8.2f}  {mark(worst <= TARGET_ULPS[function])}")
    return lines


def pattern_ulps(x, labels):
    """Largest ULP error of the course's functions on the first rows of ``x``."""
    rows = ULP_ROWS.get(x.shape[-1], 2)
    x, labels = x[:rows], labels[:rows]
    ref_lp = reference_log_softmax(x)
    with np.errstate(all="ignore"):
        lse = logsumexp_ulp_error(sc.logsumexp(x), reference_logsumexp(x), x)
        ce_exact = reference_cross_entropy(x, labels)
        ce = ulp_error(sc.cross_entropy(x, labels, reduction="none"), ce_exact)
        return {
            "rows": rows,
            "softmax": max_ulp_error(sc.softmax, x, reference_softmax(x)),
            "log_softmax": max_ulp_error(sc.log_softmax, x, ref_lp),
            "logsumexp": float(lse.max()),
            "cross_entropy": float(ce.max()),
        }


def run_sign_patterns(shapes, rounds, main_cases, log):
    """Every sign pattern, dtype and batch size: times, ratios and ULP errors."""
    reuse = {(c["dtype"], c["size"]): c for c in main_cases if c["size"] in shapes}
    cases = []
    for pattern in PATTERNS:
        for dtype in ("float32", "float64"):
            for size, shape in shapes.items():
                x, labels = pattern_logits(pattern, shape, dtype, seed=7)
                if pattern == "mixed" and (dtype, size) in reuse:
                    main = reuse[(dtype, size)]
                    keys = ("dtype", "size", "pattern", "shape", "rounds", "seconds")
                    record = {k: main[k] for k in keys}
                    record["ratio_to_scipy"] = main["ratio_to_scipy"]
                    record["ratio_to_exp"] = main["ratio_to_exp"]
                else:
                    mixed, _ = pattern_logits("mixed", shape, dtype, seed=7)
                    record = speed_record(x, labels, dtype, size, pattern, rounds, mixed)
                    del mixed
                record["ulps"] = pattern_ulps(x, labels)
                cases.append(record)
                log(f"  timed {pattern} {dtype} {size} {tuple(shape)}")
                del x
                gc.collect()
    return cases


def memory_record(x, labels):
    """Peak extra memory of each function, course and scipy, in bytes and per logits size."""
    impls = implementations(x, labels)
    record = {"logits_bytes": int(x.nbytes)}
    for function in FUNCTIONS:
        for library in ("course", "scipy"):
            extra = peak_extra_memory(impls[(function, library)])
            record[f"{function}/{library}"] = {"bytes": int(extra), "fraction": extra / x.nbytes}
    return record


def run_tensorflow(shapes, rounds, log):
    """TensorFlow's softmax and log-softmax against SciPy's, case by case.

    Runs in a separate process (see ``main``): importing TensorFlow changes how
    memory is allocated for the whole process, which would change SciPy's
    timings in the main comparison.
    """
    tf = load_tensorflow()
    ratios_by_case = {}
    for dtype in ("float32", "float64"):
        for size, shape in shapes.items():
            x, labels = logits_for(shape, dtype, seed=7)
            xt = tf.constant(x)
            impls = {
                ("softmax", "tensorflow"): lambda xt=xt: tf.nn.softmax(xt),
                ("softmax", "scipy"): lambda x=x: sp.softmax(x, axis=-1),
                ("log_softmax", "tensorflow"): lambda xt=xt: tf.nn.log_softmax(xt),
                ("log_softmax", "scipy"): lambda x=x: sp.log_softmax(x, axis=-1),
            }
            times, _ = time_rounds(impls, rounds)
            ratios_by_case[f"{dtype}/{size}"] = {
                function: ratios(times, (function, "tensorflow"), (function, "scipy"))
                for function in ("softmax", "log_softmax")
            }
            log(f"  TensorFlow timed, {dtype} {size}")
            del x, xt, impls
            gc.collect()
    return ratios_by_case


def tensorflow_worker(path, quick):
    """The part of the benchmark that imports TensorFlow, run in its own process."""
    started = time.perf_counter()

    def log(message):
        print(f"[{time.perf_counter() - started:6.1f} s, TensorFlow process]{message}", flush=True)

    tf = load_tensorflow()
    shapes = QUICK_SHAPES if quick else SHAPES
    result = {
        "tensorflow": tf.__version__ if tf is not None else None,
        "speed": run_tensorflow(shapes, 3, log) if tf is not None else {},
        "accuracy": run_accuracy(tf, rows=21, classes=32, log=log),
    }
    Path(path).write_text(json.dumps(result))


def accuracy_functions(tf):
    """Implementations whose accuracy is measured, by function then library."""
    table = {
        "softmax": {
            "course": sc.softmax,
            "scipy": lambda x: sp.softmax(x, axis=-1),
            "shifted (max trick only)": shifted_softmax,
        },
        "log_softmax": {
            "course": sc.log_softmax,
            "scipy": lambda x: sp.log_softmax(x, axis=-1),
            "log(shifted softmax)": naive_log_softmax,
        },
        "logsumexp": {
            "course": sc.logsumexp,
            "scipy": lambda x: sp.logsumexp(x, axis=-1),
        },
        "cross_entropy": {
            "course": lambda x, y: sc.cross_entropy(x, y, reduction="none"),
            "scipy": lambda x, y: -sp.log_softmax(x, axis=-1)[np.arange(len(y)), y],
        },
    }
    if tf is not None:
        table["softmax"]["tensorflow"] = lambda x: tf.nn.softmax(x).numpy()
        table["log_softmax"]["tensorflow"] = lambda x: tf.nn.log_softmax(x).numpy()
        table["logsumexp"]["tensorflow"] = lambda x: tf.math.reduce_logsumexp(x, axis=-1).numpy()
        table["cross_entropy"]["tensorflow"] = lambda x, y: (
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x).numpy()
        )
    return table


def run_accuracy(tf, rows, classes, log):
    """Largest ULP error of each implementation at each spread, per dtype."""
    table = accuracy_functions(tf)
    result = {"spreads": list(SPREADS), "rows": rows, "classes": classes, "errors": {}}
    for dtype in ("float32", "float64"):
        rng = np.random.default_rng(2026)
        errors = {f: {lib: [] for lib in libs} for f, libs in table.items()}
        for spread in SPREADS:
            x = adversarial_logits(rng, rows, classes, spread, dtype=dtype)
            labels = rng.integers(0, classes, rows)
            digits = 50 + int(np.ceil(spread / np.log(10)))
            ref_p = reference_softmax(x, digits=digits)
            ref_lp = reference_log_softmax(x, digits=digits)
            ref_lse = reference_logsumexp(x, digits=digits)
            ref_ce = reference_cross_entropy(x, labels, digits=digits)
            with np.errstate(all="ignore"):
                for lib, function in table["softmax"].items():
                    errors["softmax"][lib].append(max_ulp_error(function, x, ref_p))
                for lib, function in table["log_softmax"].items():
                    errors["log_softmax"][lib].append(max_ulp_error(function, x, ref_lp))
                for lib, function in table["logsumexp"].items():
                    e = logsumexp_ulp_error(np.asarray(function(x)), ref_lse, x)
                    errors["logsumexp"][lib].append(float(e.max()))
                for lib, function in table["cross_entropy"].items():
                    e = ulp_error(np.asarray(function(x, labels)), ref_ce, dtype=x.dtype)
                    errors["cross_entropy"][lib].append(float(e.max()))
        result["errors"][dtype] = errors
        log(f"  accuracy {dtype} done")
    return result


def machine_info(tf_version):
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features

        simd = [name for name in ("AVX2", "FMA3", "AVX512F") if features.get(name)]
    except ImportError:
        simd = []
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "numpy_simd": simd,
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "versions": {
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "mpmath": mpmath.__version__,
            "softmax_course": sc.__version__,
            "tensorflow": tf_version,
        },
        "threads": "one per implementation (TensorFlow limited to one intra-op thread)",
        "tensorflow_process": "TensorFlow is timed in a separate process, against SciPy there",
        "clock": "time.process_time (CPU time of the process)",
    }


def fmt_ratio(s):
    return f"{s['median']:.2f} ({s['min']:.2f}-{s['max']:.2f})"


def mark(ok):
    return "met" if ok else "NOT MET"


def pattern_report(cases):
    """The sign-pattern table: medians of the ratios, and the ULP errors."""
    lines = [
        "",
        "Sign patterns: median time ratios (course / scipy.special, course / one np.exp) and",
        "largest ULP errors of the course on the first rows. Targets: / scipy <= 1.0 for",
        "softmax and log_softmax; softmax / np.exp <= 1.3 (float32), 1.5 (float64) for mixed",
        "rows on the large batch (other patterns need one more pass: shown for information);",
        "ULPs within the bounds.",
        f"{'pattern':14s}{'dtype':8s}{'size':7s}{'shape':>14s}"
        f"{'sm/sp':>7s}{'lsm/sp':>7s}{'lse/sp':>7s}{'ce/sp':>7s}{'sm/exp':>8s}{'lsm/exp':>8s}"
        f"{'ULP sm':>8s}{'lsm':>6s}{'lse':>6s}{'ce':>6s}  targets",
    ]
    for case in cases:
        r, e, u = case["ratio_to_scipy"], case["ratio_to_exp"], case["ulps"]
        ok = all(r[f]["median"] <= TARGET_SCIPY for f in ("softmax", "log_softmax"))
        ok &= all(u[f] <= TARGET_ULPS[f] for f in FUNCTIONS)
        if case["size"] == "large" and case["pattern"] == "mixed":
            ok &= e["softmax"]["median"] <= TARGET_EXP[case["dtype"]]
        shape = "x".join(str(n) for n in case["shape"])
        lines.append(
            f"{case['pattern']:14s}{case['dtype']:8s}{case['size']:7s}{shape:>14s}"
            + "".join(f"{r[f]['median']:7.2f}" for f in FUNCTIONS)
            + "".join(f"{e[f]['median']:8.2f}" for f in ("softmax", "log_softmax"))
            + f"{u['softmax']:8.2f}"
            + "".join(f"{u[f]:6.2f}" for f in ("log_softmax", "logsumexp", "cross_entropy"))
            + f"  {mark(ok)}"
        )
    return lines


def report(results):
    """Print every target next to its measured value."""
    lines = ["", "Time ratio course / scipy.special: median (min-max) over rounds; target <= 1.0"]
    lines.append(f"{'case':34s} {'function':14s} {'ratio':22s} target")
    for case in results["speed"]:
        name = f"{case['dtype']} {case['size']} {tuple(case['shape'])}"
        for function, s in case["ratio_to_scipy"].items():
            target = mark(s["median"] <= TARGET_SCIPY)
            lines.append(f"{name:34s} {function:14s} {fmt_ratio(s):22s} {target}")
    lines += pattern_report(results["sign_patterns"])
    lines += ["", "softmax time / one bare np.exp, large batch"]
    for case in results["speed"]:
        if "softmax_ratio_to_exp" in case:
            s, limit = case["softmax_ratio_to_exp"], TARGET_EXP[case["dtype"]]
            ok = mark(s["median"] <= limit)
            lines.append(f"{case['dtype']:10s} {fmt_ratio(s):22s} target <= {limit}: {ok}")
    lines += [
        "",
        "Peak extra memory, large batch, as a fraction of the logits' size (target <= 0.25)",
    ]
    for case in results["speed"]:
        if "memory" in case:
            memory = case["memory"]
            for function in FUNCTIONS:
                ours, theirs = memory[f"{function}/course"], memory[f"{function}/scipy"]
                lines.append(
                    f"{case['dtype']:10s} {function:14s} course {ours['fraction']:.4f}  "
                    f"scipy {theirs['fraction']:.2f}  {mark(ours['fraction'] <= TARGET_MEMORY)}"
                )
    lines += ["", "TensorFlow time / scipy.special (orientation only; one thread)"]
    for name, by_function in results["tensorflow_ratio_to_scipy"].items():
        for function, s in by_function.items():
            lines.append(f"{name:34s} {function:14s} {fmt_ratio(s)}")
    accuracy = results["accuracy"]
    lines += ["", f"Largest ULP error against mpmath at spreads {accuracy['spreads']}"]
    for dtype, table in accuracy["errors"].items():
        for function, libraries in table.items():
            for library, values in libraries.items():
                shown = " ".join(f"{v:8.2f}" for v in values)
                status = ""
                if library == "course":
                    status = f"target <= {TARGET_ULPS[function]:g}: " + mark(
                        max(values) <= TARGET_ULPS[function]
                    )
                lines.append(f"{dtype:8s} {function:14s} {library:26s} {shown}  {status}")
    lines += matrix_report(results["matrix"])
    print("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds per case")
    parser.add_argument("--quick", action="store_true", help="small arrays, a smoke test")
    parser.add_argument("--tensorflow-worker", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.tensorflow_worker:
        tensorflow_worker(args.tensorflow_worker, args.quick)
        return 0
    rounds = 3 if args.quick else args.rounds
    shapes = QUICK_SHAPES if args.quick else SHAPES
    started = time.perf_counter()

    def log(message):
        print(f"[{time.perf_counter() - started:6.1f} s]{message}", flush=True)

    log(" timing (TensorFlow and the accuracy table run in a second process afterwards)")
    results = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "machine": machine_info(None),
        "targets": {
            "ratio_to_scipy": TARGET_SCIPY,
            "softmax_ratio_to_exp": TARGET_EXP,
            "memory_fraction": TARGET_MEMORY,
            "ulps": TARGET_ULPS,
            "matrix": {
                "classes": list(MATRIX_K),
                "spreads": list(MATRIX_SPREADS),
                "logits_per_call": LOGITS_PER_CALL,
                "exp_classes": list(EXP_K),
            },
        },
    }
    per_call = QUICK_LOGITS_PER_CALL if args.quick else LOGITS_PER_CALL
    results["matrix"] = run_matrix(rounds, per_call, log)
    results["speed"] = run_speed(shapes, rounds, log)
    pattern_shapes = QUICK_PATTERN_SHAPES if args.quick else PATTERN_SHAPES
    results["sign_patterns"] = run_sign_patterns(pattern_shapes, rounds, results["speed"], log)
    with tempfile.TemporaryDirectory() as folder:
        worker_json = Path(folder) / "tensorflow.json"
        command = [sys.executable, __file__, "--tensorflow-worker", str(worker_json)]
        subprocess.run(command + (["--quick"] if args.quick else []), check=True)
        worker = json.loads(worker_json.read_text())
    results["machine"]["versions"]["tensorflow"] = worker["tensorflow"]
    results["tensorflow_ratio_to_scipy"] = worker["speed"]
    results["accuracy"] = worker["accuracy"]
    results["seconds_total"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / ("bench_softmax_quick.json" if args.quick else "bench_softmax.json")
    path.write_text(json.dumps(results, indent=1) + "\n")
    report(results)
    log(f" results written to {path.relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
