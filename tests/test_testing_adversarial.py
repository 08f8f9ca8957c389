"""Tests of softmax_course.testing.adversarial: logits that are hard to get right."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from softmax_course import log_softmax
from softmax_course.testing import (
    ROW_KINDS,
    adversarial_logits,
)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_adversarial_logits_shape_dtype_and_finite(dtype):
    x = adversarial_logits(np.random.default_rng(0), 7, 5, 30.0, dtype=dtype)
    assert x.shape == (7, 5)
    assert x.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(x))


def test_adversarial_logits_is_a_function_of_the_generator_state():
    a = adversarial_logits(np.random.default_rng(42), 6, 9, 100.0)
    b = adversarial_logits(np.random.default_rng(42), 6, 9, 100.0)
    c = adversarial_logits(np.random.default_rng(43), 6, 9, 100.0)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@given(
    seed=st.integers(0, 2**32 - 1),
    classes=st.integers(2, 40),
    spread=st.floats(1.0, 1e4),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_adversarial_rows_have_the_promised_structure(seed, classes, spread, dtype):
    x = adversarial_logits(np.random.default_rng(seed), 6, classes, spread, dtype=dtype)
    for r, row in enumerate(x):
        kind = ROW_KINDS[r % 3]
        top = row.max()
        # Every row lies within [offset - spread, offset], offset in [-spread/4, spread/4].
        assert top <= spread / 4 * (1 + 1e-6) + 1e-6
        assert top - row.min() <= spread * (1 + 1e-6)
        ordered = np.sort(row)
        if kind == "near_tie":
            gap = ordered[-1] - ordered[-2]
            # Three steps down from the top, each at most one ULP of 2 * |top|
            # (the spacing doubles when a step crosses a power of two).
            assert 0 <= gap <= 3 * np.spacing(2 * np.abs(top))
        if kind == "dominant":
            gap = float(ordered[-1]) - float(ordered[-2])
            assert spread / 2 * (1 - 1e-3) <= gap <= spread * (1 + 1e-3)


def test_dominant_rows_have_log_softmax_close_to_zero():
    x = adversarial_logits(np.random.default_rng(3), 3, 10, 60.0)
    top = log_softmax(x[2]).max()
    assert -10 * np.exp(-30.0) <= top < 0


def test_adversarial_logits_can_be_empty():
    x = adversarial_logits(np.random.default_rng(0), 0, 3, 1.0)
    assert x.shape == (0, 3)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((np.random.RandomState(0), 2, 3, 1.0), TypeError, "Generator"),
        ((None, 2, 3, 1.0), TypeError, "Generator"),
        ((np.random.default_rng(0), 2.0, 3, 1.0), TypeError, "rows must be an integer"),
        ((np.random.default_rng(0), True, 3, 1.0), TypeError, "rows must be an integer"),
        ((np.random.default_rng(0), -1, 3, 1.0), ValueError, "rows must be at least 0"),
        ((np.random.default_rng(0), 2, 1, 1.0), ValueError, "classes must be at least 2"),
        ((np.random.default_rng(0), 2, 3, "1"), TypeError, "spread must be a real"),
        ((np.random.default_rng(0), 2, 3, 0.0), ValueError, "greater than 0"),
        ((np.random.default_rng(0), 2, 3, np.inf), ValueError, "greater than 0"),
        ((np.random.default_rng(0), 2, 3, np.nan), ValueError, "greater than 0"),
        ((np.random.default_rng(0), 2, 3, 1e5, np.float16), ValueError, "overflow"),
        ((np.random.default_rng(0), 2, 3, 1.0, np.int64), TypeError, "float16, float32"),
        ((np.random.default_rng(0), 2, 3, 1.0, "not a dtype"), TypeError, "float16"),
    ],
)
def test_adversarial_logits_rejects_bad_input(arguments, error, message):
    options = {"dtype": arguments[4]} if len(arguments) > 4 else {}
    with pytest.raises(error, match=message):
        adversarial_logits(*arguments[:4], **options)
