"""The compensated path of the kernel: error-free transformations and special values.

Rows that no exact shift serves (see :mod:`softmax_course._kernels`), and every
row when the temperature is not 1, compute ``d = (x - m) / T`` together with
``e``, its rounding error: the error of ``x - m`` exactly by Knuth's TwoSum,
that of the division by Dekker's TwoProduct (Veltkamp splitting). Then ``s =
sum(exp(d) * (1 + e))`` over every logit but the max, and ``log1p(s)``. A row
whose statistics are still not finite (NaN, infinities, overflow of ``x - m``)
is recomputed by :func:`_special_rows`, which applies the documented rules for
special values. No checks, and every caller runs this under
``np.errstate(all="ignore")``.
"""

from __future__ import annotations

import numpy as np


def two_sum(a, b, total=None, error=None, scratch=None):
    """``a + b`` rounded, and its exact rounding error (Knuth's TwoSum), element-wise.

    With ``total``, ``error`` and ``scratch`` (arrays of the broadcast shape),
    the results and the work go there and nothing is allocated.
    """
    if total is None:
        total = a + b
        b_virtual = total - a
        return total, (a - (total - b_virtual)) + (b - b_virtual)
    np.add(a, b, out=total)
    np.subtract(total, a, out=scratch)  # b_virtual
    np.subtract(total, scratch, out=error)  # a_virtual
    np.subtract(a, error, out=error)  # a - a_virtual
    np.subtract(b, scratch, out=scratch)  # b - b_virtual
    np.add(error, scratch, out=error)
    return total, error


def _shift_and_error(xb, m, d, err, scratch, temperature):
    """Fill ``d = x - m`` and ``err`` = its rounding error (TwoSum), both / T."""
    two_sum(xb, -m, total=d, error=err, scratch=scratch)
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


def compensated_block(xb, temperature, mode, tb, scratch):
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
    d, err = two_sum(x, -m_safe)
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
