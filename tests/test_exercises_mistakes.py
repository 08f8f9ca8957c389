"""Every catalogued mistake, written as a learner would write it, is named by its checker.

One test per mistake: each function below is a plausible wrong answer in plain
NumPy (not the checker's own description of the mistake), registered with the
checker and the name of the mistake its verdict must print.
"""

import numpy as np
import pytest

from softmax_course import exercises

LEARNER_MISTAKES = []


def mistake(checker, name):
    """Register a learner's wrong answer and the mistake its verdict must name."""

    def register(answer):
        LEARNER_MISTAKES.append(pytest.param(checker, name, answer, id=f"{checker.name}: {name}"))
        return answer

    return register


def _softmax_rows(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax_rows(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# -- chapter 1 ----------------------------------------------------------------------


@mistake(exercises.linear_logits, "bias left out")
def my_logits_no_bias(points, weights, bias):
    return np.dot(points, weights)


@mistake(exercises.linear_logits, "bias subtracted")
def my_logits_minus_bias(points, weights, bias):
    return points @ weights - bias


@mistake(exercises.linear_logits, "one column per point instead of one row")
def my_logits_columns(points, weights, bias):
    return weights.T @ points.T + bias.reshape(-1, 1)


@mistake(exercises.linear_logits, "the logits rounded")
def my_logits_rounded(points, weights, bias):
    return np.round(points @ weights + bias, 4)


@mistake(exercises.predicted_class, "the logits clipped before the argmax")
def my_prediction_clipped(logits):
    e = np.exp(np.clip(logits, -500, 500))  # clipped so that exp cannot overflow
    return np.argmax(e / e.sum(axis=1, keepdims=True), axis=1)


@mistake(exercises.predicted_class, "the logits cast to a shorter float before the argmax")
def my_prediction_in_float16(logits):
    return np.argmax(logits.astype(np.float16), axis=1)


@mistake(exercises.predicted_class, "the logits rounded with np.round before the argmax")
def my_prediction_rounded(logits):
    return np.argmax(np.round(logits, 3), axis=1)


@mistake(exercises.predicted_class, "largest logit over the wrong axis")
def my_prediction_axis0(logits):
    return logits.argmax(axis=0)


@mistake(exercises.predicted_class, "largest logit of the whole batch")
def my_prediction_flat(logits):
    return np.argmax(logits)


@mistake(exercises.predicted_class, "smallest logit instead of the largest")
def my_prediction_argmin(logits):
    return logits.argmin(axis=1)


@mistake(exercises.predicted_class, "the largest logit instead of its class")
def my_prediction_max(logits):
    return logits.max(axis=1)


@mistake(exercises.predicted_class, "argmax of probabilities computed without the max shift")
def my_prediction_of_exp(logits):
    e = np.exp(logits)
    return np.argmax(e / np.sum(e, axis=1, keepdims=True), axis=1)


@mistake(exercises.predicted_class, "argmax of exponentials that overflow or underflow")
def my_prediction_of_bare_exp(logits):
    return np.exp(logits).argmax(axis=1)


@mistake(exercises.predicted_class, "argmax of sigmoids that round to 1")
def my_prediction_of_sigmoids(logits):
    return np.argmax(1 / (1 + np.exp(-logits)), axis=1)


# -- chapter 2 ----------------------------------------------------------------------


@mistake(exercises.stable_sigmoid, "0 for large negative inputs (an overflow, or a cut-off)")
def my_sigmoid_textbook(z):
    return 1 / (1 + np.exp(-z))


@mistake(exercises.stable_sigmoid, "0 for large negative inputs (an overflow, or a cut-off)")
def my_sigmoid_cut_off(z):
    return np.where(z < -709, 0.0, 1 / (1 + np.exp(-np.clip(z, -709, None))))


@mistake(exercises.stable_sigmoid, "1 above a threshold (a cut-off)")
def my_sigmoid_cut_off_at_one(z):
    e = np.exp(-np.abs(z))
    stable = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return np.where(z > 20, 1.0, stable)  # "it is 1 anyway up there"


@mistake(exercises.stable_sigmoid, "the sigmoid overflows for large positive inputs")
def my_sigmoid_exp_ratio(z):
    e = np.exp(z)
    return e / (e + 1)


@mistake(exercises.stable_sigmoid, "the sigmoid of -z")
def my_sigmoid_sign(z):
    return 1 / (1 + np.exp(z))


@mistake(exercises.stable_sigmoid, "the logits clipped before the exponential")
def my_sigmoid_clipped(z):
    z = np.clip(z, -500, 500)  # to avoid the overflow in exp
    return 1 / (1 + np.exp(-z))


@mistake(exercises.stable_log_sigmoid, "log(sigmoid(z))")
def my_log_sigmoid_of_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.log(np.where(z >= 0, 1 / (1 + e), e / (1 + e)))


@mistake(exercises.stable_log_sigmoid, "the log of a number that underflows, for negative z")
def my_log_sigmoid_split_by_sign(z):
    negative_side = np.log(np.exp(z) / (1 + np.exp(z)))  # exp(z) < 1 here: no overflow
    return np.where(z >= 0, -np.log1p(np.exp(-np.abs(z))), negative_side)


@mistake(exercises.stable_log_sigmoid, "the log of a number that underflows, for negative z")
def my_log_sigmoid_log_of_exp(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, -np.log1p(e), np.log(e) - np.log1p(e))


@mistake(
    exercises.stable_log_sigmoid, "the sigmoid kept off 0 (clipped, or eps added) before the log"
)
def my_log_sigmoid_clipped_probability(z):
    return np.log(np.clip(1 / (1 + np.exp(-z)), 1e-300, 1))


@mistake(exercises.stable_log_sigmoid, "exp(-z) overflows for large negative z")
def my_log_sigmoid_log1p_of_exp(z):
    return -np.log1p(np.exp(-z))  # log1p keeps large z, but exp(-z) overflows


@mistake(exercises.stable_log_sigmoid, "the log-probability of the other class")
def my_log_sigmoid_other(z):
    return -np.log1p(np.exp(-np.abs(z))) - np.maximum(z, 0)


@mistake(exercises.stable_log_sigmoid, "the minus sign left out")
def my_log_sigmoid_no_minus(z):
    return np.logaddexp(0, -z)


@mistake(exercises.stable_log_sigmoid, "the logits clipped before the exponential")
def my_log_sigmoid_clipped(z):
    return -np.log1p(np.exp(-np.clip(z, -700, 700)))


@mistake(exercises.stable_log_sigmoid, "log(1 + x) instead of log1p(x)")
def my_log_sigmoid_log_one_plus(z):
    return np.minimum(z, 0) - np.log(1 + np.exp(-np.abs(z)))


@mistake(exercises.stable_log_sigmoid, "log(1 + x) instead of log1p(x)")
def my_log_sigmoid_as_log_softmax(z):
    return _log_softmax_rows(np.stack([np.zeros_like(z), z], axis=-1))[:, 1]


@mistake(exercises.stable_sigmoid, "one minus a number near 1 for negative inputs")
def my_sigmoid_one_minus(z):
    return 1 - 1 / (1 + np.exp(z))


@mistake(exercises.stable_sigmoid, "one minus a number near 1 for negative inputs")
def my_sigmoid_tanh(z):
    return (1 + np.tanh(z / 2)) / 2


@mistake(exercises.stable_log_sigmoid, "z - log(1 + exp(z)), which cancels for large z")
def my_log_sigmoid_minus_softplus(z):
    return z - np.logaddexp(0, z)


# -- chapter 3 ----------------------------------------------------------------------


@mistake(exercises.softmax_inverse, "a constant so large that rounding moves the logits")
def my_logits_for_far_from_zero(probs):
    return np.log(probs) + 1e8  # any constant is right, in exact arithmetic


@mistake(exercises.softmax_inverse, "the probabilities returned as logits")
def my_logits_for_identity(probs):
    return probs.copy()


@mistake(exercises.softmax_inverse, "exponentials instead of logarithms")
def my_logits_for_exp(probs):
    return np.exp(probs)


@mistake(exercises.softmax_inverse, "logits of the wrong sign")
def my_logits_for_minus_log(probs):
    return np.log(1 / probs)


@mistake(exercises.softmax_inverse, "a small constant added to the probabilities before the log")
def my_logits_for_plus_epsilon(probs):
    return np.log(probs + 1e-12)  # to avoid log(0)


@mistake(exercises.softmax_inverse, "a small constant added to the probabilities before the log")
def my_logits_for_clipped(probs):
    return np.log(np.maximum(probs, 1e-7))


@mistake(exercises.prediction_from_logits, "the logits clipped before the argmax")
def my_predict_clipped(logits):
    return np.argmax(np.clip(logits, -100, 100), axis=-1)  # kept where exp is safe


@mistake(exercises.prediction_from_logits, "argmax of values that round close logits together")
def my_predict_rounded_to_ten_decimals(logits):
    return np.argmax(np.round(logits, 10), axis=-1)


@mistake(exercises.prediction_from_logits, "argmax of values that round close logits together")
def my_predict_from_probabilities(logits):
    probabilities = _softmax_rows(logits)
    return probabilities.argmax(axis=-1)


@mistake(exercises.prediction_from_logits, "argmax of values that round close logits together")
def my_predict_from_log_probabilities(logits):
    return _log_softmax_rows(logits).argmax(axis=-1)


@mistake(exercises.prediction_from_logits, "argmax of values that round close logits together")
def my_predict_from_sigmoids(logits):
    return np.argmax(1 / (1 + np.exp(-logits)), axis=-1)


@mistake(exercises.prediction_from_logits, "largest logit over the wrong axis")
def my_predict_axis0(logits):
    return np.argmax(logits, axis=0)


@mistake(exercises.prediction_from_logits, "largest logit over the wrong axis")
def my_predict_axis1(logits):
    return np.argmax(logits, axis=1)  # the class axis of chapter 1's (N, K) batches


@mistake(exercises.prediction_from_logits, "smallest logit instead of the largest")
def my_predict_argmin(logits):
    return logits.argmin(axis=-1)


@mistake(exercises.prediction_from_logits, "largest logit of the whole batch")
def my_predict_without_axis(logits):
    return np.argmax(logits)


@mistake(exercises.prediction_from_logits, "the logits cast to a shorter float before the argmax")
def my_predict_in_float32(logits):
    small = np.asarray(logits, dtype=np.float32)  # to save memory
    return np.argmax(small, axis=-1)


@mistake(exercises.prediction_from_logits, "the logits rounded with np.round before the argmax")
def my_predict_rounded(logits):
    return np.argmax(np.round(logits, 4), axis=-1)  # rounded as they are printed


# -- chapter 4 ----------------------------------------------------------------------

mistake(exercises.softmax_shares, "exponentials, not divided by their sum")(
    [2.7183, 7.3891, 20.0855]
)
mistake(exercises.softmax_shares, "percentages instead of probabilities")([9.0, 24.47, 66.52])
mistake(exercises.softmax_shares, "logits divided by their sum, without exponentials")(
    [0.1667, 0.3333, 0.5]
)
mistake(exercises.softmax_shares, "rounded to fewer than four decimals")(
    np.array([0.09, 0.24, 0.67])
)
mistake(exercises.softmax_shares, "rounded to fewer than four decimals")([0.090, 0.245, 0.665])


@mistake(exercises.batch_softmax, "normalised over the wrong axis")
def my_batch_softmax_axis0(logits):
    e = np.exp(logits)
    return e / e.sum(axis=0)


@mistake(exercises.batch_softmax, "normalised over the whole batch")
def my_batch_softmax_whole(logits):
    e = np.exp(logits)
    return e / np.sum(e)


@mistake(exercises.batch_softmax, "exponentials not divided by their sum")
def my_batch_softmax_exp(logits):
    return np.exp(logits)


@mistake(exercises.batch_softmax, "no max subtraction")
def my_batch_softmax_no_shift(logits):
    return np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


@mistake(exercises.batch_softmax, "the maximum of the whole batch subtracted")
def my_batch_softmax_batch_max(logits):
    e = np.exp(logits - np.max(logits))
    return e / e.sum(axis=1, keepdims=True)


_BATCH_NON_MAX_SHIFT = (
    "shifted by the row mean, minimum, median, first or last logit instead of the maximum"
)


@mistake(exercises.batch_softmax, _BATCH_NON_MAX_SHIFT)
def my_batch_softmax_mean_shift(logits):
    e = np.exp(logits - logits.mean(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@mistake(exercises.batch_softmax, _BATCH_NON_MAX_SHIFT)
def my_batch_softmax_first_logit_shift(logits):
    e = np.exp(logits - logits[:, :1])
    return e / e.sum(axis=-1, keepdims=True)


@mistake(exercises.batch_softmax, _BATCH_NON_MAX_SHIFT)
def my_batch_softmax_last_logit_shift(logits):
    e = np.exp(logits - logits[:, -1:])
    return e / e.sum(axis=-1, keepdims=True)


@mistake(exercises.batch_softmax, _BATCH_NON_MAX_SHIFT)
def my_batch_softmax_median_shift(logits):
    e = np.exp(logits - np.median(logits, axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@mistake(exercises.true_class_loss, "every tied largest score left out of r")
def my_loss_ties_masked(scores, true_class):
    m = scores.max()
    r = np.exp(scores - m)[scores != m].sum()  # the other terms
    return (m - scores[true_class]) + np.log1p(r)


@mistake(exercises.true_class_loss, "the loss of the top class instead of the true class")
def my_loss_without_the_true_score(scores, true_class):
    shifted = scores - scores.max()
    return np.log(np.exp(shifted).sum())  # the term of the true class is missing


@mistake(exercises.true_class_loss, "shifted by the true class's score instead of the maximum")
def my_loss_shifted_by_the_true_score(scores, true_class):
    return np.log(np.sum(np.exp(scores - scores[true_class])))  # CS231n's form


@mistake(exercises.true_class_loss, "the probability, not the loss")
def my_loss_probability(scores, true_class):
    e = np.exp(scores - scores.max())
    return e[true_class] / e.sum()


@mistake(exercises.true_class_loss, "the minus sign left out")
def my_loss_no_minus(scores, true_class):
    e = np.exp(scores - scores.max())
    return np.log(e[true_class] / e.sum())


@mistake(exercises.true_class_loss, "the wrong logarithm")
def my_loss_log10(scores, true_class):
    e = np.exp(scores - scores.max())
    return -np.log10(e[true_class] / e.sum())


@mistake(exercises.true_class_loss, "the loss of the top class instead of the true class")
def my_loss_predicted(scores, true_class):
    e = np.exp(scores - scores.max())
    p = e / e.sum()
    return -np.log(p[np.argmax(p)])


@mistake(exercises.true_class_loss, "scores used as probabilities")
def my_loss_scores(scores, true_class):
    return -np.log(scores[true_class])


@mistake(exercises.true_class_loss, "no max subtraction")
def my_loss_naive(scores, true_class):
    e = np.exp(scores)
    return -np.log(e[true_class] / e.sum())


@mistake(
    exercises.true_class_loss, "the log of a probability or an exponential that underflows to 0"
)
def my_loss_log_of_probability(scores, true_class):
    e = np.exp(scores - scores.max())
    return -np.log(e[true_class] / e.sum())


@mistake(
    exercises.true_class_loss, "the log of a probability or an exponential that underflows to 0"
)
def my_loss_log_of_exponential(scores, true_class):
    e = np.exp(scores - scores.max())
    return np.log(e.sum()) - np.log(e[true_class])


@mistake(exercises.softmax_vjp, "only the diagonal of J")
def my_vjp_diagonal(z, v):
    p = _softmax_rows(z)
    return np.diag(p) @ v


@mistake(exercises.softmax_vjp, "not multiplied by p")
def my_vjp_no_p(z, v):
    p = _softmax_rows(z)
    return v - np.dot(p, v)


@mistake(exercises.softmax_vjp, "wrong sign")
def my_vjp_sign(z, v):
    p = _softmax_rows(z)
    jacobian = np.outer(p, p) - np.diag(p)
    return jacobian.T @ v


@mistake(exercises.softmax_vjp, "the sum of v instead of p @ v")
def my_vjp_sum(z, v):
    p = _softmax_rows(z)
    return p * (v - np.sum(v))


_SCORE_NON_MAX_SHIFT = (
    "shifted by the mean, minimum, median, first or last score instead of the maximum"
)


@mistake(exercises.true_class_loss, _SCORE_NON_MAX_SHIFT)
def my_loss_mean_shift(scores, true_class):
    s = scores - scores.mean()
    return np.log(np.exp(s).sum()) - s[true_class]


@mistake(exercises.true_class_loss, _SCORE_NON_MAX_SHIFT)
def my_loss_first_score_shift(scores, true_class):
    s = scores - scores[0]
    return np.log(np.exp(s).sum()) - s[true_class]


@mistake(exercises.true_class_loss, _SCORE_NON_MAX_SHIFT)
def my_loss_last_score_shift(scores, true_class):
    c = scores[-1]
    return np.log(np.sum(np.exp(scores - c))) - (scores[true_class] - c)


@mistake(exercises.true_class_loss, "the probability clipped")
def my_loss_clipped(scores, true_class):
    e = np.exp(scores - scores.max())
    return -np.log(np.clip(e[true_class] / e.sum(), 1e-7, 1 - 1e-7))


@pytest.mark.parametrize("form", ["clip to [eps, 1]", "plus eps"])
def test_a_clipped_probability_is_named_in_every_form(form, capsys):
    def my_loss(scores, true_class):
        e = np.exp(scores - scores.max())
        p = e[true_class] / e.sum()
        return -np.log(np.clip(p, 1e-12, 1) if form == "clip to [eps, 1]" else p + 1e-7)

    assert exercises.true_class_loss.check(my_loss) is False
    assert "\nRecognised mistake: the probability clipped. " in capsys.readouterr().out


# -- chapter 5 ----------------------------------------------------------------------


@mistake(exercises.stable_softmax, "the row minimum subtracted instead of the maximum")
def my_softmax_min_shift(z):
    e = np.exp(z - z.min(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@mistake(exercises.stable_softmax, "the row mean subtracted instead of the maximum")
def my_softmax_mean_shift(z):
    e = np.exp(z - np.mean(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


@mistake(
    exercises.stable_log_softmax,
    "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
)
def my_log_softmax_no_log1p(z):
    return _log_softmax_rows(z)


@mistake(
    exercises.stable_log_softmax, "the log of probabilities kept off 0 (clipped, or eps added)"
)
def my_log_softmax_clipped(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.log(np.clip(e / e.sum(axis=1, keepdims=True), 1e-12, 1.0))  # no log(0)


@mistake(exercises.stable_log_softmax, "the row minimum subtracted instead of the maximum")
def my_log_softmax_min_shift(z):
    shifted = z - z.min(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@mistake(exercises.stable_log_softmax, "the row mean subtracted instead of the maximum")
def my_log_softmax_mean_shift(z):
    c = z.mean(axis=1, keepdims=True)
    return z - c - np.log(np.sum(np.exp(z - c), axis=1, keepdims=True))


@mistake(exercises.stable_logsumexp, "one log-sum-exp for the whole batch")
def my_logsumexp_of_the_batch(z):
    m = np.max(z)  # the one-row formula
    return m + np.log(np.sum(np.exp(z - m)))


@mistake(
    exercises.stable_logsumexp,
    "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
)
def my_logsumexp_no_log1p(z):
    m = np.max(z, axis=1)
    return m + np.log(np.sum(np.exp(z - m[:, None]), axis=1))


@mistake(exercises.stable_log_softmax, "log(1 + r) instead of log1p(r)")
def my_log_softmax_log_of_one_plus_r(z):
    m = z.max(axis=-1, keepdims=True)
    e = np.exp(z - m)
    np.put_along_axis(e, z.argmax(axis=-1)[:, None], 0.0, axis=-1)  # the top term out
    return (z - m) - np.log(1 + e.sum(axis=-1, keepdims=True))


@mistake(exercises.stable_logsumexp, "log(1 + r) instead of log1p(r)")
def my_logsumexp_log_of_one_plus_r(z):
    m = z.max(axis=1)
    rest = np.sort(z, axis=1)[:, :-1] - m[:, None]  # every term but the largest
    return m + np.log(1 + np.exp(rest).sum(axis=1))


@mistake(exercises.stable_logsumexp, "the row minimum subtracted instead of the maximum")
def my_logsumexp_min_shift(z):
    c = z.min(axis=1)
    return c + np.log(np.sum(np.exp(z - c[:, None]), axis=1))


@mistake(exercises.stable_logsumexp, "the row mean subtracted instead of the maximum")
def my_logsumexp_mean_shift(z):
    c = z.mean(axis=-1, keepdims=True)
    return (c + np.log(np.exp(z - c).sum(axis=-1, keepdims=True)))[:, 0]


@mistake(exercises.stable_softmax, "normalised over the wrong axis")
def my_softmax_axis0(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@mistake(exercises.stable_softmax, "normalised over the whole batch")
def my_softmax_whole(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


@mistake(exercises.stable_softmax, "normalised over the whole batch")
def my_softmax_row_shift_whole_sum(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # each row shifted, then one sum
    return e / e.sum()


@mistake(exercises.stable_softmax, "exponentials not divided by their sum")
def my_softmax_not_divided(z):
    return np.exp(z - z.max(axis=1, keepdims=True))


@mistake(exercises.stable_softmax, "the maximum of the whole batch subtracted")
def my_softmax_batch_max(z):
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=1, keepdims=True)


@mistake(exercises.stable_softmax, "each column's maximum subtracted")
def my_softmax_column_max(z):
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=1, keepdims=True)


@mistake(exercises.stable_softmax, "no max subtraction")
def my_softmax_naive(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@mistake(exercises.stable_log_softmax, "normalised over the wrong axis")
def my_log_softmax_axis0(z):
    shifted = z - z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


@mistake(exercises.stable_log_softmax, "log(softmax(z)) instead of a log-softmax")
def my_log_softmax_of_softmax(z):
    return np.log(_softmax_rows(z))


@mistake(exercises.stable_log_softmax, "the log-sum-exp left out")
def my_log_softmax_shift_only(z):
    return z - np.max(z, axis=1, keepdims=True)


@mistake(exercises.stable_log_softmax, "normalised over the whole batch")
def my_log_softmax_whole(z):
    return z - np.log(np.sum(np.exp(z)))


@mistake(exercises.stable_log_softmax, "no max subtraction")
def my_log_softmax_naive(z):
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


@mistake(exercises.stable_logsumexp, "the maximum not added back")
def my_logsumexp_no_m(z):
    m = z.max(axis=1, keepdims=True)
    return np.log(np.exp(z - m).sum(axis=1))


@mistake(exercises.stable_logsumexp, "the summed axis kept")
def my_logsumexp_keepdims(z):
    m = z.max(axis=1, keepdims=True)
    return m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))


@mistake(exercises.stable_logsumexp, "summed over the wrong axis")
def my_logsumexp_axis0(z):
    m = z.max(axis=0)
    return m + np.log(np.exp(z - m).sum(axis=0))


@mistake(exercises.stable_logsumexp, "the maximum instead of the log-sum-exp")
def my_logsumexp_max(z):
    return np.max(z, axis=-1)


@mistake(exercises.stable_logsumexp, "no max subtraction")
def my_logsumexp_naive(z):
    return np.log(np.sum(np.exp(z), axis=-1))


@mistake(exercises.stable_log_softmax, "z minus the log-sum-exp, which cancels")
def my_log_softmax_minus_lse(z):
    m = z.max(axis=-1, keepdims=True)
    others = np.exp(z - m)
    np.put_along_axis(others, z.argmax(axis=-1)[:, None], 0.0, axis=-1)
    return z - (m + np.log1p(others.sum(axis=-1, keepdims=True)))


@mistake(exercises.stable_log_softmax, "every tied maximum left out of r")
def my_log_softmax_ties_out(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    e[shifted == 0] = 0.0  # leave out the largest term, 1
    return shifted - np.log1p(e.sum(axis=-1, keepdims=True))


@mistake(exercises.stable_logsumexp, "every tied maximum left out of r")
def my_logsumexp_ties_out(z):
    m = z.max(axis=1, keepdims=True)
    rest = np.where(z == m, 0.0, np.exp(z - m))  # every term but the largest
    return m[:, 0] + np.log1p(rest.sum(axis=1))


@mistake(exercises.stable_log_softmax, "the maximum of the whole batch subtracted")
def my_log_softmax_batch_max(z):
    shifted = z - np.max(z)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@mistake(exercises.stable_logsumexp, "the maximum of the whole batch subtracted")
def my_logsumexp_batch_max(z):
    m = z.max()
    return m + np.log(np.sum(np.exp(z - m), axis=-1))


# -- chapter 6 ----------------------------------------------------------------------


def _pick(values, labels):
    return values[np.arange(len(labels)), labels]


@mistake(exercises.cross_entropy_loss, "every tied maximum left out of r")
def my_cross_entropy_ties_masked(logits, labels):
    m = logits.max(axis=1, keepdims=True)
    r = np.where(logits == m, 0.0, np.exp(logits - m)).sum(axis=1)
    return np.mean((m[:, 0] - logits[np.arange(len(labels)), labels]) + np.log1p(r))


@mistake(exercises.cross_entropy_loss, "shifted by the true class's logit instead of the maximum")
def my_cross_entropy_shifted_by_the_true_logit(logits, labels):
    true = logits[np.arange(len(labels)), labels]
    return np.mean(np.log(np.exp(logits - true[:, None]).sum(axis=1)))


@mistake(exercises.cross_entropy_loss, "logits used as probabilities")
def my_cross_entropy_raw(logits, labels):
    return -np.mean(np.log(_pick(logits, labels)))


@mistake(exercises.cross_entropy_loss, "double softmax")
def my_cross_entropy_double(logits, labels):
    probs = _softmax_rows(logits)
    return -np.mean(_pick(_log_softmax_rows(probs), labels))


@mistake(exercises.cross_entropy_loss, "the losses summed, not averaged")
def my_cross_entropy_sum(logits, labels):
    return -np.sum(_pick(_log_softmax_rows(logits), labels))


@mistake(exercises.cross_entropy_loss, "wrong sign")
def my_cross_entropy_sign(logits, labels):
    return np.mean(_pick(_log_softmax_rows(logits), labels))


@mistake(exercises.cross_entropy_loss, "one loss per example, not their mean")
def my_cross_entropy_per_example(logits, labels):
    return -_pick(_log_softmax_rows(logits), labels)


@mistake(exercises.cross_entropy_loss, "a mean over the classes as well")
def my_cross_entropy_mean_all(logits, labels):
    return -np.mean(np.eye(logits.shape[1])[labels] * _log_softmax_rows(logits))


@mistake(exercises.cross_entropy_loss, "no max subtraction")
def my_cross_entropy_naive(logits, labels):
    log_sum = np.log(np.sum(np.exp(logits), axis=1))
    return np.mean(log_sum - _pick(logits, labels))


@mistake(exercises.cross_entropy_loss, "log(softmax(z)) instead of log-softmax")
def my_cross_entropy_log_of_softmax(logits, labels):
    return -np.mean(np.log(_pick(_softmax_rows(logits), labels)))


@mistake(
    exercises.cross_entropy_loss,
    "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
)
def my_cross_entropy_own_log_softmax(logits, labels):
    return -np.mean(_pick(_log_softmax_rows(logits), labels))


@mistake(
    exercises.cross_entropy_loss,
    "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
)
def my_cross_entropy_log1p_of_sum_minus_one(logits, labels):
    m = logits.max(axis=1, keepdims=True)
    r = np.exp(logits - m).sum(axis=1) - 1.0  # 0 once the sum has rounded to 1
    return np.mean((m[:, 0] - _pick(logits, labels)) + np.log1p(r))


@mistake(exercises.cross_entropy_loss, "the probabilities clipped")
def my_cross_entropy_clipped(logits, labels):
    probs = np.clip(_softmax_rows(logits), 1e-7, 1 - 1e-7)
    return -np.mean(np.log(_pick(probs, labels)))


_NON_MAX_SHIFT = (
    "shifted by the row mean, minimum, median, first or last logit instead of the maximum"
)


@mistake(exercises.cross_entropy_loss, _NON_MAX_SHIFT)
def my_cross_entropy_min_shift(logits, labels):
    shifted = logits - logits.min(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.mean(_pick(log_probs, labels))


@mistake(exercises.cross_entropy_loss, _NON_MAX_SHIFT)
def my_cross_entropy_first_logit_shift(logits, labels):
    n = len(labels)
    s = logits - logits[:, :1]  # the first logit, 0 after the shift, left out of the sum
    return np.mean(np.log1p(np.exp(s[:, 1:]).sum(axis=-1)) - s[np.arange(n), labels])


@mistake(exercises.cross_entropy_loss, _NON_MAX_SHIFT)
def my_cross_entropy_median_shift(logits, labels):
    c = np.median(logits, axis=1, keepdims=True)
    return np.mean(np.log(np.exp(logits - c).sum(axis=1)) - _pick(logits - c, labels))


@pytest.mark.parametrize(
    "answer", [my_cross_entropy_min_shift, my_cross_entropy_shifted_by_the_true_logit]
)
def test_the_min_shift_and_the_true_logit_shift_are_told_apart(answer):
    # a shift by the minimum overflows wherever a shift by the true logit does: a row
    # where only the former overflows comes first, so each verdict names one mistake
    text, passed = exercises.cross_entropy_loss.verdict(answer)
    assert not passed
    assert text.count("Recognised mistake: ") == 1, text


@mistake(exercises.cross_entropy_gradient, "gradient with the wrong sign")
def my_gradient_sign(logits, labels):
    n, k = logits.shape
    return (np.eye(k)[labels] - _softmax_rows(logits)) / n


@mistake(exercises.cross_entropy_gradient, "the 1/N of the mean left out")
def my_gradient_no_mean(logits, labels):
    return _softmax_rows(logits) - np.eye(logits.shape[1])[labels]


@mistake(exercises.cross_entropy_gradient, "the one-hot labels not subtracted")
def my_gradient_no_labels(logits, labels):
    return _softmax_rows(logits) / len(labels)


@mistake(
    exercises.cross_entropy_gradient,
    "the softmax shifted by the row mean, minimum, median, first or last logit instead of "
    "the maximum",
)
def my_gradient_first_logit_shift(logits, labels):
    e = np.exp(logits - logits[:, :1])
    probs = e / e.sum(axis=-1, keepdims=True)
    return (probs - np.eye(logits.shape[1])[labels]) / len(labels)


@mistake(
    exercises.cross_entropy_gradient,
    "the softmax shifted by the row mean, minimum, median, first or last logit instead of "
    "the maximum",
)
def my_gradient_last_logit_shift(logits, labels):
    grad = np.exp(logits - logits[:, -1:])
    grad /= grad.sum(axis=1, keepdims=True)
    grad[np.arange(len(labels)), labels] -= 1
    return grad / len(labels)


@mistake(exercises.cross_entropy_gradient, "softmax over the wrong axis")
def my_gradient_axis0(logits, labels):
    e = np.exp(logits)
    probs = e / e.sum(axis=0)
    return (probs - np.eye(logits.shape[1])[labels]) / len(labels)


@mistake(
    exercises.loss_from_probabilities,
    "probabilities passed where logits are expected (double softmax)",
)
def my_loss_from_probs_double(probs, labels):
    return -np.mean(_pick(_log_softmax_rows(probs), labels))


@mistake(exercises.loss_from_probabilities, "the log of the product of the probabilities")
def my_loss_of_the_product(probs, labels):
    likelihood = np.prod(probs[np.arange(len(labels)), labels])  # the likelihood
    return -np.log(likelihood) / len(labels)


@mistake(exercises.loss_from_probabilities, "the logarithm left out")
def my_loss_from_probs_no_log(probs, labels):
    return -np.mean(_pick(probs, labels))


@mistake(exercises.loss_from_probabilities, "the losses summed, not averaged")
def my_loss_from_probs_sum(probs, labels):
    return -np.log(_pick(probs, labels)).sum()


@mistake(exercises.loss_from_probabilities, "wrong sign")
def my_loss_from_probs_sign(probs, labels):
    return np.mean(np.log(_pick(probs, labels)))


@mistake(exercises.loss_from_probabilities, "one loss per example, not their mean")
def my_loss_from_probs_each(probs, labels):
    return -np.log(_pick(probs, labels))


@mistake(exercises.loss_from_probabilities, "a mean over the classes as well")
def my_loss_from_probs_mean_all(probs, labels):
    return -np.mean(np.eye(probs.shape[1])[labels] * np.log(np.maximum(probs, 1e-300)))


@mistake(exercises.loss_from_probabilities, "a one-hot sum, 0 * log(0)")
def my_loss_from_probs_one_hot_sum(probs, labels):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.mean(np.sum(np.eye(probs.shape[1])[labels] * np.log(probs), axis=1))


@mistake(exercises.loss_from_probabilities, "the probabilities clipped")
def my_loss_from_probs_clipped(probs, labels):
    return -np.mean(np.log(np.maximum(_pick(probs, labels), 1e-12)))


@mistake(exercises.cross_entropy_loss, "LSE(z) - z_y, which cancels")
def my_cross_entropy_lse_minus_logit(logits, labels):
    lse = np.logaddexp.reduce(logits, axis=-1)
    return np.mean(lse - logits[np.arange(len(labels)), labels])


@mistake(exercises.cross_entropy_loss, "the mean of LSE(z) minus the mean of z_y, which cancels")
def my_cross_entropy_mean_lse_minus_mean_logit(logits, labels):
    m = logits.max(axis=-1, keepdims=True)
    e = np.exp(logits - m)
    np.put_along_axis(e, logits.argmax(axis=-1)[:, None], 0.0, axis=-1)
    lse = (m + np.log1p(e.sum(axis=-1, keepdims=True)))[:, 0]  # a correct log-sum-exp
    return np.mean(lse) - np.mean(logits[np.arange(len(labels)), labels])


@mistake(
    exercises.cross_entropy_loss,
    "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
)
def my_cross_entropy_scipy_log_softmax(logits, labels):
    import scipy.special

    log_probs = scipy.special.log_softmax(logits, axis=-1)
    return -np.mean(log_probs[np.arange(len(labels)), labels])


def test_the_scipy_log_softmax_is_named_in_the_first_sentence():
    text, passed = exercises.cross_entropy_loss.verdict(my_cross_entropy_scipy_log_softmax)
    assert not passed
    first_sentence = text.split("Recognised mistake: ")[1].split(". ")[1]  # after the name
    assert "scipy.special.log_softmax" in first_sentence, text


# -- chapter 7 ----------------------------------------------------------------------


def _data_loss(W, b, X, y):
    return -np.mean(_pick(_log_softmax_rows(X @ W + b), y))


@mistake(exercises.regression_loss, "a one-hot sum of log(softmax(Z)), 0 * log(0)")
def my_loss_one_hot_sum(W, b, X, y, l2):
    Z = X @ W + b
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    Q = np.eye(W.shape[1])[y]
    return -np.mean(np.sum(Q * np.log(P), axis=1)) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "the penalty without its 1/2")
def my_regression_loss_full_penalty(W, b, X, y, l2):
    return _data_loss(W, b, X, y) + l2 * np.sum(W * W)


@mistake(exercises.regression_loss, "the penalty left out")
def my_regression_loss_no_penalty(W, b, X, y, l2):
    return _data_loss(W, b, X, y)


@mistake(exercises.regression_loss, "the bias penalised too")
def my_regression_loss_bias(W, b, X, y, l2):
    return _data_loss(W, b, X, y) + 0.5 * l2 * (np.sum(W**2) + b @ b)


@mistake(exercises.regression_loss, "the losses summed, not averaged")
def my_regression_loss_sum(W, b, X, y, l2):
    return -np.sum(_pick(_log_softmax_rows(X @ W + b), y)) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "no max subtraction")
def my_regression_loss_naive(W, b, X, y, l2):
    Z = X @ W + b
    log_probs = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -np.mean(_pick(log_probs, y)) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "no max subtraction")
def my_regression_loss_naive_log_of_softmax(W, b, X, y, l2):
    Z = X @ W + b
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -np.mean(np.log(_pick(P, y))) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "log(softmax(Z)) instead of log-softmax")
def my_regression_loss_log_of_softmax(W, b, X, y, l2):
    Z = X @ W + b
    P = _softmax_rows(Z)  # the maximum subtracted: no overflow, but P can be 0
    return -np.mean(np.log(_pick(P, y))) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "log(softmax(Z)) instead of log-softmax")
def my_regression_loss_log_of_package_softmax(W, b, X, y, l2):
    from softmax_course import softmax

    P = softmax(X @ W + b, axis=-1)
    return -np.mean(np.log(P[np.arange(len(y)), y])) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "the row minimum or mean subtracted instead of the maximum")
def my_regression_loss_mean_shift(W, b, X, y, l2):
    Z = X @ W + b
    Z = Z - Z.mean(axis=1, keepdims=True)
    log_probs = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -np.mean(_pick(log_probs, y)) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "the row minimum or mean subtracted instead of the maximum")
def my_regression_loss_min_shift(W, b, X, y, l2):
    Z = X @ W + b
    Z -= np.min(Z, axis=1, keepdims=True)
    return np.mean(np.log(np.sum(np.exp(Z), axis=1)) - _pick(Z, y)) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "the row minimum or mean subtracted instead of the maximum")
def my_regression_loss_log_of_min_shifted_softmax(W, b, X, y, l2):
    Z = X @ W + b
    E = np.exp(Z - Z.min(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    return -np.mean(np.log(_pick(P, y))) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "shifted by the true class's logit instead of the maximum")
def my_regression_loss_true_class_shift(W, b, X, y, l2):
    Z = X @ W + b
    z_y = Z[np.arange(len(y)), y]
    data = np.mean(np.log(np.sum(np.exp(Z - z_y[:, None]), axis=1)))
    return data + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "shifted by the true class's logit instead of the maximum")
def my_regression_loss_true_class_shift_log1p(W, b, X, y, l2):
    Z = X @ W + b
    total = 0.0
    for n in range(len(y)):
        others = np.delete(Z[n], y[n]) - Z[n, y[n]]
        total += np.log1p(np.sum(np.exp(others)))
    return total / len(y) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "computed in float32")
def my_regression_loss_float32_logits(W, b, X, y, l2):
    from softmax_course import log_softmax

    Z = (X @ W + b).astype(np.float32)
    return float(-np.mean(log_softmax(Z, axis=-1)[np.arange(len(y)), y]) + l2 / 2 * np.sum(W**2))


@mistake(exercises.regression_loss, "computed in float32")
def my_regression_loss_float32_inputs(W, b, X, y, l2):
    W, b, X = W.astype(np.float32), b.astype(np.float32), X.astype(np.float32)
    return -np.mean(_pick(_log_softmax_rows(X @ W + b), y)) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "normalised over the wrong axis")
def my_regression_loss_axis_0(W, b, X, y, l2):
    from scipy.special import log_softmax

    log_probs = log_softmax(X @ W + b, axis=0)
    return -np.mean(_pick(log_probs, y)) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "the probabilities clipped")
def my_regression_loss_clipped(W, b, X, y, l2):
    P = _softmax_rows(X @ W + b)
    return -np.mean(np.log(np.clip(_pick(P, y), 1e-12, 1.0))) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "the probabilities clipped")
def my_regression_loss_eps_added(W, b, X, y, l2):
    P = _softmax_rows(X @ W + b)
    return -np.mean(np.log(_pick(P, y) + 1e-7)) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "the maximum of the whole batch subtracted")
def my_regression_loss_batch_max(W, b, X, y, l2):
    Z = X @ W + b
    Z = Z - np.max(Z)
    log_probs = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
    return -np.mean(_pick(log_probs, y)) + l2 / 2 * np.sum(W**2)


@mistake(exercises.regression_loss, "the maximum of the whole batch subtracted")
def my_regression_loss_log_of_batch_max_softmax(W, b, X, y, l2):
    E = np.exp(X @ W + b - (X @ W + b).max())
    P = E / E.sum(axis=1, keepdims=True)
    return -np.mean(np.log(_pick(P, y))) + l2 / 2 * np.sum(W**2)


def _delta(W, b, X, y):
    return _softmax_rows(X @ W + b) - np.eye(W.shape[1])[y]


@mistake(exercises.regression_gradient, "the bias penalised too")
def my_gradient_bias_penalised(W, b, X, y, l2):
    logits = X @ W + b
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    delta = e / e.sum(axis=1, keepdims=True) - np.eye(W.shape[1])[y]
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0) + l2 * b


@mistake(exercises.regression_gradient, "gradient with the wrong sign")
def my_regression_gradient_sign(W, b, X, y, l2):
    delta = -_delta(W, b, X, y)
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)


@mistake(exercises.regression_gradient, "the 1/N of the mean left out")
def my_regression_gradient_sum(W, b, X, y, l2):
    delta = _delta(W, b, X, y)
    return X.T @ delta + l2 * W, delta.sum(axis=0)


@mistake(exercises.regression_gradient, "the penalty's gradient doubled")
def my_regression_gradient_double_penalty(W, b, X, y, l2):
    delta = _delta(W, b, X, y)
    return X.T @ delta / len(y) + 2 * l2 * W, delta.mean(axis=0)


@mistake(exercises.regression_gradient, "the penalty's gradient left out")
def my_regression_gradient_no_penalty(W, b, X, y, l2):
    delta = _delta(W, b, X, y)
    return X.T @ delta / len(y), delta.mean(axis=0)


@mistake(exercises.regression_gradient, "db summed, not averaged")
def my_regression_gradient_db_sum(W, b, X, y, l2):
    delta = _delta(W, b, X, y)
    return X.T @ delta / len(y) + l2 * W, np.sum(delta, axis=0)


@mistake(exercises.regression_gradient, "dW transposed")
def my_regression_gradient_transposed(W, b, X, y, l2):
    delta = _delta(W, b, X, y)
    return delta.T @ X / len(y) + l2 * W.T, delta.mean(axis=0)


@mistake(exercises.regression_gradient, "no max subtraction")
def my_regression_gradient_naive_softmax(W, b, X, y, l2):
    Z = X @ W + b
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    delta = P - np.eye(W.shape[1])[y]
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)


@mistake(exercises.regression_gradient, "normalised over the wrong axis")
def my_regression_gradient_axis_0(W, b, X, y, l2):
    Z = X @ W + b
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    delta = E / E.sum(axis=0, keepdims=True) - np.eye(W.shape[1])[y]
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)


@mistake(exercises.regression_gradient, "the maximum of the whole batch subtracted")
def my_regression_gradient_batch_max(W, b, X, y, l2):
    Z = X @ W + b
    E = np.exp(Z - Z.max())
    delta = E / E.sum(axis=1, keepdims=True) - np.eye(W.shape[1])[y]
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)


@mistake(exercises.regression_gradient, "the row minimum or mean subtracted instead of the maximum")
def my_regression_gradient_min_shift(W, b, X, y, l2):
    Z = X @ W + b
    E = np.exp(Z - np.min(Z, axis=1, keepdims=True))
    P = E / np.sum(E, axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    return X.T @ P / len(y) + l2 * W, P.mean(axis=0)


@mistake(exercises.regression_gradient, "the row minimum or mean subtracted instead of the maximum")
def my_regression_gradient_mean_shift(W, b, X, y, l2):
    Z = X @ W + b
    E = np.exp(Z - Z.mean(axis=1, keepdims=True))
    delta = E / E.sum(axis=1, keepdims=True) - np.eye(W.shape[1])[y]
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)


@mistake(exercises.regression_gradient, "shifted by the true class's logit instead of the maximum")
def my_regression_gradient_true_class_shift(W, b, X, y, l2):
    Z = X @ W + b
    E = np.exp(Z - Z[np.arange(len(y)), y].reshape(-1, 1))
    P = E / E.sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    return X.T @ P / len(y) + l2 * W, P.mean(axis=0)


@mistake(exercises.regression_gradient, "computed in float32")
def my_regression_gradient_float32(W, b, X, y, l2):
    Z = (X @ W + b).astype(np.float32)
    delta = _softmax_rows(Z) - np.eye(W.shape[1])[y]
    return X.T @ delta / len(y) + l2 * W, delta.mean(axis=0)


@mistake(exercises.regression_gradient, "computed in float32")
def my_regression_gradient_all_float32(W, b, X, y, l2):
    W, b, X = (np.asarray(a, dtype=np.float32) for a in (W, b, X))
    P = _softmax_rows(X @ W + b)
    P[np.arange(len(y)), y] -= 1
    return X.T @ P / len(y) + l2 * W, P.mean(axis=0)


CHAPTER_7_MISTAKES = [
    p
    for p in LEARNER_MISTAKES
    if p.values[0] in (exercises.regression_loss, exercises.regression_gradient)
]


@pytest.mark.parametrize(("checker", "name", "answer"), CHAPTER_7_MISTAKES)
def test_a_chapter_7_verdict_names_only_the_learners_mistake(checker, name, answer):
    # each unstable answer fails first on the input that shows its own mistake
    text, correct = checker.verdict(answer)
    assert not correct
    assert text.count("Recognised mistake: ") == 1, text
    assert f"\nRecognised mistake: {name}. " in text, text


# -- chapter 8 ----------------------------------------------------------------------


@mistake(exercises.one_hot_labels, "one class too few")
def my_one_hot_one_class_too_few(labels, num_classes):
    return np.eye(num_classes - 1)[labels]


@mistake(exercises.accuracy_from_logits, "the largest logit of the whole batch")
def my_accuracy_no_axis(logits, labels):
    return np.mean(np.argmax(logits) == labels)


@mistake(exercises.accuracy_from_logits, "exponentials that overflow before the argmax")
def my_accuracy_unshifted_log_softmax(logits, labels):
    log_p = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return np.mean(np.argmax(log_p, axis=1) == labels)


@mistake(exercises.one_hot_labels, "number of classes taken from the labels")
def my_one_hot_from_labels(labels, num_classes):
    out = np.zeros((len(labels), labels.max() + 1))
    out[np.arange(len(labels)), labels] = 1
    return out


@mistake(exercises.one_hot_labels, "number of classes taken from the labels")
def my_one_hot_distinct_labels(labels, num_classes):
    return np.eye(len(np.unique(labels)))[labels]


@mistake(exercises.one_hot_labels, "one column per example instead of one row")
def my_one_hot_columns(labels, num_classes):
    out = np.zeros((num_classes, len(labels)))
    out[labels, np.arange(len(labels))] = 1
    return out


@mistake(exercises.one_hot_labels, "the labels shifted by one")
def my_one_hot_from_one(labels, num_classes):
    out = np.zeros((len(labels), num_classes))
    for row, label in enumerate(labels):
        out[row, label - 1] = 1
    return out


@mistake(exercises.one_hot_labels, "zeros and ones swapped")
def my_one_hot_swapped(labels, num_classes):
    out = np.ones((len(labels), num_classes))
    out[np.arange(len(labels)), labels] = 0
    return out


@mistake(
    exercises.accuracy_from_logits, "a softmax with one maximum, or one sum, for the whole batch"
)
def my_accuracy_scipy_softmax_without_axis(logits, labels):
    import scipy.special

    probs = scipy.special.softmax(logits)  # axis=None: over the whole array
    return np.mean(np.argmax(probs, axis=-1) == labels)


@mistake(
    exercises.accuracy_from_logits, "a softmax with one maximum, or one sum, for the whole batch"
)
def my_accuracy_batch_max(logits, labels):
    e = np.exp(logits - np.max(logits))  # the missing axis: one maximum for the batch
    probabilities = e / e.sum(axis=-1, keepdims=True)
    return np.mean(probabilities.argmax(axis=-1) == labels)


@mistake(
    exercises.accuracy_from_logits, "a softmax with one maximum, or one sum, for the whole batch"
)
def my_accuracy_batch_max_log_softmax(logits, labels):
    M = logits.max()
    log_p = logits - M - np.log(np.exp(logits - M).sum(axis=1, keepdims=True))
    return np.mean(np.argmax(log_p, axis=1) == labels)


@mistake(
    exercises.accuracy_from_logits, "the row minimum or mean subtracted instead of the maximum"
)
def my_accuracy_mean_shift(logits, labels):
    z = logits - logits.mean(axis=-1, keepdims=True)
    e = np.exp(z)
    return np.mean(np.argmax(e / e.sum(axis=-1, keepdims=True), axis=-1) == labels)


@mistake(
    exercises.accuracy_from_logits, "the row minimum or mean subtracted instead of the maximum"
)
def my_accuracy_min_shift(logits, labels):
    z = logits - logits.min(axis=1, keepdims=True)
    probs = np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)
    return (probs.argmax(axis=1) == labels).mean()


@mistake(
    exercises.accuracy_from_logits, "the row minimum or mean subtracted instead of the maximum"
)
def my_accuracy_mean_shifted_log_softmax(logits, labels):
    z = logits - np.mean(logits, axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return np.mean(log_p.argmax(axis=1) == labels)


@mistake(exercises.accuracy_from_logits, "the number of correct predictions, not the fraction")
def my_accuracy_count(logits, labels):
    return np.sum(logits.argmax(axis=1) == labels)


@mistake(exercises.accuracy_from_logits, "the error rate instead of the accuracy")
def my_accuracy_error(logits, labels):
    return np.mean(logits.argmax(axis=1) != labels)


@mistake(exercises.accuracy_from_logits, "the mean confidence instead of the accuracy")
def my_accuracy_confidence(logits, labels):
    return _softmax_rows(logits).max(axis=1).mean()


@mistake(exercises.accuracy_from_logits, "exponentials that overflow before the argmax")
def my_accuracy_naive_softmax(logits, labels):
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return np.mean(probs.argmax(axis=1) == labels)


@mistake(exercises.accuracy_from_logits, "the probability of the label thresholded at 0.5")
def my_accuracy_threshold(logits, labels):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return np.mean(p[np.arange(len(labels)), labels] > 0.5)


# -- chapter 9 ----------------------------------------------------------------------


@mistake(exercises.calibration_gap, "the sign of the gap kept")
def my_one_bin_ece_signed(probs, labels):
    return np.mean(probs.argmax(axis=1) == labels) - np.mean(probs.max(axis=1))


@mistake(exercises.calibration_gap, "the probability of the true class as the confidence")
def my_one_bin_ece_true_class(probs, labels):
    accuracy = np.mean(probs.argmax(axis=1) == labels)
    return abs(accuracy - np.mean(_pick(probs, labels)))


@mistake(exercises.calibration_gap, "the gaps averaged example by example")
def my_one_bin_ece_per_example(probs, labels):
    correct = (probs.argmax(axis=1) == labels).astype(float)
    return np.mean(np.abs(correct - probs.max(axis=1)))


@mistake(exercises.temperature_nll, "every tied maximum left out of r")
def my_nll_ties_out(logits, labels, temperature):
    z = logits / temperature
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    e[z == m] = 0.0  # leaves out the top term, and every tie with it
    log_probs = (z - m) - np.log1p(e.sum(axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(len(labels)), labels])


@mistake(exercises.temperature_nll, "shifted by the true class's logit instead of the maximum")
def my_nll_shifted_by_the_true_logit(logits, labels, temperature):
    scaled = logits / temperature
    true = scaled[np.arange(len(labels)), labels]
    return np.mean(np.log(np.sum(np.exp(scaled - true[:, None]), axis=1)))


@mistake(exercises.temperature_nll, "logits multiplied by the temperature")
def my_nll_times(logits, labels, temperature):
    return -np.mean(_pick(_log_softmax_rows(logits * temperature), labels))


@mistake(exercises.temperature_nll, "the temperature applied to the probabilities")
def my_nll_probabilities(logits, labels, temperature):
    return -np.mean(_pick(_log_softmax_rows(logits) - np.log(temperature), labels))


@mistake(exercises.temperature_nll, "the losses summed, not averaged")
def my_nll_sum(logits, labels, temperature):
    return -np.sum(_pick(_log_softmax_rows(logits / temperature), labels))


@mistake(exercises.temperature_nll, "no max subtraction")
def my_nll_naive(logits, labels, temperature):
    scaled = logits / temperature
    log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
    return -np.mean(_pick(log_probs, labels))


@mistake(exercises.temperature_nll, "the maximum of z, not of z / T, subtracted")
def my_nll_unscaled_maximum(logits, labels, temperature):
    scaled = logits / temperature - logits.max(axis=1, keepdims=True)
    log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
    return -np.mean(_pick(log_probs, labels))


@mistake(exercises.temperature_nll, "log(softmax(z / T)) instead of log-softmax")
def my_nll_log_of_softmax(logits, labels, temperature):
    return -np.mean(np.log(_pick(_softmax_rows(logits / temperature), labels)))


@mistake(exercises.temperature_nll, "the row minimum or mean subtracted instead of the maximum")
def my_nll_min_shift(logits, labels, temperature):
    scaled = logits / temperature
    scaled = scaled - scaled.min(axis=1, keepdims=True)
    log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
    return -np.mean(_pick(log_probs, labels))


@mistake(
    exercises.temperature_nll,
    "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
)
def my_nll_own_log_softmax(logits, labels, temperature):
    return -np.mean(_pick(_log_softmax_rows(logits / temperature), labels))


@mistake(
    exercises.temperature_nll,
    "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
)
def my_nll_log1p_of_sum_minus_one(logits, labels, temperature):
    scaled = logits / temperature
    shifted = scaled - scaled.max(axis=1, keepdims=True)
    log_probs = shifted - np.log1p(np.exp(shifted).sum(axis=1, keepdims=True) - 1)
    return -np.mean(_pick(log_probs, labels))


@mistake(
    exercises.temperature_nll,
    "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
)
def my_nll_scipy_log_softmax(logits, labels, temperature):
    import scipy.special

    log_probs = scipy.special.log_softmax(logits / temperature, axis=-1)
    return -np.mean(log_probs[np.arange(len(labels)), labels])


@mistake(
    exercises.temperature_nll, "logsumexp(z / T) minus the true class's z_y / T, which cancels"
)
def my_nll_logsumexp_minus_true(logits, labels, temperature):
    from scipy.special import logsumexp

    scaled = logits / temperature
    return np.mean(logsumexp(scaled, axis=1) - _pick(scaled, labels))


@mistake(
    exercises.temperature_nll, "logsumexp(z / T) minus the true class's z_y / T, which cancels"
)
def my_nll_logaddexp_reduce_minus_true(logits, labels, temperature):
    scaled = logits / temperature
    return np.mean(np.logaddexp.reduce(scaled, axis=1) - _pick(scaled, labels))


@mistake(exercises.masked_softmax, "weights zeroed after the softmax, then renormalised")
def my_masked_softmax_renormalised(scores, mask):
    e = np.exp(scores - scores.max(axis=1, keepdims=True)) * mask
    return e / e.sum(axis=1, keepdims=True)


@mistake(exercises.masked_softmax, "the mask applied after the exponential")
def my_masked_softmax_mask_times_exp(scores, mask):
    m = np.max(np.where(mask, scores, -np.inf), axis=-1, keepdims=True)
    e = np.exp(scores - m) * mask
    return e / e.sum(axis=-1, keepdims=True)


@mistake(exercises.masked_softmax, "one maximum for the whole batch")
def my_masked_softmax_batch_max(scores, mask):
    s = np.where(mask, scores, -np.inf)
    e = np.exp(s - s.max())
    return e / e.sum(axis=-1, keepdims=True)


@mistake(exercises.masked_softmax, "masked scores set to a finite number that is not low enough")
def my_masked_softmax_minus_100(scores, mask):
    return _softmax_rows(np.where(mask, scores, -100.0))


@mistake(exercises.masked_softmax, "masked scores set to a finite number that is not low enough")
def my_masked_softmax_added_minus_10(scores, mask):
    return _softmax_rows(scores + (1.0 - mask) * -10.0)


@mistake(exercises.masked_softmax, "masked scores set to 0 instead of -inf")
def my_masked_softmax_zero(scores, mask):
    return _softmax_rows(scores * mask)


@mistake(exercises.masked_softmax, "weights zeroed after the softmax, without renormalising")
def my_masked_softmax_after(scores, mask):
    weights = _softmax_rows(scores)
    weights[~mask] = 0
    return weights


@mistake(exercises.masked_softmax, "mask inverted")
def my_masked_softmax_inverted(scores, mask):
    return _softmax_rows(np.where(mask, -np.inf, scores))


@mistake(exercises.masked_softmax, "softmax over the wrong axis")
def my_masked_softmax_axis0(scores, mask):
    e = np.exp(np.where(mask, scores, -np.inf))
    return e / e.sum(axis=0, keepdims=True)


# -- chapter 10 ---------------------------------------------------------------------


@mistake(exercises.merge_pairs, "the sums added without rescaling")
def my_merge_no_rescale(first, second):
    return max(first[0], second[0]), first[1] + second[1]


@mistake(exercises.merge_pairs, "rescaled with the wrong sign")
def my_merge_wrong_sign(first, second):
    m = max(first[0], second[0])
    return m, first[1] * np.exp(m - first[0]) + second[1] * np.exp(m - second[0])


@mistake(exercises.merge_pairs, "no guard for two empty blocks")
def my_merge_unguarded(first, second):
    m = np.maximum(first[0], second[0])
    return m, first[1] * np.exp(first[0] - m) + second[1] * np.exp(second[0] - m)


@mistake(exercises.merge_pairs, "the maxima exponentiated themselves")
def my_merge_unshifted(first, second):
    (m_a, l_a), (m_b, l_b) = first, second
    m = max(m_a, m_b)
    if m == -np.inf:
        return m, 0.0
    return m, (l_a * np.exp(m_a) + l_b * np.exp(m_b)) / np.exp(m)


@mistake(exercises.merge_pairs, "computed in float32")
def my_merge_float32(first, second):
    m_a, l_a = np.float32(first[0]), np.float32(first[1])
    m_b, l_b = np.float32(second[0]), np.float32(second[1])
    m = max(m_a, m_b)
    if m == -np.inf:
        return m, np.float32(0.0)
    return m, l_a * np.exp(m_a - m) + l_b * np.exp(m_b - m)


def _lse(block):
    m = block.max()
    return m + np.log(np.exp(block - m).sum())


@mistake(exercises.streaming_logsumexp, "a block's tiny terms summed with its maximum's 1")
def my_stream_logsumexp_of_block_logs(blocks):
    total = -np.inf
    for block in blocks:
        top = block.max()
        total = np.logaddexp(total, top + np.log(np.sum(np.exp(block - top))))
    return total


@mistake(exercises.streaming_logsumexp, "every copy of a new maximum left out of the rest")
def my_stream_logsumexp_other_terms(blocks):
    m, rest = -np.inf, 0.0
    for block in blocks:
        m_new = max(m, block.max())
        if m_new > m:
            others = block[block < m_new]  # the block's "other terms"
            rest = (1 + rest) * np.exp(m - m_new) + np.exp(others - m_new).sum()
        else:
            rest = rest + np.exp(block - m_new).sum()
        m = m_new
    return m + np.log1p(rest)


@mistake(exercises.streaming_logsumexp, "the blocks' log-sum-exps added")
def my_stream_sum(blocks):
    total = 0.0
    for block in blocks:
        total += _lse(block)
    return total


@mistake(exercises.streaming_logsumexp, "the largest of the blocks' log-sum-exps")
def my_stream_max(blocks):
    return max(_lse(block) for block in blocks)


@mistake(exercises.streaming_logsumexp, "the blocks' log-sum-exps averaged")
def my_stream_mean(blocks):
    return np.mean([_lse(block) for block in blocks])


@mistake(exercises.streaming_logsumexp, "only the last block kept")
def my_stream_last(blocks):
    for block in blocks:
        result = _lse(block)
    return result


@mistake(exercises.streaming_logsumexp, "no max subtraction")
def my_stream_naive(blocks):
    total = 0.0
    for block in blocks:
        total += np.exp(block).sum()
    return np.log(total)


@mistake(
    exercises.streaming_logsumexp,
    "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
)
def my_stream_log_of_sum(blocks):
    m, s = -np.inf, 0.0
    for block in blocks:
        new_m = max(m, np.max(block))
        s = s * np.exp(m - new_m) + np.sum(np.exp(block - new_m))
        m = new_m
    return m + np.log(s)


@mistake(exercises.streaming_logsumexp, "a block's tiny terms summed with its maximum's 1")
def my_stream_one_taken_off(blocks):
    m, rest = -np.inf, 0.0
    for block in blocks:
        new_m = max(m, np.max(block))
        if new_m > m:  # the block's sum includes the new maximum's own 1: take it off
            rest = (1 + rest) * np.exp(m - new_m) + (np.sum(np.exp(block - new_m)) - 1)
        else:
            rest += np.sum(np.exp(block - new_m))
        m = new_m
    return m + np.log1p(rest)


@mistake(exercises.streaming_logsumexp, "a block's tiny terms summed with its maximum's 1")
def my_stream_one_taken_off_at_the_end(blocks):
    m, rest = -np.inf, 0.0
    for block in blocks:
        m_new = max(m, block.max())
        if m_new > m:
            rest = (1 + rest) * np.exp(m - m_new) + np.exp(block - m_new).sum() - 1
        else:
            rest += np.exp(block - m_new).sum()
        m = m_new
    return m + np.log1p(rest)


@mistake(exercises.streaming_logsumexp, "log-sum-exps combined as m + log(exp(a - m) + exp(b - m))")
def my_stream_block_lses_combined_by_hand(blocks):
    from softmax_course import logsumexp

    total = -np.inf
    for b in blocks:
        v = float(logsumexp(b))
        m = max(total, v)
        total = m + np.log(np.exp(total - m) + np.exp(v - m))
    return total


@mistake(exercises.streaming_logsumexp, "computed in float32")
def my_stream_float32(blocks):
    m, rest = np.float32(-np.inf), np.float32(0.0)
    for block in blocks:
        block = np.sort(block.astype(np.float32))
        new_m = max(m, block[-1])
        if new_m > m:
            rest = (1 + rest) * np.exp(m - new_m) + np.exp(block[:-1] - new_m).sum()
        else:
            rest += np.exp(block - new_m).sum()
        m = new_m
    return m + np.log1p(rest)


@mistake(exercises.top_k_distribution, "probabilities zeroed without renormalising")
def my_top_k_not_renormalised(logits, k):
    probs = _softmax_rows(logits)
    probs[np.argsort(logits)[:-k]] = 0
    return probs


@mistake(exercises.top_k_distribution, "the k smallest logits kept")
def my_top_k_smallest(logits, k):
    masked = np.full_like(logits, -np.inf)
    kept = np.argsort(logits)[:k]
    masked[kept] = logits[kept]
    return _softmax_rows(masked)


@mistake(exercises.top_k_distribution, "one token too many or too few")
def my_top_k_off_by_one(logits, k):
    masked = np.full_like(logits, -np.inf)
    kept = np.argsort(logits)[-k - 1 :]
    masked[kept] = logits[kept]
    return _softmax_rows(masked)


@mistake(exercises.top_k_distribution, "the other logits set to 0 instead of -inf")
def my_top_k_zeros(logits, k):
    masked = np.zeros_like(logits)
    kept = np.argsort(logits)[-k:]
    masked[kept] = logits[kept]
    return _softmax_rows(masked)


@mistake(exercises.top_k_distribution, "the other logits masked with a finite number")
def my_top_k_finite_mask(logits, k):
    masked = np.full_like(logits, -1e4)
    kept = np.argsort(logits)[-k:]
    masked[kept] = logits[kept]
    return _softmax_rows(masked)


@mistake(exercises.top_k_distribution, "no max subtraction")
def my_top_k_naive(logits, k):
    e = np.exp(logits)
    e[np.argsort(logits)[:-k]] = 0
    return e / e.sum()


@mistake(exercises.top_k_distribution, "the minimum or mean subtracted instead of the maximum")
def my_top_k_min_shift(logits, k):
    kept = np.argsort(logits)[-k:]
    e = np.zeros_like(logits)
    e[kept] = np.exp(logits[kept] - logits[kept].min())
    return e / e.sum()


@pytest.mark.parametrize(("checker", "name", "answer"), LEARNER_MISTAKES)
def test_the_mistake_is_named(checker, name, answer, capsys):
    correct = checker.check(answer)
    out = capsys.readouterr().out
    assert correct is False
    assert out.startswith("Not correct yet: ")
    assert f"\nRecognised mistake: {name}. " in out, out


def test_every_catalogued_mistake_has_a_learner_test():
    catalogued = {(c.name, m.name) for c in exercises.CHECKERS for m in c.mistakes}
    tested = {(p.values[0].name, p.values[1]) for p in LEARNER_MISTAKES}
    assert tested == catalogued
