"""Hypothesis strategies and special inputs shared by the tests (defined once, here)."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmax_course.testing import adversarial_logits, logsumexp_ulp_error, reference_logsumexp


def _finite(dtype, magnitude):
    width = np.dtype(dtype).itemsize * 8
    return st.floats(-magnitude, magnitude, allow_nan=False, allow_infinity=False, width=width)


def logits(dtype=np.float64, min_classes=1, max_classes=12, max_rows=5, magnitude=1e3):
    """2-D arrays of finite logits of moderate or large magnitude."""
    shapes = st.tuples(st.integers(1, max_rows), st.integers(min_classes, max_classes))
    return hnp.arrays(dtype, shapes, elements=_finite(dtype, magnitude))


def vectors(dtype=np.float64, min_size=1, max_size=12, magnitude=1e3):
    """1-D arrays of finite logits."""
    return hnp.arrays(dtype, st.integers(min_size, max_size), elements=_finite(dtype, magnitude))


def distributions(min_classes=1, max_classes=12, max_rows=4, allow_zeros=True):
    """2-D float64 arrays whose rows are probability distributions."""
    low = 0.0 if allow_zeros else 1e-3
    shapes = st.tuples(st.integers(1, max_rows), st.integers(min_classes, max_classes))

    def normalise(weights):
        weights = weights.copy()
        empty = weights.sum(axis=-1) == 0
        weights[empty, 0] = 1.0
        return weights / weights.sum(axis=-1, keepdims=True)

    elements = st.floats(low, 1.0, allow_nan=False, allow_infinity=False)
    return hnp.arrays(np.float64, shapes, elements=elements).map(normalise)


inf, nan = np.inf, np.nan

#: Rows with special values: +inf (one, two), all masked, masked logits, NaN,
#: overflowing differences, +inf and -inf together.
SPECIAL_ROWS = [
    [1.0, inf, 2.0, 3.0],
    [inf, 1.0, inf, 0.0],
    [-inf, -inf, -inf, -inf],
    [-inf, 2.0, -inf, 1.0],
    [nan, 1.0, 2.0, 3.0],
    [1e308, -1e308, 0.0, 1e308],
    [0.0, 0.0, inf, -inf],
]


def lse_ulps(computed, x):
    """Errors of a log-sum-exp of ``x`` (last axis) in ULPs, against mpmath."""
    return logsumexp_ulp_error(computed, reference_logsumexp(x), x)


def adversarial(seed, rows, classes, spread, dtype):
    """Adversarial logits (spread, near ties, a dominant logit) from a seed."""
    return adversarial_logits(np.random.default_rng(seed), rows, classes, spread, dtype=dtype)
