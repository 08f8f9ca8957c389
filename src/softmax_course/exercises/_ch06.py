"""Chapter 6, cross-entropy: ``cross_entropy_loss``, ``cross_entropy_gradient``,
``loss_from_probabilities``."""

from __future__ import annotations

import numpy as np

from ._checker import Checker
from ._mistakes import Mistake, nonfinite_from_overflow, nonfinite_where_finite
from ._package import probabilities, rows, sc

CASES = [
    (rows((4, 3), seed=601), np.array([2, 0, 1, 1])),
    # a probability of exp(-822.6) underflows to 0: log(softmax) fails, nothing overflows
    (np.array([[0.0, -820.0, 2.5], [1.5, 2.0, -0.5]]), np.array([1, 0])),
    # exp(1000) overflows: no max subtraction fails, every true class is likely enough
    (np.array([[1000.0, 0.0, 990.0], [2.0, 1.0, 4.0]]), np.array([2, 1])),
]


def _picked(values, labels):
    return values[np.arange(len(labels)), labels]


def _mean_loss(logits, labels):
    return float(sc().cross_entropy(logits, labels))


cross_entropy_loss = Checker(
    name="cross_entropy_loss",
    chapter="06_cross_entropy",
    label="ex-cross-entropy-code",
    title="The mean cross-entropy from logits",
    prompt=(
        "Write `my_cross_entropy(logits, labels)`: the mean cross-entropy loss of a batch,\n"
        "from logits of shape `(N, K)` and integer labels of shape `(N,)`. It must be\n"
        "finite for every finite logit (for the logits $[0, -800, 3]$ and label 1 the\n"
        "loss is about 803). You may use `log_softmax` from the package."
    ),
    task="the mean of -log softmax(logits)[label] over the batch",
    answer_name="my_cross_entropy",
    parameters=("logits", "labels"),
    reference=_mean_loss,
    returns=(("loss", "number"),),
    cases=CASES,
    mistakes=[
        Mistake(
            "logits used as probabilities",
            "-log(logits[label]) treats the logits as probabilities: a negative logit "
            "gives NaN. Turn the logits into log-probabilities with log_softmax first.",
            variants=[lambda logits, labels: -np.mean(np.log(_picked(logits, labels)))],
        ),
        Mistake(
            "double softmax",
            "The softmax was applied twice: the loss from logits already contains one, "
            "so pass it the logits, not softmax(logits). The doubled loss is squeezed "
            "between log K - 1 + 1/K and log K and trains badly.",
            variants=[lambda logits, labels: _mean_loss(sc().softmax(logits), labels)],
        ),
        Mistake(
            "the losses summed, not averaged",
            "This is the sum of the losses over the batch; the mean divides it by N.",
            variants=[
                lambda logits, labels: float(sc().cross_entropy(logits, labels, reduction="sum"))
            ],
        ),
        Mistake(
            "wrong sign",
            "The loss is minus the log-probability of the true class, a positive number.",
            variants=[lambda logits, labels: -_mean_loss(logits, labels)],
        ),
        Mistake(
            "one loss per example, not their mean",
            "Return one number, the mean of the per-example losses (np.mean).",
            variants=[lambda logits, labels: sc().cross_entropy(logits, labels, reduction="none")],
        ),
        Mistake(
            "no max subtraction",
            "exp(1000) overflows to inf, so log(sum(exp(z))) is inf. Subtract each "
            "row's maximum m first: log(sum(exp(z))) = m + log(sum(exp(z - m))), "
            "which log_softmax does for you.",
            variants=[
                lambda logits, labels: np.mean(
                    np.log(np.exp(logits).sum(axis=-1)) - _picked(logits, labels)
                )
            ],
            matches=nonfinite_from_overflow(lambda args: args[0]),
        ),
        Mistake(
            "log(softmax(z)) instead of log-softmax",
            "softmax(z) underflows to 0 for the probability exp(-822.6), and its log is "
            "-inf, so the loss is inf. Use log_softmax(z), which stays finite.",
            variants=[
                lambda logits, labels: (
                    -np.mean(np.log(_picked(sc().softmax(logits, axis=-1), labels)))
                )
            ],
            matches=nonfinite_where_finite,
        ),
    ],
    hint=(
        "Take log_softmax(logits) (shape (N, K)), pick each row's entry at its label "
        "with log_probs[np.arange(N), labels], and return minus their mean."
    ),
    solution="""
def my_cross_entropy(logits, labels):
    log_probs = log_softmax(logits, axis=-1)
    return -np.mean(log_probs[np.arange(len(labels)), labels])
""",
    solution_uses=("log_softmax",),
)


def _gradient(logits, labels):
    probs = sc().softmax(logits, axis=-1)
    return (probs - np.eye(logits.shape[-1])[labels]) / len(labels)


cross_entropy_gradient = Checker(
    name="cross_entropy_gradient",
    chapter="06_cross_entropy",
    label="ex-cross-entropy-gradient-code",
    title="The gradient of the mean cross-entropy",
    prompt=(
        "Write `my_gradient(logits, labels)`: the gradient of the **mean** cross-entropy\n"
        "of a batch with respect to its logits, an array of shape `(N, K)` like\n"
        "`logits`. You may use `softmax` from the package."
    ),
    task="the gradient of the mean loss, shape (N, K)",
    answer_name="my_gradient",
    parameters=("logits", "labels"),
    reference=_gradient,
    cases=CASES,
    atol=1e-12,
    mistakes=[
        Mistake(
            "gradient with the wrong sign",
            "The gradient of -log softmax(z)_y is softmax(z) - y, not y - softmax(z): "
            "the probability of the true class must go up when we step against it.",
            variants=[lambda logits, labels: -_gradient(logits, labels)],
        ),
        Mistake(
            "the 1/N of the mean left out",
            "This is the gradient of the summed loss; the loss is a mean over the N "
            "examples, so divide by N = len(labels).",
            variants=[lambda logits, labels: _gradient(logits, labels) * len(labels)],
        ),
        Mistake(
            "the one-hot labels not subtracted",
            "softmax(z) / N is only the first term: subtract the one-hot labels, "
            "(softmax(z) - Y) / N.",
            variants=[lambda logits, labels: sc().softmax(logits, axis=-1) / len(labels)],
        ),
        Mistake(
            "softmax over the wrong axis",
            "The classes are the last axis: softmax(logits, axis=-1).",
            variants=[
                lambda logits, labels: (
                    (sc().softmax(logits, axis=0) - np.eye(logits.shape[1])[labels]) / len(labels)
                )
            ],
        ),
    ],
    hint=(
        "For one example the gradient is softmax(z) - y, with y the one-hot label "
        "(np.eye(K)[labels] for a batch). The mean divides by N."
    ),
    solution="""
def my_gradient(logits, labels):
    n, k = logits.shape
    return (softmax(logits, axis=-1) - np.eye(k)[labels]) / n
""",
    solution_uses=("softmax",),
)


PROBABILITY_CASES = [
    (probabilities(CASES[0][0]), CASES[0][1]),
    (probabilities(rows((3, 5), seed=602, scale=3.0)), np.array([4, 0, 2])),
    (np.array([[1e-300, 0.5, 0.5], [0.2, 0.7, 0.1]]), np.array([0, 1])),
]


def _loss_of_probs(probs, labels):
    return float(sc().cross_entropy(np.log(probs), labels))


loss_from_probabilities = Checker(
    name="loss_from_probabilities",
    chapter="06_cross_entropy",
    label="ex-cross-entropy-from-probs",
    title="The loss when a model outputs probabilities",
    prompt=(
        "A model ends in a softmax, so it outputs probabilities, not logits. Write\n"
        "`my_loss_from_probs(probs, labels)`: the mean cross-entropy of a batch from\n"
        "probabilities of shape `(N, K)` (rows summing to 1) and integer labels."
    ),
    task="the mean of -log probs[label] over the batch, one number",
    answer_name="my_loss_from_probs",
    parameters=("probs", "labels"),
    reference=_loss_of_probs,
    returns=(("loss", "number"),),
    cases=PROBABILITY_CASES,
    mistakes=[
        Mistake(
            "probabilities passed where logits are expected (double softmax)",
            "A loss 'from logits' applies a softmax itself; given probabilities it "
            "applies a second one. Here the inputs are already probabilities: take "
            "-log(probs[label]) directly.",
            variants=[lambda probs, labels: _mean_loss(probs, labels)],
        ),
        Mistake(
            "the logarithm left out",
            "-probs[label] is not a loss: the cross-entropy is -log(probs[label]).",
            variants=[lambda probs, labels: -np.mean(_picked(probs, labels))],
        ),
        Mistake(
            "the losses summed, not averaged",
            "This is the sum over the batch; the mean divides it by N.",
            variants=[lambda probs, labels: -np.sum(np.log(_picked(probs, labels)))],
        ),
        Mistake(
            "wrong sign",
            "log(p) is negative; the loss is -log(p).",
            variants=[lambda probs, labels: np.mean(np.log(_picked(probs, labels)))],
        ),
        Mistake(
            "one loss per example, not their mean",
            "Return one number, the mean of the per-example losses.",
            variants=[lambda probs, labels: -np.log(_picked(probs, labels))],
        ),
    ],
    hint=(
        "Pick the probability of each example's label, probs[np.arange(N), labels], "
        "and return minus the mean of their logs."
    ),
    solution="""
def my_loss_from_probs(probs, labels):
    return -np.mean(np.log(probs[np.arange(len(labels)), labels]))
""",
)
