"""Sampling from logits: temperature, top-k and top-p (nucleus), and the Gumbel tricks.

Every function takes a seeded :class:`numpy.random.Generator`, so a sample is
reproducible: ``rng = np.random.default_rng(seed)``. The class axis is the
last axis; every other axis is a batch axis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _core
from ._validation import (
    as_float_array,
    check_class_axis_not_empty,
    check_optional_integer,
    check_real,
    check_rng,
    check_temperature,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["gumbel_max_sample", "gumbel_softmax", "sample_logits", "sampling_distribution"]


def _check_logits(logits, function):
    work, _ = as_float_array(logits, function, "logits")
    if work.ndim == 0:
        raise ValueError(f"{function} needs logits with a class axis (the last); got a scalar.")
    check_class_axis_not_empty(work.shape[-1], function)
    if np.isnan(work).any():
        raise ValueError(f"{function}: the logits contain NaN; there is no distribution to sample.")
    masked = np.all(work == -np.inf, axis=-1)
    if masked.any():
        where = tuple(int(i) for i in np.argwhere(masked)[0]) if masked.ndim else ()
        raise ValueError(
            f"{function}: every logit of row {where} is -inf (masked); "
            "there is no distribution to sample."
        )
    return work.astype(np.float64, copy=False)


def _softmax_last(x, temperature=1.0):
    """Softmax along the last axis of validated float64 logits."""
    rows = np.ascontiguousarray(x).reshape(-1, x.shape[-1])
    return _core.softmax_rows(rows, "softmax", temperature, x.dtype).reshape(x.shape)


def _descending_order(values):
    """Indices that sort each row in decreasing order, ties kept in index order."""
    return np.argsort(-values, axis=-1, kind="stable")


def sampling_distribution(
    logits: ArrayLike,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> np.ndarray:
    """The distribution a language model samples its next token from.

    Introduced in chapter 10 (:ref:`sec-sampling`). The logits are divided by
    ``temperature``; then only the ``top_k`` most likely classes are kept; then
    only the smallest set of most likely classes whose probability reaches
    ``top_p`` (the *nucleus*); the kept classes are renormalised.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        Logits; the last axis is the class axis. ``-inf`` masks a class.
    temperature : float, default 1.0
        A finite number greater than 0.
    top_k : int, optional
        Keep the ``top_k`` classes with the largest logits (ties go to the
        lower index); ``top_k >= K`` keeps every class.
    top_p : float in (0, 1], optional
        Keep the classes, most likely first, until their total probability
        reaches ``top_p`` (the most likely class is always kept).

    Returns
    -------
    numpy.ndarray of float64, shape (..., K)
        Probabilities, exactly 0 for every class that was cut.

    Raises
    ------
    TypeError
        For bad logits or parameters of the wrong type.
    ValueError
        For NaN logits, an empty class axis, or parameters out of range.

    Examples
    --------
    >>> logits = np.log([0.5, 0.3, 0.15, 0.05])
    >>> sampling_distribution(logits, top_k=2).round(4)
    array([0.625, 0.375, 0.   , 0.   ])
    >>> sampling_distribution(logits, top_p=0.9).round(4)
    array([0.5263, 0.3158, 0.1579, 0.    ])
    """
    return _sampling_distribution(logits, temperature, top_k, top_p, "sampling_distribution")


def _sampling_distribution(logits, temperature, top_k, top_p, function):
    work = _check_logits(logits, function)
    temperature = check_temperature(temperature, function)
    top_k = check_optional_integer(top_k, "top_k", function, minimum=1)
    if top_p is not None:
        top_p = check_real(top_p, "top_p", function, low=0.0, high=1.0, low_open=True)
    # The temperature goes to the core, which divides x - max by it: dividing the
    # logits first would overflow for tiny temperatures (1e300 / 1e-10).
    num_classes = work.shape[-1]
    if top_k is not None and top_k < num_classes:
        order = _descending_order(work)  # dividing by T > 0 keeps the order
        cut = np.zeros(work.shape, dtype=bool)  # in decreasing order of the logits
        cut[..., top_k:] = True
        dropped = np.zeros(work.shape, dtype=bool)
        np.put_along_axis(dropped, order, cut, axis=-1)
        work = np.where(dropped, -np.inf, work)
    probs = _softmax_last(work, temperature)
    if top_p is not None and top_p < 1:
        # most likely first, in the order of the logits: two probabilities of logits
        # closer than rounding (0 and 1e-16) can come out one ULP out of order
        order = _descending_order(work)
        sorted_probs = np.take_along_axis(probs, order, axis=-1)
        before = np.cumsum(sorted_probs, axis=-1) - sorted_probs  # mass of the more likely
        dropped = np.zeros(work.shape, dtype=bool)
        np.put_along_axis(dropped, order, before >= top_p, axis=-1)
        probs = _softmax_last(np.where(dropped, -np.inf, work), temperature)
    return probs


def sample_logits(
    logits: ArrayLike,
    rng: np.random.Generator,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    size: int | None = None,
) -> np.ndarray:
    """Draw class indices from logits, with temperature, top-k and top-p.

    Introduced in chapter 10 (:ref:`sec-sampling`). Samples from
    :func:`sampling_distribution` by inverting its cumulative sum with one
    uniform number per draw.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        Logits; the last axis is the class axis.
    rng : numpy.random.Generator
        The seeded source of randomness.
    temperature, top_k, top_p
        As for :func:`sampling_distribution`.
    size : int, optional
        Draws per row of logits; ``None`` draws one and drops that axis.

    Returns
    -------
    numpy.ndarray of int64
        Shape ``logits.shape[:-1]``, or that plus ``(size,)``.

    Raises
    ------
    TypeError
        If ``rng`` is not a Generator, or as for :func:`sampling_distribution`.
    ValueError
        As for :func:`sampling_distribution`, or a negative ``size``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sample_logits([0.0, 0.0, -np.inf], rng, size=8)
    array([1, 0, 0, 0, 1, 1, 1, 1])
    >>> sample_logits([1.0, 3.0, 2.0], rng, top_k=1, size=4)
    array([1, 1, 1, 1])
    """
    check_rng(rng, "sample_logits")
    size = check_optional_integer(size, "size", "sample_logits", minimum=0)
    probs = _sampling_distribution(logits, temperature, top_k, top_p, "sample_logits")
    batch_shape = probs.shape[:-1]
    draws = 1 if size is None else size
    rows = probs.reshape(-1, probs.shape[-1])
    uniforms = rng.random((rows.shape[0], draws))
    samples = np.empty((rows.shape[0], draws), dtype=np.int64)
    for row, (row_probs, row_uniforms) in enumerate(zip(rows, uniforms, strict=True)):
        cumulative = np.cumsum(row_probs)
        index = np.searchsorted(cumulative, row_uniforms * cumulative[-1], side="right")
        last_possible = np.flatnonzero(row_probs)[-1]
        samples[row] = np.minimum(index, last_possible)
    if size is None:
        return samples.reshape(batch_shape)
    return samples.reshape(batch_shape + (size,))


def gumbel_max_sample(
    logits: ArrayLike, rng: np.random.Generator, *, size: int | None = None
) -> np.ndarray:
    """Draw class indices by the Gumbel-max trick: ``argmax(logits + G)``.

    Introduced in chapter 10 (:ref:`sec-gumbel`). With ``G`` independent
    standard Gumbel noise, the index of the largest perturbed logit follows
    ``softmax(logits)`` exactly.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        Logits; the last axis is the class axis.
    rng : numpy.random.Generator
        The seeded source of randomness.
    size : int, optional
        Draws per row; ``None`` draws one and drops that axis.

    Returns
    -------
    numpy.ndarray of int64
        Shape ``logits.shape[:-1]``, or that plus ``(size,)``.

    Raises
    ------
    TypeError
        If ``rng`` is not a Generator, or for bad logits.
    ValueError
        For NaN logits, an empty class axis or a negative ``size``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> gumbel_max_sample([0.0, 5.0, -np.inf], rng, size=6)
    array([1, 1, 1, 1, 1, 1])
    """
    work = _check_logits(logits, "gumbel_max_sample")
    check_rng(rng, "gumbel_max_sample")
    size = check_optional_integer(size, "size", "gumbel_max_sample", minimum=0)
    if size is None:
        return np.argmax(work + rng.gumbel(size=work.shape), axis=-1)
    noise = rng.gumbel(size=work.shape[:-1] + (size, work.shape[-1]))
    return np.argmax(work[..., None, :] + noise, axis=-1)


def gumbel_softmax(
    logits: ArrayLike, rng: np.random.Generator, *, temperature: float = 1.0
) -> np.ndarray:
    r"""A Gumbel-softmax (concrete) sample: ``softmax((logits + G) / temperature)``.

    Introduced in chapter 10 (:ref:`sec-gumbel`). A differentiable relaxation
    of a one-hot sample: as the temperature goes to 0 it tends to the one-hot
    vector of the Gumbel-max sample drawn with the same noise; large
    temperatures flatten it towards uniform. Its argmax is the Gumbel-max
    sample for every temperature.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        Logits; the last axis is the class axis. For several samples of the
        same logits, pass ``np.broadcast_to(logits, (n, K))``.
    rng : numpy.random.Generator
        The seeded source of randomness.
    temperature : float, default 1.0
        A finite number greater than 0.

    Returns
    -------
    numpy.ndarray of float64
        A point of the probability simplex per row, shape of ``logits``.

    Raises
    ------
    TypeError
        If ``rng`` is not a Generator, or for bad logits or temperature.
    ValueError
        For NaN logits, an empty class axis or a temperature out of range.

    Examples
    --------
    >>> sample = gumbel_softmax([1.0, 2.0, 0.5], np.random.default_rng(3), temperature=0.5)
    >>> sample.round(4), round(float(sample.sum()), 12)
    (array([0.5518, 0.4476, 0.0006]), 1.0)
    """
    work = _check_logits(logits, "gumbel_softmax")
    check_rng(rng, "gumbel_softmax")
    temperature = check_temperature(temperature, "gumbel_softmax")
    return _softmax_last(work + rng.gumbel(size=work.shape), temperature)
