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
2018). FlashAttention-style kernels use the same merge; vocabulary-parallel
cross-entropy, as in Megatron-LM, reduces the maxima and then the sums in two
rounds instead (chapter 10).

Accuracy. Carrying the sum *without* the max's own term lets the final step
use ``log1p``. The pair of a block comes from the package's one core
(``softmax_course._core``, the same row algorithm as softmax); in a merge the
rounding error of ``m_small - m`` is recovered exactly (TwoSum) and fed into
the exponential in the same way.
Plain float merges would add a rounding to ``rest`` at every merge, so a
long chain of them (element by element over a million classes) would drift
by many units in the last place. Two devices stop the drift: ``rest`` is
carried as an unevaluated sum of two floats, ``rest + correction``, updated
with error-free additions (TwoSum), and when the two maxima are close the
rescaling ``exp(d) * S`` is formed as ``S + expm1(d) * S``, whose rounding is
proportional to ``|expm1(d)|`` rather than to ``S``. The pairs are held in
float64 (float16 and float32 input are computed in float64 and rounded once;
for them a term below ``exp(-150)`` counts as 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._shared import check_pair, logit_rows, merge_with_factors, pair_of_rows

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

__all__ = ["Normalizer", "merge_normalizers", "normalizer", "update_normalizer"]


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
    rows, layout, out_dtype = logit_rows(logits, axis, "normalizer")
    return pair_of_rows(rows, layout.batch_shape, out_dtype)


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
    check_pair(first, "first", "merge_normalizers")
    check_pair(second, "second", "merge_normalizers")
    try:
        np.broadcast_shapes(np.shape(first.maximum), np.shape(second.maximum))
    except ValueError:
        raise ValueError(
            "merge_normalizers: the two pairs have batch shapes "
            f"{np.shape(first.maximum)} and {np.shape(second.maximum)}, which do not broadcast."
        ) from None
    return merge_with_factors(first, second)[0]


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
    check_pair(pair, "pair", "update_normalizer")
    rows, layout, out_dtype = logit_rows(logits, axis, "update_normalizer")
    block = pair_of_rows(rows, layout.batch_shape, out_dtype)
    try:
        np.broadcast_shapes(np.shape(pair.maximum), layout.batch_shape)
    except ValueError:
        raise ValueError(
            f"update_normalizer: the pair has batch shape {np.shape(pair.maximum)}, which "
            f"does not broadcast with the logits' batch shape {layout.batch_shape}."
        ) from None
    return merge_with_factors(pair, block)[0]
