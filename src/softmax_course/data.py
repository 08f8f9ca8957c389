"""Small synthetic data sets for the Keras chapters: four Gaussian blobs in the plane.

scikit-learn is imported inside the functions that need it, so that
``import softmax_course`` stays light.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._validation import check_integer

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

#: The four cluster centres of the seeds' Keras example (chapter 8).
BLOB_CENTERS = np.array([[15.0, 0.0], [15.0, 15.0], [0.0, 15.0], [30.0, 15.0]])


class BlobsSplit(NamedTuple):
    """A train/test split of a blobs data set (features float32, labels int64)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def make_blobs_split(
    *,
    n_samples: int = 1000,
    centers: ArrayLike | None = None,
    cluster_std: float = 1.5,
    test_size: int = 250,
    seed: int = 0,
) -> BlobsSplit:
    """Gaussian blobs around given centres, split into training and test sets.

    Introduced in chapter 8 (:ref:`sec-keras-data`).

    The points are drawn by :func:`sklearn.datasets.make_blobs` (equal numbers
    per centre, up to one) and split by
    :func:`sklearn.model_selection.train_test_split`, stratified by class,
    both seeded, so the same arguments always give the same arrays.

    Parameters
    ----------
    n_samples : int, default 1000
        The total number of points.
    centers : array_like of shape (K, d), optional
        The cluster centres; default :data:`BLOB_CENTERS` (four centres in the plane).
    cluster_std : float, default 1.5
        The standard deviation of every cluster (a finite number > 0).
    test_size : int, default 250
        How many points to hold out for testing (between 1 and ``n_samples - 1``).
    seed : int, default 0
        Seeds both the sampling and the split.

    Returns
    -------
    BlobsSplit
        ``(x_train, y_train, x_test, y_test)``: features as float32 arrays of
        shape ``(n, d)``, labels as int64 arrays of shape ``(n,)`` with values
        ``0 .. K-1`` (the index of the centre).

    Raises
    ------
    TypeError
        If ``n_samples``, ``test_size`` or ``seed`` is not an integer.
    ValueError
        If ``centers`` is not a 2-d array of finite numbers, ``cluster_std`` is
        not a finite positive number, or ``test_size`` does not leave at least
        one point on each side.

    Examples
    --------
    >>> split = make_blobs_split(n_samples=20, test_size=5, seed=1)
    >>> split.x_train.shape, split.x_test.shape, split.y_test.dtype
    ((15, 2), (5, 2), dtype('int64'))
    >>> sorted(set(split.y_train.tolist()))
    [0, 1, 2, 3]
    """
    from sklearn.datasets import make_blobs
    from sklearn.model_selection import train_test_split

    function = "make_blobs_split"
    n_samples = check_integer(n_samples, "n_samples", function, minimum=1)
    test_size = check_integer(test_size, "test_size", function, minimum=1)
    seed = check_integer(seed, "seed", function)
    if test_size >= n_samples:
        raise ValueError(
            f"{function}: test_size must be smaller than n_samples ({n_samples}); got {test_size}."
        )
    centers = BLOB_CENTERS if centers is None else np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[0] < 1 or not np.all(np.isfinite(centers)):
        raise ValueError(
            f"{function}: centers must be a 2-d array of finite numbers, one row per class; "
            f"got shape {centers.shape}."
        )
    if not isinstance(cluster_std, numbers.Real) or not (
        np.isfinite(cluster_std) and cluster_std > 0
    ):
        raise ValueError(
            f"{function}: cluster_std must be a finite number > 0; got {cluster_std!r}."
        )
    features, labels = make_blobs(
        n_samples=n_samples, centers=centers, cluster_std=cluster_std, random_state=seed
    )
    x_train, x_test, y_train, y_test = train_test_split(
        features.astype(np.float32),
        labels.astype(np.int64),
        test_size=test_size,
        random_state=seed,
        stratify=labels if n_samples >= 2 * len(centers) else None,
    )
    return BlobsSplit(x_train, y_train, x_test, y_test)


def decision_grid(
    x_range: tuple[float, float], y_range: tuple[float, float], *, num: int = 201
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A regular grid over a rectangle of the plane, as mesh arrays and as points.

    Introduced in chapter 8 (:ref:`sec-keras-decision-regions`).

    Parameters
    ----------
    x_range, y_range : tuple of two floats
        ``(low, high)`` along each axis, with ``low < high``.
    num : int, default 201
        Points per axis (at least 2).

    Returns
    -------
    xx, yy : numpy.ndarray
        Mesh arrays of shape ``(num, num)``, as from :func:`numpy.meshgrid`.
    points : numpy.ndarray
        The same grid as float32 points of shape ``(num * num, 2)``, in the
        order of ``xx.ravel()``; reshape a per-point result with
        ``.reshape(xx.shape)``.

    Raises
    ------
    ValueError
        If a range is not two finite increasing numbers or ``num < 2``.

    Examples
    --------
    >>> xx, yy, points = decision_grid((0, 1), (0, 2), num=3)
    >>> points.tolist()[:4]
    [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [0.0, 1.0]]
    >>> xx.shape
    (3, 3)
    """
    num = check_integer(num, "num", "decision_grid", minimum=2)
    axes = []
    for name, bounds in (("x_range", x_range), ("y_range", y_range)):
        bounds = np.asarray(bounds, dtype=np.float64)
        if bounds.shape != (2,) or not np.all(np.isfinite(bounds)) or bounds[0] >= bounds[1]:
            raise ValueError(
                f"decision_grid: {name} must be two finite numbers (low, high) with low < high; "
                f"got {bounds.tolist()}."
            )
        axes.append(np.linspace(bounds[0], bounds[1], num))
    xx, yy = np.meshgrid(*axes)
    points = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)
    return xx, yy, points
