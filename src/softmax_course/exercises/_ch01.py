"""Chapter 1, logits: the checkers ``linear_logits`` and ``predicted_class``."""

from __future__ import annotations

import numpy as np

from ._argmax import ARGMAX_MISTAKES, predicted_class_reference
from ._checker import Checker
from ._inputs import rows
from ._mistakes import Mistake

_POINTS = [
    rows((4, 2), seed=101),
    rows((5, 3), seed=102),
    rows((1, 2), seed=103),
    rows((6, 1), seed=104),
    rows((3, 4), seed=105),
    # values of many digits: a rounded answer cannot pass
    rows((3, 2), seed=106) / 7,
]
_WEIGHTS = [
    rows((2, 3), seed=111),
    rows((3, 4), seed=112),
    rows((2, 3), seed=113),
    rows((1, 2), seed=114),
    rows((4, 1), seed=115),
    rows((2, 4), seed=116) / 3,
]
_BIASES = [
    rows(3, seed=121),
    rows(4, seed=122),
    rows(3, seed=123),
    rows(2, seed=124),
    rows(1, seed=125),
    rows(4, seed=126) / 9,
]

linear_logits = Checker(
    name="linear_logits",
    chapter="01_logits",
    label="ex-logits-linear",
    task="the (N, K) logits z = x W + b of every point, one row per point",
    answer_name="my_logits",
    parameters=("points", "weights", "bias"),
    reference=lambda points, weights, bias: points @ weights + bias,
    cases=list(zip(_POINTS, _WEIGHTS, _BIASES, strict=True)),
    covers=(
        "batches of 1 to 6 points with 1 to 4 features and 1 to 4 classes, whose "
        "(N, K) logits are never square, so that a transposed result cannot pass",
        "a single point, a single feature and a single class",
        "values with many digits (so that a rounded answer fails)",
    ),
    mistakes=[
        Mistake(
            "bias left out",
            "The logits are x W + b: add `bias` to every row of `points @ weights`.",
            variants=[lambda points, weights, bias: points @ weights],
        ),
        Mistake(
            "bias subtracted",
            "The model adds the bias, z = x W + b.",
            variants=[lambda points, weights, bias: points @ weights - bias],
        ),
        Mistake(
            "one column per point instead of one row",
            "The result has one column per point (a transpose, such as "
            "`weights.T @ points.T` or `.T` of the logits); the batch convention is one "
            "row per point, `points @ weights + bias`, of shape (N, K).",
            variants=[lambda points, weights, bias: (points @ weights + bias).T],
        ),
        Mistake(
            "the logits rounded",
            "np.round keeps only the decimals it is given, and the checker compares to "
            "about nine significant digits: return the logits as computed, "
            "points @ weights + bias.",
            variants=[
                lambda points, weights, bias, decimals=decimals: np.round(
                    points @ weights + bias, decimals
                )
                for decimals in range(9)
            ],
        ),
    ],
    hint_text=(
        "For one point (a row x), z = x W + b. With the points as the rows of a "
        "matrix, all the products x W at once are `points @ weights`, of shape (N, K); "
        "adding `bias` (shape (K,)) broadcasts it over the rows."
    ),
    solution_text="""
def my_logits(points, weights, bias):
    return points @ weights + bias
""",
)

_LOGITS = [
    # the last row: two logits 1e-9 apart, equal once rounded to float32
    np.vstack([rows((5, 3), seed=131), [[1.0, 1.0 + 1e-9, 0.0]]]),
    rows((4, 6), seed=132),
    rows((1, 4), seed=133),
    np.array([[-3.0], [2.5]]),
    np.array([[1000.0, 1000.5, -1000.0], [-2000.0, -1999.0, -2001.0]]),
    # float32 ties the first row (its spacing at 1e6 is 0.0625), np.round to 0 or 1
    # decimals the second: a cast and a rounding are told apart
    np.array([[1e6, 1e6 + 0.01, 0.0], [0.01, 0.02, 0.0]]),
    # exp(709) + exp(709.5) overflows, though each is finite: a softmax without the
    # shift is 0 / inf = 0 for both, a plain exp keeps them apart; the sigmoids of 40
    # and 41 both round to 1: the three argmaxes of rounded values are told apart
    # the last row ties only when clipped (to [-709, 709] or narrower)
    np.array([[709.0, 709.5, 0.0], [40.0, 41.0, 0.0], [-710.0, -709.5, -2000.0], [0.0, 1.0, 2.0]]),
]

predicted_class = Checker(
    name="predicted_class",
    chapter="01_logits",
    label="ex-logits-predict",
    task="the predicted class of each row, integers of shape (N,)",
    answer_name="my_prediction",
    parameters=("logits",),
    reference=predicted_class_reference,
    cases=[(logits,) for logits in _LOGITS],
    covers=(
        "batches of 1 to 6 points and 1 to 6 classes, none square (a batch with as "
        "many rows as columns would not tell the axes apart)",
        "a single class (the prediction is 0) and logits of size 1000 and -2000",
        "two logits 1 and 1 + 1e-9, equal in float32: an argmax of the logits rounded "
        "to float32 (or float16) names the first of the two; 1e6 and 1e6 + 0.01, "
        "equal in float32, and 0.01 and 0.02, equal when rounded with np.round to "
        "0 or 1 decimals (a cast and a rounding are told apart)",
        "logits 709 and 709.5, whose exponentials are finite but whose sum overflows, "
        "and 40 and 41, whose sigmoids both round to 1; -710 and -709.5, equal once "
        "clipped to [-709, 709]",
    ),
    rtol=0.0,
    atol=0.0,
    mistakes=[
        *ARGMAX_MISTAKES,
        Mistake(
            "the largest logit instead of its class",
            "`max` returns the largest value; the class is its position, `argmax`.",
            variants=[lambda logits: np.max(logits, axis=-1)],
        ),
        Mistake(
            "argmax of probabilities computed without the max shift",
            "exp(z) / exp(z).sum() is NaN for logits such as 1000 (exp(1000.0) is inf, "
            "and inf / inf is NaN) and -2000 (exp(-2000.0) is 0, and 0 / 0 is NaN); "
            "np.argmax returns the first NaN. The prediction needs no probabilities: "
            "np.argmax(logits, axis=-1).",
            variants=[
                lambda z: np.argmax(np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True), axis=-1),
                lambda z: np.argmax(np.exp(z) / np.exp(z).sum(), axis=-1),
            ],
        ),
        Mistake(
            "argmax of exponentials that overflow or underflow",
            "exp keeps the order of the logits in exact arithmetic, but not in floats: "
            "exp(1000.0) and exp(1000.5) are both inf, exp(-2000.0) and exp(-1999.0) "
            "both 0, and np.argmax returns the first of tied entries. Take the argmax "
            "of the logits themselves: np.argmax(logits, axis=-1).",
            variants=[lambda z: np.argmax(np.exp(z), axis=-1)],
        ),
        Mistake(
            "argmax of sigmoids that round to 1",
            "A sigmoid of each logit keeps their order in exact arithmetic, but in "
            "floats it rounds 40 and 41 (or 1000 and 1000.5) both to 1, and np.argmax "
            "returns the first of tied entries. Take the argmax of the logits "
            "themselves: np.argmax(logits, axis=-1).",
            variants=[lambda z: np.argmax(1.0 / (1.0 + np.exp(-z)), axis=-1)],
        ),
    ],
    hint_text=(
        "The prediction is the class with the largest logit. `np.argmax` gives the "
        "position of the largest entry; give it the class axis."
    ),
    solution_text="""
def my_prediction(logits):
    return np.argmax(logits, axis=-1)
""",
)
