"""Input checks shared by the public functions (the lowest layer of the package).

Every public function validates its input once, at the door, with these helpers,
and then hands prepared arrays to the numerical core, which never checks again.
Every message starts with the name of the public function that raised it and
says what was wrong and what was expected.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    #: What ``axis`` accepts: one axis, several (taken together), or all of them.
    AxisLike = int | tuple[int, ...] | None

#: The float dtypes the package computes in, and the dtype each is computed in.
_WORK_DTYPE = {
    np.dtype(np.float16): np.dtype(np.float32),
    np.dtype(np.float32): np.dtype(np.float32),
    np.dtype(np.float64): np.dtype(np.float64),
}


def as_float_array(x: ArrayLike, function: str, name: str = "x") -> tuple[np.ndarray, np.dtype]:
    """Convert ``x`` to a floating array for computation.

    Returns ``(work, out_dtype)``: ``work`` is float32 for float16 and float32
    input and float64 otherwise; ``out_dtype`` is the dtype of the result
    (float16/float32/float64 in, the same out; bool, integer or list in,
    float64 out). Raises a TypeError for complex, string, object, datetime or
    extended-precision input.
    """
    arr = np.asarray(x)
    dtype = arr.dtype
    work_dtype = _WORK_DTYPE.get(dtype)
    if work_dtype is not None:
        return arr.astype(work_dtype, copy=False), dtype
    kind = dtype.kind
    if kind in "biu":
        return arr.astype(np.float64), np.dtype(np.float64)
    if kind == "c":
        raise TypeError(
            f"{function}: {name} must be real; got complex input (dtype {dtype}). "
            f"Pass {name}.real if that is what you mean."
        )
    if kind == "f":
        raise TypeError(
            f"{function}: {name} has dtype {dtype}, which is not supported; "
            "use float16, float32 or float64."
        )
    raise TypeError(
        f"{function}: {name} must be an array of real numbers (bool, integer or float); "
        f"got dtype {dtype!r}."
    )


def class_axes(axis: AxisLike, ndim: int, function: str, name: str = "x") -> tuple[int, ...]:
    """Return ``axis`` as a sorted tuple of non-negative axes of ``ndim`` dimensions.

    ``axis`` is an integer, a tuple of integers (the axes taken together, as
    in SciPy) or None (every axis). A scalar has no axis to take, except with
    ``axis=None`` or ``axis=()``.

    Raises
    ------
    TypeError
        If ``axis`` is not an integer, a tuple of integers or None.
    numpy.exceptions.AxisError
        (a ``ValueError`` and ``IndexError``) if an axis is out of range.
    ValueError
        For a scalar with an integer axis, or an axis given twice.
    """
    if type(axis) is int and ndim > 0 and -ndim <= axis < ndim:  # the hot path
        return (axis % ndim,)
    if axis is None:
        return tuple(range(ndim))
    values = axis if isinstance(axis, tuple) else (axis,)
    for value in values:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(
                f"{function}: axis must be an integer, a tuple of integers or None; got {axis!r}."
            )
    if ndim == 0 and not isinstance(axis, tuple):
        raise ValueError(
            f"{function}: {name} is a scalar (0-d), so it has no axis {axis}; "
            "pass an array with a class axis, or axis=None."
        )
    normalized = []
    for value in values:
        if not -ndim <= value < ndim:
            raise np.exceptions.AxisError(
                f"{function}: axis {value} is out of bounds for {name} with {ndim} dimensions."
            )
        normalized.append(int(value) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{function}: axis {axis!r} names the same axis twice.")
    return tuple(sorted(normalized))


def one_axis(axis, ndim: int, function: str, name: str = "x") -> int:
    """Return ``axis`` (an integer, or a tuple of one) as a non-negative index."""
    if isinstance(axis, tuple) and len(axis) == 1:
        (axis,) = axis
    if axis is None or isinstance(axis, tuple):
        raise ValueError(f"{function} takes one axis, an integer; got axis={axis!r}.")
    return class_axes(axis, ndim, function, name)[0]


def _interval(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if high == math.inf:
        return f"greater than {low:g}" if low_open else f"at least {low:g}"
    return f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def check_real(
    value,
    name: str,
    function: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float after checking it is a finite real number in a range.

    The range is ``[low, high]``, open at either end with ``low_open`` or
    ``high_open``. The one check of a real number for every public function.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{function}: {name} must be a real number; got {value!r}.")
    number = float(value)
    below = number <= low if low_open else number < low
    above = number >= high if high_open else number > high
    if not math.isfinite(number) or below or above:
        where = "" if low == -math.inf else " " + _interval(low, high, low_open, high_open)
        where = where.replace(" (", " in (").replace(" [", " in [")
        raise ValueError(f"{function}: {name} must be a finite number{where}; got {value!r}.")
    return number


def check_temperature(temperature, function: str) -> float:
    """Return ``temperature`` as a float after checking it is finite and positive."""
    if type(temperature) is float and temperature == 1.0:  # the default: no work
        return temperature
    return check_real(temperature, "temperature", function, low=0.0, low_open=True)


def check_real_array(value, name: str, ndim: int, function: str) -> np.ndarray:
    """Return ``value`` as a finite float64 array of ``ndim`` dimensions (1 or 2)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{function}: {name} must be an array of real numbers; got dtype {arr.dtype}."
        )
    if arr.ndim != ndim:
        expected = {1: "a 1-d array", 2: "a 2-d array"}[ndim]
        raise ValueError(f"{function}: {name} must be {expected}; got shape {arr.shape}.")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{function}: {name} must be finite; it contains NaN or infinity.")
    return arr


def check_integer(value, name: str, function: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int after checking it is an integer ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{function}: {name} must be an integer; got {value!r}.")
    if minimum is not None and value < minimum:
        raise ValueError(f"{function}: {name} must be at least {minimum}; got {value}.")
    return int(value)


def check_optional_integer(value, name: str, function: str, *, minimum: int) -> int | None:
    """As :func:`check_integer`, but None passes through."""
    if value is None:
        return None
    return check_integer(value, name, function, minimum=minimum)


def check_choice(value, name: str, choices: tuple[str, ...], function: str) -> str:
    """Raise a ValueError unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{function}: {name} must be one of {choices}; got {value!r}.")
    return value


def check_rng(rng, function: str) -> np.random.Generator:
    """Raise a TypeError unless ``rng`` is a :class:`numpy.random.Generator`."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{function}: rng must be a numpy.random.Generator, e.g. "
            f"np.random.default_rng(0); got {type(rng).__name__}."
        )
    return rng


def check_class_axis_not_empty(length: int, function: str) -> None:
    """Raise a ValueError if the class axis has length 0."""
    if length == 0:
        raise ValueError(
            f"{function} needs at least one class: the class axis has length 0. "
            "(An empty batch, such as shape (0, 10), is fine.)"
        )


def check_labels(
    labels: ArrayLike, num_classes: int, function: str, name: str = "labels", hint: str = ""
) -> np.ndarray:
    """Return ``labels`` as an integer array after checking they lie in ``[0, num_classes)``.

    ``hint`` is appended to the message for labels that are not integers.
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"{function}: {name} must be integers (class labels); got dtype {labels.dtype}.{hint}"
        )
    if labels.ndim == 0:  # one label: no reductions (a hot path for single samples)
        out_of_range = not 0 <= labels[()] < num_classes
    else:
        out_of_range = labels.size and (labels.min() < 0 or labels.max() >= num_classes)
    if out_of_range:
        raise ValueError(
            f"{function}: {name} must lie in [0, {num_classes - 1}] for {num_classes} "
            f"classes; got values from {labels.min()} to {labels.max()}."
        )
    return labels


def distribution_tolerance(dtype) -> float:
    """How far from 1 the sum of a distribution of ``dtype`` may be.

    The square root of the dtype's machine epsilon, and at least ``1e-6``:
    ``1e-6`` for float64, about ``3.5e-4`` for float32 and ``0.031`` for
    float16, where rounding each of a few probabilities to 11 bits already
    moves their sum by ``1e-3`` (bool and integer input count as float64).
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        dtype = np.dtype(np.float64)
    return max(math.sqrt(float(np.finfo(dtype).eps)), 1e-6)


def check_distribution(
    work: np.ndarray, dtype, axes: tuple[int, ...], name: str, function: str
) -> None:
    """Raise a ValueError unless ``work`` is a probability distribution along ``axes``.

    Finite, non-negative and summing to 1 within :func:`distribution_tolerance`
    of ``dtype`` (the dtype the caller passed, before any conversion).
    """
    if not np.all(np.isfinite(work)):
        raise ValueError(f"{function}: {name} must be finite; got NaN or infinite values.")
    if work.size and work.min() < 0:
        raise ValueError(
            f"{function}: {name} must be non-negative; its smallest value is "
            f"{float(work.min()):.6g}; did you pass logits? Then apply softmax first."
        )
    sums = work.sum(axis=axes, dtype=np.float64)
    if np.size(sums):
        worst = float(np.max(np.abs(sums - 1.0)))
        tolerance = distribution_tolerance(dtype)
        if worst > tolerance:
            raise ValueError(
                f"{function}: {name} must sum to 1 along the class axis (within "
                f"{tolerance:.2g} for {np.dtype(dtype)}); the largest deviation from 1 "
                f"is {worst:.6g}; did you pass logits? Then apply softmax first."
            )
