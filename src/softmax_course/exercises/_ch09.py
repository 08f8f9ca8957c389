"""Chapter 9, what softmax outputs mean: ``calibration_gap``, ``temperature_nll``,
``masked_softmax``."""

from __future__ import annotations

import numpy as np

from .. import cross_entropy, logsumexp, softmax
from ..calibration import expected_calibration_error
from ._ch05 import TIED_MAXIMA_LEFT_OUT, _ties_log_softmax
from ._checker import Checker
from ._common import row_mean, row_min, shifted_log_softmax
from ._inputs import probabilities, rows
from ._mistakes import Mistake

_GAP_CASES = [
    (probabilities(rows((6, 3), seed=901, scale=3.0)), np.array([2, 0, 1, 2, 0, 1])),
    (probabilities(rows((5, 4), seed=902)), np.array([3, 1, 0, 2, 2])),
    (probabilities(rows((4, 2), seed=903, scale=0.3)), np.array([1, 1, 1, 1])),
    (np.array([[1.0, 0.0, 0.0], [0.0, 0.4, 0.6], [0.0, 0.0, 1.0]]), np.array([0, 1, 2])),
    (np.array([[0.2, 0.8]]), np.array([1])),
]


def _accuracy_confidence(probs, labels):
    accuracy = np.mean(np.argmax(probs, axis=-1) == labels)
    return float(accuracy), float(np.mean(np.max(probs, axis=-1)))


calibration_gap = Checker(
    name="calibration_gap",
    chapter="09_what_softmax_outputs_mean",
    label="ex-calibration-one-bin-code",
    task="|accuracy - mean confidence|, one number",
    answer_name="my_one_bin_ece",
    parameters=("probs", "labels"),
    reference=lambda probs, labels: float(expected_calibration_error(probs, labels, n_bins=1)),
    returns=(("ece", "number"),),
    cases=_GAP_CASES,
    covers=(
        "batches of 1 to 6 examples with 2 to 4 classes, over- and under-confident",
        "zero probabilities and confidences of exactly 1",
    ),
    atol=1e-12,
    mistakes=[
        Mistake(
            "the sign of the gap kept",
            "The ECE measures the size of the gap, whichever side it is on: take the "
            "absolute value.",
            variants=[
                lambda probs, labels: np.subtract(*_accuracy_confidence(probs, labels)),
                lambda probs, labels: -np.subtract(*_accuracy_confidence(probs, labels)),
            ],
        ),
        Mistake(
            "the probability of the true class as the confidence",
            "The confidence is the probability of the predicted class, the largest of "
            "each row, whether or not it is right.",
            variants=[
                lambda probs, labels: abs(
                    _accuracy_confidence(probs, labels)[0]
                    - float(np.mean(probs[np.arange(len(labels)), labels]))
                )
            ],
        ),
        Mistake(
            "the gaps averaged example by example",
            "The mean of |correct_n - confidence_n| over the examples n lets errors of "
            "opposite signs add up; the one-bin ECE compares the two averages: "
            "|mean(correct) - mean(confidence)|.",
            variants=[
                lambda probs, labels: float(
                    np.mean(np.abs((np.argmax(probs, -1) == labels) - probs.max(axis=-1)))
                )
            ],
        ),
    ],
    hint_text=(
        "accuracy = np.mean(np.argmax(probs, axis=-1) == labels); confidence = "
        "np.mean(np.max(probs, axis=-1)); return the absolute difference."
    ),
    solution_text="""
def my_one_bin_ece(probs, labels):
    accuracy = np.mean(np.argmax(probs, axis=-1) == labels)
    confidence = np.mean(np.max(probs, axis=-1))
    return abs(accuracy - confidence)
""",
)


def _nll(logits, labels, temperature):
    return float(cross_entropy(logits / temperature, labels))


def _nll_from(log_softmax_rows, logits, labels, temperature):
    log_probs = log_softmax_rows(logits / temperature)
    return -np.mean(log_probs[np.arange(len(labels)), labels])


def _log1p_of_sum_minus_one(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log1p(np.exp(shifted).sum(axis=-1, keepdims=True) - 1)


temperature_nll = Checker(
    name="temperature_nll",
    chapter="09_what_softmax_outputs_mean",
    label="ex-calibration-temperature-nll",
    task="the mean of -log softmax(logits / T)[label], one number",
    answer_name="my_nll",
    parameters=("logits", "labels", "temperature"),
    reference=_nll,
    returns=(("nll", "number"),),
    cases=[
        (rows((5, 3), seed=911, scale=3.0), np.array([0, 2, 1, 1, 2]), 1.7),
        # z / T reaches -800 for a true class: log(softmax) fails, nothing overflows
        (np.array([[0.0, -40.0, 3.0], [2.0, 1.0, 0.5]]), np.array([1, 0]), 0.05),
        # z / T reaches 1000: no max subtraction fails
        (np.array([[50.0, 0.0, 49.5], [1.0, 2.0, 0.5]]), np.array([2, 1]), 0.05),
        # z / T is [1000, -1000, 0]: a min or mean shift overflows
        # the third row has a tied maximum, z / T = [1, 1, 0]: its second 1 belongs to r
        # the last row is [712, 0, 0] with true class 1: a shift by z_y / T overflows,
        # while log(softmax) keeps its tiny probability (a subnormal, log about -712)
        (
            np.array([[50.0, -50.0, 0.0], [0.5, 1.0, -1.0], [0.05, 0.05, 0.0], [35.6, 0.0, 0.0]]),
            np.array([0, 2, 0, 1]),
            0.05,
        ),
        # z / T is [0, -40, -38]: a loss of 3.6e-17 that log(1 + r) rounds to 0; and
        # [1, -39, -37], the same loss, which logsumexp(z / T) - z_y / T cancels to 0
        # (logsumexp is 1 + 3.6e-17, rounded to 1)
        (np.array([[0.0, -2.0, -1.9], [0.05, -1.95, -1.85]]), np.array([0, 0]), 0.05),
        (rows((4, 6), seed=912), np.array([5, 0, 2, 2]), 100.0),
        # T = 2 and z / T = [800, 0, 795]: no shift overflows, and a shift by the maximum
        # of the unscaled logits (1600) underflows every term to 0
        (np.array([[1600.0, 0.0, 1590.0], [0.3, -0.2, 0.1]]), np.array([2, 0]), 2.0),
    ],
    covers=(
        "ordinary logits, temperatures from 0.05 to 100, batches of 1 to 5 examples",
        "logits [1600, 0, 1590] at T = 2 (z / T = [800, 0, 795]): exp overflows "
        "without the max subtraction, and every term underflows to 0 when the maximum "
        "of z instead of z / T is subtracted",
        "scaled logits z / T that reach -800 for a true class (log(softmax) gives "
        "inf) and 1000 (exp overflows without the max subtraction)",
        "scaled rows [1000, -1000, 0], where shifting by the row's minimum or mean "
        "instead of its maximum still overflows, and [712, 0, 0] with true class 1, where "
        "shifting by the true class's scaled logit overflows",
        "a loss near 0 (3.6e-17), compared relatively, with no absolute tolerance: "
        "log(sum) of a sum that rounds to 1 loses it, and so does logsumexp(z / T) "
        "minus z_y / T where the largest scaled logit is 1 (their difference cancels)",
        "a row with a tied maximum (z / T = [1, 1, 0]): only one of the two 1s is the "
        "largest term, the other belongs to r",
    ),
    atol=0.0,
    rtol=1e-9,
    mistakes=[
        Mistake(
            "logits multiplied by the temperature",
            "The temperature divides the logits: softmax(z / T). T > 1 must soften "
            "the distribution.",
            variants=[lambda logits, labels, temperature: _nll(logits, labels, 1 / temperature)],
        ),
        Mistake(
            "the temperature applied to the probabilities",
            "softmax(z) / T is not a distribution; the temperature divides the logits "
            "before the softmax.",
            variants=[
                lambda logits, labels, temperature: (
                    _nll(logits, labels, 1.0) + float(np.log(temperature))
                )
            ],
        ),
        Mistake(
            "the losses summed, not averaged",
            "The objective is the mean over the examples.",
            variants=[
                lambda logits, labels, temperature: len(labels) * _nll(logits, labels, temperature)
            ],
        ),
        Mistake(
            "no max subtraction",
            "exp(z / T) overflows to inf for a small temperature. Subtract each row's "
            "maximum of z / T first, or use log_softmax(z / T).",
            variants=[
                lambda logits, labels, temperature: float(
                    np.mean(
                        np.log(np.exp(logits / temperature).sum(axis=-1))
                        - logits[np.arange(len(labels)), labels] / temperature
                    )
                )
            ],
        ),
        Mistake(
            "the maximum of z, not of z / T, subtracted",
            "The shift must be the maximum of the scaled logits z / T: subtracting "
            "max(z) from z / T leaves a largest exponent of max(z) / T - max(z), which "
            "overflows for a small T, and for T > 1 can be so negative that every term "
            "underflows to 0 (z / T = [800, 0, 795] minus 1600). Divide first, then "
            "subtract the row maximum of z / T, or use log_softmax(z / T).",
            variants=[
                lambda logits, labels, temperature: _nll_from(
                    shifted_log_softmax(lambda z: z.max(axis=-1, keepdims=True) * temperature),
                    logits,
                    labels,
                    temperature,
                )
            ],
        ),
        Mistake(
            TIED_MAXIMA_LEFT_OUT.name,
            TIED_MAXIMA_LEFT_OUT.hint,
            variants=[
                lambda logits, labels, temperature: _nll_from(
                    _ties_log_softmax, logits, labels, temperature
                )
            ],
        ),
        Mistake(
            "shifted by the true class's logit instead of the maximum",
            "log(sum(exp(z / T - z_y / T))) is the loss in exact arithmetic, but logits "
            "above the true one give positive exponents, and with a small temperature "
            "exp of them overflows to inf. Shift by each row's maximum instead, or use "
            "log_softmax(z / T).",
            variants=[
                lambda logits, labels, temperature: float(
                    np.mean(
                        np.log(
                            np.exp(
                                logits / temperature
                                - (logits / temperature)[np.arange(len(labels)), labels][:, None]
                            ).sum(axis=-1)
                        )
                    )
                )
            ],
        ),
        Mistake(
            "log(softmax(z / T)) instead of log-softmax",
            "With a small temperature, z / T is large and a probability underflows to "
            "0, whose log is -inf. Use log_softmax(z / T).",
            variants=[
                lambda logits, labels, temperature: _nll_from(
                    lambda z: np.log(softmax(z, axis=-1)), logits, labels, temperature
                ),
                lambda logits, labels, temperature: _nll_from(
                    lambda z: np.log(np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)),
                    logits,
                    labels,
                    temperature,
                ),
            ],
        ),
        Mistake(
            "the row minimum or mean subtracted instead of the maximum",
            "Only the maximum makes every exponent <= 0: after subtracting the minimum "
            "or the mean, the scaled logits [1000, -1000, 0] still give exp(1000) = "
            "inf. Subtract each row's maximum of z / T, or use log_softmax(z / T).",
            variants=[
                lambda logits, labels, temperature: _nll_from(
                    shifted_log_softmax(row_min), logits, labels, temperature
                ),
                lambda logits, labels, temperature: _nll_from(
                    shifted_log_softmax(row_mean), logits, labels, temperature
                ),
            ],
        ),
        Mistake(
            "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
            "After the max shift (yours, or the one inside scipy.special.log_softmax) "
            "a row sums to 1 + r, where r sums the other terms; for the scaled row [0, "
            "-40, -38], r = 3.6e-17 is below the rounding of 1, so log(1 + r) is 0 "
            "(scipy.special.log_softmax forms 1 + r and returns exactly 0 there), and "
            "so is log1p(sum - 1): the loss 3.6e-17 is lost. Leave the largest term "
            "(exactly 1) out of the sum and take log1p(r), as log_softmax from the "
            "package does.",
            variants=[
                lambda logits, labels, temperature: _nll_from(
                    shifted_log_softmax(lambda z: z.max(axis=-1, keepdims=True)),
                    logits,
                    labels,
                    temperature,
                ),
                lambda logits, labels, temperature: _nll_from(
                    _log1p_of_sum_minus_one, logits, labels, temperature
                ),
            ],
        ),
        Mistake(
            "logsumexp(z / T) minus the true class's z_y / T, which cancels",
            "logsumexp(z / T) - z_y / T is the loss in exact arithmetic, but when the "
            "true class has the largest logit and the loss is tiny, it subtracts two "
            "nearly equal numbers: for the scaled row [1, -39, -37], logsumexp is "
            "1 + 3.6e-17, which rounds to 1, and the loss 3.6e-17 is lost. "
            "log_softmax(z / T) = z / T - m - log1p(r) subtracts the row maximum m "
            "first (z_y / T - m is exactly 0 there), so the loss is log1p(r), with all "
            "its digits: take its entry at the label.",
            variants=[
                lambda logits, labels, temperature: float(
                    np.mean(
                        logsumexp(logits / temperature, axis=-1)
                        - logits[np.arange(len(labels)), labels] / temperature
                    )
                )
            ],
        ),
    ],
    hint_text=(
        "Divide the logits by the temperature, take log_softmax along the classes, "
        "pick each row's entry at its label and return minus the mean."
    ),
    solution_text="""
def my_nll(logits, labels, temperature):
    log_probs = log_softmax(logits / temperature, axis=-1)
    return -np.mean(log_probs[np.arange(len(labels)), labels])
""",
    solution_uses=("log_softmax",),
)

_CAUSAL = np.tril(np.ones((4, 4), dtype=bool))


def _masked_after_exp(scores, mask):
    """Shifted by the maximum of the allowed scores, then exp of every score times the mask."""
    m = np.max(np.where(mask, scores, -np.inf), axis=-1, keepdims=True)
    e = np.exp(scores - m) * mask
    return e / e.sum(axis=-1, keepdims=True)


def _batch_max(masked_first):
    """Shifted by one maximum for the whole batch (of the masked or of the raw scores)."""

    def masked_softmax(scores, mask):
        s = np.where(mask, scores, -np.inf)
        e = np.exp(s - (s if masked_first else scores).max())
        return e / e.sum(axis=-1, keepdims=True)

    return masked_softmax


# the round numbers a learner may pick, -1 to -9000 (below that, they pass here)
_FINITE_MASKS = sorted(
    {-a * 10.0**k for a in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9) for k in range(4)}
    | {-745.0, -999.0}
)


def _finite_mask(value, added):
    """The masked scores replaced by (or added to) the finite ``value`` instead of -inf."""

    def masked_softmax(scores, mask):
        masked = scores + np.where(mask, 0.0, value) if added else np.where(mask, scores, value)
        return softmax(masked, axis=-1)

    return masked_softmax


masked_softmax = Checker(
    name="masked_softmax",
    chapter="09_what_softmax_outputs_mean",
    label="ex-attention-masked-softmax",
    task="softmax of each row over its allowed keys, 0 elsewhere",
    answer_name="my_masked_softmax",
    parameters=("scores", "mask"),
    reference=lambda scores, mask: softmax(np.where(mask, scores, -np.inf), axis=-1),
    cases=[
        (rows((4, 4), seed=921), _CAUSAL),
        (rows((2, 5), seed=922), np.array([[1, 0, 1, 1, 0], [0, 0, 1, 0, 0]], dtype=bool)),
        (rows((3, 3), seed=923, scale=5.0), np.ones((3, 3), dtype=bool) & ~np.eye(3, dtype=bool)),
        # the third row: exp of its masked 1010 - 290 overflows (masking after the exp
        # gives inf * 0 = NaN), while exp(290 - 1010) is a subnormal, not 0; the fourth:
        # its allowed scores are more than 745 below the batch's maximum, 1000
        (
            np.array(
                [
                    [1000.0, -1000.0, 999.0, 5.0],
                    [-1000.0, 2.0, 1000.0, 0.0],
                    [290.0, 1010.0, 0.0, 0.0],
                    [-5.0, -3.0, 0.0, -2.0],
                ]
            ),
            np.array([[1, 1, 0, 1], [1, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0]], dtype=bool),
        ),
        (rows((1, 6), seed=924), np.array([[0, 0, 0, 0, 0, 1]], dtype=bool)),
    ],
    covers=(
        "causal and arbitrary masks over 1 to 4 queries and 3 to 6 keys, and rows "
        "that allow a single key",
        "scores of size 1000 (exp overflows without a max shift) and a masked score "
        "larger than every allowed one (the shift must ignore it): 1000 beside an "
        "allowed -1000, and 1010 beside an allowed 290",
        "a batch whose rows have maxima 1000 apart (each row needs its own shift)",
    ),
    atol=1e-15,
    mistakes=[
        Mistake(
            "masked scores set to 0 instead of -inf",
            "A score of 0 still gets the weight exp(0 - m) / S > 0. Mask with -inf: "
            "np.where(mask, scores, -np.inf), whose exponential is exactly 0.",
            variants=[
                lambda scores, mask: softmax(np.where(mask, scores, 0.0), axis=-1),
                lambda scores, mask: softmax(scores * mask, axis=-1),
            ],
        ),
        Mistake(
            "weights zeroed after the softmax, without renormalising",
            "softmax(scores) * mask no longer sums to 1. Mask the scores before the "
            "softmax, with -inf.",
            variants=[lambda scores, mask: softmax(scores, axis=-1) * mask],
        ),
        Mistake(
            "weights zeroed after the softmax, then renormalised",
            "Zeroing the masked weights and dividing by what is left is the masked "
            "softmax in exact arithmetic, but the softmax is shifted by the maximum over "
            "every key, masked ones included: a masked score of 1000 against an allowed "
            "-1000 makes every allowed exp(z - m) underflow to 0, and 0 / 0 is NaN. Mask "
            "the scores first, np.where(mask, scores, -np.inf), so that the maximum is "
            "taken over the allowed keys only.",
            variants=[
                lambda scores, mask: (
                    (softmax(scores, axis=-1) * mask)
                    / (softmax(scores, axis=-1) * mask).sum(axis=-1, keepdims=True)
                )
            ],
        ),
        Mistake(
            "the mask applied after the exponential",
            "exp(scores - m) * mask takes exp of the masked scores too, and a masked "
            "score far above the allowed maximum m overflows: in the row [-1000, 2, "
            "1000, 0], whose only allowed score is -1000, exp(1000 + 1000) is inf, and "
            "inf * 0 (the mask's False) is NaN. Mask the scores with -inf before the "
            "exp, np.where(mask, scores, -np.inf), or zero the masked terms with "
            "np.where(mask, e, 0.0), which drops the inf instead of multiplying it.",
            variants=[_masked_after_exp],
        ),
        Mistake(
            "one maximum for the whole batch",
            "max() without an axis is the largest score of the whole batch (1000 of "
            "the allowed scores here, 1010 of them all): a row whose allowed scores "
            "are all more than 745 below it, such as the row whose only allowed score "
            "is -1000, gets exp(z - max) = 0 for every key, and 0 / 0 is NaN. Shift "
            "each row by its own maximum: max(axis=-1, keepdims=True).",
            variants=[_batch_max(masked_first=True), _batch_max(masked_first=False)],
        ),
        Mistake(
            "masked scores set to a finite number that is not low enough",
            "A masked key gets the weight exp(c - m) / S, where c is its masked score "
            "and m the row's maximum: it is exactly 0 only when c is more than about "
            "745 below m (there exp underflows to 0). A mask of -10 or -30 leaves the "
            "masked keys of ordinary rows a small weight that is not 0 (e^-30 is "
            "9.4e-14), and in the row [-1000, 2, 1000, 0], whose only allowed score is "
            "-1000, a mask such as -100 or -1000 (put in place of the masked scores or "
            "added to them) leaves a masked score at or above -1000, which takes its "
            "share of the weight or all of it. Mask with -np.inf, whose exponential is "
            "exactly 0 whatever the scores.",
            variants=[
                # (lower values give exact zeros on every hidden input, and pass)
                *[_finite_mask(value, False) for value in _FINITE_MASKS if value >= -1000],
                *[_finite_mask(value, True) for value in _FINITE_MASKS if value >= -2000],
            ],
        ),
        Mistake(
            "mask inverted",
            "True means 'may attend': keep the scores where mask is True.",
            variants=[lambda scores, mask: softmax(np.where(mask, -np.inf, scores), axis=-1)],
        ),
        Mistake(
            "softmax over the wrong axis",
            "Each query (row) distributes its attention over the keys (columns): "
            "softmax along axis=-1.",
            variants=[lambda scores, mask: softmax(np.where(mask, scores, -np.inf), axis=0)],
        ),
    ],
    hint_text=(
        "Replace the masked scores by -inf with np.where(mask, scores, -np.inf), then "
        "take the softmax along the last axis: exp(-inf) is exactly 0."
    ),
    solution_text="""
def my_masked_softmax(scores, mask):
    return softmax(np.where(mask, scores, -np.inf), axis=-1)
""",
    solution_uses=("softmax",),
)
