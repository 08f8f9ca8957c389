"""Tests of softmax_course.online.normalizer: the pair (maximum, rest) and its merge."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import lse_ulps, vectors

from softmax_course.online import (
    Normalizer,
    log_softmax_from_normalizer,
    merge_normalizers,
    normalizer,
    online_logsumexp,
    online_softmax,
    softmax_from_normalizer,
    update_normalizer,
)
from softmax_course.testing import (
    ULP_BOUNDS,
    reference_log_softmax,
    reference_softmax,
    ulp_error,
)

inf, nan = np.inf, np.nan


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


partitions = st.lists(st.integers(0, 200), max_size=40)
pairings = st.lists(st.integers(0, 1000), max_size=40)


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
    assert lse_ulps(pair.logsumexp(), np.array(values)) <= ULP_BOUNDS["logsumexp"]


def test_merged_pair_dtype_follows_the_logits():
    pair = merge_normalizers(normalizer(np.float32([1, 2])), normalizer(np.float32([3])))
    assert pair.logsumexp().dtype == np.float32
    assert online_softmax(np.float16([1, 2, 3]), block_size=2).dtype == np.float16
    assert online_logsumexp([1, 2, 3]).dtype == np.float64


@settings(max_examples=60)
@given(vectors(max_size=40), partitions, pairings)
def test_any_split_and_merge_order_gives_logsumexp(x, cuts, pairing):
    cuts = [c % (len(x) + 1) for c in cuts]
    pair = split_and_merge(x, cuts, pairing)
    assert lse_ulps(pair.logsumexp(), x) <= ULP_BOUNDS["logsumexp"]


@settings(max_examples=40)
@given(vectors(max_size=30, magnitude=50.0), partitions, pairings)
def test_any_split_and_merge_order_gives_softmax_and_log_softmax(x, cuts, pairing):
    cuts = [c % (len(x) + 1) for c in cuts]
    pair = split_and_merge(x, cuts, pairing)
    # The second pass may also go block by block: probabilities of each piece.
    pieces = np.split(x, sorted(set(cuts)))
    probs = np.concatenate([softmax_from_normalizer(piece, pair) for piece in pieces])
    log_probs = np.concatenate([log_softmax_from_normalizer(piece, pair) for piece in pieces])
    assert ulp_error(probs, reference_softmax(x)).max() <= ULP_BOUNDS["softmax"]
    # Log-probabilities close to 0 need many digits in the reference.
    assert (
        ulp_error(log_probs, reference_log_softmax(x, digits=120)).max()
        <= ULP_BOUNDS["log_softmax"]
    )


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
        assert lse_ulps(pair.logsumexp(), x) <= ULP_BOUNDS["logsumexp"]


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
    assert lse_ulps(pair.logsumexp(), x) <= ULP_BOUNDS["logsumexp"]
    assert (
        ulp_error(softmax_from_normalizer(x, pair), reference_softmax(x)).max()
        <= ULP_BOUNDS["softmax"]
    )


def test_bad_input_raises_clear_errors_normalizer():
    pair = normalizer([1.0, 2.0])
    with pytest.raises(TypeError, match="Normalizer"):
        merge_normalizers(pair, (1.0, 0.0))
    with pytest.raises(ValueError, match="do not broadcast"):
        merge_normalizers(normalizer(np.ones((2, 3))), normalizer(np.ones((3, 3))))
    with pytest.raises(TypeError, match="complex"):
        normalizer([1j])
