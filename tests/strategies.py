"""Hypothesis strategies shared by the tests."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def logits(dtype=np.float64, min_classes=1, max_classes=12, max_rows=5, magnitude=1e3):
    """2-D arrays of finite logits of moderate or large magnitude."""
    elements = st.floats(
        -magnitude,
        magnitude,
        allow_nan=False,
        allow_infinity=False,
        width=np.dtype(dtype).itemsize * 8,
    )
    shapes = st.tuples(st.integers(1, max_rows), st.integers(min_classes, max_classes))
    return hnp.arrays(dtype, shapes, elements=elements)


def vectors(dtype=np.float64, min_size=1, max_size=12, magnitude=1e3):
    """1-D arrays of finite logits."""
    elements = st.floats(
        -magnitude,
        magnitude,
        allow_nan=False,
        allow_infinity=False,
        width=np.dtype(dtype).itemsize * 8,
    )
    return hnp.arrays(dtype, st.integers(min_size, max_size), elements=elements)
