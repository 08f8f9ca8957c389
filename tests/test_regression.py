"""Tests of softmax_course.regression: the loss and gradient of softmax regression."""

from __future__ import annotations

import numpy as np
import pytest

from softmax_course import cross_entropy, softmax
from softmax_course.data import standardized_split
from softmax_course.plotting import plot_decision_regions, plot_weight_images
from softmax_course.regression import softmax_regression_loss_grad
from softmax_course.teaching import numerical_gradient


def _problem(seed=0, n=40, d=5, k=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, k, size=n)
    W = rng.normal(size=(d, k))
    b = rng.normal(size=k)
    return W, b, X, y


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_gradient_matches_finite_differences(l2):
    W, b, X, y = _problem()

    def loss_of_W(w):
        return softmax_regression_loss_grad(w, b, X, y, l2=l2)[0]

    def loss_of_b(v):
        return softmax_regression_loss_grad(W, v, X, y, l2=l2)[0]

    _, dW, db = softmax_regression_loss_grad(W, b, X, y, l2=l2)
    np.testing.assert_allclose(dW, numerical_gradient(loss_of_W, W), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, numerical_gradient(loss_of_b, b), rtol=1e-6, atol=1e-8)


def test_without_penalty_loss_is_the_mean_cross_entropy():
    W, b, X, y = _problem(seed=1)
    loss, _, _ = softmax_regression_loss_grad(W, b, X, y)
    assert loss == pytest.approx(float(cross_entropy(X @ W + b, y)), rel=1e-14)


def test_penalty_adds_half_l2_times_squared_norm_and_spares_the_bias():
    W, b, X, y = _problem(seed=2)
    plain, dW0, db0 = softmax_regression_loss_grad(W, b, X, y)
    loss, dW, db = softmax_regression_loss_grad(W, b, X, y, l2=0.5)
    assert loss - plain == pytest.approx(0.25 * np.sum(W**2), rel=1e-12)
    np.testing.assert_allclose(dW - dW0, 0.5 * W, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(db, db0)


def test_stable_for_huge_logits():
    X = np.array([[1.0], [1.0]])
    W = np.array([[1000.0, -1000.0]])
    loss, dW, db = softmax_regression_loss_grad(W, np.zeros(2), X, np.array([0, 1]))
    assert loss == pytest.approx(1000.0, rel=1e-12)  # mean of 0 and 2000
    assert np.all(np.isfinite(dW)) and np.all(np.isfinite(db))
    np.testing.assert_allclose(db, [0.5, -0.5], atol=1e-15)  # sample 2 is wrong


def test_minimiser_is_scikit_learns_multinomial_logistic_regression():
    """With l2 > 0 the loss is strictly convex in W and convex in b, so both fits
    reach the one optimum: sklearn's C = 1 / (N l2) gives the same objective."""
    optimize = pytest.importorskip("scipy.optimize")
    linear_model = pytest.importorskip("sklearn.linear_model")
    _, _, X, y = _problem(seed=3, n=120, d=4, k=3)
    d, k, l2 = X.shape[1], 3, 0.05

    def fun(theta):
        loss, dW, db = softmax_regression_loss_grad(
            theta[: d * k].reshape(d, k), theta[d * k :], X, y, l2=l2
        )
        return loss, np.concatenate([dW.ravel(), db])

    result = optimize.minimize(
        fun, np.zeros(d * k + k), jac=True, method="L-BFGS-B",
        options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 5000},
    )  # fmt: skip
    W, b = result.x[: d * k].reshape(d, k), result.x[d * k :]
    model = linear_model.LogisticRegression(C=1 / (len(X) * l2), tol=1e-12, max_iter=10_000)
    model.fit(X, y)
    # The intercepts are fixed only up to a common shift (unpenalised), so compare
    # the weights and the probabilities; the optimal W's rows sum to zero.
    np.testing.assert_allclose(W, model.coef_.T, rtol=1e-5, atol=1e-7)
    probs = softmax(X @ W + b)
    np.testing.assert_allclose(probs, model.predict_proba(X), rtol=0, atol=1e-7)
    np.testing.assert_allclose(W.sum(axis=1), 0.0, atol=1e-7)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"W": np.zeros(3)}, ValueError, "W must be a 2-d array"),
        ({"W": np.zeros((5, 3))}, ValueError, "X has 2 features"),
        ({"b": np.zeros(2)}, ValueError, r"b must have shape \(3,\)"),
        ({"X": np.zeros((0, 2))}, ValueError, "X has no rows"),
        ({"X": [[np.nan, 0.0], [0.0, 0.0]]}, ValueError, "X must be finite"),
        ({"W": np.zeros((2, 3), dtype=complex)}, TypeError, "W must be an array of real"),
        (
            {"y": np.array([0.0, 1.0])},
            TypeError,
            "softmax_regression_loss_grad: y must be integers",
        ),
        ({"y": np.array([0, 1, 2])}, ValueError, r"y must have shape \(2,\)"),
        ({"y": np.array([0, 3])}, ValueError, r"y must lie in \[0, 2\]"),
        ({"l2": -1.0}, ValueError, "l2 must be a finite number at least 0"),
        ({"l2": float("inf")}, ValueError, "l2 must be a finite number at least 0"),
        ({"l2": "0.1"}, TypeError, "l2 must be a real number"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(change, error, match):
    args = {"W": np.zeros((2, 3)), "b": np.zeros(3), "X": np.ones((2, 2)), "y": [0, 2]}
    l2 = change.pop("l2", 0.0)
    args.update(change)
    with pytest.raises(error, match=match):
        softmax_regression_loss_grad(args["W"], args["b"], args["X"], args["y"], l2=l2)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        softmax_regression_loss_grad(np.zeros((2, 3)), np.zeros(3), np.ones((2, 2)), [0, 2], 0.1)


# --- The chapter's data split and plots -------------------------------------------------


def _labelled_data(seed=0, counts=(30, 50, 20)):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(counts)), counts)
    features = rng.normal(loc=3.0, scale=2.0, size=(len(labels), 4))
    features[:, 2] = 7.0  # a constant feature, like the always-blank pixels of the digits
    return features, labels


def test_split_is_stratified_disjoint_complete_and_seeded():
    features, labels = _labelled_data()
    split = standardized_split(features, labels, val_size=0.2, test_size=0.3, seed=4)
    assert np.bincount(split.y_test).tolist() == [9, 15, 6]
    assert np.bincount(split.y_val).tolist() == [6, 10, 4]
    assert np.bincount(split.y_train).tolist() == [15, 25, 10]
    raw = np.concatenate([split.x_train, split.x_val, split.x_test]) * split.scale + split.mean
    # every sample appears exactly once
    order = np.lexsort(raw.T)
    np.testing.assert_allclose(raw[order], features[np.lexsort(features.T)], rtol=1e-13)
    again = standardized_split(features, labels, val_size=0.2, test_size=0.3, seed=4)
    np.testing.assert_array_equal(again.x_test, split.x_test)
    other = standardized_split(features, labels, val_size=0.2, test_size=0.3, seed=5)
    assert not np.array_equal(other.y_train, split.y_train)


def test_standardisation_uses_training_statistics_only():
    features, labels = _labelled_data(seed=1)
    split = standardized_split(features, labels, seed=0)
    np.testing.assert_allclose(split.x_train.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(split.x_train.std(axis=0), [1, 1, 0, 1], atol=1e-14)
    raw_train = split.x_train * split.scale + split.mean
    np.testing.assert_allclose(split.mean, raw_train.mean(axis=0), rtol=1e-14)
    assert split.scale[2] == 1.0  # the constant feature is only centred
    # validation and test are NOT exactly centred: their own statistics were not used
    assert np.abs(split.x_test.mean(axis=0)[[0, 1, 3]]).min() > 1e-3


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"labels": np.zeros(100)}, TypeError, "labels must be integers"),
        ({"labels": np.zeros(5, dtype=int)}, ValueError, r"labels must have shape \(100,\)"),
        ({"val_size": 0.0}, ValueError, r"val_size must be a finite number in \(0, 1\)"),
        ({"test_size": 0.5, "val_size": 0.5}, ValueError, "must be below 1"),
        ({"seed": 1.5}, TypeError, "standardized_split: seed must be an integer"),
        ({"features": np.full((100, 4), np.inf)}, ValueError, "features must be finite"),
    ],
)
def test_split_rejects_bad_input(kwargs, error, match):
    features, labels = _labelled_data()
    args = {"features": features, "labels": labels} | kwargs
    features, labels = args.pop("features"), args.pop("labels")
    with pytest.raises(error, match=match):
        standardized_split(features, labels, **args)


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_weight_images_show_each_column_on_one_symmetric_scale(pyplot):
    weights = np.random.default_rng(0).normal(size=(12, 3))
    fig = plot_weight_images(weights, image_shape=(3, 4), titles=["a", "b", "c"])
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 3
    for k, image in enumerate(images):
        np.testing.assert_array_equal(image.get_array(), weights[:, k].reshape(3, 4))
        assert image.get_clim() == (-np.abs(weights).max(), np.abs(weights).max())
    assert [ax.get_title() for ax in fig.axes[:3]] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="holds 16 pixels"):
        plot_weight_images(weights, image_shape=(4, 4))
    with pytest.raises(ValueError, match="expected 3 titles"):
        plot_weight_images(weights, image_shape=(3, 4), titles=["a"])


def test_decision_regions_colour_the_winner_and_draw_ties(pyplot):
    weights = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]])
    bias = np.array([0.0, 0.0, -0.5])
    colors = ["red", "green", "blue"]
    ax = plot_decision_regions(
        weights, bias, x_range=(-2, 2), y_range=(-2, 2), colors=colors, num=41
    )
    rgb = np.asarray(ax.images[0].get_array())
    grid = np.linspace(-2, 2, 41)
    # rgb[row, column] is the point (x = grid[column], y = grid[row]); pick clear winners
    for (x, y), winner in [((1.5, -1.5), 0), ((-1.5, -1.5), 1), ((0.0, 2.0), 2)]:
        pixel = rgb[np.argmin(np.abs(grid - y)), np.argmin(np.abs(grid - x))]
        assert np.argmax(pixel) == [0, 1, 2][winner]  # the winner's colour dominates
    # every vertex of a boundary line is a tie of the two largest logits
    vertices = np.concatenate(
        [path.vertices for c in ax.collections for path in c.get_paths() if len(path)]
    )
    logits = np.sort(vertices @ weights + bias, axis=1)
    np.testing.assert_allclose(logits[:, -1], logits[:, -2], atol=1e-6)  # float32 grid
    with pytest.raises(ValueError, match="weights must have 2 rows"):
        plot_decision_regions(np.ones((3, 3)), bias, x_range=(0, 1), y_range=(0, 1))
