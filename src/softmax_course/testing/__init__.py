"""Test oracles: 50-digit mpmath references, ULP measurements, adversarial logits.

Imported by the tests, the benchmark and the numerical chapters, never by the
package itself, so that ``import softmax_course`` does not load mpmath::

    from softmax_course.testing import max_ulp_error, reference_softmax

Introduced in chapter 5 (:ref:`sec-accuracy`).
"""

from .adversarial import ROW_KINDS, adversarial_logits
from .bounds import ULP_BOUNDS
from .references import (
    DEFAULT_DIGITS,
    reference_cross_entropy,
    reference_log_sigmoid,
    reference_log_softmax,
    reference_logsumexp,
    reference_sigmoid,
    reference_softmax,
)
from .ulp import logsumexp_ulp_error, max_ulp_error, ulp_error, ulp_errors_by_spread

__all__ = [
    "DEFAULT_DIGITS",
    "ROW_KINDS",
    "ULP_BOUNDS",
    "adversarial_logits",
    "logsumexp_ulp_error",
    "max_ulp_error",
    "reference_cross_entropy",
    "reference_log_sigmoid",
    "reference_log_softmax",
    "reference_logsumexp",
    "reference_sigmoid",
    "reference_softmax",
    "ulp_error",
    "ulp_errors_by_spread",
]
