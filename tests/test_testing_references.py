"""Tests of softmax_course.testing.references: the 50-digit mpmath references."""

import mpmath
import numpy as np

from softmax_course.testing import (
    reference_log_softmax,
    reference_logsumexp,
    reference_sigmoid,
    reference_softmax,
)


def test_references_agree_with_closed_forms():
    with mpmath.workdps(50):
        p = reference_softmax([0.0, np.log(3.0)])
        assert abs(float(p[1]) - 0.75) < 1e-15
        lse = reference_logsumexp([[0.0, 0.0], [1.0, 1.0]])
        assert mpmath.almosteq(lse[0], mpmath.log(2), 1e-45)
        assert mpmath.almosteq(lse[1], 1 + mpmath.log(2), 1e-45)
        assert mpmath.almosteq(reference_sigmoid([0.0])[0], mpmath.mpf("0.5"), 1e-45)
        # Exact differences: a log-probability of about -e^-800 is resolved.
        tiny = reference_log_softmax([0.0, -800.0])[0]
        assert mpmath.almosteq(tiny, -mpmath.exp(-800), 1e-40)
        hot = reference_softmax([1.0, 2.0], temperature=1e6)
        assert abs(float(hot[0]) - 0.5) < 1e-6
