"""Chapter 7, softmax regression: ``regression_loss`` and ``regression_gradient``."""

from __future__ import annotations

import numpy as np

from ._checker import Checker
from ._mistakes import Mistake, nonfinite_from_overflow, nonfinite_where_finite
from ._package import sc


def _case(seed, n, d, k, l2, scale=1.0):
    generator = np.random.default_rng(seed)
    W = np.round(generator.normal(scale=scale, size=(d, k)), 2)
    b = np.round(generator.normal(size=k), 2)
    X = np.round(generator.normal(scale=scale, size=(n, d)), 2)
    y = generator.integers(0, k, size=n)
    return W, b, X, y, l2


CASES = [
    _case(701, n=5, d=3, k=4, l2=0.1),
    _case(702, n=6, d=2, k=3, l2=0.5),
    (  # the first example's true class has the logit -900: log(softmax) fails
        np.array([[0.0, -30.0, 0.0], [1.0, 0.0, 1.0]]),
        np.array([0.0, 0.0, 0.5]),
        np.array([[30.0, 0.0], [-1.0, 2.0], [0.5, -0.5], [2.0, 1.0]]),
        np.array([1, 0, 2, 1]),
        0.01,
    ),
    (  # logits up to 900: exp overflows without the max subtraction
        np.array([[30.0, 0.0, 29.7], [0.0, 1.0, 0.0]]),
        np.array([0.0, 0.0, 0.0]),
        np.array([[30.0, 0.0], [1.0, 1.0], [-0.5, 2.0], [0.0, -1.0]]),
        np.array([2, 1, 0, 1]),
        0.01,
    ),
]


def _loss_grad(W, b, X, y, l2):
    return sc().softmax_regression_loss_grad(W, b, X, y, l2=l2)


def _data_loss(W, b, X, y):
    return _loss_grad(W, b, X, y, 0.0)[0]


def _probs_minus_onehot(W, b, X, y):
    probs = sc().softmax(X @ W + b, axis=-1)
    return probs - np.eye(W.shape[1])[y]


regression_loss = Checker(
    name="regression_loss",
    chapter="07_softmax_regression",
    label="ex-regression-loss-code",
    title="The penalised loss of softmax regression",
    prompt=(
        "Write `my_loss(W, b, X, y, l2)`: the loss of softmax regression, the mean\n"
        "cross-entropy of the logits $Z = XW + b$ plus the penalty\n"
        "$\\frac{\\lambda}{2}\\lVert W \\rVert^2$ with $\\lambda$ = `l2` (the bias is not\n"
        "penalised). `W` has shape `(d, K)`, `b` `(K,)`, `X` `(N, d)`, and `y` holds\n"
        "`N` integer labels. The loss must be finite for large logits. You may use\n"
        "`log_softmax` from the package."
    ),
    task="mean cross-entropy of X @ W + b plus (l2 / 2) |W|^2",
    answer_name="my_loss",
    parameters=("W", "b", "X", "y", "l2"),
    reference=lambda W, b, X, y, l2: _loss_grad(W, b, X, y, l2)[0],
    returns=(("loss", "number"),),
    cases=CASES,
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
            "exp(900) overflows to inf. Subtract each row's maximum from Z first, or "
            "use log_softmax(Z, axis=-1).",
            matches=nonfinite_from_overflow(lambda args: args[2] @ args[0] + args[1]),
        ),
        Mistake(
            "log(softmax(Z)) instead of log-softmax",
            "For large logits a probability underflows to 0 and its log is -inf. Use "
            "log_softmax(Z, axis=-1), finite for every finite logit.",
            matches=nonfinite_where_finite,
        ),
    ],
    hint=(
        "Z = X @ W + b has shape (N, K). Pick log_softmax(Z, axis=-1) at each row's "
        "label, take minus the mean, and add (l2 / 2) * np.sum(W**2)."
    ),
    solution="""
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


regression_gradient = Checker(
    name="regression_gradient",
    chapter="07_softmax_regression",
    label="ex-regression-gradient-code",
    title="The gradient of softmax regression",
    prompt=(
        "Write `my_gradient(W, b, X, y, l2)`: the gradient `(dW, db)` of the loss of\n"
        "`regression_loss`, the mean cross-entropy of $Z = XW + b$ plus\n"
        "$\\frac{\\lambda}{2}\\lVert W \\rVert^2$ ($\\lambda$ = `l2`). `dW` has the shape\n"
        "of `W`, `(d, K)`, and `db` that of `b`, `(K,)`. You may use `softmax` from the\n"
        "package."
    ),
    task="the tuple (dW, db), the gradient of the loss",
    answer_name="my_gradient",
    parameters=("W", "b", "X", "y", "l2"),
    reference=lambda W, b, X, y, l2: _loss_grad(W, b, X, y, l2)[1:],
    returns=(("dW", "array"), ("db", "array")),
    cases=CASES,
    atol=1e-12,
    mistakes=[
        Mistake(
            "gradient with the wrong sign",
            "The gradient of the cross-entropy with respect to Z is P - Y, not Y - P.",
            variants=[_wrong_sign],
        ),
        Mistake(
            "the 1/N of the mean left out",
            "The loss is a mean over the N examples: divide X.T @ (P - Y) and the sum "
            "of the rows of P - Y by N.",
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
            "db summed, not averaged",
            "db is the mean of the rows of P - Y, (P - Y).mean(axis=0).",
            variants=[_db_summed],
        ),
        Mistake(
            "dW transposed",
            "(P - Y).T @ X has shape (K, d); dW must have the shape of W, (d, K): X.T @ (P - Y).",
            variants=[_dW_transposed],
        ),
    ],
    hint=(
        "With P = softmax(X @ W + b, axis=-1) and Y the one-hot labels "
        "(np.eye(K)[y]): dW = X.T @ (P - Y) / N + l2 * W and db = (P - Y).mean(axis=0)."
    ),
    solution="""
def my_gradient(W, b, X, y, l2):
    P = softmax(X @ W + b, axis=-1)
    delta = P - np.eye(W.shape[1])[y]
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)
""",
    solution_uses=("softmax",),
)
