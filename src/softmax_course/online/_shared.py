"""The helpers shared by the online modules: one row of logits to a pair, merges.

:mod:`~softmax_course.online.normalizer`, :mod:`~softmax_course.online.blocks`,
:mod:`~softmax_course.online.packing`, :mod:`~softmax_course.online.sharded` and
:mod:`~softmax_course.online.attention` build and merge pairs with these, and
only with these. The pair of a block of logits comes from the package's one core
(:func:`softmax_course._core.row_pairs`). No checks here, except the ones named
``check_*``, which the public functions call at their door.
"""

from __future__ import annotations

import numpy as np

from .._core import row_pairs, two_sum
from .._rows import to_rows
from .._validation import as_float_array, one_axis


def _normalizer_class():
    from .normalizer import Normalizer  # the class; imported here to avoid a cycle

    return Normalizer


def difference_with_error(small, big):
    """``small - big`` and its exact rounding error, errors of infinities set to 0."""
    with np.errstate(all="ignore"):
        difference, error = two_sum(np.asarray(small, dtype=np.float64), -np.asarray(big))
    error = np.where(np.isfinite(error), error, 0.0)
    return np.asarray(difference), error


def pair_of_rows(rows, batch_shape, dtype):
    """The pair of validated ``(n, K)`` rows (float32 or float64), shaped as the batch."""
    maximum, rest = row_pairs(rows)
    zeros = np.zeros(batch_shape)
    return _normalizer_class()(
        maximum.reshape(batch_shape), rest.reshape(batch_shape), zeros, dtype
    )


def logit_rows(logits, axis, function, name="logits"):
    """Validate logits and one class axis; return ``(n, K)`` rows, layout and result dtype."""
    work, out_dtype = as_float_array(logits, function, name)
    axis = one_axis(axis, work.ndim, function, name)
    rows, layout = to_rows(work, (axis,))
    return rows, layout, out_dtype


def check_pair(pair, name, function):
    """Raise a TypeError naming ``function`` and ``name`` unless ``pair`` is a Normalizer."""
    if not isinstance(pair, _normalizer_class()):
        raise TypeError(
            f"{function}: {name} must be a Normalizer (from normalizer(logits)); "
            f"got {type(pair).__name__}."
        )


#: Below this difference of maxima the rescaling uses ``expm1`` (see the module doc).
_CLOSE = -0.5


def merge_with_factors(first, second):
    """Merge two pairs; also return the factor each side's sums are rescaled by.

    No checks, and no floating-point flag (infinities and NaN follow the rules).
    """
    maximum = np.maximum(first.maximum, second.maximum)
    first_is_big = first.maximum >= second.maximum
    smaller = np.minimum(first.maximum, second.maximum)
    difference, error = difference_with_error(smaller, maximum)
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
    return _normalizer_class()(maximum, rest, correction, dtype), factor_first, factor_second
