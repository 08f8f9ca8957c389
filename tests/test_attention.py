"""Tests of softmax_course.online.attention: streaming attention."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softmax_course import softmax
from softmax_course.online import streaming_attention

inf, nan = np.inf, np.nan


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


def test_bad_input_raises_clear_errors_attention():
    with pytest.raises(ValueError, match="shapes do not match"):
        streaming_attention([1.0, 2.0], np.ones((3, 3)), np.ones((3, 1)))
    with pytest.raises(ValueError, match="at least one key"):
        streaming_attention([1.0], np.ones((0, 1)), np.ones((0, 1)))


def test_a_masked_key_gets_no_weight():
    """Issue 20: a key of score -inf (alone in its block) made the output NaN."""
    query, keys, values = [1.0], [[-np.inf], [2.0]], [[0.0], [1.0]]
    with np.errstate(all="raise"):
        out = streaming_attention(query, keys, values, scale=1.0, block_size=1)
    np.testing.assert_array_equal(out, [1.0])
    both = streaming_attention(query, keys, values, scale=1.0, block_size=2)
    np.testing.assert_array_equal(both, [1.0])
