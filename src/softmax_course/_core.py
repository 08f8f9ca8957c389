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

#: Rows shorter than this are worked on as columns (classes along axis 0): NumPy
#: reduces a short row about ten times slower than it reduces across rows.
COLUMNS_BELOW = 16
#: Logits per block: the float64 work arrays of a block stay in a 4 MiB L2 cache.
BLOCK_VALUES = 1 << 16
#: ``exp`` of a float64 below about -708 is subnormal or 0, and NumPy's fast kernel
#: hands the whole call to a path a hundred times slower: so ``exp`` is taken of
#: ``max(d, FAST_EXP_FROM)``, and the few terms between ``UNDERFLOW`` (where ``exp``
#: is 0) and ``FAST_EXP_FROM`` are computed again, on their own.
FAST_EXP_FROM = -707.0
UNDERFLOW = float(np.log(np.finfo(np.float64).smallest_subnormal)) - 1.0
#: For float16 and float32 logits ``p`` is 0 below ``d = -150``: ``exp(-150) / K`` is
#: far below the smallest float32, so no result changes, and ``exp`` stays fast.
FLOAT32_FLOOR = -150.0
#: Veltkamp's splitting constant for float64, 2**27 + 1.
_SPLIT = 134217729.0


def two_sum(a, b, total=None, error=None, scratch=None):
    """``a + b`` rounded, and its exact rounding error (Knuth's TwoSum), element-wise.

    With ``total``, ``error`` and ``scratch`` (arrays of the broadcast shape) the
    results and the work go there and nothing is allocated.
    """
    if total is None:
        total = np.add(a, b)
        b_virtual = total - a
        return total, (a - (total - b_virtual)) + (b - b_virtual)
    np.add(a, b, out=total)
    b_virtual = np.subtract(total, a, out=scratch)
    error = np.subtract(total, b_virtual, out=error)  # a_virtual
    np.subtract(a, error, out=error)
    np.subtract(b, b_virtual, out=b_virtual)
    return total, np.add(error, b_virtual, out=error)


def _split(a):
    high = a * _SPLIT
    high -= high - a
    return high, a - high


def _divide(d, e, temperature):
    """``(d + e) / T`` as ``q + error``, in place (Dekker's TwoProduct for the division)."""
    q = d / temperature
    q_high, q_low = _split(q)
    t_high, t_low = _split(np.float64(temperature))
    product = q * temperature
    product_error = ((q_high * t_high - product) + q_high * t_low + q_low * t_high) + q_low * t_low
    residual = (d - product) - product_error
    residual[~np.isfinite(residual)] = 0.0  # the split of huge quotients: exp is 0 there
    e += residual
    e /= temperature
    d[...] = q


class _Work:
    """A block of rows in float64 (classes along ``axis``) and its work arrays."""

    def __init__(self, values, axis, is64, buffers, special=False, result=None):
        self.values, self.axis, self.is64, self.special = values, axis, is64, special
        size, shape = values.size, values.shape
        views = [b.reshape(-1)[:size].reshape(shape) for b in buffers[:4]]
        self.d, self.e, self.p, self.tmp = views
        self.result = result  # where the result goes, if it can be written there directly

    def first_max(self):
        """The row max, and where its first occurrence is (as an index for ``p``)."""
        if self.axis == 1:
            index = np.argmax(self.values, axis=1)
            at = (np.arange(len(index)), index)
            return self.values[at][:, None], at
        m = np.maximum.reduce(self.values, axis=0)
        index = np.zeros(len(m), dtype=np.intp)
        for j in range(self.values.shape[0] - 1, -1, -1):  # K < COLUMNS_BELOW passes
            index[self.values[j] == m] = j
        at = (index, np.arange(len(m)))
        return self.values[at][None, :], at  # the first max itself (0.0 or -0.0)

    def sum(self, a):
        """Row sums: pairwise along a row; over columns one by one, whatever the batch."""
        if self.axis == 1:
            return np.add.reduce(a, axis=1, keepdims=True)
        total = a[0].copy()
        for column in a[1:]:
            total += column
        return total[None, :]


def _terms(w, temperature):
    """The row max, ``d = (x - m) / T`` and ``p = exp(d) * (1 + e)`` into ``w``."""
    m, at = w.first_max()
    if w.is64:
        two_sum(w.values, -m, w.d, w.e, w.tmp)
        if temperature != 1.0:
            _divide(w.d, w.e, temperature)
    else:  # float16 and float32 logits: the difference is exact in float64
        np.subtract(w.values, m, out=w.d)
        if temperature != 1.0:
            w.d /= temperature
    if w.special:  # an overflowing difference: TwoSum's error is NaN, exp(d) is 0
        w.e[~np.isfinite(w.e)] = 0.0
        if temperature > 1.0:  # (x - m) overflowed, but (x - m) / T may not
            big = np.isinf(w.d) & np.isfinite(w.values)
            w.d[big] = (w.values / temperature - m / temperature)[big]
    _exp(w.d, w.p, FAST_EXP_FROM if w.is64 else FLOAT32_FLOOR)
    if w.is64:
        w.p += np.multiply(w.p, w.e, out=w.tmp)
    return m, at


def _exp(d, p, floor):
    """``p = exp(d)``; below ``floor`` 0, or ``exp(d)`` computed on its own for float64."""
    if float(np.minimum.reduce(d, axis=None)) >= floor:
        np.exp(d, out=p)
        return
    np.exp(np.maximum(d, floor, out=p), out=p)
    low = d < floor
    np.putmask(p, low, 0.0)
    if floor == FAST_EXP_FROM:  # float64: the few normal results below the floor
        band = np.flatnonzero(low & (d >= UNDERFLOW))
        p.reshape(-1)[band] = np.exp(d.reshape(-1)[band])


def _block(w, mode, temperature):
    """One block's probabilities, log-probabilities or ``(m, s)``; and a number per row
    that is finite unless the row needs :func:`_special_rows`."""
    if w.result is not None:  # float64 results, row layout: no copy at the end
        w.p, w.d = (w.result, w.d) if mode == "softmax" else (w.p, w.result)
    m, at = _terms(w, temperature)
    if mode == "softmax":
        total = w.sum(w.p)
        w.p *= 1.0 / total
        return w.p, total
    w.p[at] = 0.0  # s: the sum of p over every logit but the first at the max
    s = w.sum(w.p)
    if mode == "log_softmax":
        w.d -= np.log1p(s)
        return w.d, s
    return (m, s), s


def run_rows(rows, mode, temperature=1.0, out=None):
    """softmax or log-softmax of ``(n, K)`` rows into ``out``, or ``(m, s)`` (mode "stats")."""
    n, k = rows.shape
    is64 = rows.dtype == np.float64
    columns = k < COLUMNS_BELOW
    step = max(1, BLOCK_VALUES // k)
    buffers = [np.empty(min(n, step) * k) for _ in range(5)]
    stats = (np.empty(n), np.empty(n)) if mode == "stats" else None
    with np.errstate(all="ignore"):
        for start in range(0, n, step):
            block = rows[start : start + step]
            values = block.T if columns else block
            if columns or not is64:  # a float64 copy, in the cache
                values = buffers[4].reshape(-1)[: values.size].reshape(values.shape)
                np.copyto(values, block.T if columns else block)
            where = slice(start, start + step)
            direct = stats is None and not columns and out.dtype == np.float64
            w = _Work(
                values, 0 if columns else 1, is64, buffers, result=out[where] if direct else None
            )
            result, check = _block(w, mode, temperature)
            if stats is not None:
                stats[0][where], stats[1][where] = (r.reshape(-1) for r in result)
            elif not direct:
                out[where] = result.T if columns else result
            bad = np.flatnonzero(~np.isfinite(check.reshape(-1)))
            if bad.size:
                _special_rows(block[bad], mode, temperature, out, stats, start + bad)
    return stats


def _special_rows(x, mode, temperature, out, stats, index):
    """NaN, infinities, overflow: the documented rules for these rows (any K)."""
    values = x.astype(np.float64)
    buffers = [np.empty(x.size) for _ in range(4)]
    w = _Work(values, 1, x.dtype == np.float64, buffers, special=True)
    result, _ = _block(w, mode, temperature)
    m = np.max(values, axis=1)
    has_nan = np.isnan(values).any(axis=1)
    positive = np.count_nonzero(values == np.inf, axis=1)
    if mode == "stats":
        stats[0][index] = m
        s = np.where(m == np.inf, positive - 1.0, np.where(m == -np.inf, 0.0, result[1][:, 0]))
        stats[1][index] = np.where(has_nan, np.nan, s)
        return
    single = positive == 1
    one_hot = (values[single] == np.inf).astype(np.float64)
    result[single] = one_hot if mode == "softmax" else np.log(one_hot)
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
