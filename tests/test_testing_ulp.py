"""Tests of softmax_course.testing.ulp: errors in ULPs against the references."""

import mpmath
import numpy as np
import pytest

from softmax_course import log_softmax, softmax
from softmax_course.teaching import naive_log_softmax, naive_softmax, shifted_softmax
from softmax_course.testing import (
    max_ulp_error,
    reference_log_softmax,
    reference_softmax,
    ulp_error,
    ulp_errors_by_spread,
)


def test_ulp_error_units_and_special_cases():
    one = np.float64(1.0)
    assert ulp_error(one + np.spacing(one), 1.0) == 1.0
    assert ulp_error(np.float32(1.0), 1.0 + 2**-23) == 1.0
    assert ulp_error(np.float64(0.0), 0.0) == 0.0
    assert ulp_error(np.float64(-np.inf), -np.inf) == 0.0
    assert ulp_error(np.float64(np.nan), 1.0) == np.inf
    assert ulp_error(np.float64(np.inf), 1.0) == np.inf
    # With a scale, the unit is the ULP of the scale.
    assert ulp_error(np.float64(1e-3), 0.0, scale=1024.0) == pytest.approx(1e-3 / 2**-42)
    assert ulp_error(np.array([1.0, 2.0]), [1.0, 2.0]).shape == (2,)


def test_max_ulp_error_of_a_correctly_rounded_result_is_at_most_half():
    x = np.array([[0.1, 0.2, 0.3], [5.0, -3.0, 1.0]])
    reference = reference_softmax(x)
    rounded = np.vectorize(float, otypes=[np.float64])(reference)
    error = max_ulp_error(lambda _: rounded, x, reference)
    assert 0 <= error <= 0.5


def test_max_ulp_error_counts_one_ulp_exactly():
    x = np.array([[0.0, 0.0]], dtype=np.float32)
    reference = reference_softmax(x)
    one_ulp_off = np.full((1, 2), np.float32(0.5) + np.spacing(np.float32(0.5)))
    assert max_ulp_error(lambda _: one_ulp_off, x, reference) == 1.0


def test_max_ulp_error_is_inf_for_nan_results():
    x = np.array([[1000.0, 1000.0]])
    assert max_ulp_error(naive_softmax, x, reference_softmax(x)) == np.inf
    assert max_ulp_error(softmax, x, reference_softmax(x)) == 0.0


def test_max_ulp_error_accepts_other_array_types():
    x = np.array([[1.0, 2.0]])
    assert max_ulp_error(lambda v: softmax(v).tolist(), x, reference_softmax(x)) <= 1


def test_max_ulp_error_skips_subnormal_references_unless_asked():
    x = np.array([[0.0, -100.0]], dtype=np.float32)  # p[1] = 3.7e-44: subnormal in float32
    reference = reference_softmax(x)
    flushed = np.array([[1.0, 0.0]], dtype=np.float32)
    assert max_ulp_error(lambda _: flushed, x, reference) <= 0.5
    assert max_ulp_error(lambda _: flushed, x, reference, include_subnormal=True) > 20


def test_max_ulp_error_uses_the_given_dtype_as_unit():
    x = np.array([[0.3, 0.1]])
    reference = reference_softmax(x)
    computed = softmax(x.astype(np.float32)).astype(np.float64)
    as_float64 = max_ulp_error(lambda _: computed, x, reference)
    as_float32 = max_ulp_error(lambda _: computed, x, reference, dtype=np.float32)
    assert as_float32 <= 2 < as_float64


def test_max_ulp_error_finds_the_loss_of_a_tiny_log_probability():
    x = np.array([[0.0, -40.0]])
    reference = reference_log_softmax(x)
    assert max_ulp_error(log_softmax, x, reference) <= 1
    # log(1 + 4e-18) rounds to 0: every digit of -4.2e-18 is lost (about 2**52 ULPs).
    assert max_ulp_error(naive_log_softmax, x, reference) > 2.0**51


def test_max_ulp_error_with_nothing_to_measure_is_zero():
    x = np.zeros((1, 1), dtype=np.float32)
    only_subnormal = np.array([[mpmath.mpf("1e-44")]], dtype=object)
    assert max_ulp_error(np.zeros_like, x, only_subnormal) == 0.0


def test_max_ulp_error_rejects_mismatched_shapes():
    x = np.array([[1.0, 2.0]])
    with pytest.raises(ValueError, match="function returned shape"):
        max_ulp_error(lambda v: v[0], x, reference_softmax(x))
    with pytest.raises(ValueError, match="reference has shape"):
        max_ulp_error(softmax, x, reference_softmax(x)[0])


def test_ulp_errors_by_spread_separates_compensated_from_plain_shift():
    spreads = [10.0, 300.0]
    errors = ulp_errors_by_spread(
        {"shifted": shifted_softmax, "course": softmax},
        spreads,
        np.random.default_rng(7),
        rows=9,
        classes=16,
    )
    assert set(errors) == {"shifted", "course"}
    assert errors["course"].shape == (2,)
    assert np.all(errors["course"] <= 5)
    # The plain shift loses accuracy in proportion to the spread.
    assert errors["shifted"][1] > 30 * errors["course"][1]
    assert errors["shifted"][1] > errors["shifted"][0]


def test_ulp_errors_by_spread_log_softmax_near_zero():
    # A dominant logit 150 to 300 above the rest: log-softmax of the max is about
    # -exp(-150), next to logits of order 100; both the reference and log_softmax
    # must keep its relative accuracy.
    errors = ulp_errors_by_spread(
        {"course": log_softmax},
        [300.0],
        np.random.default_rng(11),
        rows=3,
        classes=8,
        reference=reference_log_softmax,
    )
    assert errors["course"][0] <= 2


def test_ulp_errors_by_spread_reports_failures_as_inf():
    errors = ulp_errors_by_spread(
        {"naive": naive_softmax},
        [2000.0],
        np.random.default_rng(0),
        rows=6,
        classes=4,
        dtype=np.float32,
        digits=60,
    )
    assert errors["naive"][0] == np.inf
