"""Adversarial logits: rows on which softmax and log-softmax are hard to get right."""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import check_integer

#: The kinds of rows :func:`adversarial_logits` cycles through, in order.
ROW_KINDS = ("spread", "near_tie", "dominant")

_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _check_dtype(dtype):
    try:
        dtype = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype must be float16, float32 or float64; got {dtype!r}.") from error
    if dtype not in _DTYPES:
        raise TypeError(f"dtype must be float16, float32 or float64; got {dtype}.")
    return dtype


def adversarial_logits(
    rng: np.random.Generator, rows: int, classes: int, spread: float, *, dtype=np.float64
) -> np.ndarray:
    """Logits on which softmax and log-softmax are hard to compute accurately.

    Introduced in chapter 5 (:ref:`sec-accuracy`).

    Row ``r`` is of kind ``ROW_KINDS[r % 3]``; every row sits at a random
    offset in ``[-spread / 4, spread / 4]`` (softmax ignores the offset, rounding does
    not):

    * ``"spread"``: logits spread uniformly over an interval of width
      ``spread`` below the row's largest logit, so that ``x - max`` is rounded
      and ``exp`` amplifies that rounding;
    * ``"near_tie"``: the same, but two to four logits lie within a few ULPs
      of the largest (probabilities that must stay nearly equal);
    * ``"dominant"``: one logit exceeds all others by between ``spread / 2``
      and ``spread``, so its log-softmax is a tiny negative number, lost by
      ``log(sum(...))`` but not by ``log1p``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The source of randomness (the result is a function of its state).
    rows : int
        Number of rows (at least 0).
    classes : int
        Number of logits per row (at least 2).
    spread : float
        The width of the interval the logits of a row spread over; finite
        and greater than 0.
    dtype : {float16, float32, float64}, default float64
        The dtype of the result (ties are placed in ULPs of this dtype).

    Returns
    -------
    numpy.ndarray
        Shape ``(rows, classes)``, dtype ``dtype``, all finite.

    Raises
    ------
    TypeError
        If ``rng`` is not a Generator, ``rows`` or ``classes`` is not an
        integer, ``spread`` is not a real number or ``dtype`` is not a float
        dtype listed above.
    ValueError
        If ``rows < 0``, ``classes < 2``, ``spread`` is not finite and
        positive, or the logits would overflow ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> x = adversarial_logits(np.random.default_rng(0), 3, 5, 100.0, dtype=np.float32)
    >>> x.shape, x.dtype
    ((3, 5), dtype('float32'))
    >>> top_two = np.sort(x[1])[-2:]          # a near tie: a few ULPs apart
    >>> bool(0 <= top_two[1] - top_two[0] <= 4 * np.spacing(abs(top_two[1])))
    True
    >>> gap = np.diff(np.sort(x[2])[-2:])[0]  # one dominant logit
    >>> bool(50 <= gap <= 100)
    True
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); got {rng!r}."
        )
    rows = check_integer(rows, "rows", "adversarial_logits", minimum=0)
    classes = check_integer(classes, "classes", "adversarial_logits", minimum=2)
    if isinstance(spread, (bool, np.bool_)) or not isinstance(spread, numbers.Real):
        raise TypeError(f"spread must be a real number; got {spread!r}.")
    spread = float(spread)
    if not np.isfinite(spread) or spread <= 0:
        raise ValueError(f"spread must be a finite number greater than 0; got {spread!r}.")
    dtype = _check_dtype(dtype)
    if 2 * spread >= float(np.finfo(dtype).max):
        raise ValueError(f"spread {spread!r} is too large for {dtype}: the logits would overflow.")

    out = np.empty((rows, classes), dtype=dtype)
    for r in range(rows):
        kind = ROW_KINDS[r % len(ROW_KINDS)]
        offset = rng.uniform(-spread / 4, spread / 4)
        if kind == "dominant":
            row = offset - rng.uniform(spread / 2, spread, classes)
            row[rng.integers(classes)] = offset
        else:
            row = offset - rng.uniform(0, spread, classes)
        row = row.astype(dtype)
        if kind == "near_tie":
            count = int(rng.integers(2, min(4, classes) + 1))
            positions = rng.choice(classes, size=count, replace=False)
            top = row.max()
            for position in positions:
                value = top
                for _ in range(int(rng.integers(0, 4))):
                    value = np.nextafter(value, dtype.type(-np.inf))
                row[position] = value
        out[r] = row
    return out
