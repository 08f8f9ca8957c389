"""The softmax explorer's arithmetic agrees with ``softmax_course``, in a real browser.

``book/_static/softmax-explorer.js`` computes softmax, log-softmax and
log-sum-exp in the reader's browser (float64, the package's algorithm). Here it
runs in Chromium on a blank page (the script is injected, nothing is fetched)
and its results are compared with the package's on fixed cases, edge cases and
hypothesis-generated logits and temperatures, at a relative tolerance of
1e-12. The widget itself is then driven as a reader would drive it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from explorer_numbers import assert_matches_package
from hypothesis import given, settings
from hypothesis import strategies as st

from softmax_course import log_softmax, softmax

SCRIPT = Path(__file__).resolve().parents[2] / "book" / "_static" / "softmax-explorer.js"
WIDGET = (
    '<div class="softmax-explorer" data-logits="2.0, 1.0, 0.1, -1.0" data-temperature="1.0"></div>'
)


@pytest.fixture(scope="module")
def page(browser):
    """A blank page holding one explorer, with the script injected (no network)."""
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    tab.route("**/*", lambda route: route.abort())
    # A link before the widget: where a reader's Tab comes from.
    tab.set_content(
        f"<!doctype html><html lang='en'><body><a id='before' href='#before'>Before</a>"
        f"{WIDGET}</body></html>"
    )
    tab.add_script_tag(path=str(SCRIPT))
    yield tab
    assert errors == []
    context.close()


def explorer_compute(page, logits, temperature):
    return page.evaluate(
        "([z, t]) => SoftmaxExplorer.compute(z, t)", [list(map(float, logits)), float(temperature)]
    )


def assert_agrees(page, logits, temperature):
    result = explorer_compute(page, logits, temperature)
    assert_matches_package(result, logits, temperature)
    assert result["argmax"] == int(np.argmax(logits))


@pytest.mark.parametrize(
    ("logits", "temperature"),
    [
        ([2.0, 1.0, 0.1, -1.0], 1.0),  # the chapter's example
        ([2.0, 1.0, 0.1, -1.0], 0.05),  # coldest temperature of the slider
        ([2.0, 1.0, 0.1, -1.0], 20.0),  # hottest
        ([0.7, 1.5, 4.8], 1.0),  # chapter 4's worked example
        ([-1.0, 1.0, 2.0, 3.0], 1.0),
        ([3.0, 3.0, 3.0], 0.5),  # ties: uniform, first index is the argmax
        ([1000.0, 999.0, -1000.0], 1.0),  # would overflow without the max trick
        ([-1000.0, -1001.0], 1.0),  # would underflow to 0 / 0
        ([0.0, -800.0, 1e-300], 0.05),  # probabilities that underflow to 0
        ([1e308, -1e308, 0.0], 1.0),  # x - max overflows
        ([1e308, -1e308, 0.0], 20.0),  # ... but (x - max) / T does not
        ([1.0, 1.0 + 2**-52], 1.0),  # one ulp apart
    ],
)
def test_explorer_agrees_with_package(page, logits, temperature):
    assert_agrees(page, logits, temperature)


@settings(max_examples=300, deadline=None)
@given(
    logits=st.lists(
        st.floats(min_value=-60, max_value=60, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=10,
    ),
    temperature=st.floats(min_value=0.05, max_value=20),
)
def test_explorer_agrees_with_package_property(page, logits, temperature):
    assert_agrees(page, logits, temperature)


@pytest.mark.parametrize(
    ("logits", "temperature", "message"),
    [
        ([], 1.0, "at least one logit"),
        ([1.0, float("nan")], 1.0, "finite"),
        ([1.0, 2.0], 0.0, "temperature"),
        ([1.0, 2.0], -1.0, "temperature"),
    ],
)
def test_explorer_rejects_bad_input(page, logits, temperature, message):
    with pytest.raises(Exception, match=message):
        page.evaluate("([z, t]) => SoftmaxExplorer.compute(z, t)", [logits, temperature])


def widget_state(page):
    return page.locator("div.softmax-explorer").evaluate(
        """root => ({
          logits: root.dataset.currentLogits.split(",").map(Number),
          temperature: Number(root.dataset.currentTemperature),
          probabilities: Array.from(root.querySelectorAll("tbody td.sme-prob")).map(td => Number(td.dataset.value)),
          shown: Array.from(root.querySelectorAll("tbody td.sme-prob")).map(td => td.textContent),
          logProbabilities: Array.from(root.querySelectorAll("tbody td.sme-logprob")).map(td => Number(td.dataset.value)),
          sum: Number(root.querySelector("td.sme-sum").dataset.value),
          bars: root.querySelectorAll("rect.sme-bar").length,
        })"""
    )


def test_widget_renders_controls_table_and_chart(page):
    root = page.locator("div.softmax-explorer")
    assert root.locator("input.sme-logit-input").count() == 4
    assert root.locator("input.sme-logit-slider").count() == 4
    assert root.locator("input.sme-temperature-slider").count() == 1
    # Every control has an accessible name.
    for control in root.locator("input").all():
        assert control.evaluate("e => e.labels.length > 0 || e.hasAttribute('aria-label')")
    state = widget_state(page)
    assert state["logits"] == [2.0, 1.0, 0.1, -1.0]
    assert state["temperature"] == 1.0
    assert state["bars"] == 4
    assert state["sum"] == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(state["probabilities"], softmax([2.0, 1.0, 0.1, -1.0]), rtol=1e-12)
    # What the reader sees is the stored value, rounded to 4 decimals.
    assert state["shown"] == [f"{p:.4f}" for p in state["probabilities"]]


def test_moving_the_temperature_changes_the_probabilities(page):
    before = widget_state(page)
    page.locator("input.sme-temperature-slider").fill("0.5")  # log10(T): T = 3.16
    after = widget_state(page)
    assert after["temperature"] == 3.16
    assert after["probabilities"] != before["probabilities"]
    assert max(after["probabilities"]) < max(before["probabilities"])
    np.testing.assert_allclose(
        after["probabilities"], softmax(after["logits"], temperature=3.16), rtol=1e-12
    )
    np.testing.assert_allclose(
        after["logProbabilities"], log_softmax(after["logits"], temperature=3.16), rtol=1e-12
    )


def test_typing_a_logit_changes_the_probabilities(page):
    page.locator("input.sme-logit-input").nth(3).fill("7.25")
    state = widget_state(page)
    assert state["logits"][3] == 7.25
    assert int(np.argmax(state["probabilities"])) == 3
    np.testing.assert_allclose(
        state["probabilities"],
        softmax(state["logits"], temperature=state["temperature"]),
        rtol=1e-12,
    )
    # Text that is not a number is flagged and ignored.
    page.locator("input.sme-logit-input").nth(3).fill("")
    assert widget_state(page)["logits"][3] == 7.25
    assert page.locator("input.sme-logit-input").nth(3).get_attribute("aria-invalid") == "true"


def test_reset_restores_the_initial_state(page):
    page.locator("button.sme-reset").click()
    state = widget_state(page)
    assert state["logits"] == [2.0, 1.0, 0.1, -1.0]
    assert state["temperature"] == 1.0


def accessible_controls(page) -> list[tuple[str, str]]:
    """(role, name) of every control in Chromium's accessibility tree: what a screen
    reader is told."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    controls = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if role in {"slider", "spinbutton", "button", "textbox"} and not node.get("ignored"):
            controls.append((role, node.get("name", {}).get("value", "")))
    return controls


def test_every_control_has_a_name_a_screen_reader_reads(page):
    controls = accessible_controls(page)
    expected = [
        *[
            (role, name)
            for k in range(1, 5)
            for role, name in (("slider", f"logit z{k} (slider)"), ("spinbutton", f"logit z{k}"))
        ],
        ("slider", "temperature T"),
        ("button", "Reset"),
    ]
    assert sorted(controls) == sorted(expected)


def test_the_explorer_works_from_the_keyboard_alone(page):
    """Tab reaches each control in order; arrow keys move the sliders and step the
    logits; Enter on Reset resets."""
    page.locator("button.sme-reset").click()
    initial = widget_state(page)
    controls = page.locator("div.softmax-explorer").locator("input, button")
    count = controls.count()
    assert count == 2 * 4 + 2
    page.locator("#before").focus()
    reached = []
    for _ in range(count):
        page.keyboard.press("Tab")
        reached.append(controls.evaluate_all("(all) => all.indexOf(document.activeElement)"))
    assert reached == list(range(count)), "Tab does not reach every control, in order"

    def focus_by_tab(index):
        page.locator("#before").focus()
        for _ in range(index + 1):
            page.keyboard.press("Tab")
        assert controls.evaluate_all("(all) => all.indexOf(document.activeElement)") == index

    # The slider of logit z1 (the first control): five steps of 0.1 to the right.
    focus_by_tab(0)
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    state = widget_state(page)
    assert state["logits"] == pytest.approx([2.5, 1.0, 0.1, -1.0], abs=1e-12)
    assert page.locator("input.sme-logit-input").first.input_value() == "2.5"
    np.testing.assert_allclose(state["probabilities"], softmax(state["logits"]), rtol=1e-12)

    # The number field of logit z2 (the fourth control): ArrowUp steps it by 0.1.
    focus_by_tab(3)
    for _ in range(3):
        page.keyboard.press("ArrowUp")
    assert widget_state(page)["logits"][1] == pytest.approx(1.3, abs=1e-12)

    # The temperature slider: ArrowLeft cools (sharper), ArrowRight warms (flatter).
    focus_by_tab(count - 2)
    for _ in range(20):
        page.keyboard.press("ArrowLeft")
    colder = widget_state(page)
    assert colder["temperature"] < 1.0
    for _ in range(60):
        page.keyboard.press("ArrowRight")
    hotter = widget_state(page)
    assert hotter["temperature"] > 1.0
    assert max(hotter["probabilities"]) < max(colder["probabilities"])
    np.testing.assert_allclose(
        hotter["probabilities"],
        softmax(hotter["logits"], temperature=hotter["temperature"]),
        rtol=1e-12,
    )

    # Reset, from the keyboard.
    focus_by_tab(count - 1)
    page.keyboard.press("Enter")
    assert widget_state(page)["logits"] == initial["logits"]
    assert widget_state(page)["temperature"] == initial["temperature"]
