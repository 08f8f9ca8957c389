"""softmax_course: the tested package behind the Softmax course.

Every chapter of the book imports from here; nothing is copied into the
notebooks. The public functions work on NumPy arrays and array-likes, along
any axis, and are numerically stable for finite input of any magnitude.
"""

from .activations import (
    log_sigmoid,
    log_softmax,
    logit,
    logsumexp,
    sigmoid,
    softmax,
    softmax_jacobian,
)
from .calibration import (
    ReliabilityBins,
    expected_calibration_error,
    fit_temperature,
    plot_reliability_diagram,
    reliability_bins,
)
from .data import BLOB_CENTERS, BlobsSplit, decision_grid, make_blobs_split
from .information import entropy, kl_divergence
from .keras_models import build_classifier, history_table, logits_of
from .losses import cross_entropy, one_hot
from .teaching import naive_log_softmax, naive_softmax, numerical_gradient, shifted_softmax
from .online import (
    Normalizer,
    log_softmax_from_normalizer,
    logsumexp_from_packed,
    merge_normalizers,
    merge_packed,
    normalizer,
    online_logsumexp,
    online_softmax,
    pack_normalizer,
    shard_statistics,
    sharded_cross_entropy,
    softmax_from_normalizer,
    streaming_attention,
    unpack_normalizer,
    update_normalizer,
)
from .sampling import gumbel_max_sample, gumbel_softmax, sample_logits, sampling_distribution
from .sparsemax import sparsemax, sparsemax_threshold
from .worked import SoftmaxSteps, softmax_steps

__all__ = [
    "BLOB_CENTERS",
    "BlobsSplit",
    "ReliabilityBins",
    "build_classifier",
    "decision_grid",
    "expected_calibration_error",
    "fit_temperature",
    "history_table",
    "logits_of",
    "make_blobs_split",
    "plot_reliability_diagram",
    "reliability_bins",
    "SoftmaxSteps",
    "adversarial_logits",
    "logsumexp_ulp_error",
    "max_ulp_error",
    "ulp_errors_by_spread",
    "cross_entropy",
    "entropy",
    "kl_divergence",
    "log_sigmoid",
    "log_softmax",
    "logit",
    "logsumexp",
    "naive_log_softmax",
    "naive_softmax",
    "numerical_gradient",
    "one_hot",
    "reference_cross_entropy",
    "reference_log_sigmoid",
    "reference_log_softmax",
    "reference_logsumexp",
    "reference_sigmoid",
    "reference_softmax",
    "shifted_softmax",
    "sigmoid",
    "softmax",
    "softmax_jacobian",
    "softmax_steps",
    "ulp_error",
    # Chapter 10: softmax at scale, and its relatives
    "Normalizer",
    "gumbel_max_sample",
    "gumbel_softmax",
    "log_softmax_from_normalizer",
    "logsumexp_from_packed",
    "merge_normalizers",
    "merge_packed",
    "normalizer",
    "online_logsumexp",
    "online_softmax",
    "pack_normalizer",
    "sample_logits",
    "sampling_distribution",
    "shard_statistics",
    "sharded_cross_entropy",
    "softmax_from_normalizer",
    "sparsemax",
    "sparsemax_threshold",
    "streaming_attention",
    "unpack_normalizer",
    "update_normalizer",
]

__version__ = "0.1.0"

#: The test oracles the chapters imported from here before they moved to
#: :mod:`softmax_course.testing`; loaded on first use (mpmath is imported only
#: then). Temporary, until every chapter imports them from ``softmax_course.testing``.
_TESTING_NAMES = frozenset(
    {
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
    }
)


def __getattr__(name):
    if name in _TESTING_NAMES:
        from . import testing

        return getattr(testing, name)
    raise AttributeError(f"module 'softmax_course' has no attribute {name!r}")
