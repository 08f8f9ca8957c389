"""A learner's answer as plain data: the checkers read it here, and nowhere else.

Only plain NumPy arrays (``type(x) is np.ndarray``) and numbers count: an
``ndarray`` subclass is refused with an explanation (a masked array hides its
masked entries from comparisons), and so is a value that cannot be converted.
:func:`read_parts` may run the learner's code (``__array__``, ``__float__``),
so the checker calls it inside the time limit; :func:`snapshot` never does.
"""

from __future__ import annotations

import contextlib
import numbers
import types
from dataclasses import dataclass

import numpy as np

from ._format import Shown, Stream, describe_type

__all__ = [
    "Part",
    "Problem",
    "Shown",
    "contains_shown",
    "copy_argument",
    "error_text",
    "is_empty_function",
    "is_placeholder",
    "part_label",
    "read_parts",
    "snapshot",
]


@dataclass(frozen=True)
class Part:
    """One returned value: its name, and whether it is an array or a number."""

    name: str
    kind: str  # "array", "number" or "values" (an array-like such as a list)


class Problem(Exception):
    """A received value that cannot be compared: its explanation."""


def is_placeholder(value) -> bool:
    """Whether an answer is the placeholder: ``...`` or None, alone or as every item of a tuple.

    A tuple with some parts filled in (``dW, None``) is an answer, judged part by part.
    """
    if value is None or value is Ellipsis:
        return True
    return (
        type(value) in (tuple, list)
        and len(value) > 0
        and all(item is None or item is Ellipsis for item in value)
    )


def is_empty_function(function) -> bool:
    """Whether a function's body is only ``...`` (or a docstring): the placeholder."""
    code = getattr(function, "__code__", None) if isinstance(function, types.FunctionType) else None
    if code is None:
        return False
    return not code.co_names and code.co_nlocals == code.co_argcount and len(code.co_code) <= 12


def copy_argument(value):
    """A copy of a hidden input for one call, so that no call can change the cases."""
    if isinstance(value, Stream):
        return (block.copy() for block in value.blocks)
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [copy_argument(item) for item in value]
    return value


def snapshot(value, depth: int = 0):
    """A plain copy of a received value, to show and to match with mistakes.

    Plain arrays, numbers and tuples or lists of them are copied; anything else
    (an ndarray subclass, an object with ``__array__``) is replaced by its
    description, so that no learner code runs when the verdict is written.
    """
    if type(value) is np.ndarray:
        return value.copy() if value.dtype.kind in "biuf" else Shown(describe_type(value))
    if isinstance(value, (bool, np.bool_, np.number)) or type(value) in (int, float):
        return value
    if type(value) in (tuple, list) and depth < 2 and len(value) <= 100:
        return type(value)(snapshot(item, depth + 1) for item in value)  # a list stays a list
    return Shown(describe_type(value))


def _subclass_problem(value) -> str:
    kind = type(value)
    what = f"a {kind.__module__}.{kind.__qualname__}, a subclass of the NumPy array"
    if isinstance(value, np.ma.MaskedArray):
        return (
            f"{what} whose masked entries hide values from the comparison, so it cannot "
            "be checked: return a plain array with .filled(value), value being what the "
            "masked entries should hold (0.0 for probabilities masked out); np.asarray "
            "would keep the values hidden under the mask"
        )
    return f"{what}, which can change how values compare: return a plain np.ndarray"


def read_parts(received, returns: tuple[Part, ...]) -> tuple[np.ndarray, ...]:
    """The received value as plain arrays, one per returned part (may run learner code)."""
    parts = returns
    if len(parts) == 1:
        received = (received,)
    elif not isinstance(received, (tuple, list)) or len(received) != len(parts):
        names = ", ".join(part.name for part in parts)
        raise Problem(f"{describe_type(received)}, not a tuple of {len(parts)} values ({names})")
    return tuple(
        read_part(part, value, part_label(part, returns))
        for part, value in zip(parts, received, strict=True)
    )


def part_label(part: Part, returns: tuple[Part, ...]) -> str:
    """The prefix naming a returned part in a verdict (none for a single part)."""
    return "" if len(returns) == 1 else f"{part.name}: "


#: Libraries whose tensors are read as NumPy arrays (a Keras exercise may return one).
_TENSOR_LIBRARIES = frozenset({"tensorflow", "keras", "jax", "jaxlib", "torch"})


def _is_tensor(value) -> bool:
    module = type(value).__module__
    root = module.split(".")[0] if isinstance(module, str) else ""
    return root in _TENSOR_LIBRARIES and hasattr(value, "__array__")


def _float_type(value) -> np.dtype:
    """The float type to read a number (or numbers) in: a NumPy float keeps its own.

    A float32 or float16 answer stays narrow, so that a verdict can name its precision
    as the cause of a difference; anything else is read as float64.
    """
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return dtype
    return np.dtype(np.float64)


def read_part(part: Part, value, label: str) -> np.ndarray:
    """One returned part as a plain array, or :class:`Problem` saying why it cannot be.

    A tensor of TensorFlow, Keras, JAX or PyTorch is read as the NumPy array it
    converts to (its dtype kept).
    """
    if _is_tensor(value):
        try:
            value = np.asarray(value)
        except Exception as error:  # noqa: BLE001 - a tensor that cannot convert is described
            raise Problem(
                f"{label}{describe_type(value)} that NumPy cannot read ({error})"
            ) from None
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        raise Problem(f"{label}{_subclass_problem(value)}")
    if part.kind == "number":
        if isinstance(value, (bool, np.bool_)) or not (
            isinstance(value, numbers.Real)
            or (isinstance(value, np.ndarray) and value.dtype.kind in "iuf")
        ):
            raise Problem(f"{label}{describe_type(value)}, not a number")
        try:
            array = np.array(value, dtype=_float_type(value))
        except OverflowError:
            digits = int(abs(int(value)).bit_length() * 0.30103) + 1
            raise Problem(
                f"{label}an integer too large to be a float (about {digits} digits)"
            ) from None
        if array.ndim != 0:
            advice = (
                "an array of one entry gives its number with .item()"
                if array.size == 1
                else "is a mean or a sum over the entries missing?"
            )
            raise Problem(f"{label}an array of shape {array.shape}, not a single number ({advice})")
        return array
    if part.kind == "values":
        try:
            array = np.array(value, dtype=_float_type(value))
        except OverflowError:
            raise Problem(f"{label}a number too large to be a float") from None
        except (TypeError, ValueError):
            raise Problem(f"{label}{describe_type(value)}, not numbers") from None
        return array
    if type(value) is list:  # a list of numbers (of rows of numbers) is read as its array
        with contextlib.suppress(ValueError, TypeError, OverflowError):
            as_array = np.array(value)
            if as_array.dtype.kind in "biuf":
                value = as_array
    if isinstance(value, (numbers.Real, np.number)) and not isinstance(value, (bool, np.bool_)):
        scalar = np.array(value)  # a single number: the shape comparison names it
        if scalar.dtype.kind in "iuf":  # (an integer too large for int64 is not read)
            return scalar
    if not isinstance(value, np.ndarray):
        raise Problem(
            f"{label}{describe_type(value)}, not a NumPy array"
            " (build arrays with NumPy operations, or convert with np.asarray)"
        )
    if value.dtype.kind not in "biuf":
        raise Problem(f"{label}an array of dtype {value.dtype}, not of numbers")
    return value.copy()


def contains_shown(value) -> bool:
    """Whether a snapshot holds a value shown only by its description."""
    if isinstance(value, (tuple, list)):
        return any(contains_shown(item) for item in value)
    return isinstance(value, Shown)


def error_text(error: BaseException) -> str:
    """``Type: first line of the message`` of an exception, never raising."""
    try:
        message = str(error).strip()
    except Exception:  # noqa: BLE001 - a learner's exception whose str() fails
        message = ""
    first = message.splitlines()[0] if message else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
