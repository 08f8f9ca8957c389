"""Tests of softmax_course._rows: class axes moved to the rows of a 2-D array and back."""

from __future__ import annotations

import numpy as np
import pytest

from softmax_course._rows import to_rows


def test_last_axis_input_is_not_copied():
    x = np.random.default_rng(14).normal(size=(64, 100))
    rows, layout = to_rows(x, (1,))
    assert np.shares_memory(rows, x)
    assert layout.batch_shape == (64,) and layout.num_classes == 100


@pytest.mark.parametrize("axes", [(0,), (1,), (2,), (0, 2), (1, 2), (0, 1, 2), ()])
def test_rows_hold_the_class_axes_in_c_order_and_go_back(axes):
    x = np.arange(24.0).reshape(2, 3, 4)
    rows, layout = to_rows(x, axes)
    batch = [i for i in range(3) if i not in axes]
    expected = np.transpose(x, batch + list(axes)).reshape(rows.shape)
    np.testing.assert_array_equal(rows, expected)
    assert rows.flags.c_contiguous
    np.testing.assert_array_equal(layout.from_rows(rows), x)
    sums = layout.reduced(rows.sum(axis=1), keepdims=True)
    np.testing.assert_array_equal(sums, x.sum(axis=axes, keepdims=True))
    np.testing.assert_array_equal(layout.reduced(rows.sum(axis=1)), x.sum(axis=axes))


def test_a_scalar_is_one_row_of_one_class():
    rows, layout = to_rows(np.array(3.0), ())
    assert rows.shape == (1, 1) and layout.from_rows(rows).shape == ()
