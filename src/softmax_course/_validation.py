"""Input checks shared by the public functions.

Every public function validates its input once, here, with messages that say
what was wrong and what was expected; the numerical kernels assume valid input.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

__all__ = [
    "as_float_array",
    "check_axis",
    "check_temperature",
]


def as_float_array(x, name: str = "x") -> tuple[np.ndarray, np.dtype]:
    """Convert ``x`` to a floating array for computation.

    Returns ``(work, out_dtype)``: ``work`` is float32 for float16 and float32
    input and float64 otherwise; ``out_dtype`` is the dtype of the result
    (float16/float32/float64 in, the same out; bool, integer or list in,
    float64 out).

    Raises
    ------
    TypeError
        For complex, string, object, datetime or extended-precision input.
    """
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(
            f"{name} must be real; got complex input (dtype {arr.dtype}). "
            "Softmax is defined for real logits: pass x.real if that is what you mean."
        )
    if kind in "biu":
        return arr.astype(np.float64), np.dtype(np.float64)
    if kind == "f":
        if arr.dtype == np.float16 or arr.dtype == np.float32:
            return arr.astype(np.float32, copy=False), arr.dtype
        if arr.dtype == np.float64:
            return arr, arr.dtype
        raise TypeError(
            f"{name} has dtype {arr.dtype}, which is not supported; "
            "use float16, float32 or float64."
        )
    raise TypeError(
        f"{name} must be an array of real numbers (bool, integer or float); "
        f"got dtype {arr.dtype!r}."
    )


def check_axis(axis, ndim: int, name: str = "x") -> int:
    """Return ``axis`` as a non-negative index into ``ndim`` dimensions.

    Raises
    ------
    TypeError
        If ``axis`` is not an integer.
    numpy.exceptions.AxisError
        (a ``ValueError`` and ``IndexError``) if it is out of range.
    """
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer; got {axis!r}.")
    if ndim == 0:
        raise ValueError(f"{name} is a scalar (0-d); softmax needs at least one axis of classes.")
    return normalize_axis_index(int(axis), ndim)


def check_temperature(temperature) -> float:
    """Return ``temperature`` as a float after checking it is finite and positive.

    Raises
    ------
    TypeError
        If it is not a real number.
    ValueError
        If it is not finite or not strictly positive.
    """
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, numbers.Real):
        raise TypeError(f"temperature must be a real number; got {type(temperature).__name__}.")
    value = float(temperature)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(
            f"temperature must be a finite number greater than 0; got {temperature!r}."
        )
    return value


def check_class_axis_not_empty(length: int, function: str) -> None:
    """Raise a ValueError if the class axis has length 0."""
    if length == 0:
        raise ValueError(
            f"{function} needs at least one class: the class axis has length 0. "
            "(An empty batch, such as shape (0, 10), is fine.)"
        )
