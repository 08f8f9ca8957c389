"""Verdict formatting: numbers and arrays printed the same way on every machine."""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["Shown", "Stream", "describe_type", "format_value"]

_MAX_SHOWN = 30  # arrays with more entries are summarised


class Stream:
    """Blocks of logits that a learner's function receives as a one-pass iterator.

    Parameters
    ----------
    blocks : list of array_like
        The blocks, in order.
    """

    def __init__(self, blocks):
        self.blocks = [np.asarray(block, dtype=np.float64) for block in blocks]

    def __repr__(self) -> str:
        return f"<a stream of {len(self.blocks)} blocks>"


class Shown:
    """A received value that is not plain data, shown by its description."""

    def __init__(self, text: str):
        self.text = text


def _plain_float(value: float, digits: int = 5) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.{digits}g}"


def _digits_to_tell_apart(values: list) -> int:
    """The fewest significant digits (5 to 17) that print different floats differently."""
    floats = [v for v in values if isinstance(v, float) and math.isfinite(v)]
    distinct = len(set(floats))
    for digits in range(5, 18):
        if len({_plain_float(v, digits) for v in floats}) == distinct:
            return digits
    return 17


def format_value(value) -> str:
    """Format a number or array for a verdict, the same on every machine.

    Parameters
    ----------
    value : object
        A number, an array-like of numbers, or anything else.

    Returns
    -------
    str
        Floats to five significant digits (integers as integers), nested lists
        for arrays; arrays of more than 30 entries are summarised by their
        shape and first entries; other objects by their type.

    Examples
    --------
    >>> format_value([[1000.0, 0.5], [2.0 / 3.0, -np.inf]])
    '[[1000, 0.5], [0.66667, -inf]]'
    >>> format_value([-2e9, -2e9 - 1.0, 0.5])  # digits enough to tell entries apart
    '[-2000000000, -2000000001, 0.5]'
    >>> format_value(np.arange(40.0))
    'an array of shape (40,): [0, 1, 2, 3, 4, 5, ...]'
    """
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return _plain_float(float(value))
    if isinstance(value, tuple):
        return "(" + ", ".join(format_value(item) for item in value) + ")"
    if isinstance(value, Stream):
        shown = ", ".join(format_value(block) for block in value.blocks)
        return f"an iterator over {len(value.blocks)} blocks: {shown}"
    if isinstance(value, Shown):
        return value.text
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything odd is described by its type
        array = None
    if array is None or array.dtype.kind not in "biuf":
        if isinstance(value, list) and len(value) <= _MAX_SHOWN:  # a list of mixed things
            return "[" + ", ".join(format_value(item) for item in value) + "]"
        return _a_type(value)
    if array.ndim == 0:
        return format_value(array.item())
    if array.size > _MAX_SHOWN:
        head = ", ".join(format_value(item) for item in array.ravel()[:6].tolist())
        return f"an array of shape {array.shape}: [{head}, ...]"
    digits = _digits_to_tell_apart(array.ravel().tolist()) if array.dtype.kind == "f" else 5
    return _nested(array.tolist(), digits)


def _nested(items, digits: int = 5) -> str:
    if isinstance(items, list):
        return "[" + ", ".join(_nested(item, digits) for item in items) + "]"
    if isinstance(items, float):
        return _plain_float(items, digits)
    return format_value(items)


def describe_type(value) -> str:
    """Say what a value is: an array with its shape, or its type."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return _a_type(value)


def _a_type(value) -> str:
    """The value's type with its article.

    Examples
    --------
    >>> _a_type(np.int64(3)), _a_type(2.5), _a_type(np.uint8(1))
    ('an int64', 'a float', 'a uint8')
    """
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeio' else 'a'} {name}"


def format_both(expected, received) -> tuple[str, str]:
    """Format an expected and a received value so that their printed forms differ.

    Parameters
    ----------
    expected, received : object
        What a verdict shows on its ``expected:`` and ``received:`` lines.

    Returns
    -------
    (str, str)
        :func:`format_value` of each, with more significant digits (up to 17)
        for both when five print the same text for float values that differ.

    Examples
    --------
    >>> format_both(2.0 / 3.0, np.float32(2.0 / 3.0))  # float32 keeps about 7 digits
    ('0.66666667', '0.66666669')
    >>> format_both([1.0, 2.0 / 3.0], [1.0, 0.6666671])
    ('[1, 0.6666667]', '[1, 0.6666671]')
    >>> format_both((3.0, 2.0 / 3.0), (3.0, float(np.float32(2.0 / 3.0))))
    ('(3, 0.66666667)', '(3, 0.66666669)')
    >>> format_both([0.5, 0.25], [0.5, 0.25])
    ('[0.5, 0.25]', '[0.5, 0.25]')
    """
    want, got = format_value(expected), format_value(received)
    if (
        want == got
        and isinstance(expected, tuple)
        and isinstance(received, tuple)
        and len(expected) == len(received)
        and want == "(" + ", ".join(format_value(item) for item in expected) + ")"
    ):  # the parts of a returned tuple, each with digits enough to differ
        pairs = [format_both(a, b) for a, b in zip(expected, received, strict=True)]
        return tuple("(" + ", ".join(pair[i] for pair in pairs) + ")" for i in (0, 1))
    if want != got or isinstance(expected, tuple) or isinstance(received, tuple):
        return want, got
    try:
        a, b = np.asarray(expected), np.asarray(received)
    except Exception:  # noqa: BLE001 - anything odd is shown as format_value shows it
        return want, got
    if (
        a.shape != b.shape
        or a.dtype.kind != "f"
        or b.dtype.kind != "f"
        or a.size > _MAX_SHOWN
        or np.array_equal(a.astype(np.float64), b.astype(np.float64), equal_nan=True)
    ):
        return want, got
    if a.ndim == 0:
        return format_pair(a.item(), b.item())
    for digits in range(6, 18):
        want, got = _nested(a.tolist(), digits), _nested(b.tolist(), digits)
        if want != got:
            break
    return want, got


def format_pair(expected, received) -> tuple[str, str]:
    """Format two numbers with enough digits to show that they differ.

    Parameters
    ----------
    expected, received : float
        Two numbers that a verdict compares.

    Returns
    -------
    (str, str)
        Five significant digits, or more (up to 17) when five print the
        same text for different numbers.

    Examples
    --------
    >>> format_pair(0.1, 0.1 + 1e-9)
    ('0.1', '0.100000001')
    >>> format_pair(2.0, np.nan)
    ('2', 'nan')
    """
    want, got = format_value(expected), format_value(received)
    if want != got:
        return want, got
    try:
        a, b = float(expected), float(received)
    except (TypeError, ValueError):
        return want, got
    for digits in range(6, 18):
        want, got = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if want != got:
            return want, got
    return want, got
