"""Sparsemax: the Euclidean projection of logits onto the probability simplex.

Unlike softmax, sparsemax gives exactly zero probability to classes whose
logits are far enough below the largest (Martins and Astudillo, 2016).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._rows import to_rows
from ._validation import as_float_array, check_class_axis_not_empty, class_axes

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ._validation import AxisLike

__all__ = ["sparsemax", "sparsemax_threshold"]


def _threshold_rows(rows):
    """The threshold tau of each row of a float64 ``(n, K)`` array, shifted by its max."""
    with np.errstate(invalid="ignore", over="ignore"):
        shifted = rows - rows.max(axis=1, keepdims=True)
        ordered = -np.sort(-shifted, axis=1)
        cumulative = np.cumsum(ordered, axis=1)
        k = np.arange(1, rows.shape[1] + 1)
        support_size = np.count_nonzero(1 + k * ordered > cumulative, axis=1)
        support_size = np.maximum(support_size, 1)
        arange = np.arange(rows.shape[0])
        tau = (cumulative[arange, support_size - 1] - 1) / support_size
    return shifted, tau


def _special_rows(rows, result):
    """Rules for NaN and infinite rows, as for softmax: see :func:`sparsemax`."""
    has_nan = np.isnan(rows).any(axis=1)
    n_pos_inf = np.count_nonzero(rows == np.inf, axis=1)
    all_masked = np.all(rows == -np.inf, axis=1)
    single = (n_pos_inf == 1) & ~has_nan
    result[single] = rows[single] == np.inf
    result[has_nan | (n_pos_inf >= 2) | all_masked] = np.nan
    return result


def _prepare(x, axis, function):
    work, out_dtype = as_float_array(x, function)
    axes = class_axes(axis, work.ndim, function)
    rows, layout = to_rows(work.astype(np.float64, copy=False), axes)
    check_class_axis_not_empty(layout.num_classes, function)
    return rows, layout, out_dtype


def sparsemax(x: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    r"""Sparsemax of logits: :math:`p = \max(z - \tau, 0)`, with :math:`\sum_i p_i = 1`.

    Introduced in chapter 10 (:ref:`sec-sparsemax`). The result is the point of
    the probability simplex closest to ``z`` in Euclidean distance; the
    threshold :math:`\tau` is found by sorting (Martins and Astudillo, 2016).

    Parameters
    ----------
    x : array_like
        Logits (dtype rules as in :func:`softmax_course.softmax`; float16 and
        float32 are computed in float64 and rounded once).
    axis : int, tuple of int or None, default -1
        The class axis, or axes taken together (as in
        :func:`softmax_course.softmax`).

    Returns
    -------
    numpy.ndarray
        Probabilities of the shape of ``x``: non-negative, summing to 1, and
        exactly 0 for every logit at or below the threshold.

    Raises
    ------
    TypeError
        For complex, string or object input, or a non-integer axis.
    ValueError
        If the class axis has length 0 or ``axis`` is out of range.

    Notes
    -----
    Shifting all logits by a constant changes nothing (the max is subtracted
    first, so large logits do not overflow). Special values as for softmax:
    ``-inf`` logits get 0; a single ``+inf`` takes all the probability; two
    ``+inf``, a NaN or an all-``-inf`` slice give NaN.

    Examples
    --------
    >>> sparsemax([0.7, 1.5, 4.8])
    array([0., 0., 1.])
    >>> sparsemax([1.0, 0.8, -1.0]).round(6)
    array([0.6, 0.4, 0. ])
    """
    rows, layout, out_dtype = _prepare(x, axis, "sparsemax")
    if rows.size == 0:
        return layout.from_rows(rows.astype(out_dtype))
    shifted, tau = _threshold_rows(rows)
    with np.errstate(invalid="ignore"):
        result = np.maximum(shifted - tau[:, None], 0.0)
    bad = ~np.isfinite(rows.max(axis=1)) | np.isnan(rows).any(axis=1)
    if bad.any():
        result[bad] = _special_rows(rows[bad], result[bad])
    return layout.from_rows(result.astype(out_dtype))


def sparsemax_threshold(x: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    r"""The threshold :math:`\tau` of sparsemax: classes with :math:`z_i > \tau` are kept.

    Introduced in chapter 10 (:ref:`sec-sparsemax`).

    Parameters
    ----------
    x : array_like
        Finite logits (NaN and infinities give NaN or infinite thresholds).
    axis : int, tuple of int or None, default -1
        The class axis, or axes taken together (as in
        :func:`softmax_course.softmax`).

    Returns
    -------
    numpy.ndarray of float64
        One threshold per slice (the shape of ``x`` without ``axis``), in the
        units of ``x``: ``sparsemax(x) = max(x - tau, 0)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`sparsemax`.

    Examples
    --------
    >>> float(sparsemax_threshold([1.0, 0.8, -1.0]))
    0.4
    """
    rows, layout, _ = _prepare(x, axis, "sparsemax_threshold")
    if rows.size == 0:
        return np.empty(layout.batch_shape)
    _, tau = _threshold_rows(rows)
    with np.errstate(invalid="ignore"):
        return layout.reduced(tau + rows.max(axis=1))
