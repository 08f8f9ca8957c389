"""The numerical core: one row algorithm for the softmax family and the online normaliser.

For each row ``x`` of K logits (chapter 5, "subtract the max with its exact error
and use log1p"):

1. ``m = max(x)``;
2. ``d = (x - m) / T``, exact: float16 and float32 logits are worked on in
   float64, where their difference is exact; float64 logits carry its rounding
   error ``e`` (Knuth's TwoSum; with a temperature, Dekker's TwoProduct adds the
   error of the division);
3. ``p = exp(d) * (1 + e)``: ``exp`` turns an absolute error of its argument
   into a relative error of its result, so ``e`` is what keeps ``p`` accurate;
4. softmax is ``p / sum(p)``; for the logarithms, ``s`` is the sum of ``p`` over
   every logit but one at the max (each other tie adds exactly 1), and
   ``log(sum(exp(d))) = log1p(s)`` keeps ``s`` when it is tiny. log-softmax is
   ``d - log1p(s)`` (both terms ``<= 0``: nothing cancels), the log-sum-exp
   ``m + log1p(s)``, and the pair of the online normaliser is ``(m, s)``.

Rows with NaN, infinities or a difference that overflows go through one function,
:func:`_special_rows`, which applies the documented rules.

Batch invariance: every operation is element-wise or a reduction along one row,
and how a row is reduced depends only on K. Rows are worked on in blocks that fit
in the cache; rows shorter than :data:`COLUMNS_BELOW` are transposed so that the
reductions run across rows (sequential sums) instead of one short row at a time.
So a row's result does not depend on its batch, its position, the layout of the
array, or whether it came 1-D. No checks are made here: the public functions
validate their input once. Nothing raises a floating-point flag.
"""

from __future__ import annotations

import numpy as np

#: Rows shorter than this are worked on as columns (classes along axis 0).
COLUMNS_BELOW = 16
#: Logits per block: eight float64 work arrays of this size stay in a 4 MiB L2 cache.
BLOCK_VALUES = 1 << 16
#: Veltkamp's splitting constant for float64, 2**27 + 1.
_SPLIT = 134217729.0


def two_sum(a, b):
    """``a + b`` rounded, and its exact rounding error (Knuth's TwoSum), element-wise."""
    total = a + b
    b_virtual = total - a
    return total, (a - (total - b_virtual)) + (b - b_virtual)


def _split(a):
    high = a * _SPLIT
    high -= high - a
    return high, a - high


def _divide(d, e, temperature):
    """``(d + e) / T`` as ``q + error``: the quotient and its error (Dekker's TwoProduct)."""
    q = d / temperature
    q_high, q_low = _split(q)
    t_high, t_low = _split(np.float64(temperature))
    product = q * temperature
    product_error = ((q_high * t_high - product) + q_high * t_low + q_low * t_high) + q_low * t_low
    residual = (d - product) - product_error
    residual[~np.isfinite(residual)] = 0.0  # the split of huge quotients: exp is 0 there
    return q, (e + residual) / temperature


def _difference(z, m, temperature):
    """``d = (z - m) / T`` and its error ``e`` (None where float64 made ``d`` exact)."""
    if not z.base_is_float64:
        d = z.values - m
        return (d if temperature == 1.0 else d / temperature), None
    d, e = two_sum(z.values, -m)
    return (d, e) if temperature == 1.0 else _divide(d, e, temperature)


def _terms(z, axis, temperature):
    """The row max, ``d`` and ``p = exp(d) * (1 + e)`` of a block (classes along ``axis``)."""
    m = np.maximum.reduce(z.values, axis=axis, keepdims=True)
    d, e = _difference(z, m, temperature)
    if z.special:  # an overflowing difference: TwoSum's error is NaN, exp(d) is 0
        e = None if e is None else np.where(np.isfinite(e), e, 0.0)
        if temperature > 1.0:  # (x - m) overflowed, but (x - m) / T may not
            d = np.where(
                np.isinf(d) & np.isfinite(z.values), z.values / temperature - m / temperature, d
            )
    p = np.exp(d)
    if e is not None:
        p += p * e
    return m, d, p


def _log1p_of_others(d, p, axis):
    """``log1p(s)``: ``s`` sums ``p`` over every logit but one at the max (``d == 0``)."""
    at_max = d == 0
    np.putmask(p, at_max, 0.0)
    s = np.add.reduce(p, axis=axis, keepdims=True)
    ties = np.add.reduce(at_max, axis=axis, keepdims=True, dtype=np.intp)
    s += ties - 1
    return s


def _block(z, axis, mode, temperature):
    """The result of one block: probabilities, log-probabilities or ``(m, s)``."""
    m, d, p = _terms(z, axis, temperature)
    if mode == "softmax":
        total = np.add.reduce(p, axis=axis, keepdims=True)
        p *= 1.0 / total
        return p, total
    s = _log1p_of_others(d, p, axis)
    if mode == "log_softmax":
        d -= np.log1p(s)
        return d, s
    return (m, s), s


class _Block:
    """The float64 values of a block of rows and whether they were float64 already."""

    def __init__(self, values, base_is_float64, special=False):
        self.values, self.base_is_float64, self.special = values, base_is_float64, special


def run_rows(rows, mode, temperature=1.0, out=None):
    """softmax or log-softmax of ``(n, K)`` rows into ``out``, or ``(m, s)`` (mode "stats")."""
    n, k = rows.shape
    is64 = rows.dtype == np.float64
    columns = k < COLUMNS_BELOW
    axis = 0 if columns else 1
    step = max(1, BLOCK_VALUES // max(k, 1))
    stats = (np.empty(n), np.empty(n)) if mode == "stats" else None
    with np.errstate(all="ignore"):
        for start in range(0, n, step):
            block = rows[start : start + step]
            values = block.T if columns else block
            values = np.asarray(values, dtype=np.float64, order="C")
            result, check = _block(_Block(values, is64), axis, mode, temperature)
            where = slice(start, start + step)
            if stats is None:
                out[where] = result.T if columns else result
            else:
                stats[0][where], stats[1][where] = (r.reshape(-1) for r in result)
            bad = np.flatnonzero(~np.isfinite(check.reshape(-1)))
            if bad.size:
                _special_rows(block[bad], mode, temperature, out, stats, start + bad)
    return stats


def _special_rows(x, mode, temperature, out, stats, index):
    """NaN, infinities, overflow: the documented rules for these rows (any K)."""
    values = x.astype(np.float64)
    result, _ = _block(_Block(values, x.dtype == np.float64, True), 1, mode, temperature)
    m = np.max(values, axis=1)
    has_nan = np.isnan(values).any(axis=1)
    positive = np.count_nonzero(values == np.inf, axis=1)
    if mode == "stats":
        stats[0][index] = m
        s = np.where(m == np.inf, positive - 1.0, np.where(m == -np.inf, 0.0, result[1][:, 0]))
        stats[1][index] = np.where(has_nan, np.nan, s)
        return
    one_hot = (values == np.inf).astype(np.float64)
    result[positive == 1] = (
        one_hot[positive == 1] if mode == "softmax" else np.log(one_hot[positive == 1])
    )
    result[has_nan | (positive > 1) | (m == -np.inf)] = np.nan
    out[index] = result


def softmax_rows(rows, mode, temperature, out_dtype):
    """softmax or log-softmax of validated ``(n, K)`` logits (K >= 1), a new array."""
    out = np.empty(rows.shape, dtype=out_dtype)
    if rows.size:
        run_rows(rows, mode, temperature, out)
    return out


def row_pairs(rows):
    """The pair ``(m, s)`` of each row (float64): the max and the sum of the others' ``p``.

    A row of no classes, or of ``-inf`` only, gives ``(-inf, 0)``; a ``+inf`` max
    counts the other ``+inf`` in ``s``; NaN gives a NaN max.
    """
    if rows.shape[1] == 0:
        return np.full(rows.shape[0], -np.inf), np.zeros(rows.shape[0])
    return run_rows(rows, "stats")


def logsumexp_rows(rows, out_dtype):
    """The log-sum-exp ``m + log1p(s)`` of each row of validated ``(n, K)`` logits."""
    m, s = row_pairs(rows)
    with np.errstate(all="ignore"):  # inf - inf in special rows; float16 overflow
        return (m + np.log1p(s)).astype(out_dtype)


def cross_entropy_rows(rows, labels):
    """``log1p(s) - (x[label] - m)`` per row: ``-log softmax(rows)[label]``, in float64."""
    m, s = row_pairs(rows)
    picked = rows[np.arange(rows.shape[0]), labels].astype(np.float64)
    with np.errstate(all="ignore"):
        losses = np.log1p(s) - (picked - m)
    special = ~np.isfinite(m)
    if special.any():  # NaN or infinite logits: -log_softmax at the label, by the rules
        log_probs = softmax_rows(rows[special], "log_softmax", 1.0, np.float64)
        losses[special] = -log_probs[np.arange(len(log_probs)), labels[special]]
    return losses


#: The reductions of per-sample losses.
REDUCTIONS = ("mean", "sum", "none")


def reduce_losses(losses, reduction):
    """Combine per-sample losses (``reduction`` already checked); no flag on overflow."""
    if reduction == "none":
        return losses
    with np.errstate(all="ignore"):
        if reduction == "sum":
            return losses.sum(dtype=losses.dtype)
        if losses.size == 0:
            return np.array(np.nan, dtype=losses.dtype)
        return losses.mean(dtype=losses.dtype)
