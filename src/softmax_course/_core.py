"""The numerical core: one row algorithm for the softmax family and the online normaliser.

For each row ``x`` (chapter 5: subtract the max with its exact error, use log1p): ``m = max(x)``;
``d = (x - m) / T`` exactly (float16/32 logits in float64, where the difference is exact; float64
logits with its error ``e`` by TwoSum, and that of the division by TwoProduct);
``p = exp(d) * (1 + e)``; softmax ``p / sum(p)``. ``s`` sums ``p`` over every logit but the first
at the max: log-softmax is ``d - log1p(s)`` (both terms ``<= 0``), the log-sum-exp
``m + log1p(s)``, and ``(m, s)`` is the online normaliser's pair. NaN, infinities and overflowing
differences: one function, :func:`_special_rows`. Every step is element-wise or a reduction along
one row, done the same way for every row of a given K (in cache-sized blocks; rows shorter than
:data:`COLUMNS_BELOW` as columns): a row's result does not depend on its batch. No checks here,
and no floating-point warning is emitted (flags raised inside are ignored).
"""

from __future__ import annotations

import numpy as np

COLUMNS_BELOW = 16  # shorter rows are columns: NumPy reduces a short row 10x slower
BLOCK_VALUES = 1 << 15  # logits per block: its five float64 work arrays stay in L2
#: NumPy's ``exp`` of a float64 below about -708 is a hundred times slower: it is taken of
#: ``max(d, FAST_EXP_FROM)``, and of the few terms from ``UNDERFLOW`` (0 below) on their own.
FAST_EXP_FROM = -707.0
UNDERFLOW = float(np.log(np.finfo(np.float64).smallest_subnormal)) - 1.0
FLOAT32_FLOOR = -150.0  # float16/32 logits: p = 0 below (far under the least float32)
_SPLIT = 134217729.0  # Veltkamp's splitting constant for float64, 2**27 + 1


def two_sum(a, b, total=None, error=None, scratch=None):
    """``a + b`` rounded and its exact error (Knuth's TwoSum); into ``total``, ``error``."""
    if total is None:
        total = np.add(a, b)
        b_virtual = total - a
        return total, (a - (total - b_virtual)) + (b - b_virtual)
    b_virtual = np.subtract(np.add(a, b, out=total), a, out=scratch)
    error = np.subtract(total, b_virtual, out=error)  # a_virtual
    np.subtract(a, error, out=error)
    np.subtract(b, b_virtual, out=b_virtual)
    return total, np.add(error, b_virtual, out=error)


def _split(a):
    high = a * _SPLIT
    high -= high - a
    return high, a - high


def _divide(d, e, temperature):
    """In place, ``d + e <- (d + e) / T``: the division's error by Dekker's TwoProduct."""
    q = d / temperature
    (q_high, q_low), (t_high, t_low) = _split(q), _split(np.float64(temperature))
    product = q * temperature
    product_error = ((q_high * t_high - product) + q_high * t_low + q_low * t_high) + q_low * t_low
    residual = (d - product) - product_error
    residual[~np.isfinite(residual)] = 0.0  # the split of huge quotients: exp is 0 there
    np.divide(np.add(e, residual, out=e), temperature, out=e)
    d[...] = q


class _Work:
    """A block of rows in float64 (classes along ``axis``), its work arrays, its result."""

    def __init__(self, values, axis, is64, buffers, special=False, result=None):
        self.values, self.axis, self.is64, self.special = values, axis, is64, special
        views = [b[: values.size].reshape(values.shape) for b in buffers[:4]]  # 1-D buffers
        self.d, self.e, self.p, self.tmp = views
        self.result = result  # float64 results, row layout: written there, no copy

    def first_max(self, where=True):
        """The row max and (if ``where``) where it first occurs (an index for ``p``)."""
        if not where:  # softmax: the max is enough, 0.0 or -0.0 give the same p
            return np.maximum.reduce(self.values, axis=self.axis, keepdims=True), None
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


def _terms(w, temperature, where=True):
    """The row max, ``d = (x - m) / T`` and ``p = exp(d) * (1 + e)`` into ``w``."""
    m, at = w.first_max(where)
    if w.is64:
        two_sum(w.values, -m, w.d, w.e, w.tmp)
    else:  # float16 and float32 logits: the difference is exact in float64
        np.subtract(w.values, m, out=w.d)
    if temperature != 1.0:
        _divide(w.d, w.e, temperature) if w.is64 else np.divide(w.d, temperature, out=w.d)
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
        return np.exp(d, out=p)
    low = UNDERFLOW if floor == FAST_EXP_FROM else floor  # exp(d) is 0 below ``low``
    zero = np.less(d, low)  # not NaN: a NaN p marks a special row
    if 4 * np.count_nonzero(zero) > 3 * zero.size:  # mostly 0: exp of the others only
        p.fill(0.0)
        again = ~zero
    else:
        np.exp(np.maximum(d, floor, out=p), out=p)
        np.multiply(p, d >= floor, out=p)  # 0 below: 10x faster than putmask
        again = (d < floor) & ~zero if low < floor else zero[:0]  # float64: the band
    at = np.flatnonzero(again)
    p.reshape(-1)[at] = np.exp(d.reshape(-1)[at])
    return p


def _block(w, mode, temperature):
    """A block's result, and per row a number that is not finite for special rows."""
    if w.result is not None:
        w.p, w.d = (w.result, w.d) if mode == "softmax" else (w.p, w.result)
    m, at = _terms(w, temperature, mode != "softmax")
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


def softmax_rows(rows, mode, temperature=1.0, out_dtype=np.float64):
    """softmax or log-softmax of validated ``(n, K)`` rows, or ``(m, s)`` (mode "stats")."""
    (n, k), is64, columns = rows.shape, rows.dtype == np.float64, rows.shape[1] < COLUMNS_BELOW
    out = None if mode == "stats" else np.empty(rows.shape, dtype=out_dtype)
    stats = (np.empty(n), np.empty(n)) if mode == "stats" else None
    direct = out is not None and not columns and out.dtype == np.float64  # written there
    step = max(1, BLOCK_VALUES // max(k, 1))
    buffers = [np.empty(min(n, step) * k) for _ in range(5)]
    with np.errstate(all="ignore"):
        for start in range(0, n, step):
            where = slice(start, start + step)
            block = rows[where]
            values = block.T if columns else block
            if columns or not is64:  # a float64 copy, in the cache
                values = buffers[4][: values.size].reshape(values.shape)
                np.copyto(values, block.T if columns else block)
            w = _Work(values, 1 - columns, is64, buffers, False, out[where] if direct else None)
            result, check = _block(w, mode, temperature)
            if stats is not None:
                stats[0][where], stats[1][where] = (r.reshape(-1) for r in result)
            elif not direct:
                out[where] = result.T if columns else result
            bad = np.flatnonzero(~np.isfinite(check.reshape(-1)))
            if bad.size:
                _special_rows(block[bad], mode, temperature, out, stats, start + bad)
    return out if stats is None else stats


def _special_rows(x, mode, temperature, out, stats, index):
    """NaN, infinities, overflow: the documented rules for these rows (any K)."""
    values, buffers = x.astype(np.float64), [np.empty(x.size) for _ in range(4)]
    result, _ = _block(_Work(values, 1, x.dtype == np.float64, buffers, True), mode, temperature)
    m = np.max(values, axis=1)
    has_nan = np.isnan(values).any(axis=1)
    positive = np.count_nonzero(values == np.inf, axis=1)
    if mode == "stats":
        s = np.where(m == np.inf, positive - 1.0, np.where(m == -np.inf, 0.0, result[1][:, 0]))
        stats[0][index], stats[1][index] = m, np.where(has_nan, np.nan, s)
        return
    single = positive == 1
    one_hot = (values[single] == np.inf).astype(np.float64)
    result[single] = one_hot if mode == "softmax" else np.log(one_hot)
    result[has_nan | (positive > 1) | (m == -np.inf)] = np.nan
    out[index] = result


def row_pairs(rows):
    """``(m, s)`` of each row; ``(-inf, 0)`` for no classes or all ``-inf``."""
    if rows.shape[1] == 0:
        return np.full(rows.shape[0], -np.inf), np.zeros(rows.shape[0])
    return softmax_rows(rows, "stats")
