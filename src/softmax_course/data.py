"""Data for the chapters: four Gaussian blobs, a standardised split, a grid of points.

scikit-learn is imported inside the functions that need it, so that
``import softmax_course`` stays light.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._validation import check_integer, check_real, check_real_array

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

#: The four cluster centres of the seeds' Keras example (chapter 8).
BLOB_CENTERS = np.array([[15.0, 0.0], [15.0, 15.0], [0.0, 15.0], [30.0, 15.0]])

__all__ = [
    "BLOB_CENTERS",
    "BlobsSplit",
    "StandardizedSplit",
    "decision_grid",
    "make_blobs_split",
    "standardized_split",
]


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
    x = check_real_array(features, "features", 2, function)
    y = np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{function}: labels must be integers; got dtype {y.dtype}.")
    if y.shape != (x.shape[0],):
        raise ValueError(
            f"{function}: labels must have shape ({x.shape[0]},), one per row of "
            f"features; got {y.shape}."
        )
    val_size = check_real(
        val_size, "val_size", function, low=0.0, high=1.0, low_open=True, high_open=True
    )
    test_size = check_real(
        test_size, "test_size", function, low=0.0, high=1.0, low_open=True, high_open=True
    )
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
