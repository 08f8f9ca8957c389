"""softmax_course: the tested package behind the Softmax course.

Every chapter of the book imports from here; nothing is copied into the
notebooks. The top level holds what a chapter uses every day: the softmax
family, the sigmoid family, cross-entropy, one-hot labels and the information
measures. They work on NumPy arrays and array-likes, along any axis (or
several, as in SciPy), and are numerically stable for finite input of any
magnitude. Options after the data are keyword-only.

Everything else lives in a module or subpackage named after its idea, imported
by name (``from softmax_course.online import normalizer``):

- :mod:`softmax_course.online`: the online normaliser pair, softmax over blocks,
  dask packing, sharded cross-entropy, streaming attention (chapter 10);
- :mod:`softmax_course.sampling`: temperature, top-k, top-p, Gumbel (chapter 10);
- :mod:`softmax_course.calibration`: reliability bins, ECE, temperature scaling;
- :mod:`softmax_course.plotting`: every ``plot_*`` (Matplotlib);
- :mod:`softmax_course.data`: the blobs, the standardised split, decision grids;
- :mod:`softmax_course.keras_models`: the Keras classifiers (TensorFlow);
- :mod:`softmax_course.teaching`: the naive formulas, a numerical gradient, a
  softmax worked by hand;
- :mod:`softmax_course.regression`: softmax regression's loss and gradient;
- :mod:`softmax_course.sparsemax`: sparsemax;
- :mod:`softmax_course.testing`: the test oracles (mpmath references, ULPs);
- :mod:`softmax_course.exercises`: the chapters' exercise checkers.

``import softmax_course`` loads NumPy and nothing heavier. Layout, from the
bottom up: ``_validation`` (one check per idea), ``_rows`` (class axes to rows
and back) and ``_core`` (the one numerical core), then one module per idea.
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
from .information import entropy, kl_divergence
from .losses import cross_entropy, one_hot

#: The public API of the top level (tests/test_init.py checks it against the modules).
__all__ = [
    "cross_entropy",
    "entropy",
    "kl_divergence",
    "log_sigmoid",
    "log_softmax",
    "logit",
    "logsumexp",
    "one_hot",
    "sigmoid",
    "softmax",
    "softmax_jacobian",
]

__version__ = "0.1.0"
