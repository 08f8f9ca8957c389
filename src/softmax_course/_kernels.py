"""The numerical core: stable, accurate softmax statistics of the rows of a 2-D array.

All public functions reduce to one kernel that walks a C-contiguous ``(rows, K)``
array in blocks of rows small enough to stay in cache. For each row it computes

* ``m``: the largest logit and its index,
* ``d = (x - m) / T``: the shifted, scaled logits, with ``e``, the rounding error
  of ``x - m`` (found exactly by the TwoSum algorithm), because ``exp`` turns an
  absolute error in its argument into a relative error in its result,
* ``s = sum(exp(d) * (1 + e))`` over every logit but the one at the max, so that
  ``log(1 + s)`` can be formed with ``log1p`` without losing ``s`` when it is
  tiny (Blanchard, Higham and Higham, 2021).

No checks are made here: the public functions validate input once. A row whose
statistics are not finite (NaN, infinities, overflow of ``x - m``) is recomputed
by a slower path that applies the documented rules for special values.
"""

from __future__ import annotations

import numpy as np

#: Elements per block: 32768 float64 values are 256 KiB, about half an L2 cache.
BLOCK_ELEMENTS = 1 << 15


def _block_rows(num_classes: int) -> int:
    return max(1, BLOCK_ELEMENTS // max(num_classes, 1))


def _shift_and_error(xb, m, d, err, scratch, temperature):
    """Fill ``d = x - m`` and ``err`` = its rounding error (TwoSum), both / T."""
    np.subtract(xb, m, out=d)
    np.subtract(d, xb, out=scratch)  # b' = d - x
    np.subtract(d, scratch, out=err)  # a' = d - b'
    np.subtract(xb, err, out=err)  # x - a'
    np.add(scratch, m, out=scratch)  # m + b'
    np.subtract(err, scratch, out=err)  # (x - a') - (m + b') = (x - m) - d
    if temperature != 1.0:
        np.divide(d, temperature, out=d)
        np.divide(err, temperature, out=err)


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
        m_all = np.empty(rows, dtype=dtype)
        l_all = np.empty(rows, dtype=dtype)
    step = _block_rows(num_classes)
    nb = min(step, rows)
    d_buf = np.empty((nb, num_classes), dtype=dtype)
    e_buf = np.empty((nb, num_classes), dtype=dtype)
    t_buf = np.empty((nb, num_classes), dtype=dtype)
    arange = np.arange(nb)
    with np.errstate(all="ignore"):
        for r0 in range(0, rows, step):
            r1 = min(r0 + step, rows)
            b = r1 - r0
            xb = x[r0:r1]
            d, err, p, ar = d_buf[:b], e_buf[:b], t_buf[:b], arange[:b]
            idx = np.argmax(xb, axis=1)
            m = xb[ar, idx]
            m_col = m[:, None]
            _shift_and_error(xb, m_col, d, err, p, temperature)
            np.exp(d, out=p)
            err += 1
            p *= err
            p[ar, idx] = 0
            s = np.sum(p, axis=1)
            ok = np.isfinite(s) & np.isfinite(m)
            if mode == "softmax":
                p[ar, idx] = 1
                s += 1
                np.divide(p, s[:, None], out=out[r0:r1])
            elif mode == "log_softmax":
                lse = np.log1p(s)
                np.subtract(d, lse[:, None], out=out[r0:r1])
            else:
                m_all[r0:r1] = m
                l_all[r0:r1] = np.log1p(s)
            if not ok.all():
                bad = np.flatnonzero(~ok)
                if mode == "stats":
                    m_bad, l_bad = _special_rows(xb[bad], temperature, mode)
                    m_all[r0 + bad] = m_bad
                    l_all[r0 + bad] = l_bad
                else:
                    out[r0 + bad] = _special_rows(xb[bad], temperature, mode)
    if mode == "stats":
        return m_all, l_all
    return out


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
    if temperature > 1.0 and overflow.any():
        d = np.where(overflow, x / temperature - m_safe / temperature, d)
    d = d / temperature
    err = np.where(np.isfinite(err), err / temperature, 0)
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
