"""The numerical core: stable, accurate softmax statistics of the rows of a 2-D array.

All public functions reduce to one kernel that walks a C-contiguous ``(rows, K)``
array in blocks of rows small enough to stay in cache, so that the extra passes
of an accurate algorithm cost little next to the one pass of ``exp``. Each row
of a block takes one of two paths.

**Exact-shift path** (temperature 1, the usual case). ``exp`` turns an absolute
error in its argument into a relative error of its result, so the shift ``c``
subtracted before ``exp`` is chosen so that ``x - c`` is *exact* for every
logit that can matter (every ``x > m - R``, where ``m`` is the row max and
``exp(-R)`` underflows to 0):

* ``0 <= m <= log(largest float) - log K - 1``: ``c = 0``. ``exp`` is taken of
  the logits themselves and nothing can overflow;
* ``m < 0`` (every logit negative, as for log-probabilities): ``c = m`` if
  ``m <= -R`` (then every ``x`` that matters lies in ``[2m, m]``, where
  ``x - m`` is exact by Sterbenz's lemma), else ``m`` rounded toward 0 to a
  multiple of ``U``, a power of two at least the ULP of every ``|x| < 2R``: then
  ``x - c`` is a multiple of the ULP of ``x`` and no larger than ``|x|``, so exact;
* a large max, ``m >= 2R``, or any positive ``m`` whose row lies in
  ``[m/2, m]``: ``c = m``, exact by Sterbenz's lemma.

Where one number serves a whole block it is used for every row (a scalar
subtraction is the cheapest NumPy operation, see :func:`plan_shift`): ``c = 0``
also for all-negative rows whose exponentials are all normal numbers, and the
smallest row max for a block of large maxima. Softmax tries ``c = 0`` before
even taking the max once a block needed no shift: a row whose sum lies in
``[1, largest]`` is then done.

Then softmax is ``exp(x - c) / sum(exp(x - c))``, the log-sum-exp is
``m + log1p(s)`` with ``s = sum(exp(x_i - c), i != argmax) / exp(m - c)``
formed in float64 (so ``log1p`` keeps ``s`` when it is tiny; Blanchard, Higham
and Higham, 2021), and log-softmax is ``(x - m) - log1p(s)``: both terms are
``<= 0``, so the rounding of ``x - m`` is at most half an ULP of the result.

**Compensated path** (:mod:`softmax_course._compensated`: the rare rows with
``log(largest) - log K - 1 < m < 2R`` and small logits, rows with NaN or
infinities, and any temperature). It
computes ``d = (x - m) / T`` with ``e``, the rounding error of ``x - m`` found
exactly by TwoSum (and of the division, by Dekker's TwoProduct); then ``s =
sum(exp(d) * (1 + e))`` over every logit but the max, and ``log1p(s)``. A row
whose statistics are still not finite (NaN, infinities, overflow of ``x - m``)
is recomputed by a slower path that applies the documented rules for special
values.

No checks are made here: the public functions validate input once. Every
operation runs under ``np.errstate(all="ignore")`` or provably raises no
floating-point flag, so the public functions raise none.
"""

from __future__ import annotations

import math

import numpy as np

from ._compensated import compensated_block

#: Bytes per block: 256 KiB (32768 float64 or 65536 float32 values), about half
#: an L2 cache, so the passes after the first read the block from cache.
BLOCK_BYTES = 1 << 18


class _Constants:
    """The thresholds of one float dtype (see the module doc)."""

    def __init__(self, dtype):
        info = np.finfo(dtype)
        self.log_largest = math.log(float(info.max))
        self.largest = float(info.max)
        #: Below ``m - relevant`` an ``exp(x - m)`` underflows to 0 (so x - c may round).
        self.relevant = -math.log(float(info.smallest_subnormal)) + 1.0
        #: A power of two at least the ULP of every ``|x| < 2 * relevant``.
        self.unit = float(np.spacing(dtype.type(2.0 * self.relevant)))
        #: ``exp`` of anything above this is normal (no underflow flag).
        self.log_tiny = math.log(float(info.tiny)) + 1.0


_CONSTANTS = {np.dtype(t): _Constants(np.dtype(t)) for t in (np.float32, np.float64)}


def _block_rows(num_classes: int, itemsize: int = 8) -> int:
    return max(1, BLOCK_BYTES // (itemsize * max(num_classes, 1)))


def direct_limit(dtype, num_classes: int) -> float:
    """The largest row max for which ``exp(x)`` itself (no shift) cannot overflow its sum."""
    return _CONSTANTS[np.dtype(dtype)].log_largest - math.log(num_classes) - 1.0


class _Scratch:
    """Block-sized work arrays, allocated on first use and then reused."""

    def __init__(self, rows: int, num_classes: int, dtype):
        self.shape = (rows, num_classes)
        self.dtype = dtype
        self.arrays: list[np.ndarray] = []
        self.arange = np.arange(rows)
        #: Whether the last block needed a shift (then the next one plans first;
        #: the first block is planned, so that no exp is wasted on it).
        self.shifted = True

    def get(self, count: int, rows: int) -> list[np.ndarray]:
        while len(self.arrays) < count:
            self.arrays.append(np.empty(self.shape, dtype=self.dtype))
        return [a[:rows] for a in self.arrays[:count]]


def plan_shift(xb, m, limit: float, one_shift: bool = True):
    """The shift ``c`` of a block of rows, and which rows it serves (see the module doc).

    ``m`` is the row max. Returns ``(c, exact)``: ``c`` is one number for the
    whole block (subtracted as a scalar, the cheapest NumPy operation) when
    one serves every row, else one per row; ``exact`` is None when every row
    is served, else a boolean per row. Rows not served (NaN, an infinite max,
    or logits on both sides of ``m/2`` with ``m`` just above ``limit``) take
    the compensated path. With ``one_shift=False`` a large max is its own
    row's shift (log-softmax needs ``x - m`` anyway).
    """
    dtype = xb.dtype
    const = _CONSTANTS[dtype]
    m_low, m_high = float(m.min()), float(m.max())  # NaN if any row has NaN
    if 0 <= m_low and m_high <= limit:
        return 0.0, None
    if 2 * const.relevant <= m_low and m_high < math.inf:
        # Every max large: x - m is exact for every logit that matters (Sterbenz).
        if not one_shift:
            return m, None
        if m_high - m_low <= limit:
            return dtype.type(m_low), None
    block_low = float(np.minimum.reduce(xb, axis=None))
    if not one_shift and limit < m_low and m_high < math.inf and block_low >= m_high / 2:
        return m, None  # every logit in [m/2, m] of its row
    # No shift: every exp normal (so none lost precision) and none overflowing.
    if m_high <= limit and block_low >= const.log_tiny:
        return 0.0, None
    # One positive shift, the smallest row max: x - c exact by Sterbenz's lemma
    # for every logit that matters, exp(m - c) >= 1 and no overflow.
    c = m_low
    if one_shift and c >= 1 and m_high - c <= min(limit, c) and block_low >= c / 2:
        return dtype.type(c), None
    low = np.minimum.reduce(xb, axis=1)
    if ((m <= limit) & ((m >= 0) | (low >= const.log_tiny))).all():
        return 0.0, None
    if one_shift and c >= 1 and m_high - c <= min(limit, c):
        half = c / 2
        if ((low >= half) | (m - const.relevant >= half)).all():
            return dtype.type(c), None
    return exact_shifts(xb, m, limit, low)


def exact_shifts(xb, m, limit: float, low=None):
    """A shift per row and whether ``x - c`` is exact (see the module doc).

    ``m`` is the row max and ``low`` the row min (computed if not given).
    Returns ``(c, exact)``: an array of shifts and a boolean array.
    """
    zero = (m >= 0) & (m <= limit)
    const = _CONSTANTS[xb.dtype]
    relevant, unit = const.relevant, const.unit
    finite = np.isfinite(m)
    negative = (m < 0) & finite
    large = (m > limit) & finite
    c = np.where(zero, xb.dtype.type(0), m)
    near_zero = negative & (m > -relevant)
    if near_zero.any():
        c[near_zero] = np.trunc(m[near_zero] / unit) * unit
    exact = zero | negative | (large & (m >= 2 * relevant))
    window = large & (m < 2 * relevant)
    if window.any():
        if low is None:
            low = np.minimum.reduce(xb, axis=1)
        exact |= window & (low >= m / 2)
    return c, exact


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
    limit = direct_limit(dtype, num_classes)
    with np.errstate(all="ignore"):  # also restores the buffer size on exit
        _row_sized_buffers(num_classes, out is None or out.dtype == dtype)
        for r0 in range(0, rows, step):
            r1 = min(r0 + step, rows)
            xb = x[r0:r1]
            tb = _slice(target, r0, r1)
            if temperature != 1.0:
                compensated_block(xb, temperature, mode, tb, scratch)
                continue
            if mode == "softmax":
                bad = _shifted_softmax(xb, tb, scratch, limit)
            else:
                bad = _shifted_log(xb, mode, tb, scratch, limit)
            if bad.size:
                _redo_rows(xb, bad, mode, tb, scratch)
    if mode == "stats":
        return target
    return out


def _row_sized_buffers(num_classes: int, same_dtype: bool) -> None:
    """Make NumPy's ufunc buffers one row long (call inside ``np.errstate``).

    Subtracting or dividing by one number per row (``x - m[:, None]``) is a
    broadcast that NumPy buffers, copying the column into rows of its default
    8192-element buffer: with rows shorter than that, this costs as much as an
    ``exp``. With a buffer no longer than a row, the inner loop runs on each row
    with its number as a scalar, about twice as fast. Only when no operation of
    the kernel casts (a float16 result does), since casts need the buffer.
    """
    if same_dtype and num_classes < np.getbufsize():
        np.setbufsize(max(16, -(-num_classes // 16) * 16))


def _slice(target, r0, r1):
    if isinstance(target, tuple):
        return tuple(t[r0:r1] for t in target)
    return target[r0:r1]


def _subtract_shift(xb, c, out):
    """``x - c`` into ``out`` (c a number or one per row); ``x`` itself if c is 0."""
    if np.ndim(c) == 0:
        if c == 0:
            return xb
        return np.subtract(xb, c, out=out)
    return np.subtract(xb, c[:, None], out=out)


def _left_over(exact, ok=None):
    """The rows for the compensated path: not served by the shift, or not ``ok``."""
    if ok is not None and exact is not None:
        ok = ok & exact
    elif ok is None:
        ok = exact
    if ok is None:
        return _NONE
    return np.flatnonzero(~ok)


_NONE = np.empty(0, dtype=np.intp)


def _shifted_softmax(xb, ob, scratch, limit):
    """``exp(x - c) / sum(exp(x - c))``; returns the rows left for the compensated path.

    First, if the last block needed no shift, ``c = 0`` is tried without
    the max: a row whose sum lies in ``[1, largest]`` needs no shift (no
    overflow, and a normal probability ``e / sum <= e`` never comes from an
    ``exp`` that underflowed). Otherwise the block is planned from its maxima.
    """
    rows = xb.shape[0]
    e = ob if ob.dtype == xb.dtype else scratch.get(1, rows)[0]
    largest = _CONSTANTS[xb.dtype].largest
    if not scratch.shifted:
        np.exp(xb, out=e)
        total = np.add.reduce(e, axis=1)
        if 1 <= float(total.min()) and float(total.max()) <= largest:
            _normalize(e, total, ob)
            return _NONE
    m = np.maximum.reduce(xb, axis=1)
    c, exact = plan_shift(xb, m, limit)
    scratch.shifted = not (np.ndim(c) == 0 and c == 0 and float(m.min()) >= 0)
    np.exp(_subtract_shift(xb, c, e), out=e)
    total = np.add.reduce(e, axis=1)
    _normalize(e, total, ob)
    # The sum is positive and finite on every route; NaN fails the test.
    if 0 < float(total.min()) and float(total.max()) <= largest:
        return _left_over(exact)
    return _left_over(exact, (total > 0) & (total <= largest))


#: From this many classes on, rows are normalised by multiplying with ``1 / sum``
#: (one more rounding, at most half an ULP) instead of dividing: a float64
#: division costs as much as ``exp`` itself.
MULTIPLY_FROM = 1024


def _normalize(e, total, out):
    """``out = e / total[:, None]``, the probabilities from the exponentials."""
    if e.shape[1] >= MULTIPLY_FROM:
        np.multiply(e, (1.0 / total)[:, None], out=out)
    else:
        np.divide(e, total[:, None], out=out)


def _shifted_log(xb, mode, tb, scratch, limit):
    """log-softmax or the row statistics by the exact-shift path; returns rows left over."""
    rows = xb.shape[0]
    arange = scratch.arange[:rows]
    idx = np.argmax(xb, axis=1)
    m = xb[arange, idx]
    c, exact = plan_shift(xb, m, limit, one_shift=False)
    if exact is not None and not exact.any():
        return arange
    in_place = mode == "log_softmax" and tb.dtype == xb.dtype
    work = scratch.get(2, rows)
    e = tb if in_place else work[0]
    d = _subtract_shift(xb, c, work[1])
    m_minus_c = m - c
    np.exp(d, out=e)
    e[arange, idx] = 0
    others = np.add.reduce(e, axis=1).astype(np.float64)
    log1p_s = np.log1p(others / np.exp(m_minus_c.astype(np.float64)))
    if mode == "stats":
        tb[0][...] = m
        tb[1][...] = log1p_s
        return _left_over(exact)
    y = tb if in_place else e
    lse = m.astype(np.float64) + log1p_s
    if np.ndim(c) == 0 and c == 0 and (np.abs(lse) <= log1p_s).all():
        # |lse| <= log1p(s) <= |x - lse| (log-probabilities, for instance): one
        # rounding of lse costs at most one ULP of the result, so subtract it at once.
        np.subtract(xb, lse.astype(xb.dtype)[:, None], out=y)
    elif np.ndim(c) == 1 and (m_minus_c == 0).all():
        np.subtract(d, log1p_s.astype(xb.dtype)[:, None], out=y)  # d = x - m exactly
    else:
        np.subtract(d, m_minus_c[:, None], out=y)  # x - m, rounded once
        np.subtract(y, log1p_s.astype(xb.dtype)[:, None], out=y)
    if y is not tb:
        tb[...] = y
    return _left_over(exact)


def _redo_rows(xb, bad, mode, tb, scratch):
    """Recompute the rows ``bad`` of a block by the compensated path."""
    sub = xb[bad]
    if mode == "stats":
        part = (np.empty(len(bad), dtype=xb.dtype), np.empty(len(bad), dtype=xb.dtype))
        compensated_block(sub, 1.0, mode, part, scratch)
        tb[0][bad] = part[0]
        tb[1][bad] = part[1]
    else:
        part = np.empty(sub.shape, dtype=tb.dtype)
        compensated_block(sub, 1.0, mode, part, scratch)
        tb[bad] = part


#: Vectors up to this length take :func:`small_vector`, which avoids the
#: fixed cost of the block machinery (a few microseconds per NumPy call).
SMALL_VECTOR = 64


def small_vector(x, mode: str):
    """The exact-shift path for one short 1-D vector, or None if it does not apply.

    ``x`` is a 1-D float32/float64 array of length at most :data:`SMALL_VECTOR`
    and the temperature is 1. Returns the softmax or log-softmax (a new array
    of ``x``'s dtype) or, for ``"stats"``, the pair ``(m, log1p_s)`` as
    scalars of ``x``'s dtype; None when the row needs the compensated path.
    When no ``exp`` and no probability can underflow (every logit within
    ``log(tiny) + log K`` of the max, the usual case), no floating-point flag
    can be raised and ``np.errstate`` (about a microsecond) is skipped.
    """
    index = int(x.argmax())
    m = float(x[index])
    low = float(x.min())
    const = _CONSTANTS[x.dtype]
    shift = _scalar_shift(m, low, direct_limit(x.dtype, x.shape[0]), const)
    if shift is None:
        return None
    if low - m >= const.log_tiny + math.log(x.shape[0]):
        return _small_shifted(x, mode, index, m, shift)
    with np.errstate(all="ignore"):
        return _small_shifted(x, mode, index, m, shift)


def _scalar_shift(m: float, low: float, limit: float, const: _Constants):
    """:func:`plan_shift` for one row with max ``m`` and min ``low``; None: compensate."""
    if 0 <= m <= limit or (m <= limit and low >= const.log_tiny):
        return 0.0
    if -math.inf < m < 0:
        if m <= -const.relevant:
            return m
        return math.trunc(m / const.unit) * const.unit
    if limit < m < math.inf and (m >= 2 * const.relevant or low >= m / 2):
        return m
    return None


def _small_shifted(x, mode, index, m, shift):
    e = np.exp(x if shift == 0.0 else x - x.dtype.type(shift))
    if mode == "softmax":
        np.divide(e, np.add.reduce(e), out=e)
        return e
    e[index] = 0
    log1p_s = math.log1p(float(np.add.reduce(e)) / math.exp(m - shift))
    if mode == "stats":
        return x.dtype.type(m), x.dtype.type(log1p_s)
    d = np.subtract(x, x.dtype.type(m))
    np.subtract(d, x.dtype.type(log1p_s), out=d)
    return d


def softmax_rows(rows, mode: str, temperature: float, out_dtype):
    """softmax or log-softmax of validated ``(rows, K)`` logits, as a new array of ``out_dtype``."""
    out = np.empty(rows.shape, dtype=out_dtype)
    if rows.size:
        row_kernel(rows, temperature, mode, out=out)
    return out


def logsumexp_rows(rows, out_dtype):
    """The log-sum-exp of each row of validated ``(rows, K)`` logits (``-inf`` if K = 0)."""
    result = np.empty(rows.shape[0], dtype=out_dtype)
    if rows.shape[1] == 0:
        result[...] = -np.inf
    elif rows.shape[0]:
        m, log1p_s = row_kernel(rows, 1.0, "stats")
        with np.errstate(all="ignore"):  # inf - inf in special rows; overflow of float16
            np.add(m, log1p_s, out=result)
    return result


def cross_entropy_rows(rows, labels):
    """``-log softmax(rows)[label]`` per row of validated ``(n, K)`` logits and labels."""
    if rows.shape[0] == 0:
        return np.empty(0, dtype=rows.dtype)
    if rows.shape[0] == 1 and rows.shape[1] <= SMALL_VECTOR:
        stats = small_vector(rows[0], "stats")
        if stats is not None:
            m, log1p_s = stats  # Python floats: x_c - m may overflow to -inf, without a flag
            return np.array([float(log1p_s) - (float(rows[0, labels[0]]) - float(m))])
    m, log1p_s = row_kernel(rows, 1.0, "stats")
    picked = rows[np.arange(rows.shape[0]), labels]
    with np.errstate(all="ignore"):
        losses = log1p_s - (picked - m)
    special = ~np.isfinite(m)
    if special.any():
        # NaN or infinite logits: -log_softmax at the label, by the special-value rules.
        log_probs = softmax_rows(rows[special], "log_softmax", 1.0, rows.dtype)
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
