"""Softmax worked by hand: the intermediate steps of one softmax, as a table.

Chapter 4 computes the softmax of a few logits the way one would on paper
(exponentiate, add up, divide) and prints each step. The functions here
return those steps and format them; :func:`softmax_course.softmax` remains
the function to use for real work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._validation import as_float_array, check_integer

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


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
