"""Teaching tools: the naive formulas, a finite-difference gradient, a softmax by hand.

The naive formulas here are deliberately unstable: chapter 5 uses them to show
what goes wrong. :func:`softmax_steps` returns the steps of one softmax computed
as on paper (chapter 4). Use :func:`softmax_course.softmax` and friends for
real work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._validation import as_float_array, check_integer, check_real, class_axes

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ._validation import AxisLike

__all__ = [
    "SoftmaxSteps",
    "naive_log_softmax",
    "naive_softmax",
    "numerical_gradient",
    "shifted_softmax",
    "softmax_steps",
]


def _prepare(x, axis, function):
    work, out_dtype = as_float_array(x, function)
    return work.astype(out_dtype, copy=False), class_axes(axis, np.ndim(work), function)


def naive_softmax(x: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    """The textbook formula ``exp(x) / sum(exp(x))``, with no protection.

    Introduced in chapter 5 (:ref:`sec-naive-softmax`). Overflows for logits
    above about 709.8 (float64) or 88.7 (float32) and gives NaN there.

    Examples
    --------
    >>> naive_softmax([1.0, 1.0])
    array([0.5, 0.5])
    """
    work, axes = _prepare(x, axis, "naive_softmax")
    with np.errstate(all="ignore"):
        e = np.exp(work)
        return e / e.sum(axis=axes, keepdims=True)


def shifted_softmax(x: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    """``exp(x - max) / sum(exp(x - max))``: stable, but without error compensation.

    Introduced in chapter 5 (:ref:`sec-max-trick`). This is what most libraries
    compute; it never overflows, but the rounding of ``x - max`` is amplified
    by ``exp`` into errors of many ULPs when logits spread widely.

    Examples
    --------
    >>> shifted_softmax([1000.0, 1000.0])
    array([0.5, 0.5])
    """
    work, axes = _prepare(x, axis, "shifted_softmax")
    with np.errstate(all="ignore"):
        e = np.exp(work - work.max(axis=axes, keepdims=True))
        return e / e.sum(axis=axes, keepdims=True)


def naive_log_softmax(x: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    """``log(shifted_softmax(x))``: finite logits can give ``-inf``.

    Introduced in chapter 5 (:ref:`sec-log-softmax`).

    Examples
    --------
    >>> naive_log_softmax([0.0, -1000.0])
    array([  0., -inf])
    """
    work, axes = _prepare(x, axis, "naive_log_softmax")
    with np.errstate(all="ignore"):
        e = np.exp(work - work.max(axis=axes, keepdims=True))
        return np.log(e / e.sum(axis=axes, keepdims=True))


def numerical_gradient(
    function: Callable[[np.ndarray], ArrayLike], x: ArrayLike, *, step: float | None = None
) -> np.ndarray:
    """Central finite-difference gradient of a scalar ``function`` at ``x``.

    Introduced in chapter 2 (:ref:`sec-sigmoid-derivative`).

    Parameters
    ----------
    function : callable
        Maps an array shaped like ``x`` to a scalar, or to an array (then the
        result is the Jacobian, with the output axes first).
    x : array_like of float
        The point.
    step : float, optional
        The difference step; defaults to ``eps ** (1/3) * max(1, |x|)``, which
        balances truncation and rounding error for central differences.

    Returns
    -------
    numpy.ndarray of float64
        ``d function / d x``, of shape ``out.shape + x.shape``.

    Examples
    --------
    >>> g = numerical_gradient(lambda v: (v ** 2).sum(), [1.0, -2.0])
    >>> g.round(6)
    array([ 2., -4.])
    """
    if step is not None:
        step = check_real(step, "step", "numerical_gradient", low=0.0, low_open=True)
    x = np.array(x, dtype=np.float64)
    base = np.asarray(function(x), dtype=np.float64)
    grad = np.empty(base.shape + x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        h = (
            step
            if step is not None
            else np.finfo(np.float64).eps ** (1 / 3) * max(1.0, abs(x[index]))
        )
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        diff = np.asarray(function(plus), dtype=np.float64) - np.asarray(
            function(minus), dtype=np.float64
        )
        grad[(...,) + index] = diff / (plus[index] - minus[index])
    return grad


@dataclass(frozen=True)
class SoftmaxSteps:
    """The intermediate values of one softmax computed by hand.

    Introduced in chapter 4 (:ref:`sec-worked-by-hand`). Build it with
    :func:`softmax_steps`.

    Attributes
    ----------
    logits : numpy.ndarray
        The logits ``z`` (1-D, float64).
    shifted : bool
        Whether the largest logit was subtracted before exponentiating.
    shift : float
        The constant subtracted: ``max(z)`` if ``shifted``, else 0.0.
    exponentials : numpy.ndarray
        ``exp(z - shift)``: the numerators.
    denominator : float
        The sum of ``exponentials``.
    probabilities : numpy.ndarray
        ``exponentials / denominator``: each logit's share of the denominator.
    """

    logits: np.ndarray
    shifted: bool
    shift: float
    exponentials: np.ndarray
    denominator: float
    probabilities: np.ndarray

    def table(self, *, names: Sequence[str] | None = None, digits: int = 4) -> str:
        """Format the steps as an aligned plain-text table, one row per class.

        Parameters
        ----------
        names : sequence of str, optional
            A name for each class; defaults to the class indices 0, 1, ...
        digits : int, default 4
            Decimal places of every number (at least 0).

        Returns
        -------
        str
            Columns ``class``, ``logit``, the exponential (headed ``exp(z)`` or
            ``exp(z - max)``) and ``share``, then a ``sum`` row holding the
            denominator and the sum of the shares.

        Raises
        ------
        TypeError
            If ``digits`` is not an integer.
        ValueError
            If ``names`` does not have one entry per class or ``digits`` is
            negative.

        Examples
        --------
        >>> print(softmax_steps([0.0, 0.0]).table(digits=2))
        class  logit  exp(z - max)  share
            0   0.00          1.00   0.50
            1   0.00          1.00   0.50
          sum                 2.00   1.00
        """
        num_classes = self.logits.size
        if names is None:
            names = [str(k) for k in range(num_classes)]
        names = [str(name) for name in names]
        if len(names) != num_classes:
            raise ValueError(
                f"SoftmaxSteps.table: names must have one entry per class ({num_classes}); "
                f"got {len(names)}."
            )
        digits = check_integer(digits, "digits", "SoftmaxSteps.table", minimum=0)
        exp_header = "exp(z - max)" if self.shifted else "exp(z)"
        rows = [["class", "logit", exp_header, "share"]]
        for name, z, e, p in zip(
            names, self.logits, self.exponentials, self.probabilities, strict=True
        ):
            rows.append([name, f"{z:.{digits}f}", f"{e:.{digits}f}", f"{p:.{digits}f}"])
        total_share = float(self.probabilities.sum())
        rows.append(["sum", "", f"{self.denominator:.{digits}f}", f"{total_share:.{digits}f}"])
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        return "\n".join(
            "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in rows
        )


def softmax_steps(logits: ArrayLike, *, shift: bool = True) -> SoftmaxSteps:
    r"""Compute one softmax step by step: exponentials, denominator, shares.

    Introduced in chapter 4 (:ref:`sec-worked-by-hand`).

    :math:`p_i = e^{z_i - c} / \sum_j e^{z_j - c}` with :math:`c = \max_j z_j`
    (or :math:`c = 0` when ``shift=False``, the formula as written on paper).
    Both give the same shares; the shift keeps every exponential in
    :math:`(0, 1]`, so nothing overflows.

    Parameters
    ----------
    logits : array_like
        A 1-D sequence of at least one finite logit.
    shift : bool, default True
        Subtract the largest logit before exponentiating.

    Returns
    -------
    SoftmaxSteps
        The logits, the shift, the exponentials, their sum and the shares
        (all float64); print ``.table()`` to see them.

    Raises
    ------
    TypeError
        For complex, string or object input.
    ValueError
        If ``logits`` is not 1-D, is empty or holds a NaN or an infinity, or
        if ``shift=False`` and an exponential overflows.

    Examples
    --------
    >>> steps = softmax_steps([-1.0, 1.0, 2.0, 3.0], shift=False)
    >>> round(steps.denominator, 2)
    30.56
    >>> steps.probabilities.round(2)
    array([0.01, 0.09, 0.24, 0.66])
    """
    function = "softmax_steps"
    work, _ = as_float_array(logits, function, "logits")
    z = work.astype(np.float64)
    if z.ndim != 1:
        raise ValueError(
            f"{function}: logits must be 1-D (one logit per class); got shape {z.shape}. "
            "Use softmax(x, axis=...) for batches."
        )
    if z.size == 0:
        raise ValueError(f"{function}: logits must hold at least one class; got an empty array.")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{function}: logits must be finite; got a NaN or an infinity.")
    offset = float(z.max()) if shift else 0.0
    with np.errstate(all="ignore"):
        exponentials = np.exp(z - offset)
        denominator = float(exponentials.sum())
    if not np.isfinite(denominator):
        raise ValueError(
            f"{function}: exp(z) overflows float64 for logits above about 709.78; "
            "use shift=True to subtract the largest logit first."
        )
    return SoftmaxSteps(
        logits=z,
        shifted=bool(shift),
        shift=offset,
        exponentials=exponentials,
        denominator=denominator,
        probabilities=np.divide(exponentials, denominator),
    )
