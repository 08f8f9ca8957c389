"""Tests of softmax_course.online.packing: the chunk / combine / aggregate steps of a reduction."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import logits, lse_ulps

from softmax_course import logsumexp, softmax
from softmax_course.online import (
    logsumexp_from_packed,
    merge_packed,
    pack_normalizer,
    softmax_from_normalizer,
    unpack_normalizer,
)
from softmax_course.testing import ULP_BOUNDS

inf, nan = np.inf, np.nan


@settings(max_examples=40)
@given(logits(max_classes=20), st.lists(st.integers(0, 20), max_size=6))
def test_packed_pairs_merge_to_logsumexp(x, cuts):
    packs = [pack_normalizer(piece) for piece in np.split(x, sorted(cuts), axis=1)]
    assert all(pack.shape == (len(x), 3) for pack in packs)
    concatenated = np.concatenate(packs, axis=1)
    lse = logsumexp_from_packed(concatenated)
    assert lse_ulps(lse, x).max() <= ULP_BOUNDS["logsumexp"]
    once = merge_packed(concatenated)
    np.testing.assert_array_equal(logsumexp_from_packed(once), lse)
    assert logsumexp_from_packed(concatenated, keepdims=True).shape == (len(x), 1)
    np.testing.assert_array_equal(unpack_normalizer(concatenated).maximum, x.max(axis=1))


def test_dask_reduction_with_the_packed_merge():
    da = pytest.importorskip("dask.array")
    import dask

    x = np.random.default_rng(8).normal(scale=5.0, size=(3, 10_000))
    chunked = da.from_array(x, chunks=(3, 999))  # 11 uneven chunks on the class axis
    with dask.config.set(scheduler="synchronous"):
        lse = da.reduction(
            chunked,
            pack_normalizer,
            logsumexp_from_packed,
            combine=merge_packed,
            axis=1,
            dtype=np.float64,
            split_every=3,
        ).compute()
        packed = da.reduction(
            chunked, pack_normalizer, merge_packed, axis=1, dtype=np.float64, keepdims=True
        ).compute()
        probs = chunked.map_blocks(
            softmax_from_normalizer, pair=unpack_normalizer(packed, axis=1), dtype=np.float64
        ).compute()
    assert lse_ulps(lse, x).max() <= ULP_BOUNDS["logsumexp"]
    np.testing.assert_allclose(lse, logsumexp(x), rtol=1e-15)
    np.testing.assert_allclose(probs, softmax(x), rtol=1e-14)


def test_packed_errors():
    with pytest.raises(ValueError, match="multiple of 3|3 numbers"):
        unpack_normalizer(np.ones((2, 4)))
    with pytest.raises(ValueError, match="one axis"):
        pack_normalizer(np.ones((2, 4)), axis=(0, 1))
