"""Chapter 7, softmax regression: ``regression_loss`` and ``regression_gradient``."""

from __future__ import annotations

import numpy as np

from .. import log_softmax, logsumexp, softmax
from ..regression import softmax_regression_loss_grad
from ._checker import Checker
from ._common import (
    WRONG_AXIS,
    batch_max_softmax,
    row_mean,
    row_min,
    shifted_log_softmax,
    shifted_softmax,
)
from ._mistakes import Mistake


def _case(seed, n, d, k, l2, scale=1.0):
    generator = np.random.default_rng(seed)
    W = np.round(generator.normal(scale=scale, size=(d, k)), 2)
    b = np.round(generator.normal(size=k), 2)
    X = np.round(generator.normal(scale=scale, size=(n, d)), 2)
    y = generator.integers(0, k, size=n)
    return W, b, X, y, l2


# The order matters: each unstable answer fails first on the input that shows its own
# mistake, so that its verdict names that mistake alone.
CASES = [
    _case(701, n=5, d=3, k=4, l2=0.1),
    _case(702, n=6, d=2, k=3, l2=0.5),
    (  # the rows of logits [700, 686, 693] and [-50, -49, -49.5]: exp is finite
        # without a shift, but the batch's maximum puts the second row 749 below
        # it, where every exp underflows to 0
        np.array([[10.0, 9.8, 9.9], [0.0, 1.0, -1.0]]),
        np.array([0.0, 0.0, 0.0]),
        np.array([[70.0, 0.0], [-5.0, 0.0], [0.5, 1.0]]),
        np.array([1, 0, 2]),
        0.05,
    ),
    (  # the first row of logits is [900, 879, 891]: exp overflows without a shift,
        # and a shift by the row's minimum or mean is enough here
        np.array([[30.0, 29.3, 29.7], [0.0, 1.0, 0.0]]),
        np.array([0.0, 0.0, 0.0]),
        np.array([[30.0, 0.0], [1.0, 1.0], [-0.5, 2.0], [0.0, -1.0]]),
        np.array([2, 1, 0, 1]),
        0.01,
    ),
    (  # the first row of logits is [1200, -1200, 0]: a min or mean shift overflows,
        # and no true class has a probability that underflows to 0
        np.array([[30.0, -30.0, 0.0], [0.0, 1.0, -1.0]]),
        np.array([0.0, -0.5, 0.5]),
        np.array([[40.0, 0.5], [1.0, -1.0], [0.5, 0.5]]),
        np.array([0, 2, 1]),
        0.2,
    ),
    (  # the first row of logits is [0, -712.5, 0.5], with the true class 1: its
        # probability, about 1.4e-310, is a (subnormal) float64, so log(softmax) is
        # right, but a shift by the true class's logit overflows: exp(713) is inf;
        # the last row, [0, -722, 0.5] with the true class 0: a shift by its minimum
        # overflows (exp(722.5)), while its smallest probability, about 5e-314, is not
        # 0, so a one-hot sum of Q * log(P) is right here
        np.array([[0.0, -23.75, 0.0], [1.0, 0.0, 1.0]]),
        np.array([0.0, 0.0, 0.5]),
        np.array([[30.0, 0.0], [-1.0, 2.0], [0.5, -0.5], [30.4, 0.0]]),
        np.array([1, 0, 2, 0]),
        0.02,
    ),
    (  # the first row of logits is [0, -900, 0.5], with the true class 1: its
        # probability underflows to 0, and log(softmax) gives -inf
        np.array([[0.0, -30.0, 0.0], [1.0, 0.0, 1.0]]),
        np.array([0.0, 0.0, 0.5]),
        np.array([[30.0, 0.0], [-1.0, 2.0], [0.5, -0.5], [2.0, 1.0]]),
        np.array([1, 0, 2, 1]),
        0.01,
    ),
    _case(703, n=1, d=4, k=2, l2=0.0),
    _case(704, n=7, d=1, k=5, l2=1.5),
    (  # 25 classes, the first row of logits [0.5, -740, ..., -740]: the row's mean is
        # 710.9 below its top, so a mean shift overflows, while the probabilities of
        # -740 (about 2.5e-322) are not 0, so a one-hot sum of Q * log(P) is right here
        np.array([[0.5] + [-740.0] * 24]),
        np.zeros(25),
        np.array([[1.0], [0.0]]),
        np.array([0, 3]),
        0.0,
    ),
]

CASE_COVERS = (
    "ordinary data, and shapes of 1 to 7 examples, 1 to 4 features and 2 to 5 "
    "classes, penalties from 0 to 1.5",
    "the rows of logits [700, 686, 693] and [-50, -49, -49.5], where subtracting the "
    "batch's maximum instead of each row's makes every exp of the second row 0",
    "a row of logits [900, 879, 891] (exp overflows without the max subtraction)",
    "a row of logits [1200, -1200, 0], where shifting by the row's minimum or mean "
    "instead of its maximum still overflows",
    "a true class whose logit is 713 below the top one (exp(713) overflows, but its "
    "probability, 1.4e-310, is still a float64)",
    "a true class whose logit is 900.5 below the top one (its probability is 0 in "
    "float64, so log(softmax) gives -inf and the loss inf)",
    "25 classes, with the row of logits [0.5, -740, ..., -740], whose mean is 710.9 "
    "below its top (a mean shift overflows)",
)


def _loss_from(log_softmax_rows):
    def loss(W, b, X, y, l2):
        log_probs = log_softmax_rows(X @ W + b)
        return -np.mean(log_probs[np.arange(len(y)), y]) + l2 / 2 * np.sum(W**2)

    return loss


def _log_of_shifted_softmax(shift):
    def log_softmax_rows(z):
        return np.log(shifted_softmax(z, shift(z)))

    return log_softmax_rows


def _true_class_shifted_loss(log1p):
    """The loss as log(sum_j exp(z_j - z_y)), shifted by the true class's logit."""

    def loss(W, b, X, y, l2):
        Z = X @ W + b
        rows = np.arange(len(y))
        e = np.exp(Z - Z[rows, y][:, None])
        if log1p:  # log1p of the other classes' terms: the true class's own term is 1
            e[rows, y] = 0.0
            data = np.log1p(e.sum(axis=-1))
        else:
            data = np.log(e.sum(axis=-1))
        return np.mean(data) + l2 / 2 * np.sum(W**2)

    return loss


def _in_float32(W, b, X, cast_inputs):
    """The logits in float32: cast after the float64 product, or computed from cast inputs."""
    if cast_inputs:
        W, b, X = (np.asarray(a, dtype=np.float32) for a in (W, b, X))
        return X @ W + b
    return (X @ W + b).astype(np.float32)


_FLOAT32_LOG_SOFTMAX = (
    lambda z: log_softmax(z, axis=-1),
    lambda z: (
        (z - z.max(axis=-1, keepdims=True))
        - np.log(np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True))
    ),
    lambda z: z - logsumexp(z, axis=-1, keepdims=True),
    lambda z: np.log(softmax(z, axis=-1)),
)


def _float32_loss(cast_inputs, log_softmax_rows, penalty_in_float32):
    def loss(W, b, X, y, l2):
        log_probs = log_softmax_rows(_in_float32(W, b, X, cast_inputs))
        weights = W.astype(np.float32) if penalty_in_float32 else W
        return -np.mean(log_probs[np.arange(len(y)), y]) + l2 / 2 * np.sum(weights**2)

    return loss


FLOAT32_HINT = (
    "float32 keeps about 7 significant digits (its machine epsilon is 1.2e-7); the "
    "answer is checked to a relative 1e-9, as float64 allows. W, b and X are float64 "
    "arrays: keep Z = X @ W + b and what follows in float64 (no astype(np.float32))."
)


def _batch_max_log_softmax(z):
    shifted = z - z.max()
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


WRONG_AXIS_HINT = (
    "Z has one row per example and one column per class: normalise each row, with "
    "axis=-1 (axis=0 normalises each class over the examples)."
)

BATCH_MAX_HINT = (
    "One maximum for the whole batch (z.max() without an axis) leaves a row far "
    "below it: the logits [-50, -49, -49.5] under the batch's maximum 700 give exp "
    "of arguments near -750, which underflow to 0. Subtract each row's own maximum, "
    "Z.max(axis=-1, keepdims=True)."
)


_EPSILONS = (1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, np.finfo(float).eps)


def _clipped_losses():
    for eps in _EPSILONS:
        yield _loss_from(lambda z, eps=eps: np.log(np.clip(softmax(z, axis=-1), eps, 1 - eps)))
        yield _loss_from(lambda z, eps=eps: np.log(softmax(z, axis=-1) + eps))


def _loss_grad(W, b, X, y, l2):
    return softmax_regression_loss_grad(W, b, X, y, l2=l2)


def _data_loss(W, b, X, y):
    return _loss_grad(W, b, X, y, 0.0)[0]


def _probs_minus_onehot(W, b, X, y):
    probs = softmax(X @ W + b, axis=-1)
    return probs - np.eye(W.shape[1])[y]


regression_loss = Checker(
    name="regression_loss",
    chapter="07_softmax_regression",
    label="ex-regression-loss-code",
    task="mean cross-entropy of X @ W + b plus (l2 / 2) |W|^2",
    answer_name="my_loss",
    parameters=("W", "b", "X", "y", "l2"),
    reference=lambda W, b, X, y, l2: _loss_grad(W, b, X, y, l2)[0],
    returns=(("loss", "number"),),
    cases=CASES,
    covers=CASE_COVERS,
    mistakes=[
        Mistake(
            "the penalty without its 1/2",
            "The penalty is (l2 / 2) * sum(W**2), whose gradient is l2 * W; "
            "l2 * sum(W**2) counts it twice.",
            variants=[lambda W, b, X, y, l2: _data_loss(W, b, X, y) + l2 * np.sum(W**2)],
        ),
        Mistake(
            "the penalty left out",
            "Add (l2 / 2) * np.sum(W**2) to the mean cross-entropy.",
            variants=[lambda W, b, X, y, l2: _data_loss(W, b, X, y)],
        ),
        Mistake(
            "the bias penalised too",
            "Only the weights are penalised: (l2 / 2) * np.sum(W**2), without b.",
            variants=[
                lambda W, b, X, y, l2: (
                    _data_loss(W, b, X, y) + l2 / 2 * (np.sum(W**2) + np.sum(b**2))
                )
            ],
        ),
        Mistake(
            "the losses summed, not averaged",
            "The data term is the mean over the N examples, not their sum.",
            variants=[
                lambda W, b, X, y, l2: len(y) * _data_loss(W, b, X, y) + l2 / 2 * np.sum(W**2)
            ],
        ),
        Mistake(
            "no max subtraction",
            "exp(900) overflows to inf, and what follows is inf or NaN (inf / inf). "
            "Subtract each row's maximum from Z first, or use log_softmax(Z, axis=-1).",
            variants=[
                _loss_from(lambda z: z - np.log(np.exp(z).sum(axis=-1, keepdims=True))),
                _loss_from(lambda z: np.log(np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))),
            ],
        ),
        Mistake(
            "a one-hot sum of log(softmax(Z)), 0 * log(0)",
            "-sum(Q * log(P)) is the cross-entropy in exact arithmetic, but a probability "
            "that underflows to 0 off the label makes it NaN: 0 * log(0) is 0 * (-inf) = "
            "NaN (in the row [1200, -1200, 0], the probability of -1200 is 0). Take each "
            "row's log-probability at its label, from log_softmax(Z, axis=-1): "
            "log_probs[np.arange(N), y].",
            variants=[
                lambda W, b, X, y, l2, probs=probs: (
                    -np.mean(np.sum(np.eye(W.shape[1])[y] * np.log(probs(X @ W + b)), axis=1))
                    + l2 / 2 * np.sum(W**2)
                )
                for probs in (lambda z: softmax(z, axis=-1),)
            ],
        ),
        Mistake(
            "log(softmax(Z)) instead of log-softmax",
            "For large logits a probability underflows to 0 and its log is -inf. Use "
            "log_softmax(Z, axis=-1), finite wherever the loss fits in a float.",
            variants=[_loss_from(lambda z: np.log(softmax(z, axis=-1)))],
        ),
        Mistake(
            "shifted by the true class's logit instead of the maximum",
            "log(sum_j exp(z_j - z_y)) is the loss, but its exponents are <= 0 only when "
            "the true class has the largest logit. In the row [0, -712.5, 0.5] with the "
            "true class 1, exp(712.5) and exp(713) overflow to inf, and the log of their "
            "sum is inf (log1p(inf) too), though the row's loss is 713.47. Subtract each "
            "row's maximum, or use log_softmax(Z, axis=-1).",
            variants=[_true_class_shifted_loss(log1p) for log1p in (False, True)],
        ),
        Mistake(
            "the probabilities clipped",
            "Adding a small eps to a probability p before the log changes its loss by "
            "about eps / p, not only where p is near eps: with eps = 1e-12, a probability "
            "of 1e-6 has its loss lowered by 1e-6, which a relative tolerance of 1e-9 can "
            "see. Clipping the probabilities to [eps, 1 - eps] changes the loss of every "
            "probability below eps (or above 1 - eps): with eps = 1e-12, a probability of "
            "4e-13 has the loss 28.5, but 27.6 clipped. Use log_softmax(Z, axis=-1): it "
            "needs no eps and is finite wherever the loss fits in a float.",
            variants=list(_clipped_losses()),
        ),
        Mistake(
            "normalised over the wrong axis",
            WRONG_AXIS_HINT + " Use log_softmax(Z, axis=-1).",
            variants=[
                _loss_from(lambda z: log_softmax(z, axis=0)),
                *(_loss_from(lambda z, v=v: np.log(v(z))) for v in WRONG_AXIS.variants),
            ],
        ),
        Mistake(
            "the maximum of the whole batch subtracted",
            BATCH_MAX_HINT + " Or use log_softmax(Z, axis=-1).",
            variants=[
                _loss_from(_batch_max_log_softmax),
                _loss_from(lambda z: np.log(batch_max_softmax(z))),
            ],
        ),
        Mistake(
            "the row minimum or mean subtracted instead of the maximum",
            "Only the maximum makes every exponent <= 0: after subtracting the minimum "
            "or the mean, the logits [1200, -1200, 0] still give exp(1200) = inf. "
            "Subtract each row's maximum, or use log_softmax(Z, axis=-1).",
            variants=[
                _loss_from(log_softmax_rows)
                for shift in (row_min, row_mean)
                for log_softmax_rows in (shifted_log_softmax(shift), _log_of_shifted_softmax(shift))
            ],
        ),
        Mistake(
            "computed in float32",
            FLOAT32_HINT,
            variants=[
                _float32_loss(cast_inputs, form, penalty_in_float32)
                for cast_inputs in (False, True)
                for form in _FLOAT32_LOG_SOFTMAX
                for penalty_in_float32 in ((False, True) if cast_inputs else (False,))
            ],
        ),
    ],
    hint_text=(
        "Z = X @ W + b has shape (N, K). Pick log_softmax(Z, axis=-1) at each row's "
        "label, take minus the mean, and add (l2 / 2) * np.sum(W**2)."
    ),
    solution_text="""
def my_loss(W, b, X, y, l2):
    log_probs = log_softmax(X @ W + b, axis=-1)
    data = -np.mean(log_probs[np.arange(len(y)), y])
    return data + l2 / 2 * np.sum(W**2)
""",
    solution_uses=("log_softmax",),
)


def _wrong_sign(W, b, X, y, l2):
    delta = -_probs_minus_onehot(W, b, X, y)
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)


def _no_mean(W, b, X, y, l2):
    delta = _probs_minus_onehot(W, b, X, y)
    return X.T @ delta + l2 * W, delta.sum(axis=0)


def _penalty_twice(W, b, X, y, l2):
    _, dW, db = _loss_grad(W, b, X, y, l2)
    return dW + l2 * W, db


def _no_penalty(W, b, X, y, l2):
    _, dW, db = _loss_grad(W, b, X, y, l2)
    return dW - l2 * W, db


def _db_summed(W, b, X, y, l2):
    _, dW, db = _loss_grad(W, b, X, y, l2)
    return dW, db * len(y)


def _dW_transposed(W, b, X, y, l2):
    _, dW, db = _loss_grad(W, b, X, y, l2)
    return dW.T, db


def _gradient_through(softmax_rows):
    def gradient(W, b, X, y, l2):
        delta = softmax_rows(X @ W + b) - np.eye(W.shape[1])[y]
        return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)

    return gradient


def _float32_gradient(cast_inputs, softmax_rows, in_place):
    def gradient(W, b, X, y, l2):
        P = softmax_rows(_in_float32(W, b, X, cast_inputs))
        if in_place:  # P[rows, y] -= 1, in float32
            delta = P.copy()
            delta[np.arange(len(y)), y] -= 1
        else:  # minus np.eye(K)[y], a float64 array
            delta = P - np.eye(W.shape[1])[y]
        if cast_inputs:
            X, W = X.astype(np.float32), W.astype(np.float32)
        return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)

    return gradient


def _true_class_shifted_gradient(W, b, X, y, l2):
    Z = X @ W + b
    e = np.exp(Z - Z[np.arange(len(y)), y][:, None])
    delta = e / e.sum(axis=-1, keepdims=True) - np.eye(W.shape[1])[y]
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)


_FLOAT32_SOFTMAX = (
    lambda z: softmax(z, axis=-1),
    lambda z: (
        np.exp(z - z.max(axis=-1, keepdims=True))
        / np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True)
    ),
)


_overflowing_softmax = _gradient_through(
    lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
)


regression_gradient = Checker(
    name="regression_gradient",
    chapter="07_softmax_regression",
    label="ex-regression-gradient-code",
    task="the tuple (dW, db), the gradient of the loss",
    answer_name="my_gradient",
    parameters=("W", "b", "X", "y", "l2"),
    reference=lambda W, b, X, y, l2: _loss_grad(W, b, X, y, l2)[1:],
    returns=(("dW", "array"), ("db", "array")),
    cases=CASES,
    covers=CASE_COVERS,
    atol=1e-12,
    mistakes=[
        Mistake(
            "gradient with the wrong sign",
            "The gradient of the mean cross-entropy with respect to Z is (P - Q) / N, "
            "not (Q - P) / N.",
            variants=[_wrong_sign],
        ),
        Mistake(
            "the 1/N of the mean left out",
            "The loss is a mean over the N examples: divide X.T @ (P - Q) and the sum "
            "of the rows of P - Q by N.",
            variants=[_no_mean],
        ),
        Mistake(
            "the penalty's gradient doubled",
            "The gradient of (l2 / 2) * sum(W**2) is l2 * W, not 2 * l2 * W.",
            variants=[_penalty_twice],
        ),
        Mistake(
            "the penalty's gradient left out",
            "Add l2 * W to dW (and nothing to db: the bias is not penalised).",
            variants=[_no_penalty],
        ),
        Mistake(
            "the bias penalised too",
            "Only the weights are penalised: dW gets l2 * W, and db gets nothing "
            "(it is the mean of the rows of P - Q alone).",
            variants=[
                lambda W, b, X, y, l2: (
                    _loss_grad(W, b, X, y, l2)[1],
                    _loss_grad(W, b, X, y, l2)[2] + l2 * b,
                )
            ],
        ),
        Mistake(
            "db summed, not averaged",
            "db is the mean of the rows of P - Q, (P - Q).mean(axis=0).",
            variants=[_db_summed],
        ),
        Mistake(
            "dW transposed",
            "(P - Q).T @ X has shape (K, d); dW must have the shape of W, (d, K): X.T @ (P - Q).",
            variants=[_dW_transposed],
        ),
        Mistake(
            "no max subtraction",
            "exp(900) overflows to inf, and inf / inf is NaN. Subtract each row's "
            "maximum from Z before the exp, or use softmax(Z, axis=-1).",
            variants=[_overflowing_softmax],
        ),
        Mistake(
            "normalised over the wrong axis",
            WRONG_AXIS_HINT + " Use softmax(Z, axis=-1).",
            variants=[_gradient_through(v) for v in WRONG_AXIS.variants],
        ),
        Mistake(
            "the maximum of the whole batch subtracted",
            BATCH_MAX_HINT + " Or use softmax(Z, axis=-1).",
            variants=[_gradient_through(batch_max_softmax)],
        ),
        Mistake(
            "the row minimum or mean subtracted instead of the maximum",
            "Only the maximum makes every exponent <= 0: after subtracting the minimum "
            "or the mean, the logits [1200, -1200, 0] still give exp(1200) = inf, and "
            "inf / inf is NaN. Subtract each row's maximum, or use softmax(Z, axis=-1).",
            variants=[
                _gradient_through(lambda z, shift=shift: shifted_softmax(z, shift(z)))
                for shift in (row_min, row_mean)
            ],
        ),
        Mistake(
            "shifted by the true class's logit instead of the maximum",
            "Subtracting z_y makes every exponent <= 0 only when the true class has the "
            "largest logit. In the row [0, -712.5, 0.5] with the true class 1, exp(712.5) "
            "and exp(713) overflow to inf, and inf / inf is NaN. Subtract each row's "
            "maximum, or use softmax(Z, axis=-1).",
            variants=[_true_class_shifted_gradient],
        ),
        Mistake(
            "computed in float32",
            FLOAT32_HINT,
            variants=[
                _float32_gradient(cast_inputs, form, in_place)
                for cast_inputs in (False, True)
                for form in _FLOAT32_SOFTMAX
                for in_place in (False, True)
            ],
        ),
    ],
    hint_text=(
        "With P = softmax(X @ W + b, axis=-1) and Q the one-hot targets "
        "(np.eye(K)[y]): dW = X.T @ (P - Q) / N + l2 * W and db = (P - Q).mean(axis=0)."
    ),
    solution_text="""
def my_gradient(W, b, X, y, l2):
    P = softmax(X @ W + b, axis=-1)
    delta = P - np.eye(W.shape[1])[y]
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)
""",
    solution_uses=("softmax",),
)
