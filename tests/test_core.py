"""Tests of the numerical core (softmax_course._core): one algorithm, batch-invariant.

A row's result must not depend on the batch it is in, its position, the array's
layout (C or Fortran order, strides, views) or whether it came 1-D: bit for
bit, for every function of the family and for the online normaliser. The
block size and the column layout of short rows are implementation details; the
tests shrink the blocks so that one batch spans many of them.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmax_course import _core, cross_entropy, log_softmax, logsumexp, softmax, softmax_jacobian
from softmax_course.online import normalizer, softmax_from_normalizer
from softmax_course.testing import (
    ULP_BOUNDS,
    adversarial_logits,
    max_ulp_error,
    reference_log_softmax,
    reference_softmax,
    ulp_error,
)

DTYPES = [np.float32, np.float64]


def _bits(a):
    """The bytes of an array, so that equality is bit for bit (-0.0 included).

    NaN is made one NaN: its sign bit (x86 gives ``inf - inf`` a negative one)
    carries no meaning, and NumPy's vector and scalar loops set it differently.
    """
    a = np.ascontiguousarray(a)
    a = np.where(np.isnan(a), np.array(np.nan, dtype=a.dtype), a)
    return a.view(np.uint8).tobytes(), a.dtype, a.shape


def _family(x, labels):
    """Every function of the family, row by row: results shaped (rows, ...)."""
    pair = normalizer(x)
    return {
        "softmax": softmax(x),
        "log_softmax": log_softmax(x),
        "logsumexp": logsumexp(x),
        "cross_entropy": cross_entropy(x, labels, reduction="none"),
        "normalizer.maximum": pair.maximum,
        "normalizer.rest": pair.rest,
        "softmax_from_normalizer": softmax_from_normalizer(x, pair),
    }


def _batches():
    elements = st.one_of(
        st.floats(-1e3, 1e3),
        st.floats(-1e30, 1e30),
        st.sampled_from([0.0, -0.0, 1.0, -1e-300, 700.0, -745.0, -np.inf, np.inf, np.nan]),
    )
    shapes = st.tuples(st.integers(1, 9), st.integers(1, 40))
    return hnp.arrays(np.float64, shapes, elements=elements)


@settings(max_examples=60, deadline=None)
@given(
    x=_batches(),
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**32 - 1),
    block=st.sampled_from([1, 7, 64, 1 << 16]),
)
def test_a_rows_result_does_not_depend_on_its_batch(x, dtype, seed, block):
    """Batch, position, C/F order, strides, views, 1-D: the same bits for every row."""
    with np.errstate(over="ignore"):
        x = x.astype(dtype)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, x.shape[1], x.shape[0])
    saved = _core.BLOCK_VALUES
    _core.BLOCK_VALUES = block * x.shape[1]  # one batch spans several blocks
    try:
        with np.errstate(all="ignore"):
            batch = _family(x, labels)
            order = rng.permutation(x.shape[0])
            shuffled = _family(x[order], labels[order])
            fortran = _family(np.asfortranarray(x), labels)
            padded = np.zeros((x.shape[0] * 2, x.shape[1] * 2 + 1), dtype=x.dtype)
            padded[::2, 1::2] = x
            strided = _family(padded[::2, 1::2], labels)
            singles = [_family(row, label) for row, label in zip(x, labels, strict=True)]
    finally:
        _core.BLOCK_VALUES = saved
    for name, result in batch.items():
        assert _bits(shuffled[name]) == _bits(result[order]), name
        assert _bits(fortran[name]) == _bits(result), name
        assert _bits(strided[name]) == _bits(result), name
        for i, single in enumerate(singles):
            assert _bits(single[name]) == _bits(result[i]), (name, i)


def test_the_issues_example_is_batch_invariant():
    alone = log_softmax([-0.1, -0.2])[1]
    in_a_batch = log_softmax([[-0.1, -0.2], [3.0, -5.0]])[0, 1]
    assert _bits(alone) == _bits(in_a_batch)
    assert alone == -0.7443966600735709  # 0.5 ULP from the 50-digit reference


@pytest.mark.parametrize("classes", [2, _core.COLUMNS_BELOW - 1, _core.COLUMNS_BELOW, 300])
@pytest.mark.parametrize("dtype", DTYPES)
def test_both_layouts_stay_within_the_ulp_bounds(classes, dtype):
    """Rows shorter than COLUMNS_BELOW are worked on as columns: same accuracy."""
    rng = np.random.default_rng(classes)
    for spread in (1.0, 30.0, 1000.0):
        x = adversarial_logits(rng, 8, classes, spread, dtype=dtype)
        assert max_ulp_error(softmax, x, reference_softmax(x)) <= ULP_BOUNDS["softmax"]
        errors = ulp_error(log_softmax(x), reference_log_softmax(x))
        assert errors.max() <= ULP_BOUNDS["log_softmax"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_difference_from_the_max_is_exact_with_its_error(dtype):
    """float32 in float64, float64 with TwoSum: d + e is exactly x - m."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((4, 50)) * np.array([[1.0], [30.0], [1e3], [1e30]])).astype(dtype)
    values = x.astype(np.float64)
    m = values.max(axis=1, keepdims=True)
    if dtype == np.float64:
        d, e = _core.two_sum(values, -m)
    else:
        d, e = values - m, np.zeros_like(values)
    for row in range(4):
        relevant = d[row] > -800  # exp of the others is 0 whatever their rounding
        kept = (values[row][relevant], d[row][relevant], e[row][relevant])
        for xi, di, ei in zip(*kept, strict=True):
            exact = Fraction(float(xi)) - Fraction(float(m[row, 0]))
            assert Fraction(float(di)) + Fraction(float(ei)) == exact


@given(st.lists(st.floats(-1e300, 1e300, allow_nan=False), min_size=2, max_size=2))
def test_two_sum_error_is_exact(pair):
    a, b = pair
    total, error = _core.two_sum(np.float64(a), np.float64(b))
    assert Fraction(float(total)) + Fraction(float(error)) == Fraction(a) + Fraction(b)


def test_exp_near_the_bottom_of_the_range_is_exact_and_below_it_zero():
    """exp is taken on NumPy's fast range; the band just under it is computed on its own."""
    d = np.array([[0.0, -700.0, -707.5, -708.2, -720.0, -744.0, -746.0, -1e5, -np.inf]])
    p = np.empty_like(d)
    _core._exp(d, p, _core.FAST_EXP_FROM)
    with np.errstate(under="ignore"):
        np.testing.assert_array_equal(p, np.exp(d))
    assert softmax([0.0, -720.0])[1] == np.exp(-720.0)  # a subnormal probability kept


@pytest.mark.parametrize("floor", [_core.FAST_EXP_FROM, _core.FLOAT32_FLOOR])
def test_exp_of_a_block_of_mostly_zeros_gives_the_same_bits(floor):
    """Where most terms are 0, exp is taken of the others only; NaN stays (a special row)."""
    d = [0.0, -100.0, -149.5, -150.0, -150.5, -700.0, -707.5, -720.0, -744.0, -746.0, -1e5]
    d = np.array(d + [-np.inf, np.nan])
    low = _core.UNDERFLOW if floor == _core.FAST_EXP_FROM else floor
    with np.errstate(all="ignore"):
        expected = np.where(d < low, 0.0, np.exp(d))
        for fill in (-1.0, -1e5):  # a few zeros in the block (masked), mostly zeros (gathered)
            block = np.concatenate([d, np.full(100, fill)])[None]
            p = np.empty_like(block)
            _core._exp(block, p, floor)
            assert p[0, : d.size].tobytes() == expected.tobytes(), fill


FLAG_INPUTS = [
    [0.0, 1.0, 2.0],
    [1e308, -1e308, 0.0],
    [-1000.0, -2000.0],
    [-np.inf, 0.0, np.inf],
    [np.nan, 1.0],
    [[-np.inf, -np.inf], [0.0, 1.0]],
    [-1e-300, -745.0, -1e30],
    [0.0, -720.0, -800.0],
]


@pytest.mark.parametrize("x", FLAG_INPUTS, ids=range(len(FLAG_INPUTS)))
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_the_softmax_family_raises_no_floating_point_flag(x, dtype):
    with np.errstate(all="ignore"):
        x = np.array(x).astype(dtype)
    labels = np.zeros(x.shape[:-1], dtype=int)
    with np.errstate(all="raise"):
        for temperature in (1.0, 0.5, 3.0):
            softmax(x, temperature=temperature)
            log_softmax(x, temperature=temperature)
        softmax(x, axis=None)
        logsumexp(x)
        logsumexp(x, axis=None)
        cross_entropy(x, labels, reduction="sum")
        cross_entropy(x, softmax(np.zeros_like(x)))
        softmax_jacobian(x)
        normalizer(x)


def test_float16_keeps_its_dtype():
    x = np.array([1.0, 2.0, -3.0], dtype=np.float16)
    for result in (softmax(x), log_softmax(x), softmax(x[None])[0], logsumexp(x)):
        assert result.dtype == np.float16
    np.testing.assert_allclose(softmax(x), softmax(x.astype(np.float32)), rtol=1e-3)


def test_the_core_is_short():
    """Issue 20: the whole core readable in one sitting."""
    import ast
    import inspect

    source = inspect.getsource(_core)
    assert len(source.splitlines()) < 200
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            assert node.end_lineno - node.lineno + 1 <= 40, node.name


@pytest.mark.parametrize("classes", [1, 15, 16, 20000, 70000])
@pytest.mark.parametrize("dtype", DTYPES)
def test_wide_and_narrow_rows_do_not_depend_on_their_batch(classes, dtype):
    """Rows wider than a block, or than NumPy's buffer, and the column layout's edges."""
    x = np.random.default_rng(classes).normal(0, 30, (3, classes)).astype(dtype)
    labels = np.arange(3) % classes
    batch = _family(x, labels)
    for row in range(3):
        single = _family(x[row], labels[row])
        for name, result in batch.items():
            assert _bits(single[name]) == _bits(result[row]), (name, row)
