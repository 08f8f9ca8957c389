"""Mistakes: classic wrong answers, and how a learner's answer is matched to one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Mistake", "same_answer"]


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
        ``matches(received, expected, args) -> bool``, for a value exercise:
        whether the received parts (a tuple of arrays) are what the mistake
        gives (such as the exponentials instead of the shares).
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
        relative 1e-6 (no absolute tolerance: 0 and 4e-18 differ).

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
    except (TypeError, ValueError, OverflowError):
        return False
    if a.shape != b.shape:
        return False
    return bool(np.allclose(a, b, rtol=1e-6, atol=0.0, equal_nan=True))
