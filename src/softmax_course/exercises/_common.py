"""Mistakes of the softmax of a batch, shared by the chapters that ask for one."""

from __future__ import annotations

import numpy as np

from .. import softmax
from ._mistakes import Mistake


def shifted_softmax(z, shift):
    """The softmax of each row after subtracting ``shift`` (right only for the row maximum)."""
    e = np.exp(z - shift)
    return e / e.sum(axis=-1, keepdims=True)


def row_min(z):
    """Each row's minimum, shape (..., 1): a shift learners pick instead of the maximum."""
    return z.min(axis=-1, keepdims=True)


def row_mean(z):
    """Each row's mean, shape (..., 1): a shift learners pick instead of the maximum."""
    return z.mean(axis=-1, keepdims=True)


#: The shifts of each row other than its maximum that learners pick, shape (..., 1).
NON_MAX_SHIFTS = (
    row_mean,
    row_min,
    lambda z: np.median(z, axis=-1, keepdims=True),
    lambda z: z[..., :1],
    lambda z: z[..., -1:],
)


def shifted_log_softmax(shift):
    """A log-softmax that subtracts ``shift(z)`` from each row, then the log of its sum.

    Right (but for a sum that rounds to 1) only when ``shift`` is the row maximum.
    """

    def log_softmax_rows(z):
        shifted = z - shift(z)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))

    return log_softmax_rows


def batch_max_softmax(z):
    """The softmax with one maximum for the whole batch subtracted (a classic mistake)."""
    return shifted_softmax(z, z.max())


#: The eps of a clipped probability: Keras's 1e-7 and the values learners pick.
CLIP_EPS = (1e-7, 1e-8, 1e-10, 1e-12, 1e-15, np.finfo(float).eps)


def clip_forms(eps_values=CLIP_EPS):
    """Each way a learner keeps a probability off 0 before the log, one function per eps:
    clipped to [eps, 1], to [eps, 1 - eps], or plus eps."""
    forms = (
        lambda p, eps: np.clip(p, eps, 1.0),
        lambda p, eps: np.clip(p, eps, 1.0 - eps),
        lambda p, eps: p + eps,
    )
    return [lambda p, form=form, eps=eps: form(p, eps) for form in forms for eps in eps_values]


def _wrong_axis(z):
    return softmax(z, axis=0)


def _wrong_axis_row_shift(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _whole_batch(z):
    return np.exp(z) / np.exp(z).sum()


def _whole_batch_row_shift(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum()


def _whole_batch_batch_shift(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _not_divided(z):
    return np.exp(z)


def _not_divided_shifted(z):
    return np.exp(z - z.max(axis=-1, keepdims=True))


WRONG_AXIS = Mistake(
    "normalised over the wrong axis",
    "The classes are the last axis of a (batch, classes) array: sum with axis=-1 "
    "(and keepdims=True), so that each row, not each column, sums to 1.",
    variants=[_wrong_axis, _wrong_axis_row_shift],
)
WHOLE_BATCH = Mistake(
    "normalised over the whole batch",
    "A sum without axis adds every entry of the batch, so the whole array sums to "
    "1; each row must: sum with axis=-1, keepdims=True.",
    variants=[_whole_batch, _whole_batch_row_shift, _whole_batch_batch_shift],
)
NOT_DIVIDED = Mistake(
    "exponentials not divided by their sum",
    "These are the exponentials; divide each row by its sum "
    "(np.sum(..., axis=-1, keepdims=True)) so that it sums to 1.",
    variants=[_not_divided, _not_divided_shifted, lambda z: np.exp(z - z.max())],
)
