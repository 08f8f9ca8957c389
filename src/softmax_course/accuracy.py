"""Deprecated location of the ULP tools: use :mod:`softmax_course.testing`.

Kept only until the chapters import ``softmax_course.testing``.
"""

from .testing.adversarial import ROW_KINDS, adversarial_logits  # noqa: F401
from .testing.ulp import (  # noqa: F401
    logsumexp_ulp_error,
    max_ulp_error,
    ulp_errors_by_spread,
)
