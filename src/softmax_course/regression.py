"""Softmax regression: its loss and gradient, and the chapter's data and plots.

Introduced in chapter 7 (:ref:`sec-regression-model`). The training loop is
not here: it stays in the chapter, where it is the lesson. scikit-learn and
Matplotlib are imported inside the functions that need them, so that
``import softmax_course`` stays light.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._validation import check_integer, check_labels
from .activations import log_softmax

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import ArrayLike

__all__ = [
    "StandardizedSplit",
    "plot_decision_regions",
    "plot_weight_images",
    "softmax_regression_loss_grad",
    "standardized_split",
]


def _as_float_matrix(value, name: str, ndim: int, function: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{function}: {name} must be an array of real numbers; got dtype {arr.dtype}."
        )
    if arr.ndim != ndim:
        expected = {1: "a 1-d array", 2: "a 2-d array"}[ndim]
        raise ValueError(f"{function}: {name} must be {expected}; got shape {arr.shape}.")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{function}: {name} must be finite; it contains NaN or infinity.")
    return arr


def _check_l2(l2, function: str) -> float:
    if isinstance(l2, (bool, np.bool_)) or not isinstance(l2, numbers.Real):
        raise TypeError(f"{function}: l2 must be a real number; got {type(l2).__name__}.")
    value = float(l2)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{function}: l2 must be a finite number >= 0; got {l2!r}.")
    return value


def _check_model(W, b, X, y, function: str):
    W = _as_float_matrix(W, "W", 2, function)
    b = _as_float_matrix(b, "b", 1, function)
    X = _as_float_matrix(X, "X", 2, function)
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
    labels = check_labels(labels, n_classes, function)
    return W, b, X, labels.astype(np.intp, copy=False)


def softmax_regression_loss_grad(
    W: ArrayLike, b: ArrayLike, X: ArrayLike, y: ArrayLike, *, l2: float = 0.0
) -> tuple[float, np.ndarray, np.ndarray]:
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
    function = "softmax_regression_loss_grad"
    W, b, X, labels = _check_model(W, b, X, y, function)
    l2 = _check_l2(l2, function)
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


class StandardizedSplit(NamedTuple):
    """Training, validation and test sets, standardised with training statistics."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    scale: np.ndarray


def _check_fraction(value, name, function):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{function}: {name} must be a number; got {value!r}.")
    if not 0 < value < 1:
        raise ValueError(f"{function}: {name} must lie strictly between 0 and 1; got {value!r}.")
    return float(value)


def standardized_split(
    features: ArrayLike,
    labels: ArrayLike,
    *,
    val_size: float = 0.2,
    test_size: float = 0.2,
    seed: int = 0,
) -> StandardizedSplit:
    """Split a data set in three, stratified by class, and standardise it.

    Introduced in chapter 7 (:ref:`sec-regression-data`).

    Within each class the samples are shuffled with
    ``numpy.random.default_rng(seed)``; ``round(test_size * n_c)`` of the
    ``n_c`` samples of class ``c`` go to the test set and
    ``round(val_size * n_c)`` to the validation set, the rest to training, so
    every split has the class proportions of the whole. Each feature is then
    standardised with the mean and standard deviation of the *training* set
    only (a feature that is constant in training is only centred), so that no
    information from the validation or test sets leaks into the model.

    Parameters
    ----------
    features : array_like, shape (N, d)
        Finite real features.
    labels : array_like of int, shape (N,)
        Class labels.
    val_size, test_size : float, default 0.2
        Fractions of each class for validation and test (each in (0, 1),
        together below 1).
    seed : int, default 0
        Seeds the shuffle.

    Returns
    -------
    StandardizedSplit
        ``(x_train, y_train, x_val, y_val, x_test, y_test, mean, scale)``: float64
        features (in a shuffled order), int64 labels, and the training
        statistics, so that ``x = (raw - mean) / scale``.

    Raises
    ------
    TypeError
        If labels are not integers or a size or ``seed`` has the wrong type.
    ValueError
        If shapes disagree, features are not finite, or the sizes are out of range.

    Examples
    --------
    >>> import numpy as np
    >>> features = np.arange(40.0).reshape(20, 2)
    >>> split = standardized_split(features, np.arange(20) % 2, seed=1)
    >>> len(split.y_train), len(split.y_val), len(split.y_test)
    (12, 4, 4)
    >>> np.bincount(split.y_test).tolist()
    [2, 2]
    >>> bool(np.allclose(split.x_train.mean(axis=0), 0.0))
    True
    """
    function = "standardized_split"
    x = _as_float_matrix(features, "features", 2, function)
    y = np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{function}: labels must be integers; got dtype {y.dtype}.")
    if y.shape != (x.shape[0],):
        raise ValueError(
            f"{function}: labels must have shape ({x.shape[0]},), one per row of "
            f"features; got {y.shape}."
        )
    val_size = _check_fraction(val_size, "val_size", function)
    test_size = _check_fraction(test_size, "test_size", function)
    if val_size + test_size >= 1:
        raise ValueError(
            f"{function}: val_size + test_size must be below 1 to leave a training set; got "
            f"{val_size} + {test_size}."
        )
    rng = np.random.default_rng(check_integer(seed, "seed", function, minimum=0))
    parts = {"train": [], "val": [], "test": []}
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = round(test_size * len(members))
        n_val = round(val_size * len(members))
        parts["test"].append(members[:n_test])
        parts["val"].append(members[n_test : n_test + n_val])
        parts["train"].append(members[n_test + n_val :])
    index = {name: rng.permutation(np.concatenate(chunks)) for name, chunks in parts.items()}
    if min(len(chunk) for chunk in index.values()) == 0:
        raise ValueError(f"{function}: a split is empty: use more samples or larger fractions.")
    train = x[index["train"]]
    mean = train.mean(axis=0)
    scale = train.std(axis=0)
    scale[scale == 0] = 1.0
    out = {}
    for name, rows in index.items():
        out[f"x_{name}"] = (x[rows] - mean) / scale
        out[f"y_{name}"] = y[rows].astype(np.int64)
    return StandardizedSplit(mean=mean, scale=scale, **out)


def plot_weight_images(weights: ArrayLike, *, image_shape=(8, 8), titles=None, axes=None) -> Figure:
    """Draw each column of a weight matrix as an image, on one symmetric colour scale.

    Introduced in chapter 7 (:ref:`sec-regression-learned`).

    Red pixels raise the class's logit when they are bright, blue ones lower
    it; white is 0. All images share the colour scale ``[-m, m]`` with ``m``
    the largest absolute weight, so they can be compared.

    Parameters
    ----------
    weights : array_like, shape (d, K)
        One column per class, ``d = image_shape[0] * image_shape[1]``.
    image_shape : tuple of two int, default (8, 8)
        How to fold a column into an image (row-major, as ``reshape``).
    titles : sequence of str, optional
        One title per class; default ``"class 0"``, ``"class 1"``, ...
    axes : sequence of matplotlib Axes, optional
        K axes to draw in; default a new figure with two rows.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with a shared colour bar.

    Raises
    ------
    ValueError
        If the shapes do not fit or the number of titles or axes is not K.

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_weight_images(np.eye(4)[:, :2], image_shape=(2, 2))
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['class 0', 'class 1']
    """
    import matplotlib.pyplot as plt

    function = "plot_weight_images"
    weights = _as_float_matrix(weights, "weights", 2, function)
    rows, columns = image_shape
    num_classes = weights.shape[1]
    if rows * columns != weights.shape[0]:
        raise ValueError(
            f"{function}: image_shape {tuple(image_shape)} holds {rows * columns} pixels, but the "
            f"weights have {weights.shape[0]} rows."
        )
    titles = [f"class {k}" for k in range(num_classes)] if titles is None else list(titles)
    if len(titles) != num_classes:
        raise ValueError(
            f"{function}: expected {num_classes} titles, one per column; got {len(titles)}."
        )
    if axes is None:
        ncols = -(-num_classes // 2)
        fig, grid = plt.subplots(2, ncols, figsize=(1.6 * ncols + 1, 3.8), squeeze=False)
        axes = grid.ravel()[:num_classes]
        for extra in grid.ravel()[num_classes:]:
            extra.set_visible(False)
    else:
        axes = list(np.ravel(axes))
        if len(axes) != num_classes:
            raise ValueError(
                f"{function}: expected {num_classes} axes, one per column; got {len(axes)}."
            )
        fig = axes[0].figure
    limit = float(np.max(np.abs(weights))) or 1.0
    for k, ax in enumerate(axes):
        image = ax.imshow(
            weights[:, k].reshape(rows, columns), cmap="RdBu_r", vmin=-limit, vmax=limit
        )
        ax.set(title=titles[k], xticks=[], yticks=[])
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="weight")
    return fig


def plot_decision_regions(
    weights: ArrayLike,
    bias: ArrayLike,
    *,
    x_range,
    y_range,
    ax=None,
    colors=None,
    num: int = 301,
) -> Axes:
    """Draw the decision regions of a linear softmax classifier in the plane.

    Introduced in chapter 7 (:ref:`sec-regression-regions`).

    Each point of a grid is coloured by its predicted class, pale where the
    winning probability is low (1/K) and saturated where it is near 1. The
    boundaries are drawn exactly where they are: for each pair of classes
    ``(j, k)``, the line ``z_j = z_k``, kept only where ``j`` and ``k`` are
    the two largest logits.

    Parameters
    ----------
    weights : array_like, shape (2, K)
        The weights of a model with two input features.
    bias : array_like, shape (K,)
        The biases.
    x_range, y_range : tuple of two floats
        The window, ``(low, high)`` along each axis.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    colors : sequence of K colours, optional
        One colour per class; default Matplotlib's ``tab10`` cycle.
    num : int, default 301
        Grid points per axis.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If ``weights`` does not have two rows, ``bias`` does not fit, or the
        number of colours is not K.

    Examples
    --------
    >>> import numpy as np
    >>> ax = plot_decision_regions(np.array([[1.0, -1.0], [0.0, 0.0]]), np.zeros(2),
    ...                            x_range=(-1, 1), y_range=(-1, 1), num=21)
    >>> len(ax.images), len(ax.collections)
    (1, 1)
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    from .data import decision_grid

    function = "plot_decision_regions"
    weights = _as_float_matrix(weights, "weights", 2, function)
    bias = _as_float_matrix(bias, "bias", 1, function)
    if weights.shape[0] != 2:
        raise ValueError(
            f"{function}: weights must have 2 rows (two input features); got shape {weights.shape}."
        )
    num_classes = weights.shape[1]
    if bias.shape != (num_classes,):
        raise ValueError(f"{function}: bias must have shape ({num_classes},); got {bias.shape}.")
    if colors is None:
        colors = [plt.get_cmap("tab10")(k % 10) for k in range(num_classes)]
    if len(colors) != num_classes:
        raise ValueError(
            f"{function}: expected {num_classes} colours, one per class; got {len(colors)}."
        )
    xx, yy, points = decision_grid(x_range, y_range, num=num)
    logits = points.astype(np.float64) @ weights + bias
    probs = np.exp(log_softmax(logits, axis=-1))
    winner = probs.argmax(axis=1)
    # Shade: 0 where the winner has probability 1/K, 1 where it has probability 1.
    strength = (probs.max(axis=1) - 1 / num_classes) / (1 - 1 / num_classes)
    palette = np.array([to_rgb(color) for color in colors])
    rgb = 1 - (0.1 + 0.5 * strength[:, None]) * (1 - palette[winner])
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    ax.imshow(
        rgb.reshape(*xx.shape, 3),
        origin="lower",
        extent=(xx[0, 0], xx[0, -1], yy[0, 0], yy[-1, 0]),
        aspect="auto",
        interpolation="nearest",
    )
    top_two = np.sort(np.argsort(logits, axis=1)[:, -2:], axis=1)
    for j in range(num_classes):
        for k in range(j + 1, num_classes):
            on_pair = (top_two[:, 0] == j) & (top_two[:, 1] == k)
            if not on_pair.any():
                continue
            gap = np.ma.masked_where(~on_pair, logits[:, j] - logits[:, k])
            ax.contour(xx, yy, gap.reshape(xx.shape), levels=[0.0], colors="k", linewidths=1)
    ax.set(xlim=x_range, ylim=y_range)
    return ax
