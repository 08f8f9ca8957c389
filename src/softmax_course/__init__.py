"""softmax_course: the tested package behind the Softmax course.

Every chapter of the book imports from here; nothing is copied into the
notebooks. The public functions work on NumPy arrays and array-likes, along
any axis (or several, as in SciPy), and are numerically stable for finite
input of any magnitude. Options after the data are keyword-only.

``import softmax_course`` loads NumPy and nothing heavier: SciPy, Matplotlib,
scikit-learn, TensorFlow and Keras are imported inside the functions that need
them, and the test oracles (mpmath references, ULP tools) live in
:mod:`softmax_course.testing`, the chapter exercises in
:mod:`softmax_course.exercises`, both imported on demand.

Layout, from the bottom up: ``_validation`` (input checks), ``_rows`` (class
axes to rows and back) and ``_kernels`` (the numerical core); then one module
per idea: ``activations``, ``losses``, ``information``, ``teaching`` (the naive
formulas of the chapters), ``worked``, ``calibration``, ``sampling``,
``sparsemax``, ``normalizer`` (the online pair), ``online``, ``packing``
(dask), ``sharded``, ``attention``, ``regression``, ``data`` and
``keras_models``.
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
from .attention import streaming_attention
from .calibration import (
    ReliabilityBins,
    expected_calibration_error,
    fit_temperature,
    plot_reliability_diagram,
    reliability_bins,
)
from .data import BLOB_CENTERS, BlobsSplit, decision_grid, make_blobs_split
from .information import entropy, kl_divergence
from .keras_models import HEADS, build_classifier, history_table, logits_of
from .losses import cross_entropy, one_hot
from .normalizer import Normalizer, merge_normalizers, normalizer, update_normalizer
from .online import (
    log_softmax_from_normalizer,
    online_logsumexp,
    online_softmax,
    softmax_from_normalizer,
)
from .packing import logsumexp_from_packed, merge_packed, pack_normalizer, unpack_normalizer
from .regression import (
    StandardizedSplit,
    plot_decision_regions,
    plot_weight_images,
    softmax_regression_loss_grad,
    standardized_split,
)
from .sampling import gumbel_max_sample, gumbel_softmax, sample_logits, sampling_distribution
from .sharded import shard_statistics, sharded_cross_entropy
from .sparsemax import sparsemax, sparsemax_threshold
from .teaching import naive_log_softmax, naive_softmax, numerical_gradient, shifted_softmax
from .worked import SoftmaxSteps, softmax_steps

#: The public API, in one place (tests/test_init.py checks it against the modules).
__all__ = [
    "BLOB_CENTERS",
    "HEADS",
    "BlobsSplit",
    "Normalizer",
    "ReliabilityBins",
    "SoftmaxSteps",
    "StandardizedSplit",
    "build_classifier",
    "cross_entropy",
    "decision_grid",
    "entropy",
    "expected_calibration_error",
    "fit_temperature",
    "gumbel_max_sample",
    "gumbel_softmax",
    "history_table",
    "kl_divergence",
    "log_sigmoid",
    "log_softmax",
    "log_softmax_from_normalizer",
    "logit",
    "logits_of",
    "logsumexp",
    "logsumexp_from_packed",
    "make_blobs_split",
    "merge_normalizers",
    "merge_packed",
    "naive_log_softmax",
    "naive_softmax",
    "normalizer",
    "numerical_gradient",
    "one_hot",
    "online_logsumexp",
    "online_softmax",
    "pack_normalizer",
    "plot_decision_regions",
    "plot_reliability_diagram",
    "plot_weight_images",
    "reliability_bins",
    "sample_logits",
    "sampling_distribution",
    "shard_statistics",
    "sharded_cross_entropy",
    "shifted_softmax",
    "sigmoid",
    "softmax",
    "softmax_from_normalizer",
    "softmax_jacobian",
    "softmax_regression_loss_grad",
    "softmax_steps",
    "sparsemax",
    "sparsemax_threshold",
    "standardized_split",
    "streaming_attention",
    "unpack_normalizer",
    "update_normalizer",
]

__version__ = "0.1.0"
