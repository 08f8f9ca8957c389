"""The online softmax: softmax and log-sum-exp over a class axis read in blocks.

The first pass folds the blocks of the class axis into one pair
(:mod:`softmax_course.online.normalizer`); the second writes each block's
probabilities from that pair (Milakov and Gimelshein, 2018).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._validation import check_class_axis_not_empty, check_integer
from ._shared import (
    check_pair,
    difference_with_error,
    logit_rows,
    merge_with_factors,
    pair_of_rows,
)
from .normalizer import Normalizer

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = [
    "log_softmax_from_normalizer",
    "online_logsumexp",
    "online_softmax",
    "softmax_from_normalizer",
]


def _pair_rows(logits, pair, axis, function):
    """Validate a block of logits and the pair of the whole axis; return rows and layout."""
    rows, layout, out_dtype = logit_rows(logits, axis, function)
    check_pair(pair, "pair", function)
    if np.shape(pair.maximum) != layout.batch_shape:
        raise ValueError(
            f"{function}: the pair has batch shape {np.shape(pair.maximum)}, but the logits "
            f"without their class axis have shape {layout.batch_shape}."
        )
    return rows, layout, out_dtype


def _rows_from_pair(rows, pair, mode):
    """softmax or log-softmax of validated float64 rows, given the pair of the whole axis."""
    maximum = np.reshape(pair.maximum, (-1, 1))
    rest = np.reshape(pair.total_rest, (-1, 1))
    difference, error = difference_with_error(rows, maximum)
    with np.errstate(all="ignore"):
        if mode == "softmax":
            out = np.exp(difference) * (1.0 + error) / (1.0 + rest)
        else:
            out = difference - np.log1p(rest)
        # Special values, as softmax: masked rows and NaN give NaN; a single +inf takes all.
        infinite = np.isinf(maximum[:, 0])
        if infinite.any():
            at_inf = (rows[infinite] == np.inf).astype(np.float64)
            single = (maximum[infinite, 0] == np.inf) & (rest[infinite, 0] == 0)
            special = at_inf if mode == "softmax" else np.log(at_inf)
            special[~single] = np.nan
            out[infinite] = special
    return out


def _cast(values, dtype):
    with np.errstate(all="ignore"):  # float16 may overflow to -inf
        return values.astype(dtype, copy=False)


def softmax_from_normalizer(logits: ArrayLike, pair: Normalizer, *, axis: int = -1) -> np.ndarray:
    """Softmax probabilities of one block of logits, given the pair of *all* of them.

    Introduced in chapter 10 (:ref:`sec-online-softmax`). This is the second
    pass of the online softmax: ``exp(x - maximum) / (1 + rest)``.

    Parameters
    ----------
    logits : array_like
        Any block of the class axis.
    pair : Normalizer
        The pair of the whole class axis; its batch shape is that of ``logits``
        without ``axis``.
    axis : int, default -1
        The class axis of ``logits``.

    Returns
    -------
    numpy.ndarray
        The probabilities of the block's classes (they sum to less than 1
        unless the block is the whole axis). Special values follow
        :func:`softmax_course.softmax`.

    Raises
    ------
    TypeError
        For bad logits or a ``pair`` that is not a :class:`Normalizer`.
    ValueError
        If the batch shapes do not match.

    Examples
    --------
    >>> from softmax_course.online import merge_normalizers, normalizer
    >>> logits = np.array([1.0, 2.0, 3.0, 4.0])
    >>> pair = merge_normalizers(normalizer(logits[:2]), normalizer(logits[2:]))
    >>> softmax_from_normalizer(logits[2:], pair).round(6)
    array([0.236883, 0.643914])
    """
    rows, layout, out_dtype = _pair_rows(logits, pair, axis, "softmax_from_normalizer")
    return layout.from_rows(_cast(_rows_from_pair(rows, pair, "softmax"), out_dtype))


def log_softmax_from_normalizer(
    logits: ArrayLike, pair: Normalizer, *, axis: int = -1
) -> np.ndarray:
    """Log-softmax of one block of logits, given the pair of all of them.

    Introduced in chapter 10 (:ref:`sec-online-softmax`): ``(x - maximum) - log1p(rest)``.

    Parameters
    ----------
    logits : array_like
        Any block of the class axis.
    pair : Normalizer
        The pair of the whole class axis.
    axis : int, default -1
        The class axis of ``logits``.

    Returns
    -------
    numpy.ndarray
        Log-probabilities of the block's classes.

    Raises
    ------
    TypeError, ValueError
        As for :func:`softmax_from_normalizer`.

    Examples
    --------
    >>> from softmax_course.online import normalizer
    >>> pair = normalizer([0.0, -1000.0])
    >>> log_softmax_from_normalizer([-1000.0], pair)
    array([-1000.])
    """
    rows, layout, out_dtype = _pair_rows(logits, pair, axis, "log_softmax_from_normalizer")
    return layout.from_rows(_cast(_rows_from_pair(rows, pair, "log_softmax"), out_dtype))


def _prepare(logits, axis, block_size, function):
    """Validate once; return float64 rows, their layout, the result dtype and block size."""
    block_size = check_integer(block_size, "block_size", function, minimum=1)
    rows, layout, out_dtype = logit_rows(logits, axis, function)
    return rows, layout, out_dtype, block_size


def _whole_pair(rows, out_dtype, block_size):
    """The first pass: the pair of every row, folded block of columns by block."""
    pair = Normalizer.empty((rows.shape[0],), dtype=out_dtype)
    for start in range(0, rows.shape[1], block_size):
        block = pair_of_rows(rows[:, start : start + block_size], (rows.shape[0],), out_dtype)
        pair = merge_with_factors(pair, block)[0]
    return pair


def online_logsumexp(logits: ArrayLike, *, axis: int = -1, block_size: int = 1024) -> np.ndarray:
    """Log-sum-exp in one pass over the class axis, ``block_size`` classes at a time.

    Introduced in chapter 10 (:ref:`sec-online-normalizer`).

    Parameters
    ----------
    logits : array_like
        Logits (dtype rules as in :func:`softmax_course.softmax`).
    axis : int, default -1
        The class axis.
    block_size : int, default 1024
        Classes per block (1 gives the element-by-element update).

    Returns
    -------
    numpy.ndarray
        Equal to :func:`softmax_course.logsumexp` within a few ULPs.

    Raises
    ------
    TypeError, ValueError
        For bad input or a ``block_size`` that is not a positive integer.

    Examples
    --------
    >>> float(online_logsumexp([1000.0, 1000.0], block_size=1))
    1000.6931471805599
    """
    rows, layout, out_dtype, block_size = _prepare(logits, axis, block_size, "online_logsumexp")
    return layout.reduced(_whole_pair(rows, out_dtype, block_size).logsumexp())


def online_softmax(logits: ArrayLike, *, axis: int = -1, block_size: int = 1024) -> np.ndarray:
    """Softmax in two passes over the class axis, ``block_size`` classes at a time.

    Introduced in chapter 10 (:ref:`sec-online-softmax`). The first pass
    builds the pair of the whole axis block by block, the second writes the
    probabilities block by block with :func:`softmax_from_normalizer`.

    Parameters
    ----------
    logits : array_like
        Logits (dtype rules as in :func:`softmax_course.softmax`).
    axis : int, default -1
        The class axis (length at least 1).
    block_size : int, default 1024
        Classes per block.

    Returns
    -------
    numpy.ndarray
        Equal to :func:`softmax_course.softmax` within a few ULPs.

    Raises
    ------
    TypeError, ValueError
        For bad input, an empty class axis or a bad ``block_size``.

    Examples
    --------
    >>> online_softmax([0.7, 1.5, 4.8], block_size=2).round(8)
    array([0.01573172, 0.03501159, 0.94925668])
    """
    rows, layout, out_dtype, block_size = _prepare(logits, axis, block_size, "online_softmax")
    check_class_axis_not_empty(layout.num_classes, "online_softmax")
    pair = _whole_pair(rows, out_dtype, block_size)
    out = np.empty(rows.shape, dtype=out_dtype)
    for start in range(0, rows.shape[1], block_size):
        block = rows[:, start : start + block_size]
        out[:, start : start + block_size] = _cast(
            _rows_from_pair(block, pair, "softmax"), out_dtype
        )
    return layout.from_rows(out)
