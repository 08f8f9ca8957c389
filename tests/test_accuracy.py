"""Accuracy against a 50-digit mpmath reference, in ULPs, on adversarial inputs.

Bounds (the foundation issue): log_softmax, sigmoid and per-sample cross-entropy
at most 4 ULPs; softmax at most 8 ULPs for outputs in the normal range;
logsumexp at most 4 ULPs of max(|result|, |largest logit|).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import logits

from softmax_course import (
    cross_entropy,
    log_sigmoid,
    log_softmax,
    logsumexp,
    logsumexp_ulp_error,
    max_ulp_error,
    reference_cross_entropy,
    reference_log_sigmoid,
    reference_log_softmax,
    reference_logsumexp,
    reference_sigmoid,
    reference_softmax,
    sigmoid,
    softmax,
    ulp_error,
)

SOFTMAX_ULPS = 8
LOG_ULPS = 4
DTYPES = [np.float64, np.float32]


def adversarial(seed, rows, classes, spread, dtype):
    """Logits spread over [-spread/2, spread/2], with near-ties and a dominant logit."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-0.5, 0.5, size=(rows, classes)) * spread
    if classes > 1:
        # Row 0: a near-tie at the top; row 1: one logit far above the others.
        x[0, 1] = x[0, 0] = x[0].max()
        x[0, 1] += spread * 1e-7
        if rows > 1:
            x[1, 0] = x[1].max() + spread / 2
    return x.astype(dtype)


CASES = [
    (spread, classes)
    for spread in (1.0, 10.0, 50.0, 100.0, 300.0, 1000.0)
    for classes in (2, 3, 17, 100)
]


def _max_ulps(dtype, spread, classes, seed):
    x = adversarial(seed, 6, classes, spread, dtype)
    ref_p = reference_softmax(x)
    ref_lp = reference_log_softmax(x)
    ref_lse = reference_logsumexp(x)
    err_p = max_ulp_error(softmax, x, ref_p)  # outputs in the normal range
    err_lp = ulp_error(log_softmax(x), ref_lp).max()
    err_lse = logsumexp_ulp_error(logsumexp(x), ref_lse, x).max()
    return err_p, err_lp, err_lse


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("spread, classes", CASES)
def test_softmax_family_within_bounds(dtype, spread, classes):
    p, lp, lse = _max_ulps(dtype, spread, classes, seed=int(spread) * 1000 + classes)
    assert p <= SOFTMAX_ULPS, f"softmax: {p:.2f} ULPs"
    assert lp <= LOG_ULPS, f"log_softmax: {lp:.2f} ULPs"
    assert lse <= LOG_ULPS, f"logsumexp: {lse:.2f} ULPs"


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_one_thousand_classes(dtype):
    p, lp, lse = _max_ulps(dtype, 100.0, 1000, seed=7)
    assert max(p / SOFTMAX_ULPS, lp / LOG_ULPS, lse / LOG_ULPS) <= 1, (p, lp, lse)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("gap", [1.0, 5.0, 17.0, 20.0, 40.0, 80.0, 700.0])
def test_log_softmax_near_zero(dtype, gap):
    """log_softmax([0, -gap]) has a first entry of about -exp(-gap): tiny, yet exact to 4 ULPs."""
    x = np.array([[0.0, -gap], [0.3, 0.3 - gap], [1e3 + 0.1, 1e3 + 0.1 - gap]], dtype=dtype)
    err = ulp_error(log_softmax(x), reference_log_softmax(x))
    assert err.max() <= LOG_ULPS


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("temperature", [0.01, 0.3, 3.0, 1e3])
def test_temperature_within_bounds(dtype, temperature):
    x = adversarial(11, 5, 12, 60.0, dtype)
    ref_p = reference_softmax(x, temperature=temperature)
    err_p = max_ulp_error(lambda v: softmax(v, temperature=temperature), x, ref_p)
    err_lp = ulp_error(
        log_softmax(x, temperature=temperature), reference_log_softmax(x, temperature=temperature)
    )
    assert err_p <= SOFTMAX_ULPS
    assert err_lp.max() <= LOG_ULPS


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_sigmoid_within_bounds(dtype):
    limit = 700.0 if dtype == np.float64 else 85.0
    z = np.concatenate(
        [np.linspace(-limit, limit, 401), np.random.default_rng(3).normal(scale=10, size=200)]
    ).astype(dtype)
    ref = reference_sigmoid(z)
    assert max_ulp_error(sigmoid, z, ref) <= LOG_ULPS
    assert ulp_error(log_sigmoid(z), reference_log_sigmoid(z)).max() <= LOG_ULPS


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("spread", [1.0, 30.0, 300.0])
def test_cross_entropy_per_sample_within_bounds(dtype, spread):
    x = adversarial(int(spread) + 5, 8, 10, spread, dtype)
    labels = np.array([0, 1, 2, 3, 4, 5, 6, int(x[7].argmax())])
    err = ulp_error(cross_entropy(x, labels, reduction="none"), reference_cross_entropy(x, labels))
    assert err.max() <= LOG_ULPS


@settings(max_examples=40)
@given(logits(max_classes=8, max_rows=3, magnitude=800.0))
def test_random_logits_within_bounds_float64(x):
    ref_p = reference_softmax(x)
    assert max_ulp_error(softmax, x, ref_p) <= SOFTMAX_ULPS
    assert ulp_error(log_softmax(x), reference_log_softmax(x)).max() <= LOG_ULPS


@settings(max_examples=40)
@given(logits(dtype=np.float32, max_classes=8, max_rows=3, magnitude=80.0))
def test_random_logits_within_bounds_float32(x):
    ref_p = reference_softmax(x)
    assert max_ulp_error(softmax, x, ref_p) <= SOFTMAX_ULPS
    assert ulp_error(log_softmax(x), reference_log_softmax(x)).max() <= LOG_ULPS
