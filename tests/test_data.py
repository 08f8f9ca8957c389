"""Tests of softmax_course.data: the blobs data set and the decision grid."""

import numpy as np
import pytest

from softmax_course.data import BLOB_CENTERS, decision_grid, make_blobs_split


def test_default_split_matches_the_seeds_experiment():
    split = make_blobs_split()
    assert split.x_train.shape == (750, 2) and split.x_test.shape == (250, 2)
    assert split.x_train.dtype == np.float32 and split.y_train.dtype == np.int64
    # stratified: 250 points per class, 62 or 63 of each in the test set
    np.testing.assert_array_equal(
        np.bincount(np.concatenate([split.y_train, split.y_test])), [250] * 4
    )
    assert set(np.bincount(split.y_test).tolist()) <= {62, 63}
    # every point is near its own centre: 1.5 standard deviations, so within 7.5 by far
    features = np.concatenate([split.x_train, split.x_test])
    labels = np.concatenate([split.y_train, split.y_test])
    distances = np.linalg.norm(features - BLOB_CENTERS[labels], axis=1)
    assert distances.max() < 7.5
    # and the per-class means are close to the centres (standard error 1.5 / sqrt(250) ~ 0.1)
    for k, centre in enumerate(BLOB_CENTERS):
        np.testing.assert_allclose(features[labels == k].mean(axis=0), centre, atol=0.4)


def test_same_seed_same_data_and_other_seed_other_data():
    first, second = make_blobs_split(seed=3), make_blobs_split(seed=3)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(make_blobs_split(seed=4).x_train, first.x_train)


def test_custom_centres_and_spread():
    centres = [[0.0, 0.0, 0.0], [10.0, 0.0, 0.0]]
    split = make_blobs_split(n_samples=400, centers=centres, cluster_std=0.5, test_size=100)
    assert split.x_train.shape == (300, 3)
    assert set(split.y_test.tolist()) == {0, 1}
    spread = split.x_train[split.y_train == 0].std(axis=0)
    np.testing.assert_allclose(spread, 0.5, rtol=0.2)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_samples": 10.0}, TypeError, "n_samples"),
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"test_size": 1000}, ValueError, "smaller than n_samples"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"cluster_std": 0.0}, ValueError, "cluster_std"),
        ({"cluster_std": np.nan}, ValueError, "cluster_std"),
        ({"centers": [1.0, 2.0]}, ValueError, "2-d array"),
        ({"centers": [[np.inf, 0.0]]}, ValueError, "finite"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_blobs_split(**kwargs)


def test_decision_grid_layout():
    xx, yy, points = decision_grid((-1.0, 1.0), (0.0, 4.0), num=5)
    assert xx.shape == yy.shape == (5, 5)
    assert points.shape == (25, 2) and points.dtype == np.float32
    np.testing.assert_array_equal(points[:, 0].reshape(xx.shape), xx)
    np.testing.assert_array_equal(points[:, 1].reshape(yy.shape), yy)
    np.testing.assert_array_equal(xx[0], [-1.0, -0.5, 0.0, 0.5, 1.0])
    np.testing.assert_array_equal(yy[:, 0], [0.0, 1.0, 2.0, 3.0, 4.0])


@pytest.mark.parametrize(
    ("x_range", "y_range", "num", "message"),
    [
        ((1, 0), (0, 1), 3, "low < high"),
        ((0, 1), (0, np.inf), 3, "finite"),
        ((0, 1, 2), (0, 1), 3, "two finite numbers"),
        ((0, 1), (0, 1), 1, "at least 2"),
    ],
)
def test_decision_grid_rejects_bad_input(x_range, y_range, num, message):
    with pytest.raises(ValueError, match=message):
        decision_grid(x_range, y_range, num=num)
