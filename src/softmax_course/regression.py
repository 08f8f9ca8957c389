"""Softmax regression: its loss and gradient, and the chapter's data and plots.

Introduced in chapter 7 (:ref:`sec-regression-model`). The training loop is
not here: it stays in the chapter, where it is the lesson. scikit-learn and
Matplotlib are imported inside the functions that need them, so that
``import softmax_course`` stays light.
"""

from __future__ import annotations

import numbers

import numpy as np

from .activations import log_softmax

__all__ = ["softmax_regression_loss_grad"]


def _as_float_matrix(value, name: str, ndim: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers; got dtype {arr.dtype}.")
    if arr.ndim != ndim:
        expected = {1: "a 1-d array", 2: "a 2-d array"}[ndim]
        raise ValueError(f"{name} must be {expected}; got shape {arr.shape}.")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; it contains NaN or infinity.")
    return arr


def _check_l2(l2) -> float:
    if isinstance(l2, (bool, np.bool_)) or not isinstance(l2, numbers.Real):
        raise TypeError(f"l2 must be a real number; got {type(l2).__name__}.")
    value = float(l2)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"l2 must be a finite number >= 0; got {l2!r}.")
    return value


def _check_model(W, b, X, y):
    W = _as_float_matrix(W, "W", 2)
    b = _as_float_matrix(b, "b", 1)
    X = _as_float_matrix(X, "X", 2)
    n_features, n_classes = W.shape
    if n_classes < 1:
        raise ValueError(f"W must have at least one column (one per class); got shape {W.shape}.")
    if b.shape != (n_classes,):
        raise ValueError(
            f"b must have shape ({n_classes},), one bias per column of W; got {b.shape}."
        )
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features (columns) but W has {n_features} rows; "
            "expected X of shape (N, d) and W of shape (d, K)."
        )
    if X.shape[0] == 0:
        raise ValueError("X has no rows: the mean loss of an empty batch is undefined.")
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class labels; got dtype {labels.dtype}.")
    if labels.shape != (X.shape[0],):
        raise ValueError(
            f"y must have shape ({X.shape[0]},), one label per row of X; got {labels.shape}."
        )
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(
            f"y must lie in [0, {n_classes - 1}] for {n_classes} classes; got values "
            f"from {labels.min()} to {labels.max()}."
        )
    return W, b, X, labels.astype(np.intp, copy=False)


def softmax_regression_loss_grad(W, b, X, y, *, l2=0.0):
    r"""Mean cross-entropy of a softmax regression model, and its gradient.

    Introduced in chapter 7 (:ref:`sec-regression-gradient`).

    The model scores a batch with logits :math:`Z = XW + \mathbf{1}b^\top` and
    predicts :math:`P = \mathrm{softmax}(Z)` row by row. The loss is

    .. math::

        L(W, b) = \frac{1}{N}\sum_{i=1}^{N} -\log P_{i, y_i}
                  + \frac{\ell_2}{2}\lVert W\rVert_F^2

    (the bias is not penalised), and its gradient is
    :math:`\partial L/\partial W = X^\top (P - Y)/N + \ell_2 W` and
    :math:`\partial L/\partial b = \frac{1}{N}\sum_i (P - Y)_{i,:}`, with
    :math:`Y` the one-hot labels. The log-probabilities come from
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
        Strength of the L2 penalty :math:`(\ell_2/2)\lVert W\rVert^2` (>= 0).

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
    W, b, X, labels = _check_model(W, b, X, y)
    l2 = _check_l2(l2)
    n_samples = X.shape[0]
    log_probs = log_softmax(X @ W + b, axis=-1)
    rows = np.arange(n_samples)
    loss = -log_probs[rows, labels].mean() + 0.5 * l2 * np.sum(W * W)
    residual = np.exp(log_probs)  # P, then P - Y, scaled by 1/N
    residual[rows, labels] -= 1.0
    residual /= n_samples
    dW = X.T @ residual + l2 * W
    db = residual.sum(axis=0)
    return float(loss), dW, db
