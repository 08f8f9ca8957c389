"""Tests of softmax_course.regression: the loss and gradient of softmax regression."""

from __future__ import annotations

import numpy as np
import pytest

from softmax_course import cross_entropy, numerical_gradient, softmax
from softmax_course.regression import softmax_regression_loss_grad


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
        ({"y": np.array([0.0, 1.0])}, TypeError, "y must hold integer class labels"),
        ({"y": np.array([0, 1, 2])}, ValueError, r"y must have shape \(2,\)"),
        ({"y": np.array([0, 3])}, ValueError, r"y must lie in \[0, 2\]"),
        ({"l2": -1.0}, ValueError, "l2 must be a finite number >= 0"),
        ({"l2": float("inf")}, ValueError, "l2 must be a finite number >= 0"),
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
