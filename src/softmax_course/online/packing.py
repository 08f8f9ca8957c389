"""Packing the online normaliser into arrays, for distributed reductions (dask).

A pair ``(maximum, rest)`` (with its correction) is packed as three numbers
along one axis, so that ``dask.array.reduction`` can concatenate the packs of
its chunks and merge them: :func:`pack_normalizer` is the *chunk* step,
:func:`merge_packed` the *combine* step and :func:`logsumexp_from_packed` the
*aggregate* step. dask itself is not imported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._validation import as_float_array, one_axis
from ._shared import logit_rows, merge_with_factors, pair_of_rows
from .normalizer import Normalizer

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["logsumexp_from_packed", "merge_packed", "pack_normalizer", "unpack_normalizer"]


def _tree_merge(pairs):
    """Merge a list of pairs in a balanced tree (depth ``log2`` of their number)."""
    while len(pairs) > 1:
        merged = [
            merge_with_factors(a, b)[0] for a, b in zip(pairs[::2], pairs[1::2], strict=False)
        ]
        pairs = merged + ([pairs[-1]] if len(pairs) % 2 else [])
    return pairs[0]


def _pack(pair, axis):
    fields = [pair.maximum, pair.rest, np.broadcast_to(pair.correction, np.shape(pair.maximum))]
    return np.stack(fields, axis=axis)


def pack_normalizer(
    logits: ArrayLike, *, axis: int | tuple[int] = -1, keepdims: bool = True
) -> np.ndarray:
    """The pair of a block as one float64 array: ``[maximum, rest, correction]`` on ``axis``.

    Introduced in chapter 10 (:ref:`sec-dask`). The *chunk* step of a
    distributed reduction (the signature is that of ``dask.array.reduction``):
    the class axis of the block is replaced by an axis of length 3, so that
    packs of several blocks can be concatenated along it and merged by
    :func:`merge_packed`.

    Parameters
    ----------
    logits : array_like
        A block of logits.
    axis : int or tuple of one int, default -1
        The class axis.
    keepdims : bool, default True
        Ignored (the packed axis is always kept); accepted for ``dask``.

    Returns
    -------
    numpy.ndarray of float64
        Shape of ``logits`` with ``axis`` of length 3.

    Raises
    ------
    TypeError, ValueError
        As for :func:`normalizer`.

    Examples
    --------
    >>> pack_normalizer([[0.0, 0.0, 1.0]]).round(6)
    array([[1.      , 0.735759, 0.      ]])
    """
    rows, layout, out_dtype = logit_rows(logits, axis, "pack_normalizer")
    return _pack(pair_of_rows(rows, layout.batch_shape, out_dtype), layout.axes[0])


def unpack_normalizer(packed: ArrayLike, *, axis: int | tuple[int] = -1) -> Normalizer:
    """The pair of one or several concatenated packs, merged in a balanced tree.

    Introduced in chapter 10 (:ref:`sec-dask`).

    Parameters
    ----------
    packed : array_like of float
        Packs from :func:`pack_normalizer` or :func:`merge_packed`,
        concatenated along ``axis`` (whose length is a multiple of 3).
    axis : int or tuple of one int, default -1
        The packed axis.

    Returns
    -------
    Normalizer
        The merged pair (float64).

    Raises
    ------
    ValueError
        If the length of ``axis`` is not a positive multiple of 3.

    Examples
    --------
    >>> both = np.concatenate([pack_normalizer([0.0, 0.0]), pack_normalizer([1.0])])
    >>> round(float(unpack_normalizer(both).logsumexp()), 6)
    1.551445
    """
    return _unpack(packed, axis, "unpack_normalizer")[0]


def _unpack(packed, axis, function):
    """Validate concatenated packs; return their merged pair and the packed axis."""
    packed = as_float_array(packed, function, "packed")[0].astype(np.float64, copy=False)
    axis = one_axis(axis, packed.ndim, function, "packed")
    length = packed.shape[axis]
    if length == 0 or length % 3:
        raise ValueError(
            f"{function}: a packed axis holds 3 numbers per pair (maximum, rest, correction); got length {length}."
        )
    fields = np.moveaxis(packed, axis, 0)
    pairs = [Normalizer(fields[i], fields[i + 1], fields[i + 2]) for i in range(0, length, 3)]
    return _tree_merge(pairs), axis


def merge_packed(
    packed: ArrayLike, *, axis: int | tuple[int] = -1, keepdims: bool = True
) -> np.ndarray:
    """Merge concatenated packs into one pack: the *combine* step of a reduction.

    Introduced in chapter 10 (:ref:`sec-dask`).

    Parameters
    ----------
    packed : array_like of float
        Packs concatenated along ``axis``.
    axis : int or tuple of one int, default -1
        The packed axis.
    keepdims : bool, default True
        Ignored (the packed axis is always kept); accepted for ``dask``.

    Returns
    -------
    numpy.ndarray of float64
        One pack: ``axis`` has length 3.

    Raises
    ------
    ValueError
        As for :func:`unpack_normalizer`.

    Examples
    --------
    >>> both = np.concatenate([pack_normalizer([0.0, 0.0]), pack_normalizer([1.0])])
    >>> merge_packed(both).round(6)
    array([1.      , 0.735759, 0.      ])
    """
    return _pack(*_unpack(packed, axis, "merge_packed"))


def logsumexp_from_packed(
    packed: ArrayLike, *, axis: int | tuple[int] = -1, keepdims: bool = False
) -> np.ndarray:
    """Merge concatenated packs and return the log-sum-exp: the *aggregate* step.

    Introduced in chapter 10 (:ref:`sec-dask`).

    Parameters
    ----------
    packed : array_like of float
        Packs concatenated along ``axis``.
    axis : int or tuple of one int, default -1
        The packed axis.
    keepdims : bool, default False
        Keep ``axis`` with length 1.

    Returns
    -------
    numpy.ndarray of float64

    Raises
    ------
    ValueError
        As for :func:`unpack_normalizer`.

    Examples
    --------
    >>> both = np.concatenate([pack_normalizer([1000.0]), pack_normalizer([1000.0])])
    >>> float(logsumexp_from_packed(both))
    1000.6931471805599
    """
    pair, axis = _unpack(packed, axis, "logsumexp_from_packed")
    result = pair.logsumexp()
    return np.expand_dims(result, axis) if keepdims else result
