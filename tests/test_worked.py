"""Tests of softmax_course.worked: the step-by-step softmax of chapter 4."""

import mpmath
import numpy as np
import pytest
from hypothesis import given
from strategies import vectors

from softmax_course import softmax
from softmax_course.teaching import SoftmaxSteps, softmax_steps
from softmax_course.testing import reference_softmax, ulp_error


def test_seed_example_three_logits():
    steps = softmax_steps([0.7, 1.5, 4.8])
    assert steps.shifted and steps.shift == 4.8
    np.testing.assert_array_equal(
        steps.probabilities.round(8), [0.01573172, 0.03501159, 0.94925668]
    )
    assert steps.exponentials[2] == 1.0


def test_seed_example_four_logits_unshifted():
    steps = softmax_steps([-1.0, 1.0, 2.0, 3.0], shift=False)
    assert not steps.shifted and steps.shift == 0.0
    np.testing.assert_allclose(
        steps.exponentials, [np.exp(-1), np.e, np.exp(2), np.exp(3)], rtol=1e-15
    )
    assert round(steps.denominator, 2) == 30.56
    np.testing.assert_array_equal(steps.probabilities.round(2), [0.01, 0.09, 0.24, 0.66])


def test_shift_does_not_change_the_shares():
    logits = [-1.0, 1.0, 2.0, 3.0]
    shifted, plain = softmax_steps(logits), softmax_steps(logits, shift=False)
    np.testing.assert_allclose(shifted.probabilities, plain.probabilities, rtol=1e-15)
    np.testing.assert_allclose(plain.denominator, shifted.denominator * np.exp(3.0), rtol=1e-15)


def test_shares_match_the_mpmath_reference():
    logits = np.array([-3.44, 1.16, -0.81, 3.91])
    steps = softmax_steps(logits)
    assert ulp_error(steps.probabilities, reference_softmax(logits)).max() <= 4
    exact = reference_softmax(logits)[3]
    assert float(mpmath.nstr(exact, 4)) == pytest.approx(0.9315)


def test_large_logits_are_fine_with_the_shift_only():
    steps = softmax_steps([1000.0, 1000.0])
    np.testing.assert_array_equal(steps.probabilities, [0.5, 0.5])
    with pytest.raises(ValueError, match="overflows"):
        softmax_steps([1000.0, 1000.0], shift=False)


def test_single_class_has_probability_one():
    steps = softmax_steps([-7.25])
    np.testing.assert_array_equal(steps.probabilities, [1.0])
    assert steps.denominator == 1.0


def test_integer_and_float32_input_give_float64():
    assert softmax_steps([1, 2]).probabilities.dtype == np.float64
    steps = softmax_steps(np.array([1.0, 2.0], dtype=np.float32))
    assert steps.logits.dtype == np.float64


def test_result_is_a_frozen_dataclass():
    steps = softmax_steps([0.0, 1.0])
    assert isinstance(steps, SoftmaxSteps)
    with pytest.raises(AttributeError):
        steps.denominator = 2.0


@pytest.mark.parametrize(
    ("logits", "message"),
    [
        ([[1.0, 2.0]], "1-D"),
        ([], "at least one class"),
        ([1.0, np.nan], "finite"),
        ([1.0, np.inf], "finite"),
        ([-np.inf, 0.0], "finite"),
    ],
)
def test_bad_logits_raise_value_error(logits, message):
    with pytest.raises(ValueError, match=message):
        softmax_steps(logits)


@pytest.mark.parametrize("logits", [[1 + 2j], ["a", "b"], np.array([1.0], dtype=object)])
def test_non_real_logits_raise_type_error(logits):
    with pytest.raises(TypeError):
        softmax_steps(logits)


def test_table_layout():
    text = softmax_steps([-1.0, 1.0, 2.0, 3.0], shift=False).table(digits=2)
    assert text.splitlines() == [
        "class  logit  exp(z)  share",
        "    0  -1.00    0.37   0.01",
        "    1   1.00    2.72   0.09",
        "    2   2.00    7.39   0.24",
        "    3   3.00   20.09   0.66",
        "  sum          30.56   1.00",
    ]


def test_table_with_names_and_shift():
    text = softmax_steps([0.7, 1.5, 4.8]).table(names=["a", "bb", "ccc"], digits=3)
    lines = text.splitlines()
    assert lines[0] == "class  logit  exp(z - max)  share"
    assert lines[3].split() == ["ccc", "4.800", "1.000", "0.949"]
    assert lines[-1].split() == ["sum", "1.053", "1.000"]
    assert len({len(line) for line in lines[:-1]}) == 1  # the columns line up


def test_table_rejects_bad_names_and_digits():
    steps = softmax_steps([0.0, 1.0])
    with pytest.raises(ValueError, match="one entry per class"):
        steps.table(names=["only one"])
    with pytest.raises(ValueError, match="digits"):
        steps.table(digits=-1)
    with pytest.raises(TypeError, match="digits"):
        steps.table(digits=2.5)


FINITE_LOGITS = vectors()


@given(FINITE_LOGITS)
def test_steps_agree_with_softmax(logits):
    steps = softmax_steps(logits)
    np.testing.assert_allclose(steps.probabilities, softmax(logits), rtol=1e-12, atol=1e-300)
    assert steps.exponentials.max() == 1.0
    assert np.all((steps.exponentials > 0) | (steps.logits - steps.shift < -700))
    assert 1.0 <= steps.denominator <= logits.size
    assert abs(steps.probabilities.sum() - 1.0) <= logits.size * 1e-15
