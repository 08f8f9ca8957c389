"""Errors in units in the last place (ULPs) against the mpmath references.

Chapter 5 uses these tools to compare implementations of softmax and
log-softmax; the tests and the benchmark reuse them. Every error is measured
against a 50-digit reference (:mod:`softmax_course.testing.references`), in ULPs
of the precision being tested.
"""

from __future__ import annotations

import mpmath
import numpy as np

from .adversarial import adversarial_logits
from .references import DEFAULT_DIGITS, reference_softmax


def ulp_error(computed, reference, *, dtype=None, scale=None) -> np.ndarray:
    """Error of ``computed`` against ``reference`` in units in the last place.

    Introduced in chapter 2 (:ref:`sec-floating-point`); chapter 5
    (:ref:`sec-accuracy`) measures the package with it.

    Parameters
    ----------
    computed : array_like of float
        The values to judge.
    reference : array_like of mpmath numbers or floats
        The exact (or high-precision) values.
    dtype : data-type, optional
        The precision whose ULP is the unit; defaults to ``computed``'s dtype.
    scale : array_like, optional
        Measure the error in ULPs of ``scale`` instead of the reference value
        (for example the largest logit, for ``logsumexp``).

    Returns
    -------
    numpy.ndarray of float64
        ``|computed - reference| / ulp(reference)``, where ``ulp(v)`` is the
        spacing of the floats of ``dtype`` at ``|v|`` rounded to ``dtype`` (the
        smallest subnormal near 0): where ``v`` rounds up to a power of 2, such
        as ``1 - 1e-17`` to 1.0, that is twice the spacing just below it. Equal infinities count as 0; a NaN or an infinity that the
        reference does not have counts as ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> float(ulp_error(np.float32(1.0) + np.spacing(np.float32(1.0)), 1.0))
    1.0
    """
    computed = np.asarray(computed)
    dtype = np.dtype(dtype or computed.dtype)
    ref = np.asarray(reference, dtype=object)
    unit_source = ref if scale is None else np.asarray(scale, dtype=object)
    computed, ref, unit_source = np.broadcast_arrays(computed, ref, unit_source)
    out = np.empty(computed.shape, dtype=np.float64)
    for index in np.ndindex(computed.shape):
        c = float(computed[index])
        r = ref[index]
        r_float = float(r)
        if np.isnan(c) or np.isinf(c) or np.isinf(r_float):
            out[index] = 0.0 if c == r_float else np.inf
            continue
        unit = np.spacing(np.abs(dtype.type(float(unit_source[index]))))
        with mpmath.workdps(DEFAULT_DIGITS):
            out[index] = float(abs(mpmath.mpf(c) - mpmath.mpf(r)) / mpmath.mpf(float(unit)))
    return out


def max_ulp_error(
    function, logits, reference, *, dtype=None, include_subnormal: bool = False
) -> float:
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
        :func:`~softmax_course.testing.reference_softmax` and friends), shape of
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
        The maximum of :func:`ulp_error` over the measured
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
    >>> from softmax_course import softmax
    >>> from softmax_course.teaching import naive_softmax
    >>> from softmax_course.testing import reference_softmax
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


def logsumexp_ulp_error(computed, reference, logits, *, axis=-1, dtype=None) -> np.ndarray:
    """Errors of a log-sum-exp in ULPs of ``max(|result|, |largest logit|)``.

    Introduced in chapter 10 (:ref:`sec-online-merge`). The log-sum-exp is
    ill-conditioned where its value is near 0 while the logits are large
    (``logsumexp([0, -1e-20]) ~ log 2`` is fine, but ``logsumexp([a, b])``
    near 0 with ``|a|`` large cancels), so its error is measured relative to
    the larger of the result and the largest logit in magnitude.

    Parameters
    ----------
    computed : array_like of float
        The computed log-sum-exp, shape of ``logits`` without ``axis``.
    reference : array_like
        The exact values (e.g. :func:`~softmax_course.testing.reference_logsumexp`).
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
    >>> from softmax_course import logsumexp
    >>> from softmax_course.testing import reference_logsumexp
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
    *,
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
    reference : callable, default :func:`~softmax_course.testing.reference_softmax`
        Maps the logits (and, if ``digits`` is given, a keyword ``digits``) to
        their exact values (mpmath numbers), e.g.
        :func:`~softmax_course.testing.reference_log_softmax`.
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
    >>> from softmax_course import softmax
    >>> from softmax_course.teaching import shifted_softmax
    >>> errors = ulp_errors_by_spread(
    ...     {"shifted": shifted_softmax, "course": softmax},
    ...     [300.0], np.random.default_rng(1), rows=6, classes=16)
    >>> errors["shifted"].round(1).tolist(), bool(errors["course"][0] <= 2)
    ([252.8], True)
    """
    spreads = [float(spread) for spread in spreads]
    errors = {name: np.empty(len(spreads)) for name in functions}
    for position, spread in enumerate(spreads):
        logits = adversarial_logits(rng, rows, classes, spread, dtype=dtype)
        exact = reference(logits) if digits is None else reference(logits, digits=digits)
        for name, function in functions.items():
            errors[name][position] = max_ulp_error(function, logits, exact, dtype=dtype)
    return errors
