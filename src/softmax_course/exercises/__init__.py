"""Exercises that check a learner's code and say what is wrong.

Each code exercise of the book has a checker here: a :class:`Checker` (a
frozen dataclass) with ``check(answer)``, ``hint()``, ``solution()`` and
``hidden_inputs()``. ``check`` runs the answer on hidden test inputs, compares
it with the package's own functions, and prints one verdict: "Correct", or
what is wrong, with the failing input, the expected and received values (with
enough digits to differ), and the name of the classic mistake it reproduces.

``check`` never raises and never hangs on a learner's answer: each call of the
learner's function has a time limit (10 s; ``check(answer, time_limit=60)``
allows more), and whatever it raises, ``KeyboardInterrupt`` included, is
explained. Only plain NumPy arrays and numbers count as answers (a masked
array is refused). Where an exercise forbids something ("using only NumPy",
"without forming J", "by hand"), a function that does it is not correct, and
the verdict names the call.

Importing this subpackage needs only NumPy (and the package itself).

Examples
--------
A learner's softmax without the max trick, as a notebook cell would check it:

>>> import numpy as np
>>> from softmax_course.exercises import stable_softmax
>>> def my_softmax(z):
...     e = np.exp(z)
...     return e / e.sum(axis=-1, keepdims=True)
>>> stable_softmax.check(my_softmax)  # doctest: +ELLIPSIS
Not correct yet: on a hidden test input, my_softmax(z) returns nan where the answer is finite ...
  z = [[900, 900, 899.5], [-0.5, 0.25, 2]]
  expected: [[0.38365, 0.38365, 0.2327], [0.065362, 0.13837, 0.79627]]
  received: [[nan, nan, nan], [0.065362, 0.13837, 0.79627]]
Recognised mistake: no max subtraction. exp(900) overflows to inf ...
False

Introduced in chapters 1 to 10: each chapter's exercises call the checkers
of its own module (``CHECKERS`` lists them in the order of the book).
"""

from __future__ import annotations

from ._ch01 import linear_logits, predicted_class
from ._ch02 import stable_log_sigmoid, stable_sigmoid
from ._ch03 import prediction_from_logits, softmax_inverse
from ._ch04 import batch_softmax, softmax_shares, softmax_vjp, true_class_loss
from ._ch05 import stable_log_softmax, stable_logsumexp, stable_softmax
from ._ch06 import cross_entropy_gradient, cross_entropy_loss, loss_from_probabilities
from ._ch07 import regression_gradient, regression_loss
from ._ch08 import accuracy_from_logits, one_hot_labels
from ._ch09 import calibration_gap, masked_softmax, temperature_nll
from ._ch10 import merge_pairs, streaming_logsumexp, top_k_distribution
from ._checker import Checker
from ._format import format_value
from ._mistakes import Mistake

#: Every checker, in the order of the book.
CHECKERS: tuple[Checker, ...] = (
    linear_logits,
    predicted_class,
    stable_sigmoid,
    stable_log_sigmoid,
    softmax_inverse,
    prediction_from_logits,
    softmax_shares,
    batch_softmax,
    true_class_loss,
    softmax_vjp,
    stable_softmax,
    stable_log_softmax,
    stable_logsumexp,
    cross_entropy_loss,
    cross_entropy_gradient,
    loss_from_probabilities,
    regression_loss,
    regression_gradient,
    one_hot_labels,
    accuracy_from_logits,
    calibration_gap,
    temperature_nll,
    masked_softmax,
    merge_pairs,
    streaming_logsumexp,
    top_k_distribution,
)

__all__ = ["CHECKERS", "Checker", "Mistake", "format_value"] + [c.name for c in CHECKERS]
