"""Measuring accuracy: adversarial logits and errors in ULPs against mpmath.

Chapter 5 uses these tools to compare implementations of softmax and
log-softmax; the benchmarks reuse them. Every error is measured against the
50-digit mpmath references of :mod:`softmax_course.reference`, in units in the
last place (ULPs) of the precision being tested.
"""

from __future__ import annotations

import numbers

import numpy as np

from .reference import reference_softmax, ulp_error

__all__ = [
    "ROW_KINDS",
    "adversarial_logits",
    "logsumexp_ulp_error",
    "max_ulp_error",
    "ulp_errors_by_spread",
]

#: The kinds of rows :func:`adversarial_logits` cycles through, in order.
ROW_KINDS = ("spread", "near_tie", "dominant")

_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _check_count(value, name, minimum):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}.")
    return int(value)


def _check_dtype(dtype):
    try:
        dtype = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype must be float16, float32 or float64; got {dtype!r}.") from error
    if dtype not in _DTYPES:
        raise TypeError(f"dtype must be float16, float32 or float64; got {dtype}.")
    return dtype


def adversarial_logits(rng, rows, classes, spread, dtype=np.float64):
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
    >>> x = adversarial_logits(np.random.default_rng(0), 3, 5, 100.0, np.float32)
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
    rows = _check_count(rows, "rows", 0)
    classes = _check_count(classes, "classes", 2)
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


def max_ulp_error(function, logits, reference, dtype=None, include_subnormal=False):
    """The largest error, in ULPs, of ``function(logits)`` against ``reference``.

    Introduced in chapter 5 (:ref:`sec-accuracy`).

    Parameters
    ----------
    function : callable
        Maps ``logits`` to an array of the same shape (a NumPy array, or
        anything ``numpy.asarray`` converts, such as a TensorFlow tensor).
    logits : numpy.ndarray
        The input, passed to ``function`` unchanged.
    reference : array_like
        The exact values (mpmath numbers from
        :func:`~softmax_course.reference_softmax` and friends), shape of
        ``logits``.
    dtype : data-type, optional
        The precision whose ULP is the unit; defaults to ``logits.dtype``.
    include_subnormal : bool, default False
        By default, elements whose reference is nonzero but smaller in
        magnitude than the smallest normal number of ``dtype`` are skipped:
        floats there have fewer significant bits, so no implementation can
        be accurate to a few ULPs of their own size (and some libraries flush
        them to zero). Set to True to measure them too.

    Returns
    -------
    float
        The maximum of :func:`~softmax_course.ulp_error` over the measured
        elements: 0.5 or less means correctly rounded; ``inf`` if the
        function returned NaN or an infinity where the reference is finite;
        0.0 if no element was measured.

    Raises
    ------
    ValueError
        If the result or the reference does not have the shape of ``logits``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_course import naive_softmax, reference_softmax, softmax
    >>> x = np.array([[1000.0, 999.0, 0.5]])
    >>> reference = reference_softmax(x)
    >>> max_ulp_error(softmax, x, reference) <= 2
    True
    >>> max_ulp_error(naive_softmax, x, reference)
    inf
    """
    logits = np.asarray(logits)
    computed = np.asarray(function(logits))
    reference = np.asarray(reference, dtype=object)
    if computed.shape != logits.shape:
        raise ValueError(
            f"the function returned shape {computed.shape}; expected the shape of the "
            f"logits, {logits.shape}."
        )
    if reference.shape != logits.shape:
        raise ValueError(
            f"the reference has shape {reference.shape}; expected the shape of the "
            f"logits, {logits.shape}."
        )
    dtype = np.dtype(dtype or logits.dtype)
    measured = np.ones(logits.shape, dtype=bool)
    if not include_subnormal:
        tiny = np.finfo(dtype).tiny
        measured = np.array([v == 0 or abs(v) >= tiny for v in reference.flat], dtype=bool)
        measured = measured.reshape(logits.shape)
    if not measured.any():
        return 0.0
    errors = ulp_error(computed[measured], reference[measured], dtype=dtype)
    return float(errors.max())


def logsumexp_ulp_error(computed, reference, logits, axis=-1, dtype=None):
    """Errors of a log-sum-exp in ULPs of ``max(|result|, |largest logit|)``.

    Introduced in chapter 5 (:ref:`sec-accuracy`). The log-sum-exp is
    ill-conditioned where its value is near 0 while the logits are large
    (``logsumexp([0, -1e-20]) ~ log 2`` is fine, but ``logsumexp([a, b])``
    near 0 with ``|a|`` large cancels), so its error is measured relative to
    the larger of the result and the largest logit in magnitude.

    Parameters
    ----------
    computed : array_like of float
        The computed log-sum-exp, shape of ``logits`` without ``axis``.
    reference : array_like
        The exact values (e.g. :func:`~softmax_course.reference_logsumexp`).
    logits : array_like of float
        The input that was reduced.
    axis : int, default -1
        The reduced axis of ``logits``.
    dtype : data-type, optional
        The precision whose ULP is the unit; defaults to ``logits``' dtype.

    Returns
    -------
    numpy.ndarray of float64
        The error of each reduced slice, in ULPs.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_course import logsumexp, reference_logsumexp
    >>> x = np.array([[1000.0, 999.0], [0.0, -40.0]])
    >>> bool(logsumexp_ulp_error(logsumexp(x), reference_logsumexp(x), x).max() <= 1)
    True
    """
    logits = np.asarray(logits)
    reference = np.asarray(reference, dtype=object)
    largest = np.abs(np.max(logits, axis=axis).astype(np.float64))
    exact = np.abs(np.array([float(v) for v in reference.flat]).reshape(reference.shape))
    scale = np.maximum(exact, largest)
    return ulp_error(computed, reference, dtype=dtype or logits.dtype, scale=scale)


def ulp_errors_by_spread(
    functions,
    spreads,
    rng,
    rows=21,
    classes=32,
    dtype=np.float64,
    reference=reference_softmax,
    digits=None,
):
    """Largest ULP error of each function on adversarial logits of each spread.

    Introduced in chapter 5 (:ref:`sec-accuracy`).

    For each spread, draws ``adversarial_logits(rng, rows, classes, spread,
    dtype)``, computes the reference once, and measures every function on the
    same logits with :func:`max_ulp_error`.

    Parameters
    ----------
    functions : dict of str to callable
        The implementations to compare, by name; each maps a ``(rows,
        classes)`` array to an array of that shape along the last axis.
    spreads : sequence of float
        The spreads to test (see :func:`adversarial_logits`).
    rng : numpy.random.Generator
        The source of randomness.
    rows, classes : int
        The shape of each test array.
    dtype : {float16, float32, float64}, default float64
        The precision tested (and the unit of the errors).
    reference : callable, default :func:`~softmax_course.reference_softmax`
        Maps the logits (and, if ``digits`` is given, a keyword ``digits``) to
        their exact values (mpmath numbers), e.g.
        :func:`~softmax_course.reference_log_softmax`.
    digits : int, optional
        The working precision of the reference, in decimal digits; by default
        the reference's own default (50).
    Returns
    -------
    dict of str to numpy.ndarray
        For each name, the largest error in ULPs at each spread (float64, in
        the order of ``spreads``; ``inf`` where the function gave NaN or an
        infinity).

    Raises
    ------
    TypeError, ValueError
        As for :func:`adversarial_logits` and :func:`max_ulp_error`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_course import shifted_softmax, softmax
    >>> errors = ulp_errors_by_spread(
    ...     {"shifted": shifted_softmax, "course": softmax},
    ...     [300.0], np.random.default_rng(1), rows=6, classes=16)
    >>> {name: value.round(1).tolist() for name, value in errors.items()}
    {'shifted': [252.8], 'course': [1.0]}
    """
    spreads = [float(spread) for spread in spreads]
    errors = {name: np.empty(len(spreads)) for name in functions}
    for position, spread in enumerate(spreads):
        logits = adversarial_logits(rng, rows, classes, spread, dtype)
        exact = reference(logits) if digits is None else reference(logits, digits=digits)
        for name, function in functions.items():
            errors[name][position] = max_ulp_error(function, logits, exact, dtype=dtype)
    return errors
