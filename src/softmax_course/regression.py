"""Softmax regression: its loss and gradient.

Introduced in chapter 7 (:ref:`sec-regression-model`). The training loop is
not here: it stays in the chapter, where it is the lesson. The chapter's data
split is :func:`softmax_course.data.standardized_split`, its plots are in
:mod:`softmax_course.plotting`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._validation import check_labels, check_real, check_real_array
from .activations import log_softmax

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["softmax_regression_loss_grad"]


def _check_model(W, b, X, y, function: str):
    W = check_real_array(W, "W", 2, function)
    b = check_real_array(b, "b", 1, function)
    X = check_real_array(X, "X", 2, function)
    n_features, n_classes = W.shape
    if n_classes < 1:
        raise ValueError(
            f"{function}: W must have at least one column (one per class); got shape {W.shape}."
        )
    if b.shape != (n_classes,):
        raise ValueError(
            f"{function}: b must have shape ({n_classes},), one bias per column of W; "
            f"got {b.shape}."
        )
    if X.shape[1] != n_features:
        raise ValueError(
            f"{function}: X has {X.shape[1]} features (columns) but W has {n_features} "
            "rows; expected X of shape (N, d) and W of shape (d, K)."
        )
    if X.shape[0] == 0:
        raise ValueError(
            f"{function}: X has no rows: the mean loss of an empty batch is undefined."
        )
    labels = np.asarray(y)
    if labels.shape != (X.shape[0],):
        raise ValueError(
            f"{function}: y must have shape ({X.shape[0]},), one label per row of X; "
            f"got {labels.shape}."
        )
    labels = check_labels(labels, n_classes, function, "y")
    return W, b, X, labels.astype(np.intp, copy=False)


def softmax_regression_loss_grad(
    W: ArrayLike, b: ArrayLike, X: ArrayLike, y: ArrayLike, *, l2: float = 0.0
) -> tuple[float, np.ndarray, np.ndarray]:
    r"""Mean cross-entropy of a softmax regression model, and its gradient.

    Introduced in chapter 7 (:ref:`sec-regression-gradient`).

    The model scores a batch with logits :math:`Z = XW + \mathbf{1}b^\top` and
    predicts :math:`P = \mathrm{softmax}(Z)` row by row. The loss is

    .. math::

        L(W, b) = \frac{1}{N}\sum_{n=1}^{N} -\log P_{n, y_n}
                  + \frac{\lambda}{2}\lVert W\rVert_F^2

    (the bias is not penalised), and its gradient is
    :math:`\partial L/\partial W = X^\top (P - Q)/N + \lambda W` and
    :math:`\partial L/\partial b = \frac{1}{N}\sum_n (P - Q)_{n,:}`, with
    :math:`Q` the one-hot targets (the book's notation). The log-probabilities come from
    :func:`log_softmax`, so the loss is finite and accurate for logits of any
    size. Computed in float64.

    Parameters
    ----------
    W : array_like, shape (d, K)
        Weights: one column per class.
    b : array_like, shape (K,)
        Biases.
    X : array_like, shape (N, d)
        Features, one sample per row (N >= 1).
    y : array_like of int, shape (N,)
        Class labels in ``[0, K)``.
    l2 : float, default 0.0
        Strength :math:`\lambda` of the L2 penalty :math:`(\lambda/2)\lVert W\rVert^2` (>= 0).

    Returns
    -------
    loss : float
        The penalised mean cross-entropy.
    dW : numpy.ndarray, shape (d, K)
        Gradient with respect to ``W``.
    db : numpy.ndarray, shape (K,)
        Gradient with respect to ``b``.

    Raises
    ------
    TypeError
        If an array is not real, ``y`` is not integer, or ``l2`` is not a number.
    ValueError
        If shapes do not fit together, an array holds NaN or infinity, a label
        is out of range, ``X`` is empty, or ``l2`` is negative or not finite.

    Examples
    --------
    With zero weights every class has probability 1/K, so the loss is log K:

    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0], [3.0, -1.0]])
    >>> loss, dW, db = softmax_regression_loss_grad(
    ...     np.zeros((2, 3)), np.zeros(3), X, np.array([0, 2]))
    >>> bool(np.isclose(loss, np.log(3)))
    True
    >>> db.round(4).tolist()
    [-0.1667, 0.3333, -0.1667]
    """
    function = "softmax_regression_loss_grad"
    W, b, X, labels = _check_model(W, b, X, y, function)
    l2 = check_real(l2, "l2", function, low=0.0)
    n_samples = X.shape[0]
    log_probs = log_softmax(X @ W + b, axis=-1)
    rows = np.arange(n_samples)
    loss = -log_probs[rows, labels].mean() + 0.5 * l2 * np.sum(W * W)
    residual = np.exp(log_probs)  # P, then P - Q, scaled by 1/N
    residual[rows, labels] -= 1.0
    residual /= n_samples
    dW = X.T @ residual + l2 * W
    db = residual.sum(axis=0)
    return float(loss), dW, db
