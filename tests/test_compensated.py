"""Tests of softmax_course._compensated: the error-free TwoSum (one helper, in-place or not)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from softmax_course._compensated import two_sum

finite64 = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)


@given(st.lists(st.tuples(finite64, finite64), min_size=1, max_size=8))
def test_two_sum_error_is_exact(pairs):
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    total, error = two_sum(a, b)
    out_total, out_error, scratch = np.empty_like(a), np.empty_like(a), np.empty_like(a)
    two_sum(a, b, total=out_total, error=out_error, scratch=scratch)
    np.testing.assert_array_equal(total, out_total)
    np.testing.assert_array_equal(error, out_error)
    for x, y, s, e in zip(a, b, total, error, strict=True):
        assert Fraction(float(x)) + Fraction(float(y)) == Fraction(float(s)) + Fraction(float(e))
