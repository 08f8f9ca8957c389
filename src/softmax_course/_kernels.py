"""The numerical core: stable, accurate softmax statistics of the rows of a 2-D array.

All public functions reduce to one kernel that walks a C-contiguous ``(rows, K)``
array in blocks of rows small enough to stay in cache, so that the extra passes
of an accurate algorithm cost little next to the one pass of ``exp``. Each block
takes one of two paths.

**Direct path** (temperature 1, the usual case). When a row's largest logit
``m`` lies in ``[0, log(largest float) - log K - 1]``, ``exp(x)`` neither
overflows nor sums to more than the largest float, and it is evaluated at the
logits *themselves*, which are exact: no rounding error of ``x - m`` is
amplified by ``exp``. Then

* softmax is ``exp(x) / sum(exp(x))`` (the test is that the sum is finite and at
  least 1, so that a probability in the normal range never comes from an
  ``exp`` that underflowed);
* the log-sum-exp is ``m + log1p(s)``, with ``s = sum(exp(x_i), i != argmax) /
  exp(m)`` formed in float64 (so ``log1p`` keeps ``s`` when it is tiny;
  Blanchard, Higham and Higham, 2021), and log-softmax is
  ``(x - m) - log1p(s)``: both terms are ``<= 0``, so the rounding of ``x - m``
  is at most half an ULP of the result.

**Compensated path** (every other row, and any temperature). It computes
``d = (x - m) / T`` with ``e``, the rounding error of ``x - m`` found exactly by
the TwoSum algorithm, because ``exp`` turns an absolute error in its argument
into a relative error in its result; then ``s = sum(exp(d) * (1 + e))`` over
every logit but the max, and ``log1p(s)``. A row whose statistics are still
not finite (NaN, infinities, overflow of ``x - m``) is recomputed by a slower
path that applies the documented rules for special values.

No checks are made here: the public functions validate input once.
"""

from __future__ import annotations

import math

import numpy as np

#: Bytes per block: 256 KiB (32768 float64 or 65536 float32 values), about half
#: an L2 cache, so the passes after the first read the block from cache.
BLOCK_BYTES = 1 << 18

_LOG_LARGEST = {
    np.dtype(np.float32): math.log(float(np.finfo(np.float32).max)),
    np.dtype(np.float64): math.log(float(np.finfo(np.float64).max)),
}
_LARGEST = {dtype: float(np.finfo(dtype).max) for dtype in _LOG_LARGEST}
#: Below these logits ``exp`` may be subnormal (and raise the underflow flag).
_LOG_TINY = {dtype: math.log(float(np.finfo(dtype).tiny)) + 1.0 for dtype in _LOG_LARGEST}


def _block_rows(num_classes: int, itemsize: int = 8) -> int:
    return max(1, BLOCK_BYTES // (itemsize * max(num_classes, 1)))


def direct_limit(dtype, num_classes: int) -> float:
    """The largest row max for which the direct path cannot overflow."""
    return _LOG_LARGEST[np.dtype(dtype)] - math.log(num_classes) - 1.0


class _Scratch:
    """Block-sized work arrays, allocated on first use and then reused."""

    def __init__(self, rows: int, num_classes: int, dtype):
        self.shape = (rows, num_classes)
        self.dtype = dtype
        self.arrays: list[np.ndarray] = []
        self.arange = np.arange(rows)

    def get(self, count: int, rows: int) -> list[np.ndarray]:
        while len(self.arrays) < count:
            self.arrays.append(np.empty(self.shape, dtype=self.dtype))
        return [a[:rows] for a in self.arrays[:count]]


def row_kernel(x, temperature: float, mode: str, out=None):
    """Softmax statistics of the rows of ``x`` (2-D, C-contiguous, float32/64).

    ``mode`` is ``"softmax"`` or ``"log_softmax"`` (results written into ``out``,
    shape of ``x``, any float dtype), or ``"stats"`` (returns ``(m, log1p_s)``,
    the row max and ``log(sum(exp((x - m) / T)))``, as float arrays of shape
    ``(rows,)``; the row's log-sum-exp is ``m / T + log1p_s``).
    """
    rows, num_classes = x.shape
    dtype = x.dtype
    if mode == "stats":
        target = (np.empty(rows, dtype=dtype), np.empty(rows, dtype=dtype))
    else:
        target = out
    step = _block_rows(num_classes, dtype.itemsize)
    scratch = _Scratch(min(step, rows), num_classes, dtype)
    direct = temperature == 1.0
    limit = direct_limit(dtype, num_classes)
    probe = False
    with np.errstate(all="ignore"):
        for r0 in range(0, rows, step):
            r1 = min(r0 + step, rows)
            xb = x[r0:r1]
            tb = _slice(target, r0, r1)
            if not direct:
                _compensated_block(xb, temperature, mode, tb, scratch)
                continue
            if probe and mode == "softmax":
                # The last block had no row for the direct path: check before exp.
                top = np.maximum.reduce(xb, axis=1)
                bad = np.flatnonzero(~((top >= 0) & (top <= limit)))
                probe = bad.size == r1 - r0
                if probe:
                    _compensated_block(xb, 1.0, mode, tb, scratch)
                    continue
            if mode == "softmax":
                bad = _direct_softmax(xb, tb, scratch)
            else:
                bad = _direct_log(xb, mode, tb, scratch, limit)
            probe = bad is not None and bad.size == r1 - r0
            if bad is not None and bad.size:
                _redo_rows(xb, bad, mode, tb, scratch)
    if mode == "stats":
        return target
    return out


def _slice(target, r0, r1):
    if isinstance(target, tuple):
        return tuple(t[r0:r1] for t in target)
    return target[r0:r1]


def _direct_softmax(xb, ob, scratch):
    """``exp(x) / sum(exp(x))``; returns the rows whose sum is not in [1, max]."""
    rows = xb.shape[0]
    e = ob if ob.dtype == xb.dtype else scratch.get(1, rows)[0]
    np.exp(xb, out=e)
    total = np.add.reduce(e, axis=1)
    np.divide(e, total[:, None], out=ob)
    ok = (total >= 1.0) & (total <= _LARGEST[xb.dtype])
    if ok.all():
        return None
    return np.flatnonzero(~ok)


def _direct_log(xb, mode, tb, scratch, limit):
    """log-softmax or the row statistics by the direct path; returns rows left over."""
    rows = xb.shape[0]
    arange = scratch.arange[:rows]
    idx = np.argmax(xb, axis=1)
    m = xb[arange, idx]
    ok = (m >= 0) & (m <= limit)
    if not ok.any():
        return arange
    in_place = mode == "log_softmax" and tb.dtype == xb.dtype
    e = tb if in_place else scratch.get(1, rows)[0]
    np.exp(xb, out=e)
    e[arange, idx] = 0
    others = np.add.reduce(e, axis=1).astype(np.float64)
    log1p_s = np.log1p(others / np.exp(m.astype(np.float64)))
    if mode == "stats":
        tb[0][...] = m
        tb[1][...] = log1p_s
    else:
        d = tb if in_place else e
        np.subtract(xb, m[:, None], out=d)
        np.subtract(d, log1p_s.astype(xb.dtype)[:, None], out=tb)
    if ok.all():
        return None
    return np.flatnonzero(~ok)


def _redo_rows(xb, bad, mode, tb, scratch):
    """Recompute the rows ``bad`` of a block by the compensated path."""
    sub = xb[bad]
    if mode == "stats":
        part = (np.empty(len(bad), dtype=xb.dtype), np.empty(len(bad), dtype=xb.dtype))
        _compensated_block(sub, 1.0, mode, part, scratch)
        tb[0][bad] = part[0]
        tb[1][bad] = part[1]
    else:
        part = np.empty(sub.shape, dtype=tb.dtype)
        _compensated_block(sub, 1.0, mode, part, scratch)
        tb[bad] = part


def _shift_and_error(xb, m, d, err, scratch, temperature):
    """Fill ``d = x - m`` and ``err`` = its rounding error (TwoSum), both / T."""
    np.subtract(xb, m, out=d)
    np.subtract(d, xb, out=scratch)  # b' = d - x
    np.subtract(d, scratch, out=err)  # a' = d - b'
    np.subtract(xb, err, out=err)  # x - a'
    np.add(scratch, m, out=scratch)  # m + b'
    np.subtract(err, scratch, out=err)  # (x - a') - (m + b') = (x - m) - d
    if temperature != 1.0:
        _divide_with_error(d, err, temperature)


#: Veltkamp's splitting constants, 2**ceil(p/2) + 1 for a p-bit significand.
_SPLIT = {np.dtype(np.float32): 4097.0, np.dtype(np.float64): 134217729.0}


def _split(a, factor):
    c = a * factor
    high = c - (c - a)
    return high, a - high


def _divide_with_error(d, err, temperature):
    """In place: ``d <- fl(d / T)`` and ``err <- (err + (d - fl(d / T) * T)) / T``.

    The rounding of the division is amplified by ``exp`` just like that of
    ``x - m``; its exact residual ``d - q*T`` comes from Dekker's TwoProduct
    (Veltkamp splitting), so ``exp(q) * (1 + err)`` stays accurate for any T.
    """
    factor = _SPLIT[d.dtype]
    t = d.dtype.type(temperature)
    t_high, t_low = _split(np.asarray(t), factor)
    q = d / t
    q_high, q_low = _split(q, factor)
    product = q * t
    product_error = ((q_high * t_high - product) + q_high * t_low + q_low * t_high) + q_low * t_low
    residual = (d - product) - product_error
    finite = np.isfinite(residual)
    if not finite.all():  # overflow in the split of huge quotients: exp is 0 there anyway
        residual = np.where(finite, residual, 0)
    np.add(err, residual, out=err)
    np.divide(err, t, out=err)
    # In float32, T itself is rounded: T = t + t_low, and d / T ~ q * (1 - t_low / t).
    t_low = float(temperature) - float(t)
    if t_low:
        err -= q * d.dtype.type(t_low / float(t))
    d[...] = q


def _compensated_block(xb, temperature, mode, tb, scratch):
    """The compensated path for one block (see the module doc)."""
    rows = xb.shape[0]
    d, err, p = scratch.get(3, rows)
    arange = scratch.arange[:rows]
    idx = np.argmax(xb, axis=1)
    m = xb[arange, idx]
    m_col = m[:, None]
    _shift_and_error(xb, m_col, d, err, p, temperature)
    np.exp(d, out=p)
    err += 1
    p *= err
    p[arange, idx] = 0
    s = np.sum(p, axis=1)
    ok = np.isfinite(s) & np.isfinite(m)
    if mode == "softmax":
        p[arange, idx] = 1
        s += 1
        np.divide(p, s[:, None], out=tb)
    elif mode == "log_softmax":
        lse = np.log1p(s)
        np.subtract(d, lse[:, None], out=tb)
    else:
        tb[0][...] = m
        tb[1][...] = np.log1p(s)
    if not ok.all():
        bad = np.flatnonzero(~ok)
        if mode == "stats":
            m_bad, l_bad = _special_rows(xb[bad], temperature, mode)
            tb[0][bad] = m_bad
            tb[1][bad] = l_bad
        else:
            tb[bad] = _special_rows(xb[bad], temperature, mode)


def _special_rows(x, temperature: float, mode: str):
    """The rules for rows with NaN, infinities or overflow (see the module doc)."""
    rows, _ = x.shape
    dtype = x.dtype
    has_nan = np.isnan(x).any(axis=1)
    n_pos_inf = np.count_nonzero(x == np.inf, axis=1)
    m = np.where(has_nan, np.nan, np.max(np.where(np.isnan(x), -np.inf, x), axis=1))
    finite_max = np.isfinite(m)
    m_safe = np.where(finite_max, m, 0).astype(dtype)[:, None]
    d = x - m_safe
    b = d - x
    err = (x - (d - b)) - (m_safe + b)
    overflow = np.isinf(d) & np.isfinite(x)
    err = np.where(np.isfinite(err), err, 0).astype(dtype)
    if temperature != 1.0:
        d = d.astype(dtype)
        _divide_with_error(d, err, temperature)
    if temperature > 1.0 and overflow.any():
        # x - m overflowed, but (x - m) / T may not: scale before subtracting.
        d = np.where(overflow, x / temperature - m_safe / temperature, d)
    p = np.exp(d) * (1 + err)
    at_max = np.zeros_like(p, dtype=bool)
    at_max[np.arange(rows), np.argmax(np.where(np.isnan(x), -np.inf, x), axis=1)] = True
    s = np.where(at_max, 0, p).sum(axis=1)
    lse = np.log1p(s)
    # Rows with exactly one +inf: all mass on it.
    one_hot = (x == np.inf).astype(dtype)
    single_inf = (n_pos_inf == 1) & ~has_nan
    nan_rows = has_nan | (n_pos_inf >= 2)
    all_masked = (m == -np.inf) & ~has_nan
    if mode == "softmax":
        res = np.where(at_max, 1, p) / (1 + s)[:, None]
        res = np.where(single_inf[:, None], one_hot, res)
        res[nan_rows | all_masked] = np.nan
        return res
    if mode == "log_softmax":
        res = d - lse[:, None]
        res = np.where(single_inf[:, None], np.log(one_hot), res)
        res[nan_rows | all_masked] = np.nan
        return res
    # stats: m and log1p(s); the caller forms m / T + log1p(s).
    m_out = np.where(finite_max, m, m).astype(dtype)
    l_out = np.where(finite_max, lse, 0).astype(dtype)
    # Any +inf (and no NaN): the log-sum-exp is +inf; all -inf: -inf; NaN: NaN.
    m_out[(n_pos_inf >= 1) & ~has_nan] = np.inf
    m_out[all_masked] = -np.inf
    m_out[has_nan] = np.nan
    return m_out, l_out


#: Vectors up to this length take :func:`small_vector`, which avoids the
#: fixed cost of the block machinery (a few microseconds per NumPy call).
SMALL_VECTOR = 64


def small_vector(x, mode: str):
    """The direct path for one short 1-D vector, or None if it does not apply.

    ``x`` is a 1-D float32/float64 array of length at most :data:`SMALL_VECTOR`
    and the temperature is 1. Returns the softmax or log-softmax (a new array
    of ``x``'s dtype) or, for ``"stats"``, the pair ``(m, log1p_s)`` as
    scalars of ``x``'s dtype; None when the row needs the compensated path.
    When no ``exp`` can overflow or underflow (the usual case), no
    floating-point flag can be raised and ``np.errstate`` (several
    microseconds) is skipped.
    """
    index = int(x.argmax())
    m = float(x[index])
    if not 0.0 <= m <= direct_limit(x.dtype, x.shape[0]):
        return None
    if float(x.min()) >= _LOG_TINY[x.dtype]:
        return _small_direct(x, mode, index, m)
    with np.errstate(all="ignore"):
        return _small_direct(x, mode, index, m)


def _small_direct(x, mode, index, m):
    e = np.exp(x)
    if mode == "softmax":
        np.divide(e, np.add.reduce(e), out=e)
        return e
    e[index] = 0
    log1p_s = math.log1p(float(np.add.reduce(e)) / math.exp(m))
    if mode == "stats":
        return x.dtype.type(m), x.dtype.type(log1p_s)
    d = np.subtract(x, x.dtype.type(m))
    np.subtract(d, x.dtype.type(log1p_s), out=d)
    return d
