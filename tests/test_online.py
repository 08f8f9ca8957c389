"""Tests of the online normaliser, sharded cross-entropy and streaming attention."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import logits, vectors

from softmax_course import (
    Normalizer,
    cross_entropy,
    log_softmax,
    log_softmax_from_normalizer,
    logsumexp,
    logsumexp_from_packed,
    logsumexp_ulp_error,
    merge_normalizers,
    merge_packed,
    normalizer,
    online_logsumexp,
    online_softmax,
    pack_normalizer,
    reference_cross_entropy,
    reference_log_softmax,
    reference_logsumexp,
    reference_softmax,
    shard_statistics,
    sharded_cross_entropy,
    softmax,
    softmax_from_normalizer,
    streaming_attention,
    ulp_error,
    unpack_normalizer,
    update_normalizer,
)

inf, nan = np.inf, np.nan

# The accuracy bounds of the package (see the foundation tests), in ULPs.
LOGSUMEXP_ULPS = 4  # of max(|result|, |largest logit|)
LOG_SOFTMAX_ULPS = 4
SOFTMAX_ULPS = 8
CROSS_ENTROPY_ULPS = 4


def split_and_merge(x, cuts, pairing):
    """The pair of ``x`` (1-D) split at ``cuts``, merged in the order ``pairing`` gives.

    ``pairing`` is a list of integers; at each step the two neighbouring pairs at
    position ``pairing[i] % (len - 1)`` are merged (so any tree of merges can occur),
    after the list of pieces has been rotated, to vary which pieces meet first.
    """
    pieces = np.split(x, sorted(set(cuts)))
    pairs = [normalizer(piece) for piece in pieces]
    step = 0
    while len(pairs) > 1:
        i = pairing[step % len(pairing)] % (len(pairs) - 1) if pairing else 0
        left, right = pairs[i], pairs[i + 1]
        # Alternate the argument order too: the merge must be commutative.
        merged = merge_normalizers(left, right) if step % 2 else merge_normalizers(right, left)
        pairs[i : i + 2] = [merged]
        step += 1
    return pairs[0]


def lse_ulps(computed, x):
    return logsumexp_ulp_error(computed, reference_logsumexp(x), x)


partitions = st.lists(st.integers(0, 200), max_size=40)
pairings = st.lists(st.integers(0, 1000), max_size=40)


# --- Known values -----------------------------------------------------------------------


def test_pair_of_known_block():
    pair = normalizer([0.0, np.log(3.0), np.log(3.0)])
    assert pair.maximum == np.log(3.0)
    np.testing.assert_allclose(pair.rest, 1 + 1 / 3, rtol=1e-15)
    np.testing.assert_allclose(pair.scaled_sum, 7 / 3, rtol=1e-15)
    np.testing.assert_allclose(pair.logsumexp(), np.log(7.0), rtol=1e-15)


def test_empty_pair_is_the_identity():
    pair = normalizer([[1.0, 2.0, -3.0], [0.0, 0.0, 0.0]])
    for merged in (
        merge_normalizers(pair, Normalizer.empty((2,))),
        merge_normalizers(Normalizer.empty((2,)), pair),
    ):
        np.testing.assert_array_equal(merged.maximum, pair.maximum)
        np.testing.assert_array_equal(merged.rest, pair.rest)
    empty = normalizer(np.zeros((3, 0)))
    assert empty.maximum.shape == (3,)
    np.testing.assert_array_equal(empty.logsumexp(), [-inf] * 3)


def test_all_masked_blocks_merge_without_nan_or_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        masked = normalizer([-inf, -inf])
        merged = merge_normalizers(masked, normalizer([-inf]))
        assert merged.maximum == -inf and merged.rest == 0 and merged.correction == 0
        assert merged.logsumexp() == -inf
        # A masked block changes nothing when merged with a real one.
        real = merge_normalizers(merged, normalizer([1.0, 2.0]))
        assert real.logsumexp() == normalizer([1.0, 2.0]).logsumexp()


def test_element_by_element_update_matches_logsumexp():
    pair = Normalizer.empty()
    values = [2.0, 5.0, 1.0, 5.0, -40.0]
    for value in values:
        pair = update_normalizer(pair, [value])
    assert pair.maximum == 5.0
    assert lse_ulps(pair.logsumexp(), np.array(values)) <= LOGSUMEXP_ULPS


def test_merged_pair_dtype_follows_the_logits():
    pair = merge_normalizers(normalizer(np.float32([1, 2])), normalizer(np.float32([3])))
    assert pair.logsumexp().dtype == np.float32
    assert online_softmax(np.float16([1, 2, 3]), block_size=2).dtype == np.float16
    assert online_logsumexp([1, 2, 3]).dtype == np.float64


# --- Any split, any order ---------------------------------------------------------------


@settings(max_examples=60)
@given(vectors(max_size=40), partitions, pairings)
def test_any_split_and_merge_order_gives_logsumexp(x, cuts, pairing):
    cuts = [c % (len(x) + 1) for c in cuts]
    pair = split_and_merge(x, cuts, pairing)
    assert lse_ulps(pair.logsumexp(), x) <= LOGSUMEXP_ULPS


@settings(max_examples=40)
@given(vectors(max_size=30, magnitude=50.0), partitions, pairings)
def test_any_split_and_merge_order_gives_softmax_and_log_softmax(x, cuts, pairing):
    cuts = [c % (len(x) + 1) for c in cuts]
    pair = split_and_merge(x, cuts, pairing)
    # The second pass may also go block by block: probabilities of each piece.
    pieces = np.split(x, sorted(set(cuts)))
    probs = np.concatenate([softmax_from_normalizer(piece, pair) for piece in pieces])
    log_probs = np.concatenate([log_softmax_from_normalizer(piece, pair) for piece in pieces])
    assert ulp_error(probs, reference_softmax(x)).max() <= SOFTMAX_ULPS
    # Log-probabilities close to 0 need many digits in the reference.
    assert ulp_error(log_probs, reference_log_softmax(x, digits=120)).max() <= LOG_SOFTMAX_ULPS


@settings(max_examples=60)
@given(vectors(min_size=3, max_size=12), st.integers(1, 11), st.integers(1, 11))
def test_merge_is_commutative_and_associative(x, i, j):
    i, j = sorted((i % (len(x) - 1) + 1, j % (len(x) - 1) + 1))
    a, b, c = (normalizer(piece) for piece in np.split(x, [i, j]))
    results = [
        merge_normalizers(merge_normalizers(a, b), c),
        merge_normalizers(a, merge_normalizers(b, c)),
        merge_normalizers(merge_normalizers(c, a), b),
        merge_normalizers(b, merge_normalizers(c, a)),
    ]
    for pair in results:
        assert pair.maximum == x.max()
        assert lse_ulps(pair.logsumexp(), x) <= LOGSUMEXP_ULPS


@settings(max_examples=40)
@given(logits(max_classes=20), st.integers(1, 25), st.sampled_from([0, 1]))
def test_online_functions_agree_with_the_in_memory_ones(x, block_size, axis):
    lse = online_logsumexp(x, axis=axis, block_size=block_size)
    np.testing.assert_allclose(lse, logsumexp(x, axis=axis), rtol=4e-16 * 8, atol=0)
    probs = online_softmax(x, axis=axis, block_size=block_size)
    reference = reference_softmax(x, axis=axis)
    assert ulp_error(probs, reference).max() <= SOFTMAX_ULPS


@settings(max_examples=30)
@given(logits(dtype=np.float32, max_classes=20), st.integers(1, 25))
def test_float32_accuracy_in_float32_ulps(x, block_size):
    lse = online_logsumexp(x, block_size=block_size)
    assert lse.dtype == np.float32
    assert lse_ulps(lse, x).max() <= LOGSUMEXP_ULPS
    probs = online_softmax(x, block_size=block_size)
    assert ulp_error(probs, reference_softmax(x)).max() <= SOFTMAX_ULPS


@pytest.mark.parametrize(
    "x",
    [
        np.arange(1000) * 0.05,  # ascending: every update rescales the whole sum
        -np.arange(1000) * 0.05,
        np.arange(1000) * 0.6,
        np.random.default_rng(7).normal(size=1000),
        np.zeros(1000),
    ],
    ids=["ascending", "descending", "ascending-steep", "normal", "ties"],
)
def test_long_element_by_element_chain_does_not_drift(x):
    pair = Normalizer.empty()
    for value in x:
        pair = update_normalizer(pair, [value])
    assert lse_ulps(pair.logsumexp(), x) <= LOGSUMEXP_ULPS
    assert ulp_error(softmax_from_normalizer(x, pair), reference_softmax(x)).max() <= SOFTMAX_ULPS


# --- Special values ---------------------------------------------------------------------

SPECIAL_ROWS = [
    [1.0, inf, 2.0, 3.0],
    [inf, 1.0, inf, 0.0],
    [-inf, -inf, -inf, -inf],
    [-inf, 2.0, -inf, 1.0],
    [nan, 1.0, 2.0, 3.0],
    [1e308, -1e308, 0.0, 1e308],
    [0.0, 0.0, inf, -inf],
]


@pytest.mark.parametrize("row", SPECIAL_ROWS)
@pytest.mark.parametrize("block_size", [1, 2, 3])
def test_special_values_follow_softmax(row, block_size):
    row = np.array(row)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lse = online_logsumexp(row, block_size=block_size)
        probs = online_softmax(row, block_size=block_size)
    np.testing.assert_allclose(lse, logsumexp(row), rtol=5e-16, atol=0)
    np.testing.assert_allclose(probs, softmax(row), rtol=1e-15, atol=0)
    pair = normalizer(row)
    np.testing.assert_allclose(
        log_softmax_from_normalizer(row, pair), log_softmax(row), rtol=1e-15, atol=0
    )


# --- Sharded cross-entropy --------------------------------------------------------------


@settings(max_examples=60)
@given(logits(max_classes=16), st.data())
def test_sharded_cross_entropy_equals_cross_entropy(x, data):
    num_classes = x.shape[1]
    labels = np.array(
        data.draw(st.lists(st.integers(0, num_classes - 1), min_size=len(x), max_size=len(x)))
    )
    cuts = sorted(data.draw(st.lists(st.integers(0, num_classes), max_size=5)))
    shards = np.split(x, cuts, axis=1)
    losses = sharded_cross_entropy(shards, labels, reduction="none")
    assert ulp_error(losses, reference_cross_entropy(x, labels)).max() <= CROSS_ENTROPY_ULPS
    np.testing.assert_allclose(
        sharded_cross_entropy(shards, labels), cross_entropy(x, labels), rtol=1e-14
    )


def test_sharded_cross_entropy_batch_axis_and_reductions():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(7, 4, 3))  # classes on axis 0
    labels = rng.integers(0, 7, size=(4, 3))
    shards = [x[:2], x[2:3], x[3:]]
    for reduction in ("none", "sum", "mean"):
        np.testing.assert_allclose(
            sharded_cross_entropy(shards, labels, axis=0, reduction=reduction),
            cross_entropy(x, labels, axis=0, reduction=reduction),
            rtol=1e-14,
        )


@pytest.mark.parametrize("row", SPECIAL_ROWS[:4] + SPECIAL_ROWS[5:])
@pytest.mark.parametrize("label", [0, 1, 2])
def test_sharded_cross_entropy_special_values(row, label):
    x = np.array([row])
    expected = cross_entropy(x, [label], reduction="none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = sharded_cross_entropy([x[:, :1], x[:, 1:3], x[:, 3:]], [label], reduction="none")
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_shard_statistics_reports_the_target_it_holds():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    pair, target = shard_statistics(x, [4, 1], class_offset=3)
    np.testing.assert_array_equal(target, [2.0, 0.0])
    np.testing.assert_allclose(pair.logsumexp(), logsumexp(x), rtol=1e-15)


# --- Streaming attention ----------------------------------------------------------------


@settings(max_examples=40)
@given(
    st.integers(1, 40), st.integers(1, 6), st.integers(1, 4), st.integers(1, 50), st.integers(0, 99)
)
def test_streaming_attention_equals_full_attention(num_keys, dim, value_dim, block_size, seed):
    rng = np.random.default_rng(seed)
    query = rng.normal(scale=3.0, size=dim)
    keys = rng.normal(scale=3.0, size=(num_keys, dim))
    values = rng.normal(size=(num_keys, value_dim))
    expected = softmax(keys @ query / np.sqrt(dim)) @ values
    got = streaming_attention(query, keys, values, block_size=block_size)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_streaming_attention_with_huge_scores_does_not_overflow():
    keys = np.array([[1.0], [2.0], [3.0]])
    values = np.array([[1.0], [2.0], [3.0]])
    out = streaming_attention([1000.0], keys, values, block_size=1, scale=1.0)
    np.testing.assert_allclose(out, [3.0], rtol=1e-15)


# --- Bad input --------------------------------------------------------------------------


def test_bad_input_raises_clear_errors():
    pair = normalizer([1.0, 2.0])
    with pytest.raises(TypeError, match="Normalizer"):
        merge_normalizers(pair, (1.0, 0.0))
    with pytest.raises(ValueError, match="do not broadcast"):
        merge_normalizers(normalizer(np.ones((2, 3))), normalizer(np.ones((3, 3))))
    with pytest.raises(ValueError, match="batch shape"):
        softmax_from_normalizer(np.ones((3, 2)), pair)
    with pytest.raises(TypeError, match="complex"):
        normalizer([1j])
    with pytest.raises(ValueError, match="block_size"):
        online_logsumexp([1.0], block_size=0)
    with pytest.raises(TypeError, match="block_size"):
        online_softmax([1.0], block_size=2.0)
    with pytest.raises(ValueError, match="at least one class"):
        online_softmax(np.ones((2, 0)))
    with pytest.raises(ValueError, match=r"lie in \[0, 2\]"):
        sharded_cross_entropy([np.ones((1, 2)), np.ones((1, 1))], [3])
    with pytest.raises(ValueError, match="same batch shape"):
        sharded_cross_entropy([np.ones((1, 2)), np.ones((2, 1))], [0])
    with pytest.raises(TypeError, match="non-empty list"):
        sharded_cross_entropy([], [0])
    with pytest.raises(ValueError, match="reduction"):
        sharded_cross_entropy([np.ones((1, 2))], [0], reduction="max")
    with pytest.raises(ValueError, match="class_offset"):
        shard_statistics(np.ones((1, 2)), [0], class_offset=-1)
    with pytest.raises(ValueError, match="shapes do not match"):
        streaming_attention([1.0, 2.0], np.ones((3, 3)), np.ones((3, 1)))
    with pytest.raises(ValueError, match="at least one key"):
        streaming_attention([1.0], np.ones((0, 1)), np.ones((0, 1)))


# --- Packed pairs: the chunk / combine / aggregate steps of a distributed reduction -----


@settings(max_examples=40)
@given(logits(max_classes=20), st.lists(st.integers(0, 20), max_size=6))
def test_packed_pairs_merge_to_logsumexp(x, cuts):
    packs = [pack_normalizer(piece) for piece in np.split(x, sorted(cuts), axis=1)]
    assert all(pack.shape == (len(x), 3) for pack in packs)
    concatenated = np.concatenate(packs, axis=1)
    lse = logsumexp_from_packed(concatenated)
    assert lse_ulps(lse, x).max() <= LOGSUMEXP_ULPS
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
    assert lse_ulps(lse, x).max() <= LOGSUMEXP_ULPS
    np.testing.assert_allclose(lse, logsumexp(x), rtol=1e-15)
    np.testing.assert_allclose(probs, softmax(x), rtol=1e-14)


def test_packed_errors():
    with pytest.raises(ValueError, match="multiple of 3|3 numbers"):
        unpack_normalizer(np.ones((2, 4)))
    with pytest.raises(ValueError, match="one axis"):
        pack_normalizer(np.ones((2, 4)), axis=(0, 1))
