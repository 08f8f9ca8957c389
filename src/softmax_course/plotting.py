"""Plots of the chapters: reliability diagrams, weight images and decision regions.

Matplotlib is imported inside each function, so that ``import softmax_course``
stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._validation import check_integer, check_real_array
from .activations import log_softmax
from .calibration import ReliabilityBins

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import ArrayLike

__all__ = ["plot_decision_regions", "plot_reliability_diagram", "plot_weight_images"]


def plot_reliability_diagram(
    bins: ReliabilityBins,
    *,
    ax: Axes | None = None,
    label: str = "model",
    color: str = "C0",
    min_count: int = 1,
) -> Axes:
    """Draw a reliability diagram: accuracy against confidence, bin by bin.

    Introduced in chapter 9 (:ref:`sec-calibration-reliability`).

    Each non-empty bin is a bar whose height is its accuracy, drawn over the
    bin; the diagonal is perfect calibration, and a red line from each bar
    to the diagonal at its mean confidence shows the gap.

    Parameters
    ----------
    bins : ReliabilityBins
        From :func:`reliability_bins`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default the current axes.
    label : str, default "model"
        Legend label of the bars.
    color : str, default "C0"
        Colour of the bars.
    min_count : int, default 1
        Draw only the bins holding at least this many predictions (a bin of
        two predictions has an accuracy of 0, 0.5 or 1, which is noise).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on, with labels, limits and a legend set.

    Raises
    ------
    TypeError
        If ``bins`` is not a :class:`ReliabilityBins`, or ``min_count`` is
        not an integer.
    ValueError
        If ``min_count < 1``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from softmax_course.calibration import reliability_bins
    >>> bins = reliability_bins([[0.9, 0.1], [0.3, 0.7]], [0, 0], n_bins=5)
    >>> ax = plot_reliability_diagram(bins)
    >>> len(ax.patches)
    2
    """
    import matplotlib.pyplot as plt

    function = "plot_reliability_diagram"
    if not isinstance(bins, ReliabilityBins):
        raise TypeError(f"{function}: bins must be a ReliabilityBins; got {type(bins).__name__}.")
    min_count = check_integer(min_count, "min_count", function, minimum=1)
    ax = plt.gca() if ax is None else ax
    occupied = bins.counts >= min_count
    left = bins.edges[:-1][occupied]
    width = np.diff(bins.edges)[occupied]
    ax.bar(
        left,
        bins.accuracy[occupied],
        width=width,
        align="edge",
        color=color,
        edgecolor="k",
        alpha=0.8,
        label=label,
    )
    ax.vlines(
        bins.confidence[occupied],
        bins.accuracy[occupied],
        bins.confidence[occupied],
        color="C3",
        linewidth=2,
        label="gap to the diagonal",
    )
    ax.plot([0, 1], [0, 1], "k--", label="perfect calibration")
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel="confidence (largest probability)",
        ylabel="accuracy in the bin",
    )
    ax.legend(loc="upper left")
    return ax


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
    weights = check_real_array(weights, "weights", 2, function)
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
    weights = check_real_array(weights, "weights", 2, function)
    bias = check_real_array(bias, "bias", 1, function)
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
