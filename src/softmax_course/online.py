"""The online normaliser: softmax and log-sum-exp over a class axis seen in pieces.

A block of logits is summarised by a pair ``(maximum, rest)``: its largest value
``m`` and ``rest = sum(exp(x - m)) - 1``, the sum of the scaled exponentials of
every element but one at the max (that one contributes exactly ``exp(0) = 1``).
Its log-sum-exp is ``m + log1p(rest)``. Two pairs merge into the pair of the
concatenated blocks by rescaling the one with the smaller max,

    m = max(m_a, m_b),   rest = rest_big + exp(m_small - m) * (1 + rest_small),

an operation that is associative and commutative (up to rounding), with the
pair of an empty block ``(-inf, 0)`` as its identity. So the class axis can be
split in any way, the pieces summarised where they live (another machine, a
later moment of a stream) and merged in any order (Milakov and Gimelshein,
2018). The same merge is what FlashAttention-style kernels and
vocabulary-parallel cross-entropy use.

Accuracy. Carrying the sum *without* the max's own term lets the final step
use ``log1p``; the rounding error of ``m_small - m`` is recovered exactly
(TwoSum) and fed into the exponential, as in the package's softmax kernel.
Plain float merges would add a rounding to ``rest`` at every merge, so a
long chain of them (element by element over a million classes) would drift
by many units in the last place. Two devices stop the drift: ``rest`` is
carried as an unevaluated sum of two floats, ``rest + correction``, updated
with error-free additions (TwoSum), and when the two maxima are close the
rescaling ``exp(d) * S`` is formed as ``S + expm1(d) * S``, whose rounding is
proportional to ``|expm1(d)|`` rather than to ``S``. The pairs are held in
float64 (float16 and float32 input are computed in float64 and rounded once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_axis, check_class_axis_not_empty
from .activations import _as_rows, _from_rows
from .losses import _check_labels, _reduce

__all__ = [
    "Normalizer",
    "log_softmax_from_normalizer",
    "logsumexp_from_packed",
    "merge_normalizers",
    "merge_packed",
    "normalizer",
    "online_logsumexp",
    "online_softmax",
    "pack_normalizer",
    "shard_statistics",
    "sharded_cross_entropy",
    "softmax_from_normalizer",
    "streaming_attention",
    "unpack_normalizer",
    "update_normalizer",
]


@dataclass(frozen=True, eq=False)  # fields are arrays: compare them, not pairs
class Normalizer:
    """The running pair ``(maximum, rest)`` of the online softmax normaliser.

    Introduced in chapter 10 (:ref:`sec-online-normalizer`).

    Attributes
    ----------
    maximum : numpy.ndarray of float64
        The largest logit seen so far, one per batch element (``-inf`` for an
        empty block or a block of masked logits, NaN if a NaN was seen).
    rest : numpy.ndarray of float64
        ``sum(exp(x - maximum)) - 1``: the scaled sum of every logit seen but
        one at the max. Always ``>= 0``; 0 for an empty block. With a ``+inf``
        max it counts the other ``+inf`` logits.
    correction : numpy.ndarray of float64, default 0
        The rounding error of ``rest`` (tiny): the sum is ``rest + correction``.
    dtype : numpy.dtype
        The dtype results derived from this pair are returned in.

    Examples
    --------
    >>> pair = normalizer([0.0, np.log(3.0)])
    >>> float(pair.maximum), round(float(pair.rest), 12)
    (1.0986122886681098, 0.333333333333)
    >>> round(float(pair.logsumexp()), 12)  # log(1 + 3)
    1.38629436112
    """

    maximum: np.ndarray
    rest: np.ndarray
    correction: np.ndarray | float = 0.0
    dtype: np.dtype = np.dtype(np.float64)

    @classmethod
    def empty(cls, shape=(), dtype=np.float64):
        """The pair of an empty block, ``(-inf, 0)``: the identity of the merge.

        Parameters
        ----------
        shape : tuple of int, default ()
            The batch shape.
        dtype : data-type, default float64
            The dtype of results derived from the pair.

        Returns
        -------
        Normalizer

        Examples
        --------
        >>> Normalizer.empty().logsumexp()
        array(-inf)
        """
        return cls(np.full(shape, -np.inf), np.zeros(shape), np.zeros(shape), np.dtype(dtype))

    @property
    def total_rest(self):
        """``rest + correction``, rounded once."""
        with np.errstate(invalid="ignore"):
            return self.rest + self.correction

    @property
    def scaled_sum(self):
        """``1 + rest = sum(exp(x - maximum))``, the normaliser relative to the max."""
        with np.errstate(invalid="ignore"):
            return (1.0 + self.rest) + self.correction

    def logsumexp(self):
        """The log-sum-exp of every logit summarised: ``maximum + log1p(rest)``.

        Returns
        -------
        numpy.ndarray
            Batch-shaped, in the pair's ``dtype``: ``-inf`` for an empty or
            all-masked block, ``+inf`` if any logit was ``+inf``, NaN if any was NaN.
        """
        with np.errstate(invalid="ignore"):
            result = self.maximum + np.log1p(self.total_rest)
        return np.asarray(result).astype(self.dtype)


def _two_sum(a, b):
    """``a + b`` and its exact rounding error (Knuth's TwoSum)."""
    total = a + b
    b_virtual = total - a
    return total, (a - (total - b_virtual)) + (b - b_virtual)


def _difference_with_error(small, big):
    """``small - big`` and its exact rounding error, errors of infinities set to 0."""
    with np.errstate(invalid="ignore", over="ignore"):
        difference, error = _two_sum(np.asarray(small, dtype=np.float64), -np.asarray(big))
    error = np.where(np.isfinite(error), error, 0.0)
    return np.asarray(difference), error


def _rows_normalizer(rows):
    """The pair of each row of a float64 ``(n, K)`` array (K >= 1), no checks."""
    index = np.argmax(rows, axis=1)  # the first NaN, if any, else the first max
    arange = np.arange(rows.shape[0])
    maximum = rows[arange, index]
    difference, error = _difference_with_error(rows, maximum[:, None])
    with np.errstate(invalid="ignore", under="ignore"):
        terms = np.exp(difference) * (1.0 + error)
    terms[arange, index] = 0.0
    with np.errstate(invalid="ignore"):
        rest = terms.sum(axis=1)
    # Special rows: a +inf max counts the other +inf; all -inf gives the empty pair.
    positive_inf = maximum == np.inf
    if positive_inf.any():
        rest[positive_inf] = np.count_nonzero(rows[positive_inf] == np.inf, axis=1) - 1
    rest[maximum == -np.inf] = 0.0
    return maximum, rest


def normalizer(logits, axis=-1):
    """The pair ``(maximum, rest)`` of a block of logits along ``axis``.

    Introduced in chapter 10 (:ref:`sec-online-normalizer`).

    Parameters
    ----------
    logits : array_like
        A block of logits (float16/32/64, bool or integer). The class axis
        may have length 0 (the empty pair).
    axis : int, default -1
        The class axis; the pair has the batch shape (``logits`` without it).

    Returns
    -------
    Normalizer
        Its ``dtype`` follows the logits (as in :func:`softmax_course.softmax`).

    Raises
    ------
    TypeError
        For complex, string or object input, or a non-integer axis.
    ValueError
        For a scalar or an axis out of range.

    Examples
    --------
    >>> pair = normalizer([[1.0, 1.0, 1.0], [0.0, -np.inf, 5.0]])
    >>> pair.maximum, pair.rest.round(6)
    (array([1., 5.]), array([2.      , 0.006738]))
    """
    work, out_dtype = as_float_array(logits, "logits")
    ax = check_axis(axis, work.ndim, "logits")
    rows, moved_shape = _as_rows(work.astype(np.float64, copy=False), ax)
    batch_shape = moved_shape[:-1]
    if rows.shape[1] == 0:
        return Normalizer.empty(batch_shape, out_dtype)
    maximum, rest = _rows_normalizer(rows)
    return Normalizer(
        maximum.reshape(batch_shape), rest.reshape(batch_shape), np.zeros(batch_shape), out_dtype
    )


#: Below this difference of maxima the rescaling uses ``expm1`` (see the module doc).
_CLOSE = -0.5


def _merge_with_factors(first, second):
    """Merge two pairs; also return the factor each side's sums are rescaled by."""
    maximum = np.maximum(first.maximum, second.maximum)
    first_is_big = first.maximum >= second.maximum
    smaller = np.minimum(first.maximum, second.maximum)
    difference, error = _difference_with_error(smaller, maximum)
    equal = smaller == maximum  # also equal infinities: their difference counts as 0
    difference[equal] = 0.0
    error[equal] = 0.0

    def pick(name):
        big = np.where(first_is_big, getattr(first, name), getattr(second, name))
        small = np.where(first_is_big, getattr(second, name), getattr(first, name))
        return big, small

    rest_big, rest_small = pick("rest")
    correction_big, correction_small = pick("correction")
    with np.errstate(invalid="ignore", under="ignore", over="ignore"):
        # The small block's scaled sum S = 1 + rest_small (+ its correction), exactly.
        sum_high, sum_low = _two_sum(1.0, rest_small)
        sum_low = sum_low + correction_small
        factor = np.exp(difference) * (1.0 + error)
        # Close maxima: S * exp(d) = S + S * g with g = expm1(d + error), exactly summed.
        g = np.expm1(difference)
        g = g + error * (1.0 + g)
        close_high, close_low = _two_sum(sum_high, sum_high * g + sum_low * (1.0 + g))
        close = difference >= _CLOSE
        scaled_high = np.where(close, close_high, factor * sum_high)
        scaled_low = np.where(close, close_low, factor * sum_low)
        total_high, total_low = _two_sum(rest_big, scaled_high)
        rest, correction = _two_sum(total_high, total_low + (correction_big + scaled_low))
    empty_or_special = (maximum == -np.inf) | ~np.isfinite(correction)
    rest = np.where(maximum == -np.inf, 0.0, rest)
    correction = np.where(empty_or_special, 0.0, correction)
    factor_first = np.where(first_is_big, 1.0, factor)
    factor_second = np.where(first_is_big, factor, 1.0)
    dtype = np.result_type(first.dtype, second.dtype)
    return Normalizer(maximum, rest, correction, dtype), factor_first, factor_second


def _check_pair(pair, name):
    if not isinstance(pair, Normalizer):
        raise TypeError(
            f"{name} must be a Normalizer (from normalizer(logits)); got {type(pair).__name__}."
        )


def merge_normalizers(first, second):
    r"""Merge the pairs of two blocks into the pair of their union.

    Introduced in chapter 10 (:ref:`sec-online-merge`).

    With :math:`m = \max(m_a, m_b)`, the merged pair is
    :math:`(m,\ r_{big} + e^{m_{small} - m} (1 + r_{small}))`. The merge is
    commutative and associative (to rounding) and ``Normalizer.empty()`` is
    its identity; two all-``-inf`` blocks merge to the empty pair, not NaN.

    Parameters
    ----------
    first, second : Normalizer
        Pairs with broadcastable batch shapes.

    Returns
    -------
    Normalizer

    Raises
    ------
    TypeError
        If either argument is not a :class:`Normalizer`.
    ValueError
        If the batch shapes do not broadcast.

    Examples
    --------
    >>> left, right = normalizer([0.0, 1.0]), normalizer([3.0, -2.0])
    >>> merged = merge_normalizers(left, right)
    >>> float(merged.logsumexp()) == float(normalizer([0.0, 1.0, 3.0, -2.0]).logsumexp())
    True
    >>> merge_normalizers(normalizer([-np.inf]), normalizer([-np.inf])).logsumexp()
    array(-inf)
    """
    _check_pair(first, "first")
    _check_pair(second, "second")
    try:
        np.broadcast_shapes(np.shape(first.maximum), np.shape(second.maximum))
    except ValueError:
        raise ValueError(
            "the two pairs have batch shapes "
            f"{np.shape(first.maximum)} and {np.shape(second.maximum)}, which do not broadcast."
        ) from None
    return _merge_with_factors(first, second)[0]


def update_normalizer(pair, logits, axis=-1):
    """Fold a new block of logits (one or many classes) into a running pair.

    Introduced in chapter 10 (:ref:`sec-online-normalizer`).

    Parameters
    ----------
    pair : Normalizer
        The pair of the logits seen so far (``Normalizer.empty(batch_shape)``
        to start).
    logits : array_like
        The new block; ``axis`` is its class axis.
    axis : int, default -1
        The class axis of ``logits``.

    Returns
    -------
    Normalizer
        ``merge_normalizers(pair, normalizer(logits, axis))``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`normalizer` and :func:`merge_normalizers`.

    Examples
    --------
    >>> pair = Normalizer.empty()
    >>> for value in [2.0, 5.0, 1.0]:
    ...     pair = update_normalizer(pair, [value])
    >>> float(pair.maximum), round(float(pair.logsumexp()), 6)
    (5.0, 5.065884)
    """
    return merge_normalizers(pair, normalizer(logits, axis))


def _single_axis(axis, ndim, name):
    """``axis`` as an index; also accepts the 1-tuple that ``dask.array.reduction`` passes."""
    if isinstance(axis, tuple):
        if len(axis) != 1:
            raise ValueError(f"{name} reduces one axis; got axis={axis!r}.")
        (axis,) = axis
    return check_axis(axis, ndim, name)


def _tree_merge(pairs):
    """Merge a list of pairs in a balanced tree (depth ``log2`` of their number)."""
    while len(pairs) > 1:
        merged = [merge_normalizers(a, b) for a, b in zip(pairs[::2], pairs[1::2], strict=False)]
        pairs = merged + ([pairs[-1]] if len(pairs) % 2 else [])
    return pairs[0]


def _pack(pair, axis):
    fields = [pair.maximum, pair.rest, np.broadcast_to(pair.correction, np.shape(pair.maximum))]
    return np.stack(fields, axis=axis)


def pack_normalizer(logits, axis=-1, keepdims=True):
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
    work, _ = as_float_array(logits, "logits")
    ax = _single_axis(axis, work.ndim, "pack_normalizer")
    return _pack(normalizer(work, ax), ax)


def unpack_normalizer(packed, axis=-1):
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
    packed = np.asarray(packed, dtype=np.float64)
    ax = _single_axis(axis, packed.ndim, "unpack_normalizer")
    length = packed.shape[ax]
    if length == 0 or length % 3:
        raise ValueError(
            f"a packed axis holds 3 numbers per pair (maximum, rest, correction); got length {length}."
        )
    fields = np.moveaxis(packed, ax, 0)
    pairs = [Normalizer(fields[i], fields[i + 1], fields[i + 2]) for i in range(0, length, 3)]
    return _tree_merge(pairs)


def merge_packed(packed, axis=-1, keepdims=True):
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
    packed = np.asarray(packed, dtype=np.float64)
    ax = _single_axis(axis, packed.ndim, "merge_packed")
    return _pack(unpack_normalizer(packed, ax), ax)


def logsumexp_from_packed(packed, axis=-1, keepdims=False):
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
    packed = np.asarray(packed, dtype=np.float64)
    ax = _single_axis(axis, packed.ndim, "logsumexp_from_packed")
    result = unpack_normalizer(packed, ax).logsumexp()
    return np.expand_dims(result, ax) if keepdims else result


def _check_pair_batch(pair, batch_shape, function):
    _check_pair(pair, "pair")
    if np.shape(pair.maximum) != tuple(batch_shape):
        raise ValueError(
            f"{function}: the pair has batch shape {np.shape(pair.maximum)}, but the logits "
            f"without their class axis have shape {tuple(batch_shape)}."
        )


def _from_normalizer(logits, pair, axis, mode):
    work, out_dtype = as_float_array(logits, "logits")
    ax = check_axis(axis, work.ndim, "logits")
    rows, moved_shape = _as_rows(work.astype(np.float64, copy=False), ax)
    _check_pair_batch(pair, moved_shape[:-1], f"{mode}_from_normalizer")
    maximum = np.reshape(pair.maximum, (-1, 1))
    rest = np.reshape(pair.total_rest, (-1, 1))
    difference, error = _difference_with_error(rows, maximum)
    with np.errstate(invalid="ignore", under="ignore", divide="ignore"):
        if mode == "softmax":
            out = np.exp(difference) * (1.0 + error) / (1.0 + rest)
        else:
            out = difference - np.log1p(rest)
    # Special values, as softmax: masked rows and NaN give NaN; a single +inf takes all.
    infinite = np.isinf(maximum[:, 0])
    if infinite.any():
        at_inf = (rows[infinite] == np.inf).astype(np.float64)
        single = (maximum[infinite, 0] == np.inf) & (rest[infinite, 0] == 0)
        with np.errstate(divide="ignore"):
            special = at_inf if mode == "softmax" else np.log(at_inf)
        special[~single] = np.nan
        out[infinite] = special
    return _from_rows(out.astype(out_dtype), moved_shape, ax)


def softmax_from_normalizer(logits, pair, axis=-1):
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
    >>> logits = np.array([1.0, 2.0, 3.0, 4.0])
    >>> pair = merge_normalizers(normalizer(logits[:2]), normalizer(logits[2:]))
    >>> softmax_from_normalizer(logits[2:], pair).round(6)
    array([0.236883, 0.643914])
    """
    return _from_normalizer(logits, pair, axis, "softmax")


def log_softmax_from_normalizer(logits, pair, axis=-1):
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
    >>> pair = normalizer([0.0, -1000.0])
    >>> log_softmax_from_normalizer([-1000.0], pair)
    array([-1000.])
    """
    return _from_normalizer(logits, pair, axis, "log_softmax")


def _check_block_size(block_size):
    if isinstance(block_size, (bool, np.bool_)) or not isinstance(block_size, (int, np.integer)):
        raise TypeError(f"block_size must be an integer; got {block_size!r}.")
    if block_size < 1:
        raise ValueError(f"block_size must be at least 1; got {block_size}.")
    return int(block_size)


def _blocks(work, axis, block_size):
    length = work.shape[axis]
    for start in range(0, length, block_size):
        yield np.take(work, np.arange(start, min(start + block_size, length)), axis=axis)


def online_logsumexp(logits, axis=-1, block_size=1024):
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
    block_size = _check_block_size(block_size)
    work, out_dtype = as_float_array(logits, "logits")
    ax = check_axis(axis, work.ndim, "logits")
    batch_shape = work.shape[:ax] + work.shape[ax + 1 :]
    pair = Normalizer.empty(batch_shape, out_dtype)
    for block in _blocks(work, ax, block_size):
        pair = merge_normalizers(pair, normalizer(block, ax))
    return pair.logsumexp()


def online_softmax(logits, axis=-1, block_size=1024):
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
    block_size = _check_block_size(block_size)
    work, out_dtype = as_float_array(logits, "logits")
    ax = check_axis(axis, work.ndim, "logits")
    check_class_axis_not_empty(work.shape[ax], "online_softmax")
    batch_shape = work.shape[:ax] + work.shape[ax + 1 :]
    pair = Normalizer.empty(batch_shape, out_dtype)
    for block in _blocks(work, ax, block_size):
        pair = merge_normalizers(pair, normalizer(block, ax))
    pieces = [softmax_from_normalizer(block, pair, ax) for block in _blocks(work, ax, block_size)]
    return np.concatenate(pieces, axis=ax).astype(out_dtype, copy=False)


def shard_statistics(logits_shard, labels, class_offset, axis=-1):
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
    class_offset : int
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
    work, _ = as_float_array(logits_shard, "logits_shard")
    ax = check_axis(axis, work.ndim, "logits_shard")
    if isinstance(class_offset, (bool, np.bool_)) or not isinstance(
        class_offset, (int, np.integer)
    ):
        raise TypeError(f"class_offset must be an integer; got {class_offset!r}.")
    if class_offset < 0:
        raise ValueError(f"class_offset must be non-negative; got {class_offset}.")
    labels = np.asarray(labels)
    batch_shape = work.shape[:ax] + work.shape[ax + 1 :]
    if labels.shape != batch_shape:
        raise ValueError(
            f"labels have shape {labels.shape}; expected the batch shape {batch_shape} "
            "of the logits without their class axis."
        )
    labels = _check_labels(labels, np.iinfo(np.int64).max)
    pair = normalizer(work, ax)
    rows, _ = _as_rows(work.astype(np.float64, copy=False), ax)
    local = labels.reshape(-1) - class_offset
    held = (local >= 0) & (local < rows.shape[1])
    target = np.zeros(rows.shape[0])
    target[held] = rows[np.flatnonzero(held), local[held]]
    return pair, target.reshape(batch_shape)


def sharded_cross_entropy(shards, labels, axis=-1, reduction="mean"):
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
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be one of ('mean', 'sum', 'none'); got {reduction!r}.")
    if not isinstance(shards, Sequence) or isinstance(shards, (str, bytes)) or not shards:
        raise TypeError("shards must be a non-empty list or tuple of arrays of logits.")
    arrays = [as_float_array(shard, "shard")[0] for shard in shards]
    dtypes = [as_float_array(shard, "shard")[1] for shard in shards]
    axes = [check_axis(axis, array.ndim, "shard") for array in arrays]
    batch_shapes = {a.shape[:ax] + a.shape[ax + 1 :] for a, ax in zip(arrays, axes, strict=True)}
    if len(batch_shapes) != 1:
        raise ValueError(f"every shard must have the same batch shape; got {sorted(batch_shapes)}.")
    num_classes = sum(a.shape[ax] for a, ax in zip(arrays, axes, strict=True))
    check_class_axis_not_empty(num_classes, "sharded_cross_entropy")
    labels = _check_labels(np.asarray(labels), num_classes)
    pair = Normalizer.empty(batch_shapes.pop(), np.result_type(*dtypes))
    target = np.zeros(pair.maximum.shape)
    offset = 0
    for array, ax in zip(arrays, axes, strict=True):
        shard_pair, shard_target = shard_statistics(array, labels, offset, ax)
        pair = merge_normalizers(pair, shard_pair)
        target = target + shard_target
        offset += array.shape[ax]
    with np.errstate(invalid="ignore", over="ignore"):
        losses = (pair.maximum - target) + np.log1p(pair.total_rest)
    # Special values, as cross_entropy: a single +inf at the label gives 0, a single
    # +inf elsewhere +inf; two +inf or an all-masked row give NaN.
    single_inf = (pair.maximum == np.inf) & (pair.rest == 0)
    losses = np.where(single_inf & (target == np.inf), 0.0, losses)
    losses = np.where((pair.maximum == np.inf) & (pair.rest > 0), np.nan, losses)
    losses = np.where(pair.maximum == -np.inf, np.nan, losses)
    return _reduce(np.asarray(losses).astype(pair.dtype), reduction)


def _check_attention_inputs(query, keys, values):
    query, _ = as_float_array(query, "query")
    keys, _ = as_float_array(keys, "keys")
    values, _ = as_float_array(values, "values")
    if query.ndim != 1 or keys.ndim != 2 or values.ndim != 2:
        raise ValueError(
            "streaming_attention needs a query of shape (d,), keys of shape (n, d) and "
            f"values of shape (n, d_v); got {query.shape}, {keys.shape} and {values.shape}."
        )
    if keys.shape[1] != query.shape[0] or keys.shape[0] != values.shape[0]:
        raise ValueError(
            f"shapes do not match: query {query.shape}, keys {keys.shape}, values "
            f"{values.shape} (keys need d = {query.shape[0]} columns, values one row per key)."
        )
    if keys.shape[0] == 0:
        raise ValueError("streaming_attention needs at least one key.")
    return (a.astype(np.float64, copy=False) for a in (query, keys, values))


def streaming_attention(query, keys, values, block_size=128, scale=None):
    r"""Softmax attention of one query, reading keys and values a block at a time.

    Introduced in chapter 10 (:ref:`sec-streaming-attention`). Computes
    :math:`\mathrm{softmax}(s\,K q)^\top V` without ever holding all the
    scores: for each block it forms the block's scores, pair and weighted
    sum of values, and merges them into the running ones, rescaling the older
    weighted sum by the same factor as the older scaled sum (as FlashAttention
    does on a GPU).

    Parameters
    ----------
    query : array_like, shape (d,)
        The query vector.
    keys : array_like, shape (n, d)
        One key per row (n at least 1).
    values : array_like, shape (n, d_v)
        One value per row.
    block_size : int, default 128
        Keys per block.
    scale : float, optional
        Multiplies the scores; defaults to ``1 / sqrt(d)``.

    Returns
    -------
    numpy.ndarray of float64, shape (d_v,)
        The attention output, a convex combination of the rows of ``values``.

    Raises
    ------
    TypeError
        For non-numeric input or a non-integer ``block_size``.
    ValueError
        For mismatched shapes, no keys, or ``block_size < 1``.

    Examples
    --------
    >>> keys = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 2.0]])
    >>> values = np.array([[1.0], [2.0], [3.0]])
    >>> streaming_attention([1.0, 0.5], keys, values, block_size=2, scale=1.0).round(6)
    array([2.397308])
    """
    block_size = _check_block_size(block_size)
    query, keys, values = _check_attention_inputs(query, keys, values)
    scale = 1.0 / np.sqrt(query.shape[0]) if scale is None else float(scale)
    pair = Normalizer.empty((1,))
    weighted = np.zeros(values.shape[1])
    for start in range(0, keys.shape[0], block_size):
        scores = (keys[start : start + block_size] @ query)[None, :] * scale
        block_pair = Normalizer(*_rows_normalizer(scores), np.zeros(1))
        weights = np.exp(scores[0] - block_pair.maximum[0])
        block_weighted = weights @ values[start : start + block_size]
        pair, old_factor, new_factor = _merge_with_factors(pair, block_pair)
        weighted = weighted * old_factor[0] + block_weighted * new_factor[0]
    return weighted / pair.scaled_sum[0]
