"""Chapter 3, the softmax: the checkers ``softmax_inverse`` and ``prediction_from_logits``."""

from __future__ import annotations

import numpy as np

from .. import log_softmax, sigmoid, softmax
from ._argmax import ARGMAX_MISTAKES, predicted_class_reference
from ._checker import Checker
from ._inputs import rows
from ._mistakes import Mistake

# the small constants a learner adds to the probabilities, or clips them to, before the log
_EPSILONS = (1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, 1e-16, 1e-20, 1e-30)


def _log_plus(eps):
    return lambda probs: np.log(probs + eps)


def _log_clipped(eps):
    return lambda probs: np.log(np.clip(probs, eps, 1.0))


def _log_plus_huge_constant(logits, probs) -> bool:
    """Whether the logits are log(probs) plus a constant of 1e6 or more in size."""
    logits = np.asarray(logits, dtype=np.float64)
    if logits.shape != probs.shape or not np.all(np.isfinite(logits)):
        return False
    shape = (logits - logits.max()) - (np.log(probs) - np.log(probs).max())
    return bool(np.min(np.abs(logits)) >= 1e6 and np.max(np.abs(shape)) < 1e-3)


softmax_inverse = Checker(
    name="softmax_inverse",
    chapter="03_softmax",
    label="ex-softmax-inverse-code",
    task="logits z with softmax(z) == probs",
    answer_name="my_logits_for",
    parameters=("probs",),
    reference=lambda probs: probs,
    judge=lambda received, args: (softmax(received[0]),),
    judge_label="softmax of the returned logits",
    cases=[
        (np.array([0.1, 0.6, 0.3]),),
        (np.array([0.25, 0.25, 0.25, 0.25]),),
        (np.array([0.7, 0.2, 0.05, 0.05]),),
        (np.array([0.999, 1e-3]),),
        (np.array([0.5, 0.5 - 1e-200, 1e-200]),),
        (np.array([1.0]),),
        (np.full(7, 1 / 7),),
    ],
    covers=(
        "distributions of 1 to 7 classes, uniform and peaked",
        "a probability of 1e-200, whose logit is about -460: logits that clip or "
        "add a small constant to the probabilities (even 1e-30) fail it, since the "
        "softmax of the returned logits is compared relatively (atol = 0)",
    ),
    atol=0.0,
    mistakes=[
        Mistake(
            "the probabilities returned as logits",
            "softmax(probs) is not probs: the softmax exponentiates its input. Undo "
            "the exponential with a logarithm.",
            variants=[lambda probs: probs],
        ),
        Mistake(
            "exponentials instead of logarithms",
            "The softmax applies exp, so the logits must undo it: np.log(probs), not "
            "np.exp(probs).",
            variants=[lambda probs: np.exp(probs)],
        ),
        Mistake(
            "a small constant added to the probabilities before the log",
            "np.log(probs + eps), or the log of probs clipped to at least eps, turns "
            "every probability below eps into about eps: a probability of 1e-200 comes "
            "back as eps (and adding eps also moves every other probability a little). "
            "Every probability here is positive, so no constant is needed: "
            "np.log(probs).",
            variants=[_log_plus(eps) for eps in _EPSILONS]
            + [_log_clipped(eps) for eps in _EPSILONS],
        ),
        Mistake(
            "a constant so large that rounding moves the logits",
            "These are log(probs) plus a constant, right in exact arithmetic, but near "
            "1e7 and above the spacing of floats (about 2e-9 at 1e7) rounds each "
            "logit, and the softmax of the rounded logits moves by more than the "
            "relative 1e-9 allowed. Add a moderate constant, or none: np.log(probs).",
            matches=lambda received, expected, args: _log_plus_huge_constant(received[0], args[0]),
        ),
        Mistake(
            "logits of the wrong sign",
            "-log(p) reverses the order of the classes: the most likely class gets "
            "the smallest logit. Take z = log(p) (plus any constant).",
            variants=[lambda probs: -np.log(probs)],
        ),
    ],
    hint_text=(
        "softmax(z)_i = exp(z_i) / S. If z_i = log(p_i), then exp(z_i) = p_i and S = sum(p) = 1."
    ),
    solution_text="""
def my_logits_for(probs):
    return np.log(probs)  # plus any constant of moderate size
""",
)


# rows 2 and 5: the two largest logits closer than rounding, at 0 and at 1 (float32
# rounds 1 + 1e-9 to 1, so an answer in float32 names the first of the two)
_TIED_BATCH = np.array(
    [
        [1.5, -0.25, 0.75],
        [0.0, 4e-17, -1.0],
        [-2.0, 3.25, 3.0],
        [0.0, 0.5, 4.0],
        [1.0, 1.0 + 1e-9, 0.0],
    ]
)
_TIED_3D = np.stack([rows((3, 4), seed=311), rows((3, 4), seed=312)])
_TIED_3D[1, 2] = [-3.0, -1e-17, 0.0, -0.5]

prediction_from_logits = Checker(
    name="prediction_from_logits",
    chapter="03_softmax",
    label="ex-softmax-predict-code",
    task="the predicted class of each row of logits of shape (..., K)",
    answer_name="my_predict",
    parameters=("logits",),
    reference=predicted_class_reference,
    cases=[
        (_TIED_BATCH,),
        (np.array([[-2e-17, 0.0, -1.5]]),),
        (_TIED_3D,),
        (rows((5, 3), seed=313, scale=3.0),),
        (np.array([[1000.0, 1000.5, -1000.0], [-2000.0, -1999.0, -2001.0]]),),
        (np.array([[4.0], [-1.0], [0.5]]),),
        # float32 ties the first row (its spacing at 1e6 is 0.0625), np.round to 0 or 1
        # decimals the second: a cast and a rounding are told apart
        (np.array([[1e6, 1e6 + 0.01, 0.0], [0.01, 0.02, 0.0]]),),
    ],
    covers=(
        "batches of 1 to 5 rows and 1 to 4 classes (none square) and a 3-D batch of "
        "shape (2, 3, 4)",
        "rows whose two largest logits are closer than rounding (0 and 4e-17, -2e-17 "
        "and 0, -1e-17 and 0): their softmax probabilities are equal, so an argmax "
        "of the probabilities names the first of the two, the wrong class",
        "the logits 1 and 1 + 1e-9, equal in float32: an argmax of the logits rounded "
        "to float32 (or float16) names the first of the two; 1e6 and 1e6 + 0.01, "
        "equal in float32, and 0.01 and 0.02, equal when rounded with np.round to "
        "0 or 1 decimals (a cast and a rounding are told apart)",
        "logits of size 1000 and -2000, and a single class (the prediction is 0)",
    ),
    rtol=0.0,
    atol=0.0,
    mistakes=[
        Mistake(
            "argmax of values that round close logits together",
            "softmax rounds logits closer than about 1e-16 (0 and 4e-17) to the same "
            "probability, and so do exp(z), log_softmax, a sigmoid of each logit, "
            "np.round to many decimals and adding a constant such as 1; np.argmax "
            "returns the first of tied entries. In exact arithmetic none of them changes "
            "the argmax, so take it of the logits themselves: np.argmax(logits, axis=-1).",
            variants=[
                lambda logits: np.argmax(softmax(logits), axis=-1),
                lambda logits: np.argmax(log_softmax(logits), axis=-1),
                lambda logits: np.argmax(sigmoid(logits), axis=-1),
                lambda logits: np.argmax(np.exp(logits), axis=-1),
                lambda logits: np.argmax(logits + 1.0, axis=-1),
                *[
                    lambda logits, decimals=decimals: np.argmax(np.round(logits, decimals), axis=-1)
                    for decimals in range(9, 17)
                ],
            ],
        ),
        *ARGMAX_MISTAKES,
    ],
    hint_text=(
        "Softmax keeps the order of the classes, so the predicted class is the "
        "position of the largest logit along the last axis; the probabilities are "
        "not needed, and rounding can make two of them equal."
    ),
    solution_text="""
def my_predict(logits):
    return np.argmax(logits, axis=-1)
""",
)
