"""The online normaliser: the pair that summarises a block of logits, and its merge.

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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._core import two_sum
from ._rows import to_rows
from ._validation import as_float_array, one_axis

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike


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
    def empty(cls, shape: tuple[int, ...] = (), *, dtype: DTypeLike = np.float64) -> Normalizer:
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
    def total_rest(self) -> np.ndarray:
        """``rest + correction``, rounded once."""
        with np.errstate(all="ignore"):
            return self.rest + self.correction

    @property
    def scaled_sum(self) -> np.ndarray:
        """``1 + rest = sum(exp(x - maximum))``, the normaliser relative to the max."""
        with np.errstate(all="ignore"):
            return (1.0 + self.rest) + self.correction

    def logsumexp(self) -> np.ndarray:
        """The log-sum-exp of every logit summarised: ``maximum + log1p(rest)``.

        Returns
        -------
        numpy.ndarray
            Batch-shaped, in the pair's ``dtype``: ``-inf`` for an empty or
            all-masked block, ``+inf`` if any logit was ``+inf``, NaN if any was NaN.
        """
        with np.errstate(all="ignore"):
            result = self.maximum + np.log1p(self.total_rest)
            return np.asarray(result).astype(self.dtype)


def _difference_with_error(small, big):
    """``small - big`` and its exact rounding error, errors of infinities set to 0."""
    with np.errstate(all="ignore"):
        difference, error = two_sum(np.asarray(small, dtype=np.float64), -np.asarray(big))
    error = np.where(np.isfinite(error), error, 0.0)
    return np.asarray(difference), error


def _rows_normalizer(rows):
    """The pair of each row of a float64 ``(n, K)`` array (K >= 1), no checks."""
    index = np.argmax(rows, axis=1)  # the first NaN, if any, else the first max
    arange = np.arange(rows.shape[0])
    maximum = rows[arange, index]
    difference, error = _difference_with_error(rows, maximum[:, None])
    with np.errstate(all="ignore"):
        terms = np.exp(difference) * (1.0 + error)
        terms[arange, index] = 0.0
        rest = terms.sum(axis=1)
    # Special rows: a +inf max counts the other +inf; all -inf gives the empty pair.
    positive_inf = maximum == np.inf
    if positive_inf.any():
        rest[positive_inf] = np.count_nonzero(rows[positive_inf] == np.inf, axis=1) - 1
    rest[maximum == -np.inf] = 0.0
    return maximum, rest


def _pair_of_rows(rows, batch_shape, dtype) -> Normalizer:
    """The pair of validated float64 ``(n, K)`` rows, shaped as the batch."""
    if rows.shape[1] == 0:
        return Normalizer.empty(batch_shape, dtype=dtype)
    maximum, rest = _rows_normalizer(rows)
    return Normalizer(
        maximum.reshape(batch_shape), rest.reshape(batch_shape), np.zeros(batch_shape), dtype
    )


def _logit_rows(logits, axis, function, name="logits"):
    """Validate logits and one class axis; return float64 rows, layout and result dtype."""
    work, out_dtype = as_float_array(logits, function, name)
    axis = one_axis(axis, work.ndim, function, name)
    rows, layout = to_rows(work.astype(np.float64, copy=False), (axis,))
    return rows, layout, out_dtype


def normalizer(logits: ArrayLike, *, axis: int = -1) -> Normalizer:
    """The pair ``(maximum, rest)`` of a block of logits along ``axis``.

    Introduced in chapter 10 (:ref:`sec-online-normalizer`).

    Parameters
    ----------
    logits : array_like
        A block of logits (float16/32/64, bool or integer). The class axis
        may have length 0 (the empty pair).
    axis : int, default -1
        The class axis (one axis); the pair has the batch shape (``logits``
        without it).

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
    rows, layout, out_dtype = _logit_rows(logits, axis, "normalizer")
    return _pair_of_rows(rows, layout.batch_shape, out_dtype)


#: Below this difference of maxima the rescaling uses ``expm1`` (see the module doc).
_CLOSE = -0.5


def _merge_with_factors(first, second):
    """Merge two pairs; also return the factor each side's sums are rescaled by.

    No checks, and no floating-point flag (infinities and NaN follow the rules).
    """
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
    with np.errstate(all="ignore"):
        # The small block's scaled sum S = 1 + rest_small (+ its correction), exactly.
        sum_high, sum_low = two_sum(1.0, rest_small)
        sum_low = sum_low + correction_small
        factor = np.exp(difference) * (1.0 + error)
        # Close maxima: S * exp(d) = S + S * g with g = expm1(d + error), exactly summed.
        g = np.expm1(difference)
        g = g + error * (1.0 + g)
        close_high, close_low = two_sum(sum_high, sum_high * g + sum_low * (1.0 + g))
        close = difference >= _CLOSE
        scaled_high = np.where(close, close_high, factor * sum_high)
        scaled_low = np.where(close, close_low, factor * sum_low)
        total_high, total_low = two_sum(rest_big, scaled_high)
        rest, correction = two_sum(total_high, total_low + (correction_big + scaled_low))
    empty_or_special = (maximum == -np.inf) | ~np.isfinite(correction)
    rest = np.where(maximum == -np.inf, 0.0, rest)
    correction = np.where(empty_or_special, 0.0, correction)
    factor_first = np.where(first_is_big, 1.0, factor)
    factor_second = np.where(first_is_big, factor, 1.0)
    dtype = np.result_type(first.dtype, second.dtype)
    return Normalizer(maximum, rest, correction, dtype), factor_first, factor_second


def _check_pair(pair, name, function):
    if not isinstance(pair, Normalizer):
        raise TypeError(
            f"{function}: {name} must be a Normalizer (from normalizer(logits)); "
            f"got {type(pair).__name__}."
        )


def merge_normalizers(first: Normalizer, second: Normalizer) -> Normalizer:
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
    _check_pair(first, "first", "merge_normalizers")
    _check_pair(second, "second", "merge_normalizers")
    try:
        np.broadcast_shapes(np.shape(first.maximum), np.shape(second.maximum))
    except ValueError:
        raise ValueError(
            "merge_normalizers: the two pairs have batch shapes "
            f"{np.shape(first.maximum)} and {np.shape(second.maximum)}, which do not broadcast."
        ) from None
    return _merge_with_factors(first, second)[0]


def update_normalizer(pair: Normalizer, logits: ArrayLike, *, axis: int = -1) -> Normalizer:
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
    _check_pair(pair, "pair", "update_normalizer")
    rows, layout, out_dtype = _logit_rows(logits, axis, "update_normalizer")
    block = _pair_of_rows(rows, layout.batch_shape, out_dtype)
    try:
        np.broadcast_shapes(np.shape(pair.maximum), layout.batch_shape)
    except ValueError:
        raise ValueError(
            f"update_normalizer: the pair has batch shape {np.shape(pair.maximum)}, which "
            f"does not broadcast with the logits' batch shape {layout.batch_shape}."
        ) from None
    return _merge_with_factors(pair, block)[0]
