"""Losses: cross-entropy from logits, and one-hot encoding."""

from __future__ import annotations

import numpy as np

from . import _kernels
from ._validation import as_float_array, check_class_axis_not_empty
from .activations import _as_rows, _is_small_vector, _last_axis_or_check, log_softmax

__all__ = ["cross_entropy", "one_hot"]

_REDUCTIONS = ("mean", "sum", "none")


def one_hot(labels, num_classes, dtype=np.float64):
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
    if isinstance(num_classes, (bool, np.bool_)) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"num_classes must be an integer; got {num_classes!r}.")
    if num_classes < 1:
        raise ValueError(f"num_classes must be at least 1; got {num_classes}.")
    labels = _check_labels(labels, num_classes)
    return (labels[..., None] == np.arange(num_classes)).astype(dtype)


def _check_labels(labels, num_classes):
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(
            "class labels must be integers; got dtype "
            f"{labels.dtype}. (A target distribution must have the shape of the logits.)"
        )
    if labels.ndim == 0:  # one label: no reductions (a hot path for single samples)
        out_of_range = not 0 <= labels[()] < num_classes
    else:
        out_of_range = labels.size and (labels.min() < 0 or labels.max() >= num_classes)
    if out_of_range:
        raise ValueError(
            f"class labels must lie in [0, {num_classes - 1}] for {num_classes} "
            f"classes; got values from {labels.min()} to {labels.max()}."
        )
    return labels


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum(dtype=losses.dtype)
    if losses.size == 0:
        return np.array(np.nan, dtype=losses.dtype)
    return losses.mean(dtype=losses.dtype)


def cross_entropy(logits, target, axis=-1, reduction="mean"):
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
    axis : int, default -1
        The class axis.
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
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}; got {reduction!r}.")
    work, out_dtype = as_float_array(logits, "logits")
    ax = _last_axis_or_check(axis, work.ndim, "logits")
    num_classes = work.shape[ax]
    check_class_axis_not_empty(num_classes, "cross_entropy")
    target = np.asarray(target)
    batch_shape = work.shape[:ax] + work.shape[ax + 1 :]
    if target.shape == work.shape and target.dtype.kind == "f":
        losses = _cross_entropy_distribution(work, target, ax)
    elif target.shape == batch_shape:
        labels = _check_labels(target, num_classes)
        losses = _cross_entropy_labels(work, labels, ax)
    elif target.shape == work.shape:
        raise TypeError(
            f"a target with the shape of the logits {work.shape} is a distribution "
            f"and must be float; got dtype {target.dtype}."
        )
    else:
        raise ValueError(
            f"target has shape {target.shape}; expected integer labels of shape "
            f"{batch_shape} or a distribution of shape {work.shape}."
        )
    return _reduce(losses.astype(out_dtype, copy=False), reduction)


def _cross_entropy_labels(work, labels, ax):
    if _is_small_vector(work):
        stats = _kernels.small_vector(work, "stats")
        if stats is not None:
            m, lse = stats  # finite, and |x_c - m| cannot overflow
            return np.array(lse - (work[labels[()]] - m))
    rows, moved_shape = _as_rows(work, ax)
    flat_labels = labels.reshape(-1)
    if rows.shape[0] == 0:
        return np.empty(moved_shape[:-1], dtype=work.dtype)
    m, lse = _kernels.row_kernel(rows, 1.0, "stats")
    picked = rows[np.arange(rows.shape[0]), flat_labels]
    with np.errstate(invalid="ignore", over="ignore"):
        losses = lse - (picked - m)
    special = ~np.isfinite(m)
    if special.any():
        # NaN or infinite logits: -log_softmax at the label, by the special-value rules.
        rows_special = rows[special]
        log_probs = _kernels.row_kernel(
            rows_special, 1.0, "log_softmax", out=np.empty_like(rows_special)
        )
        losses[special] = -log_probs[np.arange(len(log_probs)), flat_labels[special]]
    return losses.reshape(moved_shape[:-1])


def _cross_entropy_distribution(work, target, ax):
    if not np.all(np.isfinite(target)) or np.any(target < 0):
        raise ValueError("a target distribution must be finite and non-negative.")
    sums = target.sum(axis=ax)
    tolerance = 1e-3 if target.dtype.itemsize <= 4 else 1e-6
    if not np.allclose(sums, 1.0, rtol=0, atol=tolerance):
        worst = float(np.max(np.abs(sums - 1.0))) if sums.size else 0.0
        raise ValueError(
            "a target distribution must sum to 1 along the class axis; "
            f"the largest deviation is {worst:.3g}."
        )
    log_probs = log_softmax(work, axis=ax)
    with np.errstate(invalid="ignore"):
        terms = np.where(target > 0, target * log_probs, 0.0)
    return -terms.sum(axis=ax).astype(work.dtype, copy=False)
