"""A probe of every checker with answers written as learners write them.

For every checker: at least three correct answers written differently from the
package's solution (each must be "Correct"), and at least three plausible wrong
answers outside the catalogue of mistakes (each must be "Not correct yet").
Every verdict must come back as text: a traceback or a hang fails the test (a
hang through pytest's own timeout of the whole run, and the checkers' time
limit keeps every call short). The odd answers (raising, None, NaN, masked,
looping, non-callable, printing, mutating their input) are in
``test_exercises_odd.py``.
"""

import numpy as np
import pytest
import scipy.special

from softmax_course import exercises

CORRECT = []
WRONG = []


def correct(checker):
    """Register a correct answer of a learner: the verdict must be "Correct"."""

    def register(answer):
        CORRECT.append(pytest.param(checker, answer, id=f"{checker.name}: {_name(answer)}"))
        return answer

    return register


def wrong(checker):
    """Register a wrong answer of a learner: the verdict must be "Not correct yet"."""

    def register(answer):
        WRONG.append(pytest.param(checker, answer, id=f"{checker.name}: {_name(answer)}"))
        return answer

    return register


def _name(answer):
    return getattr(answer, "__name__", repr(answer))


def _pick(values, labels):
    return values[np.arange(len(labels)), labels]


# -- chapter 1 ----------------------------------------------------------------------


@correct(exercises.linear_logits)
def logits_einsum(points, weights, bias):
    return np.einsum("nd,dk->nk", points, weights) + bias


@correct(exercises.linear_logits)
def logits_loop(points, weights, bias):
    out = np.zeros((points.shape[0], weights.shape[1]))
    for i, x in enumerate(points):
        out[i] = x @ weights + bias
    return out


@correct(exercises.linear_logits)
def logits_matmul_bias_row(points, weights, bias):
    return np.matmul(points, weights) + bias[np.newaxis, :]


@wrong(exercises.linear_logits)
def logits_elementwise_sum(points, weights, bias):
    return points.sum(axis=1, keepdims=True) * weights.sum(axis=0) + bias


@wrong(exercises.linear_logits)
def logits_bias_twice(points, weights, bias):
    return points @ weights + 2 * bias


@wrong(exercises.linear_logits)
def logits_first_bias(points, weights, bias):
    return points @ weights + bias[0]


@correct(exercises.predicted_class)
def prediction_loop(logits):
    return np.array([int(np.argmax(row)) for row in logits])


@correct(exercises.predicted_class)
def prediction_argsort(logits):
    return np.argsort(logits, axis=1)[:, -1]


@correct(exercises.predicted_class)
def prediction_of_probabilities(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.argmax(e / e.sum(axis=1, keepdims=True), axis=1)


@wrong(exercises.predicted_class)
def prediction_one_based(logits):
    return np.argmax(logits, axis=1) + 1


@wrong(exercises.predicted_class)
def prediction_second_best(logits):
    return np.argsort(logits, axis=1)[:, -2 if logits.shape[1] > 1 else -1] * 0 + 1


@wrong(exercises.predicted_class)
def prediction_of_absolute(logits):
    return np.argmax(np.abs(logits), axis=1)


# -- chapter 2 ----------------------------------------------------------------------


@correct(exercises.stable_sigmoid)
def sigmoid_logaddexp(z):
    return np.exp(-np.logaddexp(0, -z))


@correct(exercises.stable_sigmoid)
def sigmoid_masks(z):
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    e = np.exp(z[~positive])
    out[~positive] = e / (1 + e)
    return out


@correct(exercises.stable_sigmoid)
def sigmoid_abs(z):
    e = np.exp(-np.abs(z))
    positive = 1 / (1 + e)
    return np.where(z >= 0, positive, e * positive)


@wrong(exercises.stable_sigmoid)
def sigmoid_where_both_branches(z):
    # right values, but np.where computes np.exp(-z) and np.exp(z) everywhere
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


@wrong(exercises.stable_sigmoid)
def sigmoid_scipy(z):
    return scipy.special.expit(z)  # rounds e^-730, a subnormal number, to 0


@wrong(exercises.stable_sigmoid)
def sigmoid_tanh(z):
    return 0.5 * (1 + np.tanh(z / 2))  # 0 instead of e^-730


@wrong(exercises.stable_sigmoid)
def sigmoid_clipped(z):
    return 1 / (1 + np.exp(-np.clip(z, -500, 500)))


@wrong(exercises.stable_sigmoid)
def sigmoid_float32(z):
    return (1 / (1 + np.exp(-z.astype(np.float32)))).astype(z.dtype)


@correct(exercises.stable_log_sigmoid)
def log_sigmoid_log1p(z):
    return np.minimum(z, 0) - np.log1p(np.exp(-np.abs(z)))


@correct(exercises.stable_log_sigmoid)
def log_sigmoid_where(z):
    return np.where(z > 0, -np.log1p(np.exp(-z)), z - np.log1p(np.exp(z)))


@correct(exercises.stable_log_sigmoid)
def log_sigmoid_scipy(z):
    return scipy.special.log_expit(z)


@wrong(exercises.stable_log_sigmoid)
def log_sigmoid_clipped(z):
    return -np.log1p(np.exp(-np.clip(z, -700, 700)))


@wrong(exercises.stable_log_sigmoid)
def log_sigmoid_softplus(z):
    return np.logaddexp(0, z)


@wrong(exercises.stable_log_sigmoid)
def log_sigmoid_linear(z):
    return np.minimum(z, 0)


@wrong(exercises.stable_log_sigmoid)
def log_sigmoid_scipy_log_softmax(z):
    # the log-softmax of the logits (0, z): its log of 1 + exp(-z) rounds to 0 at z = 40
    return scipy.special.log_softmax(np.stack([np.zeros_like(z), z], axis=-1), axis=-1)[:, 1]


# -- chapter 3 ----------------------------------------------------------------------


@correct(exercises.softmax_inverse)
def logits_for_plus_constant(probs):
    return np.log(probs) + 42.0


@correct(exercises.softmax_inverse)
def logits_for_relative(probs):
    return np.log(probs / probs.max())


@correct(exercises.softmax_inverse)
def logits_for_log2(probs):
    return np.log2(probs) * np.log(2)


@wrong(exercises.softmax_inverse)
def logits_for_epsilon(probs):
    return np.log(probs + 1e-9)


@wrong(exercises.softmax_inverse)
def logits_for_small_epsilon(probs):
    return np.log(probs + 1e-15)


@wrong(exercises.softmax_inverse)
def logits_for_clipped(probs):
    return np.log(np.clip(probs, 1e-12, 1.0))


@wrong(exercises.softmax_inverse)
def logits_for_log10(probs):
    return np.log10(probs)


@wrong(exercises.softmax_inverse)
def logits_for_sqrt(probs):
    return np.sqrt(probs)


@correct(exercises.prediction_from_logits)
def predict_last_axis(logits):
    return logits.argmax(axis=logits.ndim - 1)


@correct(exercises.prediction_from_logits)
def predict_shifted(logits):
    return np.argmax(logits - logits.max(axis=-1, keepdims=True), axis=-1)


@correct(exercises.prediction_from_logits)
def predict_along_axis(logits):
    return np.apply_along_axis(np.argmax, -1, logits)


@wrong(exercises.prediction_from_logits)
def predict_axis1(logits):
    return logits.argmax(axis=1)


@wrong(exercises.prediction_from_logits)
def predict_largest_magnitude(logits):
    return np.argmax(np.abs(logits), axis=-1)


@wrong(exercises.prediction_from_logits)
def predict_rounded(logits):
    return np.argmax(np.round(logits, 6), axis=-1)


# -- chapter 4 ----------------------------------------------------------------------

correct(exercises.softmax_shares)([0.09, 0.2447, 0.6652])
correct(exercises.softmax_shares)((0.0900, 0.2447, 0.6652))
correct(exercises.softmax_shares)(np.array([0.09003, 0.24473, 0.66524]))
wrong(exercises.softmax_shares)(np.array([0.0900, 0.2447, 0.6653]))  # a wrong 4th decimal
wrong(exercises.softmax_shares)([0.0901, 0.2447, 0.6652])
wrong(exercises.softmax_shares)([0.0900, 0.6652, 0.2447])
wrong(exercises.softmax_shares)([0.33, 0.33, 0.33])
wrong(exercises.softmax_shares)([0.1, 0.2, 0.7])
wrong(exercises.softmax_shares)([0.0900, 0.2447])


@correct(exercises.batch_softmax)
def batch_softmax_loop(logits):
    out = np.empty_like(logits)
    for i, row in enumerate(logits):
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
    return out


@correct(exercises.batch_softmax)
def batch_softmax_transposed_shift(logits):
    e = np.exp(logits.T - logits.max(axis=1))  # classes first, each column shifted
    return (e / e.sum(axis=0)).T


@correct(exercises.batch_softmax)
def batch_softmax_log_space(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return np.exp(shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))


@wrong(exercises.batch_softmax)
def batch_softmax_transposed(logits):
    e = np.exp(logits.T)
    return (e / e.sum(axis=0)).T.T


@wrong(exercises.batch_softmax)
def batch_softmax_first_row_sum(logits):
    e = np.exp(logits)
    return e / e[0].sum()


@wrong(exercises.batch_softmax)
def batch_softmax_float32(logits):
    z = logits.astype(np.float32)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@wrong(exercises.batch_softmax)
def batch_softmax_linear(logits):
    shifted = logits - logits.min(axis=1, keepdims=True) + 1e-3
    return shifted / shifted.sum(axis=1, keepdims=True)


@correct(exercises.true_class_loss)
def loss_logsumexp(scores, true_class):
    m = scores.max()
    return m + np.log(np.sum(np.exp(scores - m))) - scores[true_class]


@correct(exercises.true_class_loss)
def loss_logaddexp(scores, true_class):
    return np.logaddexp.reduce(scores) - scores[true_class]


@correct(exercises.true_class_loss)
def loss_log_softmax(scores, true_class):
    shifted = scores - np.max(scores)
    log_probs = shifted - np.log(np.exp(shifted).sum())
    return float(-log_probs[true_class])


@wrong(exercises.true_class_loss)
def loss_squared(scores, true_class):
    e = np.exp(scores - scores.max())
    return (1 - e[true_class] / e.sum()) ** 2


@wrong(exercises.true_class_loss)
def loss_margin(scores, true_class):
    return scores.max() - scores[true_class]


@wrong(exercises.true_class_loss)
def loss_of_other_class(scores, true_class):
    e = np.exp(scores - scores.max())
    return -np.log(1 - e[true_class] / e.sum())


def _p(z):
    e = np.exp(z - z.max())
    return e / e.sum()


@correct(exercises.softmax_vjp)
def vjp_dot(z, v):
    p = _p(z)
    return p * v - p * np.dot(p, v)


@correct(exercises.softmax_vjp)
def vjp_sum(z, v):
    p = _p(z)
    return p * (v - np.sum(p * v))


@correct(exercises.softmax_vjp)
def vjp_loop(z, v):
    p = _p(z)
    mean = sum(p_i * v_i for p_i, v_i in zip(p, v, strict=True))
    return np.array([p_i * (v_i - mean) for p_i, v_i in zip(p, v, strict=True)])


@wrong(exercises.softmax_vjp)
def vjp_mean_of_v(z, v):
    p = _p(z)
    return p * (v - v.mean())


@wrong(exercises.softmax_vjp)
def vjp_squared(z, v):
    p = _p(z)
    return p**2 * (v - p @ v)


@wrong(exercises.softmax_vjp)
def vjp_naive_p(z, v):
    p = np.exp(z) / np.exp(z).sum()
    return p * (v - p @ v)


# -- chapter 5 ----------------------------------------------------------------------


@correct(exercises.stable_softmax)
def softmax_loop(z):
    out = np.zeros_like(z)
    for i in range(z.shape[0]):
        e = np.exp(z[i] - np.max(z[i]))
        out[i] = e / np.sum(e)
    return out


@correct(exercises.stable_softmax)
def softmax_via_log(z):
    m = np.max(z, axis=1, keepdims=True)
    return np.exp(z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True)))


@correct(exercises.stable_softmax)
def softmax_helper(z):
    return _row_softmax(z)


def _row_softmax(z):
    e = np.exp(z - z.max(axis=-1)[..., None])
    return e / e.sum(axis=-1)[..., None]


@wrong(exercises.stable_softmax)
def softmax_first_column_shift(z):
    e = np.exp(z - z[:, :1])
    return e / e.sum(axis=1, keepdims=True)


@wrong(exercises.stable_softmax)
def softmax_clipped(z):
    e = np.exp(np.clip(z, -700, 700))
    return e / e.sum(axis=1, keepdims=True)


@wrong(exercises.stable_softmax)
def softmax_shift_by_1000(z):
    e = np.exp(z - 1000)
    return e / e.sum(axis=1, keepdims=True)


def _log1p_of_others(shifted):
    e = np.exp(shifted)
    e[np.arange(len(shifted)), shifted.argmax(axis=1)] = 0.0
    return np.log1p(e.sum(axis=1, keepdims=True))


@correct(exercises.stable_log_softmax)
def log_softmax_index_out_max(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - _log1p_of_others(shifted)


@wrong(exercises.stable_log_softmax)
def log_softmax_logaddexp(z):
    # z - LSE(z) loses a log-probability near 0 when the row maximum is not 0
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


@correct(exercises.stable_log_softmax)
def log_softmax_loop(z):
    out = np.empty_like(z)
    for i, row in enumerate(z):
        top = np.argmax(row)
        shifted = row - row[top]
        out[i] = shifted - np.log1p(np.exp(np.delete(shifted, top)).sum())
    return out


@correct(exercises.stable_log_softmax)
def log_softmax_sorted(z):
    shifted = z - np.max(z, axis=-1, keepdims=True)
    rest = np.sort(shifted, axis=-1)[:, :-1]  # every term but the largest
    return shifted - np.log1p(np.exp(rest).sum(axis=-1, keepdims=True))


@wrong(exercises.stable_log_softmax)
def log_softmax_clip(z):
    return np.log(np.clip(_row_softmax(z), 1e-300, 1.0))


@wrong(exercises.stable_log_softmax)
def log_softmax_sum_minus_one(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log1p(np.exp(shifted).sum(axis=1, keepdims=True) - 1)


@wrong(exercises.stable_log_softmax)
def log_softmax_min_shift_log1p(z):
    c = z.min(axis=1, keepdims=True)
    return z - c - np.log(np.exp(z - c).sum(axis=1, keepdims=True))


@correct(exercises.stable_logsumexp)
def logsumexp_logaddexp(z):
    return np.logaddexp.reduce(z, axis=-1)


@correct(exercises.stable_logsumexp)
def logsumexp_sorted(z):
    s = np.sort(z, axis=1)
    m = s[:, -1]
    return m + np.log1p(np.exp(s[:, :-1] - m[:, None]).sum(axis=1))


@correct(exercises.stable_logsumexp)
def logsumexp_loop(z):
    out = []
    for row in z:
        top = int(np.argmax(row))
        rest = np.delete(row, top) - row[top]
        out.append(row[top] + np.log1p(np.sum(np.exp(rest))))
    return np.array(out, dtype=z.dtype)


@wrong(exercises.stable_logsumexp)
def logsumexp_mean_plus_log_k(z):
    return z.mean(axis=1) + np.log(z.shape[1])


@wrong(exercises.stable_logsumexp)
def logsumexp_clip(z):
    return np.log(np.exp(np.clip(z, -700, 700)).sum(axis=1))


@wrong(exercises.stable_logsumexp)
def logsumexp_max_plus_log_k(z):
    return z.max(axis=1) + np.log(z.shape[1])


# -- chapter 6 ----------------------------------------------------------------------


def _learner_log_softmax(z):
    m = z.max(axis=-1, keepdims=True)
    return (z - m) - np.log1p(np.sort(np.exp(z - m), axis=-1)[:, :-1].sum(-1, keepdims=True))


@correct(exercises.cross_entropy_loss)
def cross_entropy_own_log1p(logits, labels):
    return -np.mean(_pick(_learner_log_softmax(logits), labels))


@correct(exercises.cross_entropy_loss)
def cross_entropy_loop(logits, labels):
    losses = []
    for row, label in zip(logits, labels, strict=True):
        others = np.sort(row)[:-1] - row.max()
        losses.append(np.log1p(np.exp(others).sum()) - (row[label] - row.max()))
    return np.mean(losses)


@wrong(exercises.cross_entropy_loss)
def cross_entropy_logaddexp(logits, labels):
    # LSE(z) - z_y loses a loss near 0 when the row maximum is not 0
    lse = np.logaddexp.reduce(logits, axis=1)
    return np.mean(lse - _pick(logits, labels))


@correct(exercises.cross_entropy_loss)
def cross_entropy_package(logits, labels):
    from softmax_course import log_softmax

    total = 0.0
    for row, label in zip(log_softmax(logits, axis=1), labels, strict=True):
        total -= row[label]
    return total / len(labels)


@wrong(exercises.cross_entropy_loss)
def cross_entropy_median(logits, labels):
    from softmax_course import log_softmax

    return -np.median(_pick(log_softmax(logits, axis=1), labels))


@wrong(exercises.cross_entropy_loss)
def cross_entropy_first_label(logits, labels):
    from softmax_course import log_softmax

    return -np.mean(log_softmax(logits, axis=1)[:, labels[0]])


@wrong(exercises.cross_entropy_loss)
def cross_entropy_clipped_probs(logits, labels):
    return -np.mean(np.log(np.clip(_pick(_row_softmax(logits), labels), 1e-12, 1)))


@correct(exercises.cross_entropy_gradient)
def gradient_one_hot_loop(logits, labels):
    target = np.zeros_like(logits)
    for row, label in enumerate(labels):
        target[row, label] = 1.0
    return (_row_softmax(logits) - target) / logits.shape[0]


@correct(exercises.cross_entropy_gradient)
def gradient_in_place(logits, labels):
    grad = _row_softmax(logits)
    grad[np.arange(len(labels)), labels] -= 1
    return grad / len(labels)


@correct(exercises.cross_entropy_gradient)
def gradient_mean_form(logits, labels):
    return (_row_softmax(logits) - np.eye(logits.shape[1])[labels]) * (1 / len(labels))


@wrong(exercises.cross_entropy_gradient)
def gradient_divided_by_k(logits, labels):
    n, k = logits.shape
    return (_row_softmax(logits) - np.eye(k)[labels]) / k


@wrong(exercises.cross_entropy_gradient)
def gradient_log_probs(logits, labels):
    n, k = logits.shape
    return (np.log(_row_softmax(logits) + 1e-300) - np.eye(k)[labels]) / n


@wrong(exercises.cross_entropy_gradient)
def gradient_only_true_class(logits, labels):
    grad = np.zeros_like(logits)
    probs = _row_softmax(logits)
    grad[np.arange(len(labels)), labels] = _pick(probs, labels) - 1
    return grad / len(labels)


@correct(exercises.loss_from_probabilities)
def loss_from_probs_loop(probs, labels):
    return -sum(np.log(probs[i, y]) for i, y in enumerate(labels)) / len(labels)


@correct(exercises.loss_from_probabilities)
def loss_from_probs_take(probs, labels):
    picked = np.take_along_axis(probs, labels[:, None], axis=1)
    return float(-np.log(picked).mean())


@correct(exercises.loss_from_probabilities)
def loss_from_probs_log_of_product(probs, labels):
    return -np.sum(np.log(_pick(probs, labels))) / labels.size


@wrong(exercises.loss_from_probabilities)
def loss_from_probs_one_hot_sum(probs, labels):
    one_hot = np.eye(probs.shape[1])[labels]
    return -np.mean(np.sum(one_hot * np.log(probs), axis=1))  # 0 * log(0) is NaN


@wrong(exercises.loss_from_probabilities)
def loss_from_probs_clipped(probs, labels):
    return -np.mean(np.log(np.clip(_pick(probs, labels), 1e-7, 1 - 1e-7)))


@wrong(exercises.loss_from_probabilities)
def loss_from_probs_log10(probs, labels):
    return -np.mean(np.log10(_pick(probs, labels)))


# -- chapter 7 ----------------------------------------------------------------------


@correct(exercises.regression_loss)
def regression_loss_package(W, b, X, y, l2):
    from softmax_course import cross_entropy

    return float(cross_entropy(X @ W + b, y)) + 0.5 * l2 * np.sum(W * W)


@correct(exercises.regression_loss)
def regression_loss_logaddexp(W, b, X, y, l2):
    Z = X @ W + b
    return np.mean(np.logaddexp.reduce(Z, axis=1) - _pick(Z, y)) + l2 / 2 * (W**2).sum()


@correct(exercises.regression_loss)
def regression_loss_shifted(W, b, X, y, l2):
    Z = X @ W + b
    Z = Z - Z.max(axis=1, keepdims=True)
    data = np.mean(np.log(np.exp(Z).sum(axis=1)) - _pick(Z, y))
    return data + l2 * np.linalg.norm(W) ** 2 / 2


@correct(exercises.regression_loss)
def regression_loss_scipy_logsumexp(W, b, X, y, l2):
    Z = X @ W + b
    lse = scipy.special.logsumexp(Z, axis=1)
    return np.mean(lse - Z[np.arange(len(y)), y]) + l2 / 2 * np.sum(W**2)


@correct(exercises.regression_loss)
def regression_loss_lse_plus_max(W, b, X, y, l2):
    Z = X @ W + b
    m = Z.max(axis=1)
    lse = np.log(np.sum(np.exp(Z - m[:, None]), axis=1)) + m
    total = 0.0
    for n in range(len(y)):
        total += lse[n] - Z[n, y[n]]
    return total / len(y) + 0.5 * l2 * (W**2).sum()


@wrong(exercises.regression_loss)
def regression_loss_l1(W, b, X, y, l2):
    from softmax_course import cross_entropy

    return float(cross_entropy(X @ W + b, y)) + l2 / 2 * np.abs(W).sum()


@wrong(exercises.regression_loss)
def regression_loss_no_bias(W, b, X, y, l2):
    from softmax_course import cross_entropy

    return float(cross_entropy(X @ W, y)) + l2 / 2 * np.sum(W**2)


@wrong(exercises.regression_loss)
def regression_loss_norm_not_squared(W, b, X, y, l2):
    from softmax_course import cross_entropy

    return float(cross_entropy(X @ W + b, y)) + l2 / 2 * np.linalg.norm(W)


def _regression_delta(W, b, X, y):
    P = _row_softmax(X @ W + b)
    P[np.arange(len(y)), y] -= 1
    return P


@correct(exercises.regression_gradient)
def regression_gradient_in_place(W, b, X, y, l2):
    delta = _regression_delta(W, b, X, y)
    return X.T @ delta / len(y) + l2 * W, delta.sum(axis=0) / len(y)


@correct(exercises.regression_gradient)
def regression_gradient_einsum(W, b, X, y, l2):
    delta = _regression_delta(W, b, X, y)
    return np.einsum("nd,nk->dk", X, delta) / X.shape[0] + l2 * W, np.mean(delta, axis=0)


@correct(exercises.regression_gradient)
def regression_gradient_list(W, b, X, y, l2):
    delta = _regression_delta(W, b, X, y)
    return [(X.T @ delta) / len(y) + l2 * W, delta.mean(axis=0)]


@wrong(exercises.regression_gradient)
def regression_gradient_swapped(W, b, X, y, l2):
    delta = _regression_delta(W, b, X, y)
    return delta.mean(axis=0), X.T @ delta / len(y) + l2 * W


@wrong(exercises.regression_gradient)
def regression_gradient_half_penalty(W, b, X, y, l2):
    delta = _regression_delta(W, b, X, y)
    return X.T @ delta / len(y) + l2 / 2 * W, delta.mean(axis=0)


@wrong(exercises.regression_gradient)
def regression_gradient_db_penalised(W, b, X, y, l2):
    delta = _regression_delta(W, b, X, y)
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0) + l2 * b


# -- chapter 8 ----------------------------------------------------------------------


@correct(exercises.one_hot_labels)
def one_hot_loop(labels, num_classes):
    out = np.zeros((len(labels), num_classes))
    for i, label in enumerate(labels):
        out[i, label] = 1
    return out


@correct(exercises.one_hot_labels)
def one_hot_compare(labels, num_classes):
    return (labels[:, None] == np.arange(num_classes)).astype(float)


@correct(exercises.one_hot_labels)
def one_hot_int(labels, num_classes):
    return np.identity(num_classes, dtype=int)[labels]


@wrong(exercises.one_hot_labels)
def one_hot_square(labels, num_classes):
    return np.eye(num_classes)[: len(labels)]


@wrong(exercises.one_hot_labels)
def one_hot_labels_as_values(labels, num_classes):
    out = np.zeros((len(labels), num_classes))
    out[np.arange(len(labels)), labels] = labels
    return out


@wrong(exercises.one_hot_labels)
def one_hot_cumulative(labels, num_classes):
    return (np.arange(num_classes) <= labels[:, None]).astype(float)


@correct(exercises.accuracy_from_logits)
def accuracy_count(logits, labels):
    return np.sum(np.argmax(logits, axis=1) == labels) / len(labels)


@correct(exercises.accuracy_from_logits)
def accuracy_loop(logits, labels):
    hits = 0
    for row, label in zip(logits, labels, strict=True):
        hits += int(np.argmax(row) == label)
    return hits / len(labels)


@correct(exercises.accuracy_from_logits)
def accuracy_of_probabilities(logits, labels):
    return float(np.mean(_row_softmax(logits).argmax(axis=-1) == labels))


@wrong(exercises.accuracy_from_logits)
def accuracy_percent(logits, labels):
    return 100 * np.mean(np.argmax(logits, axis=1) == labels)


@wrong(exercises.accuracy_from_logits)
def accuracy_argmin(logits, labels):
    return np.mean(np.argmin(logits, axis=1) == labels)


@wrong(exercises.accuracy_from_logits)
def accuracy_of_first_example(logits, labels):
    return float(np.argmax(logits[0]) == labels[0])


# -- chapter 9 ----------------------------------------------------------------------


@correct(exercises.calibration_gap)
def one_bin_ece_loop(probs, labels):
    correct_count, confidence = 0.0, 0.0
    for row, label in zip(probs, labels, strict=True):
        correct_count += float(np.argmax(row) == label)
        confidence += row.max()
    return abs(correct_count - confidence) / len(labels)


@correct(exercises.calibration_gap)
def one_bin_ece_signs(probs, labels):
    gap = np.mean(probs.max(axis=1)) - np.mean(probs.argmax(axis=1) == labels)
    return gap if gap >= 0 else -gap


@correct(exercises.calibration_gap)
def one_bin_ece_package(probs, labels):
    from softmax_course.calibration import expected_calibration_error

    return expected_calibration_error(probs, labels, n_bins=1)


@wrong(exercises.calibration_gap)
def one_bin_ece_squared(probs, labels):
    return (np.mean(probs.argmax(axis=1) == labels) - np.mean(probs.max(axis=1))) ** 2


@wrong(exercises.calibration_gap)
def one_bin_ece_ten_bins(probs, labels):
    from softmax_course.calibration import expected_calibration_error

    return expected_calibration_error(probs, labels, n_bins=10)


@wrong(exercises.calibration_gap)
def one_bin_ece_mean_probability(probs, labels):
    return abs(np.mean(probs.argmax(axis=1) == labels) - np.mean(probs))


def _own_nll(logits, labels, temperature):
    return -np.mean(_pick(_learner_log_softmax(logits / temperature), labels))


@correct(exercises.temperature_nll)
def nll_own_log_softmax(logits, labels, temperature):
    return _own_nll(logits, labels, temperature)


@correct(exercises.temperature_nll)
def nll_package_cross_entropy(logits, labels, temperature):
    from softmax_course import cross_entropy

    return float(cross_entropy(logits * (1 / temperature), labels))


@correct(exercises.temperature_nll)
def nll_temperature_argument(logits, labels, temperature):
    from softmax_course import log_softmax

    log_probs = log_softmax(logits, axis=-1, temperature=temperature)
    return -np.mean(np.take_along_axis(log_probs, labels[:, None], axis=1))


@wrong(exercises.temperature_nll)
def nll_temperature_squared(logits, labels, temperature):
    return _own_nll(logits, labels, temperature**2)


@wrong(exercises.temperature_nll)
def nll_probabilities_to_power(logits, labels, temperature):
    probs = _row_softmax(logits) ** (1 / temperature)
    return -np.mean(np.log(_pick(probs, labels)))


@wrong(exercises.temperature_nll)
def nll_without_temperature(logits, labels, temperature):
    return _own_nll(logits, labels, 1.0)


@correct(exercises.masked_softmax)
def masked_softmax_numpy(scores, mask):
    masked = np.where(mask, scores, -np.inf)
    e = np.exp(masked - masked.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@correct(exercises.masked_softmax)
def masked_softmax_allowed_max(scores, mask):
    m = np.where(mask, scores, -np.inf).max(axis=1, keepdims=True)
    e = np.exp(np.where(mask, scores - m, -np.inf))
    return e / e.sum(axis=1, keepdims=True)


@correct(exercises.masked_softmax)
def masked_softmax_loop(scores, mask):
    out = np.zeros_like(scores)
    for i in range(scores.shape[0]):
        allowed = scores[i][mask[i]]
        e = np.exp(allowed - allowed.max())
        out[i][mask[i]] = e / e.sum()
    return out


@correct(exercises.masked_softmax)
def masked_softmax_lowest_float(scores, mask):
    from softmax_course import softmax

    # the lowest float64 instead of -inf: its exponential after the shift is 0
    return softmax(np.where(mask, scores, np.finfo(np.float64).min), axis=-1)


@correct(exercises.masked_softmax)
def masked_softmax_minus_1e9(scores, mask):
    from softmax_course import softmax

    # a large finite negative, as chapter 9 says implementations use: every row here
    # allows a key, and exp(-1e9 - m) is exactly 0
    return softmax(np.where(mask, scores, -1e9), axis=-1)


@correct(exercises.masked_softmax)
def masked_softmax_additive_minus_1e4(scores, mask):
    masked = scores + (1.0 - mask) * -10000.0  # as BERT adds its mask
    e = np.exp(masked - masked.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@correct(exercises.masked_softmax)
def masked_softmax_exp_zeroed_with_where(scores, mask):
    m = np.max(np.where(mask, scores, -np.inf), axis=-1, keepdims=True)
    with np.errstate(over="ignore"):
        e = np.where(mask, np.exp(scores - m), 0.0)  # the inf of a masked score dropped
    return e / e.sum(axis=-1, keepdims=True)


@wrong(exercises.masked_softmax)
def masked_softmax_shift_by_all(scores, mask):
    e = np.exp(scores - scores.max(axis=1, keepdims=True)) * mask
    return e / e.sum(axis=1, keepdims=True)


@wrong(exercises.masked_softmax)
def masked_softmax_large_negative(scores, mask):
    masked = np.where(mask, scores, -1e3)
    e = np.exp(masked - masked.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@wrong(exercises.masked_softmax)
def masked_softmax_uniform(scores, mask):
    return mask / mask.sum(axis=1, keepdims=True)


# -- chapter 10 ---------------------------------------------------------------------


@correct(exercises.merge_pairs)
def merge_logaddexp(first, second):
    (m_a, l_a), (m_b, l_b) = first, second
    if m_a == -np.inf and m_b == -np.inf:
        return -np.inf, 0.0
    m = max(m_a, m_b)
    return m, np.exp(np.logaddexp(m_a + np.log(l_a), m_b + np.log(l_b)) - m)


@correct(exercises.merge_pairs)
def merge_branches(first, second):
    if first[0] < second[0]:
        first, second = second, first
    m, total = first
    if m == -np.inf:
        return m, 0.0
    return m, total + second[1] * np.exp(second[0] - m)


@correct(exercises.merge_pairs)
def merge_list(first, second):
    m = np.maximum(first[0], second[0])
    if np.isneginf(m):
        return [m, 0]
    return [m, first[1] * np.exp(first[0] - m) + second[1] * np.exp(second[0] - m)]


@wrong(exercises.merge_pairs)
def merge_average(first, second):
    m = max(first[0], second[0])
    if m == -np.inf:
        return -np.inf, 0.0
    return m, (first[1] * np.exp(first[0] - m) + second[1] * np.exp(second[0] - m)) / 2


@wrong(exercises.merge_pairs)
def merge_first_max(first, second):
    if first[0] == -np.inf:
        return second
    return first[0], first[1] + second[1] * np.exp(second[0] - first[0])


@wrong(exercises.merge_pairs)
def merge_nan_guard(first, second):
    m = max(first[0], second[0])
    total = first[1] * np.exp(first[0] - m) + second[1] * np.exp(second[0] - m)
    return m, np.nan_to_num(total, nan=1.0)


@correct(exercises.streaming_logsumexp)
def stream_logaddexp(blocks):
    total = -np.inf
    for block in blocks:
        total = np.logaddexp(total, np.logaddexp.reduce(block))
    return total


@correct(exercises.streaming_logsumexp)
def stream_pairs(blocks):
    m, rest = -np.inf, 0.0  # the sum is 1 + rest
    for block in blocks:
        block_max = np.max(block)
        if block_max > m:
            others = np.exp(np.sort(block)[:-1] - block_max)  # all but the new 1
            rest = (1.0 + rest) * np.exp(m - block_max) + np.sum(others)
            m = block_max
        else:
            rest += np.sum(np.exp(block - m))
    return float(m + np.log1p(rest))


@correct(exercises.streaming_logsumexp)
def stream_value_by_value(blocks):
    m, rest = -np.inf, 0.0
    for block in blocks:
        for value in block:
            if value > m:
                rest, m = (rest + 1.0) * np.exp(m - value), value
            else:
                rest += np.exp(value - m)
    return m + np.log1p(rest)


@correct(exercises.streaming_logsumexp)
def stream_package_logsumexp_with_running_value(blocks):
    from softmax_course import logsumexp

    # one block at a time: the package's logsumexp of the block and the running value
    total = -np.inf
    for block in blocks:
        total = logsumexp(np.concatenate([[total], block]))
    return float(total)


@wrong(exercises.streaming_logsumexp)
def stream_log1p_of_the_rounded_sum(blocks):
    m, s = -np.inf, 0.0
    for block in blocks:
        new_m = max(m, block.max())
        s = s * np.exp(m - new_m) + np.exp(block - new_m).sum()
        m = new_m
    return m + np.log1p(s - 1.0)  # too late: 1 + e^-40 has already rounded to 1


@wrong(exercises.streaming_logsumexp)
def stream_first_block_max(blocks):
    m, s = None, 0.0
    for block in blocks:
        if m is None:
            m = block.max()
        s += np.exp(block - m).sum()
    return m + np.log(s)


@wrong(exercises.streaming_logsumexp)
def stream_maximum(blocks):
    return max(block.max() for block in blocks)


@wrong(exercises.streaming_logsumexp)
def stream_not_rescaled(blocks):
    m, s = -np.inf, 0.0
    for block in blocks:
        m = max(m, block.max())
        s += np.exp(block - m).sum()
    return m + np.log(s)


@correct(exercises.top_k_distribution)
def top_k_threshold(logits, k):
    threshold = np.sort(logits)[-k]
    kept = np.where(logits >= threshold, logits, -np.inf)
    e = np.exp(kept - kept.max())
    return e / e.sum()


@correct(exercises.top_k_distribution)
def top_k_argpartition(logits, k):
    kept = np.argpartition(logits, -k)[-k:]
    out = np.zeros_like(logits)
    e = np.exp(logits[kept] - logits[kept].max())
    out[kept] = e / e.sum()
    return out


@correct(exercises.top_k_distribution)
def top_k_package(logits, k):
    from softmax_course import softmax

    masked = logits.copy()
    masked[np.argsort(-logits)[k:]] = -np.inf
    return softmax(masked)


@wrong(exercises.top_k_distribution)
def top_k_uniform(logits, k):
    out = np.zeros_like(logits)
    out[np.argsort(logits)[-k:]] = 1 / k
    return out


@wrong(exercises.top_k_distribution)
def top_k_first_k(logits, k):
    out = np.zeros_like(logits)
    e = np.exp(logits[:k] - logits[:k].max())
    out[:k] = e / e.sum()
    return out


@wrong(exercises.top_k_distribution)
def top_k_greater_than(logits, k):
    threshold = np.sort(logits)[-k]
    kept = np.where(logits > threshold, logits, -np.inf)
    e = np.exp(kept - kept.max())
    return e / e.sum()


# -- the tests ----------------------------------------------------------------------


@pytest.mark.parametrize(("checker", "answer"), CORRECT)
def test_a_correct_answer_is_accepted(checker, answer):
    text, passed = checker.verdict(answer, time_limit=5.0)
    assert passed, text
    assert text.startswith("Correct: ")


@pytest.mark.parametrize(("checker", "answer"), WRONG)
def test_a_wrong_answer_is_rejected(checker, answer):
    text, passed = checker.verdict(answer, time_limit=5.0)
    assert not passed
    assert text.startswith("Not correct yet: "), text
    assert "Traceback" not in text


def test_every_checker_has_three_correct_and_three_wrong_answers():
    correct_counts = {c.name: 0 for c in exercises.CHECKERS}
    wrong_counts = {c.name: 0 for c in exercises.CHECKERS}
    for param in CORRECT:
        correct_counts[param.values[0].name] += 1
    for param in WRONG:
        wrong_counts[param.values[0].name] += 1
    assert min(correct_counts.values()) >= 3, correct_counts
    assert min(wrong_counts.values()) >= 3, wrong_counts


def test_no_wrong_answer_is_a_catalogued_mistake_variant():
    # outside the catalogue: none of them is one of the checker's own wrong formulas
    variants = {id(v) for c in exercises.CHECKERS for m in c.mistakes for v in m.variants}
    assert not any(id(param.values[1]) in variants for param in WRONG)


@wrong(exercises.streaming_logsumexp)
def stream_held_whole(blocks):
    everything = np.concatenate(list(blocks))  # the whole stream in memory
    m = everything.max()
    return m + np.log(np.exp(everything - m).sum())


@wrong(exercises.top_k_distribution)
def top_k_finite_mask(logits, k):
    masked = np.full_like(logits, -1e4)  # as BERT masks attention
    keep = np.argsort(logits)[-k:]
    masked[keep] = logits[keep]
    e = np.exp(masked - masked.max())
    return e / e.sum()
