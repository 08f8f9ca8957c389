"""Chapter 9, what softmax outputs mean: ``calibration_gap``, ``temperature_nll``,
``masked_softmax``."""

from __future__ import annotations

import numpy as np

from ._checker import Checker
from ._mistakes import Mistake, nonfinite_from_overflow, nonfinite_where_finite
from ._package import probabilities, rows, sc

_GAP_CASES = [
    (probabilities(rows((6, 3), seed=901, scale=3.0)), np.array([2, 0, 1, 2, 0, 1])),
    (probabilities(rows((5, 4), seed=902)), np.array([3, 1, 0, 2, 2])),
    (probabilities(rows((4, 2), seed=903, scale=0.3)), np.array([1, 1, 1, 1])),
]


def _accuracy_confidence(probs, labels):
    accuracy = np.mean(np.argmax(probs, axis=-1) == labels)
    return float(accuracy), float(np.mean(np.max(probs, axis=-1)))


calibration_gap = Checker(
    name="calibration_gap",
    chapter="09_what_softmax_outputs_mean",
    label="ex-calibration-one-bin-code",
    title="The expected calibration error with one bin",
    prompt=(
        "Write `my_one_bin_ece(probs, labels)`: the expected calibration error with a\n"
        "single bin, for predicted probabilities of shape `(N, K)` and integer labels:\n"
        "the absolute difference between the accuracy and the mean confidence (the\n"
        "largest probability of each row)."
    ),
    task="|accuracy - mean confidence|, one number",
    answer_name="my_one_bin_ece",
    parameters=("probs", "labels"),
    reference=lambda probs, labels: float(sc().expected_calibration_error(probs, labels, n_bins=1)),
    returns=(("ece", "number"),),
    cases=_GAP_CASES,
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
            "The mean of |correct_i - confidence_i| lets errors of opposite signs add "
            "up; the one-bin ECE compares the two averages: |mean(correct) - "
            "mean(confidence)|.",
            variants=[
                lambda probs, labels: float(
                    np.mean(np.abs((np.argmax(probs, -1) == labels) - probs.max(axis=-1)))
                )
            ],
        ),
    ],
    hint=(
        "accuracy = np.mean(np.argmax(probs, axis=-1) == labels); confidence = "
        "np.mean(np.max(probs, axis=-1)); return the absolute difference."
    ),
    solution="""
def my_one_bin_ece(probs, labels):
    accuracy = np.mean(np.argmax(probs, axis=-1) == labels)
    confidence = np.mean(np.max(probs, axis=-1))
    return abs(accuracy - confidence)
""",
)


def _nll(logits, labels, temperature):
    return float(sc().cross_entropy(logits / temperature, labels))


temperature_nll = Checker(
    name="temperature_nll",
    chapter="09_what_softmax_outputs_mean",
    label="ex-calibration-temperature-nll",
    title="The objective of temperature scaling",
    prompt=(
        "Temperature scaling picks the $T$ that minimises the mean negative\n"
        "log-likelihood of the validation labels under $\\operatorname{softmax}(z/T)$.\n"
        "Write `my_nll(logits, labels, temperature)`, that objective, finite for every\n"
        "finite logit. You may use `log_softmax` from the package."
    ),
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
    ],
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
            matches=nonfinite_from_overflow(lambda args: args[0] / args[2]),
        ),
        Mistake(
            "log(softmax(z / T)) instead of log-softmax",
            "With a small temperature, z / T is large and a probability underflows to "
            "0, whose log is -inf. Use log_softmax(z / T).",
            matches=nonfinite_where_finite,
        ),
    ],
    hint=(
        "Divide the logits by the temperature, take log_softmax along the classes, "
        "pick each row's entry at its label and return minus the mean."
    ),
    solution="""
def my_nll(logits, labels, temperature):
    log_probs = log_softmax(logits / temperature, axis=-1)
    return -np.mean(log_probs[np.arange(len(labels)), labels])
""",
    solution_uses=("log_softmax",),
)

_CAUSAL = np.tril(np.ones((4, 4), dtype=bool))

masked_softmax = Checker(
    name="masked_softmax",
    chapter="09_what_softmax_outputs_mean",
    label="ex-attention-masked-softmax",
    title="Attention weights with a mask",
    prompt=(
        "Write `my_masked_softmax(scores, mask)`: attention weights from a 2-D array of\n"
        "scores and a boolean mask of the same shape (`True` where a query may attend\n"
        "to a key). Each row must sum to 1 over its allowed keys and give exactly 0 to\n"
        "the masked ones. Every row allows at least one key. You may use `softmax`\n"
        "from the package."
    ),
    task="softmax of each row over its allowed keys, 0 elsewhere",
    answer_name="my_masked_softmax",
    parameters=("scores", "mask"),
    reference=lambda scores, mask: sc().softmax(np.where(mask, scores, -np.inf), axis=-1),
    cases=[
        (rows((4, 4), seed=921), _CAUSAL),
        (rows((2, 5), seed=922), np.array([[1, 0, 1, 1, 0], [0, 0, 1, 0, 0]], dtype=bool)),
        (rows((3, 3), seed=923, scale=5.0), np.ones((3, 3), dtype=bool) & ~np.eye(3, dtype=bool)),
    ],
    atol=1e-15,
    mistakes=[
        Mistake(
            "masked scores set to 0 instead of -inf",
            "A score of 0 still gets the weight exp(0 - m) / Z > 0. Mask with -inf: "
            "np.where(mask, scores, -np.inf), whose exponential is exactly 0.",
            variants=[
                lambda scores, mask: sc().softmax(np.where(mask, scores, 0.0), axis=-1),
                lambda scores, mask: sc().softmax(scores * mask, axis=-1),
            ],
        ),
        Mistake(
            "weights zeroed after the softmax, without renormalising",
            "softmax(scores) * mask no longer sums to 1. Mask the scores before the "
            "softmax, with -inf.",
            variants=[lambda scores, mask: sc().softmax(scores, axis=-1) * mask],
        ),
        Mistake(
            "mask inverted",
            "True means 'may attend': keep the scores where mask is True.",
            variants=[lambda scores, mask: sc().softmax(np.where(mask, -np.inf, scores), axis=-1)],
        ),
        Mistake(
            "softmax over the wrong axis",
            "Each query (row) distributes its attention over the keys (columns): "
            "softmax along axis=-1.",
            variants=[lambda scores, mask: sc().softmax(np.where(mask, scores, -np.inf), axis=0)],
        ),
    ],
    hint=(
        "Replace the masked scores by -inf with np.where(mask, scores, -np.inf), then "
        "take the softmax along the last axis: exp(-inf) is exactly 0."
    ),
    solution="""
def my_masked_softmax(scores, mask):
    return softmax(np.where(mask, scores, -np.inf), axis=-1)
""",
    solution_uses=("softmax",),
)
