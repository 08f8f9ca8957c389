"""Mistakes: classic wrong answers, and how a learner's answer is matched to one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Mistake", "nonfinite_from_overflow", "nonfinite_where_finite", "same_answer"]


@dataclass(frozen=True)
class Mistake:
    """A classic wrong answer, recognised by what it computes.

    Parameters
    ----------
    name : str
        Short name printed in the verdict, such as ``"no max subtraction"``.
    hint : str
        What is wrong and how to fix it.
    variants : sequence of callables
        Wrong implementations with the signature of the exercise; the learner's
        result matches the mistake when it equals (NaN equal to NaN) what one
        of them returns on the failing input.
    matches : callable, optional
        ``matches(received, expected, args) -> bool``, a further test on the
        received and expected parts (tuples of arrays), for mistakes that
        several wrong formulas share (for example NaN or infinity where the
        answer is finite).
    """

    name: str
    hint: str
    variants: Sequence[Callable] = ()
    matches: Callable | None = None


def same_answer(received, wrong) -> bool:
    """Whether two answers are equal, NaN equal to NaN, to a tight tolerance.

    Parameters
    ----------
    received, wrong : object
        A learner's answer and what a mistake produces: numbers, arrays, or
        tuples of them.

    Returns
    -------
    bool
        True when they have the same structure and shapes and agree to a
        relative 1e-6.

    Examples
    --------
    >>> same_answer((1.0, np.array([np.nan, 2.0])), (1.0, np.array([np.nan, 2.0])))
    True
    >>> same_answer(np.ones(2), np.ones(3))
    False
    """
    if isinstance(received, (tuple, list)) or isinstance(wrong, (tuple, list)):
        if not (isinstance(received, (tuple, list)) and isinstance(wrong, (tuple, list))):
            return False
        if len(received) != len(wrong):
            return False
        return all(same_answer(a, b) for a, b in zip(received, wrong, strict=True))
    try:
        a = np.asarray(received, dtype=np.float64)
        b = np.asarray(wrong, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    return bool(np.allclose(a, b, rtol=1e-6, atol=1e-12, equal_nan=True))


def nonfinite_where_finite(received, expected, args) -> bool:
    """Whether some received value is NaN or infinite where the answer is finite.

    A ``Mistake.matches`` function, for the mistakes that several wrong formulas
    share (overflow, ``log`` of an underflowed probability).

    Parameters
    ----------
    received, expected : tuple of numpy.ndarray
        The parts of the learner's answer and of the reference.
    args : tuple
        The failing input (unused).

    Returns
    -------
    bool

    Examples
    --------
    >>> nonfinite_where_finite((np.array([np.nan, 1.0]),), (np.array([0.5, 0.5]),), ())
    True
    """
    return any(
        bool(np.any(~np.isfinite(got) & np.isfinite(want)))
        for got, want in zip(received, expected, strict=True)
        if got.shape == want.shape
    )


def nonfinite_from_overflow(logits_of: Callable) -> Callable:
    """A matcher for "no max subtraction": non-finite values where ``exp`` overflows.

    Parameters
    ----------
    logits_of : callable
        ``logits_of(args) -> array``: the logits that the failing input makes.

    Returns
    -------
    callable
        ``matches(received, expected, args)``: true when the answer is NaN or
        infinite where it should be finite, and some logit is large enough for
        ``exp`` to overflow in its dtype (709.78 in float64), so that the
        overflow, not another mistake, explains it.

    Examples
    --------
    >>> matches = nonfinite_from_overflow(lambda args: args[0])
    >>> nan, finite = (np.array(np.nan),), (np.array(1.0),)
    >>> matches(nan, finite, (np.array([1000.0, 0.0]),))
    True
    >>> matches(nan, finite, (np.array([0.0, -1000.0]),))
    False
    """

    def matches(received, expected, args) -> bool:
        logits = np.asarray(logits_of(args))
        dtype = logits.dtype if logits.dtype.kind == "f" else np.dtype(np.float64)
        overflows = bool(np.max(logits) > np.log(np.finfo(dtype).max))
        return overflows and nonfinite_where_finite(received, expected, args)

    return matches
