"""Hypothesis strategies shared by the tests."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


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
