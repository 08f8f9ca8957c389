"""Losses: cross-entropy from logits, and one-hot encoding."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _core
from ._rows import REDUCTIONS, reduce_losses, to_rows
from ._validation import (
    as_float_array,
    check_choice,
    check_class_axis_not_empty,
    check_distribution,
    check_integer,
    check_labels,
    class_axes,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

    from ._validation import AxisLike

__all__ = ["cross_entropy", "one_hot"]


def one_hot(labels: ArrayLike, num_classes: int, *, dtype: DTypeLike = np.float64) -> np.ndarray:
    """Encode integer class labels as one-hot vectors (a new last axis).

    Introduced in chapter 6 (:ref:`sec-cross-entropy-definition`).

    Parameters
    ----------
    labels : array_like of int
        Class indices in ``[0, num_classes)``.
    num_classes : int
        The number of classes K (at least 1).
    dtype : data-type, default float64
        The dtype of the result.

    Returns
    -------
    numpy.ndarray
        Shape ``labels.shape + (num_classes,)``, 1 at each label and 0 elsewhere.

    Raises
    ------
    TypeError
        If labels are not integers.
    ValueError
        If ``num_classes < 1`` or a label is out of range.

    Examples
    --------
    >>> one_hot([0, 2], 3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    num_classes = check_integer(num_classes, "num_classes", "one_hot", minimum=1)
    labels = check_labels(labels, num_classes, "one_hot")
    return (labels[..., None] == np.arange(num_classes)).astype(dtype)


def cross_entropy(
    logits: ArrayLike, target: ArrayLike, *, axis: AxisLike = -1, reduction: str = "mean"
) -> np.ndarray:
    r"""Cross-entropy between a target and the softmax of ``logits``.

    Introduced in chapter 6 (:ref:`sec-cross-entropy-definition`).

    For each sample, :math:`L = -\sum_k y_k \log \mathrm{softmax}(z)_k`; with an
    integer label :math:`c` this is :math:`-\log\mathrm{softmax}(z)_c =
    \mathrm{logsumexp}(z) - z_c`. Computed from logits, it is stable and
    accurate where ``log(softmax(z))`` would give ``-inf``.

    Parameters
    ----------
    logits : array_like
        Unnormalised scores; ``axis`` is the class axis.
    target : array_like
        Either integer class labels with the shape of ``logits`` without the
        class axis, or a probability distribution (non-negative, summing to 1
        along ``axis``) with the shape of ``logits``.
    axis : int, tuple of int or None, default -1
        The class axis, or axes taken together as one axis of classes (in C
        order, as in :func:`~softmax_course.softmax`); integer labels then
        index that flattened axis.
    reduction : {"mean", "sum", "none"}, default "mean"
        How to combine the per-sample losses.

    Returns
    -------
    numpy.ndarray
        A 0-d array for ``"mean"`` and ``"sum"`` (the mean of an empty batch
        is NaN), else the per-sample losses (the shape of ``logits`` without
        ``axis``). The dtype follows the logits (as in :func:`softmax`).

    Raises
    ------
    TypeError
        For bad logits, labels that are not integers, or a float target whose
        shape is that of the labels.
    ValueError
        For an empty class axis, labels out of range, a target whose shape
        matches neither form, a target that is not a distribution, or an
        unknown ``reduction``.

    Examples
    --------
    >>> round(float(cross_entropy([2.0, 1.0, 0.1], 0)), 6)
    0.41703
    >>> cross_entropy([[0.0, 0.0], [0.0, 1000.0]], [0, 0], reduction="none").tolist()
    [0.6931471805599453, 1000.0]
    """
    function = "cross_entropy"
    reduction = check_choice(reduction, "reduction", REDUCTIONS, function)
    work, out_dtype = as_float_array(logits, function, "logits")
    axes = class_axes(axis, work.ndim, function, "logits")
    rows, layout = to_rows(work, axes)
    check_class_axis_not_empty(layout.num_classes, function)
    target = np.asarray(target)
    if target.shape == work.shape and target.dtype.kind == "f":
        losses = _cross_entropy_distribution(rows, layout, target, axes, function)
    elif target.shape == layout.batch_shape:
        hint = " (A target distribution must have the shape of the logits.)"
        labels = check_labels(target, layout.num_classes, function, "labels", hint)
        losses = _cross_entropy_rows(rows, labels.reshape(-1))
    elif target.shape == work.shape:
        raise TypeError(
            f"{function}: a target with the shape of the logits {work.shape} is a "
            f"distribution and must be float; got dtype {target.dtype}."
        )
    else:
        raise ValueError(
            f"{function}: target has shape {target.shape}; expected integer labels of shape "
            f"{layout.batch_shape} or a distribution of shape {work.shape}."
        )
    with np.errstate(all="ignore"):  # float16 losses may overflow to inf
        losses = losses.reshape(layout.batch_shape).astype(out_dtype, copy=False)
    return reduce_losses(losses, reduction)


def _cross_entropy_rows(rows, labels):
    """``log1p(s) - (x[label] - m)`` per row: ``-log softmax(rows)[label]``, in float64."""
    m, s = _core.row_pairs(rows)
    picked = rows[np.arange(rows.shape[0]), labels].astype(np.float64)
    with np.errstate(all="ignore"):
        losses = np.log1p(s) - (picked - m)
    special = ~np.isfinite(m)
    if special.any():  # NaN or infinite logits: -log_softmax at the label, by the rules
        log_probs = _core.softmax_rows(rows[special], "log_softmax", 1.0, np.float64)
        losses[special] = -log_probs[np.arange(len(log_probs)), labels[special]]
    return losses


def _cross_entropy_distribution(rows, layout, target, axes, function):
    check_distribution(target, target.dtype, axes, "a target distribution", function)
    target_rows, _ = to_rows(target, axes)
    log_probs = _core.softmax_rows(rows, "log_softmax", 1.0, rows.dtype)
    with np.errstate(all="ignore"):
        terms = np.where(target_rows > 0, target_rows * log_probs, 0.0)
        return -terms.sum(axis=1).astype(rows.dtype, copy=False)
