"""Cross-entropy over a class axis split into shards (vocabulary-parallel training).

Each shard of the class axis reports its pair (:mod:`softmax_course.online.normalizer`)
and the target logits it holds; merging the pairs and summing the target logits
gives the loss of every sample without gathering the logits in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._rows import REDUCTIONS, reduce_losses, to_rows
from .._validation import (
    as_float_array,
    check_choice,
    check_class_axis_not_empty,
    check_integer,
    check_labels,
    one_axis,
)
from ._shared import logit_rows, merge_with_factors, pair_of_rows
from .normalizer import Normalizer

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["shard_statistics", "sharded_cross_entropy"]


def shard_statistics(
    logits_shard: ArrayLike, labels: ArrayLike, *, class_offset: int, axis: int = -1
) -> tuple[Normalizer, np.ndarray]:
    """What one shard of a class-split model reports for the cross-entropy.

    Introduced in chapter 10 (:ref:`sec-sharded-cross-entropy`). A shard holds
    the logits of classes ``class_offset`` to ``class_offset + K_shard - 1``.
    It reports its pair and, for each sample whose label it holds, the target
    logit (0 elsewhere, so that summing over shards picks the right one, as
    vocabulary-parallel training does with an all-reduce).

    Parameters
    ----------
    logits_shard : array_like
        The shard's logits; ``axis`` is its part of the class axis.
    labels : array_like of int
        The labels of the whole class axis, batch-shaped (non-negative).
    class_offset : int, keyword-only
        The global index of the shard's first class.
    axis : int, default -1
        The class axis.

    Returns
    -------
    pair : Normalizer
        The shard's pair.
    target_logits : numpy.ndarray of float64
        Batch-shaped: the target logit where this shard holds the label, else 0.

    Raises
    ------
    TypeError
        For bad logits or labels that are not integers.
    ValueError
        For negative labels or ``class_offset``, or mismatched shapes.

    Examples
    --------
    >>> pair, target = shard_statistics([[1.0, 2.0], [3.0, 4.0]], [2, 0], class_offset=2)
    >>> target
    array([1., 0.])
    """
    function = "shard_statistics"
    rows, layout, out_dtype = logit_rows(logits_shard, axis, function, "logits_shard")
    class_offset = check_integer(class_offset, "class_offset", function, minimum=0)
    labels = np.asarray(labels)
    if labels.shape != layout.batch_shape:
        raise ValueError(
            f"{function}: labels have shape {labels.shape}; expected the batch shape "
            f"{layout.batch_shape} of the logits without their class axis."
        )
    labels = check_labels(labels, np.iinfo(np.int64).max, function)
    return _shard_statistics(rows, layout.batch_shape, out_dtype, labels.reshape(-1), class_offset)


def _shard_statistics(rows, batch_shape, dtype, labels, class_offset):
    """The pair and target logits of validated float64 rows and flat labels."""
    pair = pair_of_rows(rows, batch_shape, dtype)
    local = labels - class_offset
    held = (local >= 0) & (local < rows.shape[1])
    target = np.zeros(rows.shape[0])
    target[held] = rows[np.flatnonzero(held), local[held]]
    return pair, target.reshape(batch_shape)


def sharded_cross_entropy(
    shards: Sequence[ArrayLike], labels: ArrayLike, *, axis: int = -1, reduction: str = "mean"
) -> np.ndarray:
    """Cross-entropy with integer labels over a class axis split into shards.

    Introduced in chapter 10 (:ref:`sec-sharded-cross-entropy`). Each shard
    reports :func:`shard_statistics`; the pairs are merged, the target
    logits summed, and the loss of each sample is
    ``(maximum - target_logit) + log1p(rest)``, the same value as
    :func:`softmax_course.cross_entropy` on the whole array.

    Parameters
    ----------
    shards : sequence of array_like
        Consecutive pieces of the class axis, in order (their lengths may
        differ; some may be empty).
    labels : array_like of int
        Labels in ``[0, K)`` for ``K`` the total number of classes.
    axis : int, default -1
        The class axis of every shard.
    reduction : {"mean", "sum", "none"}, default "mean"
        As for :func:`softmax_course.cross_entropy`.

    Returns
    -------
    numpy.ndarray
        The loss (0-d for ``"mean"``/``"sum"``, batch-shaped for ``"none"``).

    Raises
    ------
    TypeError
        For bad logits or labels, or ``shards`` that is not a sequence.
    ValueError
        For no classes at all, labels out of range, shards whose batch shapes
        differ, or an unknown ``reduction``.

    Examples
    --------
    >>> logits = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 1000.0]])
    >>> sharded_cross_entropy([logits[:, :1], logits[:, 1:]], [0, 2], reduction="none").round(6)
    array([0.41703, 0.     ])
    """
    function = "sharded_cross_entropy"
    reduction = check_choice(reduction, "reduction", REDUCTIONS, function)
    if not isinstance(shards, Sequence) or isinstance(shards, (str, bytes)) or not shards:
        raise TypeError(
            f"{function}: shards must be a non-empty list or tuple of arrays of logits."
        )
    converted = [as_float_array(shard, function, "shard") for shard in shards]
    blocks = []
    for work, _ in converted:
        axis_of_shard = one_axis(axis, work.ndim, function, "shard")
        blocks.append(to_rows(work.astype(np.float64, copy=False), (axis_of_shard,)))
    batch_shapes = {layout.batch_shape for _, layout in blocks}
    if len(batch_shapes) != 1:
        raise ValueError(
            f"{function}: every shard must have the same batch shape; got {sorted(batch_shapes)}."
        )
    (batch_shape,) = batch_shapes
    num_classes = sum(rows.shape[1] for rows, _ in blocks)
    check_class_axis_not_empty(num_classes, function)
    labels = np.asarray(labels)
    if labels.shape != batch_shape:
        raise ValueError(
            f"{function}: labels have shape {labels.shape}; expected the batch shape "
            f"{batch_shape} of the shards."
        )
    labels = check_labels(labels, num_classes, function).reshape(-1)
    dtype = np.result_type(*(out_dtype for _, out_dtype in converted))
    pair = Normalizer.empty(batch_shape, dtype=dtype)
    target = np.zeros(batch_shape)
    offset = 0
    for rows, _ in blocks:
        shard_pair, shard_target = _shard_statistics(rows, batch_shape, dtype, labels, offset)
        pair = merge_with_factors(pair, shard_pair)[0]
        target = target + shard_target
        offset += rows.shape[1]
    with np.errstate(all="ignore"):
        losses = (pair.maximum - target) + np.log1p(pair.total_rest)
    # Special values, as cross_entropy: a single +inf at the label gives 0, a single
    # +inf elsewhere +inf; two +inf or an all-masked row give NaN.
    single_inf = (pair.maximum == np.inf) & (pair.rest == 0)
    losses = np.where(single_inf & (target == np.inf), 0.0, losses)
    losses = np.where((pair.maximum == np.inf) & (pair.rest > 0), np.nan, losses)
    losses = np.where(pair.maximum == -np.inf, np.nan, losses)
    with np.errstate(all="ignore"):
        losses = np.asarray(losses).astype(pair.dtype)
    return reduce_losses(losses, reduction)
