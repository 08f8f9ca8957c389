"""Chapter 6, cross-entropy: ``cross_entropy_loss``, ``cross_entropy_gradient``,
``loss_from_probabilities``."""

from __future__ import annotations

import numpy as np

from .. import cross_entropy, logsumexp, softmax
from ._ch05 import TIED_MAXIMA_LEFT_OUT, _ties_log_softmax
from ._checker import Checker
from ._common import NON_MAX_SHIFTS, clip_forms, shifted_log_softmax, shifted_softmax
from ._inputs import probabilities, rows
from ._mistakes import Mistake
from ._rules import NO_READY_MADE_LOSS

CASES = [
    (rows((4, 3), seed=601), np.array([2, 0, 1, 1])),
    # a true class 721 below the top logit: its probability is subnormal but not 0, so
    # log(softmax) is still right, while a shift by the true logit overflows (exp(721))
    (np.array([[0.0, -720.0, 1.0], [1.0, 0.5, 0.0]]), np.array([1, 2])),
    # a probability of exp(-822.6) underflows to 0: log(softmax) fails, nothing overflows
    (np.array([[0.0, -820.0, 2.5], [1.5, 2.0, -0.5]]), np.array([1, 0])),
    # exp(1000) overflows: no max subtraction fails, every true class is likely enough
    (np.array([[1000.0, 0.0, 990.0], [2.0, 1.0, 4.0]]), np.array([2, 1])),
    # rows 2000 and 803 wide: shifting by the row minimum (both rows), or by the mean,
    # median or last logit (the first row), or by the first logit (the second) overflows
    (np.array([[1000.0, -1000.0, 0.0], [-800.0, 3.0, 2.0]]), np.array([0, 1])),
    (rows((1, 6), seed=603), np.array([5])),
    (rows((3, 1), seed=604), np.array([0, 0, 0])),
]

#: The smallest positive float64 (a subnormal), which the product mistake quotes.
_SMALLEST_FLOAT = np.nextafter(0.0, 1.0)

#: Only for the loss: a true class at the top of a row 1000.5 wide. Only a shift by the
#: row minimum overflows (exp(1000)), so it is told apart from a shift by the true
#: class's logit, which is also the minimum in the next case.
#: Its last row has a tied largest logit: only one of the two 1s is the 1 that
#: log1p(r) adds back, the other belongs to r.
MIN_SHIFT_CASE = (
    np.array([[0.0, -1000.0, -0.5], [2.0, 0.5, 1.0], [1.0, 1.0, -2.0]]),
    np.array([0, 0, 0]),
)

#: Only for the loss: a loss near 0, lost by log(sum) of a sum that rounds to 1, by
#: LSE(z) - z_y and by mean(LSE(z)) - mean(z_y). In the third row, the sum 1 + 2 e^-36.5
#: rounds up twice (1 + 2 eps): its loss 4.4e-16 tells log(sum) from the mean of the
#: log-sum-exps minus the mean of the true logits, whose difference is 0.
NEAR_ZERO_CASE = (
    np.array([[0.0, -40.0, -38.0], [5.0, -35.0, -36.0], [0.0, -36.5, -36.5]]),
    np.array([0, 0, 0]),
)

#: Only for the loss: float32 logits (the loss is compared in float32).
FLOAT32_CASE = (rows((5, 4), seed=605).astype(np.float32), np.array([0, 3, 1, 2, 2]))

CASE_COVERS = (
    "ordinary logits, and batches of 1 to 4 examples with 1 to 6 classes (one example, one class)",
    "a true class 721 below the top logit (a shift by the true class's logit "
    "overflows), a true class 822.5 below it (log(softmax) gives inf), logits of "
    "size 1000 (exp overflows without the max subtraction)",
    "rows 2000 and 803 wide ([1000, -1000, 0] and [-800, 3, 2]), where shifting by the "
    "row's minimum (both rows), mean, median or last logit (the first) or first logit "
    "(the second) instead of its maximum overflows",
)


def _loss_from_log_probs(log_softmax_rows):
    def loss(logits, labels):
        return -np.mean(_picked(log_softmax_rows(logits), labels))

    return loss


#: Where exp overflows in float64 (709.78), as the verdicts print it.
_EXP_LIMIT = f"{np.log(np.finfo(np.float64).max):.2f}"


def _non_max_shift_hint(minimum_example):
    """What a shift by another value than the row maximum does on the hidden inputs."""
    return (
        "Any shift leaves the softmax unchanged in exact arithmetic, but only the row "
        "maximum m makes every exponent <= 0: after subtracting another value c, the "
        f"largest exponent is m - c, and exp overflows to inf once it exceeds {_EXP_LIMIT}. "
        f"{minimum_example}, the mean, median or last logit (0) of [1000, -1000, 0] "
        "leave exp(1000), and the first logit of [-800, 3, 2] leaves exp(803)."
    )


def _picked(values, labels):
    return values[np.arange(len(labels)), labels]


def _clipped_losses(probabilities):
    """Mean -log of the label's probability kept off 0 by each of the clip forms."""
    return [
        lambda values, labels, clip=clip: (
            -np.mean(np.log(clip(_picked(probabilities(values), labels))))
        )
        for clip in clip_forms()
    ]


def _mean_loss(logits, labels):
    return cross_entropy(logits, labels)  # float32 logits give a float32 loss


cross_entropy_loss = Checker(
    name="cross_entropy_loss",
    chapter="06_cross_entropy",
    label="ex-cross-entropy-code",
    task="the mean of -log softmax(logits)[label] over the batch",
    answer_name="my_cross_entropy",
    parameters=("logits", "labels"),
    reference=_mean_loss,
    returns=(("loss", "number"),),
    rules=(NO_READY_MADE_LOSS,),
    cases=[CASES[0], MIN_SHIFT_CASE, *CASES[1:], NEAR_ZERO_CASE, FLOAT32_CASE],
    covers=(
        *CASE_COVERS,
        "a row 1000.5 wide whose true class has the top logit (only a shift by the "
        "row's minimum overflows), and a row whose largest logit is tied ([1, 1, -2])",
        "a mean loss near 0 (1.1e-16), compared relatively, with no absolute "
        "tolerance: log(sum) of a sum that rounds to 1 loses it, and so do "
        "LSE(z) - z_y where the true class has a large logit ([5, -35, -36]) and the "
        "mean of LSE(z) minus the mean of z_y; log_softmax, or (m - z_y) + log1p(r), "
        "keeps it",
        "float32 logits, compared with float32's tolerance",
    ),
    atol=0.0,
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
            "between log(e + K - 1) - 1 and log(e + K - 1) and trains badly.",
            variants=[lambda logits, labels: _mean_loss(softmax(logits), labels)],
        ),
        Mistake(
            "the losses summed, not averaged",
            "This is the sum of the losses over the batch; the mean divides it by N.",
            variants=[lambda logits, labels: float(cross_entropy(logits, labels, reduction="sum"))],
        ),
        Mistake(
            "wrong sign",
            "The loss is minus the log-probability of the true class, a positive number.",
            variants=[lambda logits, labels: -_mean_loss(logits, labels)],
        ),
        Mistake(
            "one loss per example, not their mean",
            "Return one number, the mean of the per-example losses (np.mean).",
            variants=[lambda logits, labels: cross_entropy(logits, labels, reduction="none")],
        ),
        Mistake(
            "a mean over the classes as well",
            "This is the mean of all N * K entries of -Q * log_softmax(Z), the loss "
            "divided by K: sum each row over the classes (one loss per example), then "
            "average over the N examples.",
            variants=[lambda logits, labels: _mean_loss(logits, labels) / logits.shape[-1]],
        ),
        Mistake(
            "no max subtraction",
            "exp(1000) overflows to inf, so log(sum(exp(z))) is inf. Subtract each "
            "row's maximum m first: log(sum(exp(z))) = m + log1p(r), with r the sum "
            "of exp(z - m) over the other entries, "
            "which log_softmax does for you.",
            variants=[
                lambda logits, labels: np.mean(
                    np.log(np.exp(logits).sum(axis=-1)) - _picked(logits, labels)
                )
            ],
        ),
        Mistake(
            "shifted by the true class's logit instead of the maximum",
            "log(sum(exp(z - z_y))) is the loss in exact arithmetic, but logits above "
            "the true one give positive exponents: for the row [0, -720, 1] with label 1, "
            "exp(721) overflows to inf. Shift by the row maximum m instead: "
            "(m - z_y) + log1p(r), with r the sum of exp(z - m) over the other classes, "
            "or use log_softmax.",
            variants=[
                lambda logits, labels: np.mean(
                    np.log(np.exp(logits - _picked(logits, labels)[:, None]).sum(axis=-1))
                ),
            ],
        ),
        Mistake(
            "log(softmax(z)) instead of log-softmax",
            "softmax(z) underflows to 0 for the probability exp(-822.6), and its log is "
            "-inf, so the loss is inf. Use log_softmax(z), which stays finite.",
            variants=[
                lambda logits, labels: -np.mean(np.log(_picked(softmax(logits, axis=-1), labels))),
                lambda logits, labels: (
                    -np.mean(
                        np.log(
                            _picked(
                                np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True), labels
                            )
                        )
                    )
                ),
            ],
        ),
        Mistake(
            "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
            "log(sum(exp(z - m))), written out or inside scipy.special.log_softmax (which "
            "takes the log of the same sum), loses a loss below the rounding of 1: after "
            "the max shift a row sums to 1 + r, where r sums the other terms; for the row "
            "[0, -40, -38], r = 3.6e-17, so 1 + r rounds to 1, its log is 0 and the loss "
            "3.6e-17 is lost (so is log1p(sum - 1): sum - 1 is 0 once the sum has rounded "
            "to 1), and for [0, -36.5, -36.5] the sum rounds up to 1 + 2 eps (eps = "
            "2.2e-16), a loss of 4.4e-16 instead of 2.8e-16. Use log_softmax from the package, or sum the other terms alone, r = "
            "the sum of exp(z - m) without one largest term (the 1 at the argmax), and "
            "take log1p(r).",
            variants=[
                _loss_from_log_probs(shifted_log_softmax(lambda z: z.max(axis=-1, keepdims=True)))
            ],
        ),
        Mistake(
            TIED_MAXIMA_LEFT_OUT.name,
            TIED_MAXIMA_LEFT_OUT.hint,
            variants=[_loss_from_log_probs(_ties_log_softmax)],
        ),
        Mistake(
            "LSE(z) - z_y, which cancels",
            "LSE(z) - z_y is the loss in exact arithmetic, but where the true class has "
            "the largest logit m and the loss is tiny, LSE(z) = m + log1p(r) rounds to "
            "m and the difference is 0: for the row [5, -35, -36] the loss 5.8e-18 is "
            "lost. Compute (m - z_y) + log1p(r), where m - z_y is exact, or take "
            "-log_softmax(z) at the label.",
            variants=[
                lambda logits, labels: np.mean(
                    logsumexp(logits, axis=-1) - _picked(logits, labels)
                ),
                lambda logits, labels: np.mean(
                    np.logaddexp.reduce(logits, axis=-1) - _picked(logits, labels)
                ),
            ],
        ),
        Mistake(
            "the mean of LSE(z) minus the mean of z_y, which cancels",
            "mean(LSE(z)) - mean(z_y) is the loss in exact arithmetic, but it subtracts "
            "two nearly equal numbers: for the rows [0, -40, -38], [5, -35, -36] and "
            "[0, -36.5, -36.5] (labels 0), the log-sum-exps are 3.6e-17, 5 + 5.8e-18 and "
            "2.8e-16, their mean 5/3 + 1.1e-16 rounds to the float nearest 5/3, the mean "
            "of the true logits, and the difference is 0 instead of the loss 1.1e-16. "
            "Subtract within each example first, with its row maximum m: "
            "(m - z_y) + log1p(r), where m - z_y is exact, then average; or take "
            "-log_softmax(z) at the labels.",
            variants=[
                lambda logits, labels: (
                    np.mean(logsumexp(logits, axis=-1)) - np.mean(_picked(logits, labels))
                ),
                lambda logits, labels: (
                    np.mean(np.logaddexp.reduce(logits, axis=-1)) - np.mean(_picked(logits, labels))
                ),
            ],
        ),
        Mistake(
            "the probabilities clipped",
            "Clipping the probabilities to [eps, 1 - eps] (as Keras does, with eps = "
            "1e-7), or adding eps to them, before the log caps each example's loss at "
            f"-log(eps), {-np.log(1e-7):.1f} for eps = 1e-7, however far below the top "
            "logit the true class is; the upper clip moves a loss near 0 by about eps, "
            "and an added eps moves every loss, by about eps / p. Compute the loss from "
            "the logits with log_softmax: no probability, nothing to clip.",
            variants=_clipped_losses(lambda logits: softmax(logits, axis=-1)),
        ),
        Mistake(
            "shifted by the row mean, minimum, median, first or last logit instead of the maximum",
            f"{_non_max_shift_hint('The minimum of [0, -1000, -0.5] (-1000) leaves exp(1000)')} "
            "Subtract each row's maximum, or use log_softmax.",
            variants=[_loss_from_log_probs(shifted_log_softmax(shift)) for shift in NON_MAX_SHIFTS],
        ),
    ],
    hint_text=(
        "Take log_softmax(logits) (shape (N, K)), pick each row's entry at its label "
        "with log_probs[np.arange(N), labels], and return minus their mean."
    ),
    solution_text="""
def my_cross_entropy(logits, labels):
    log_probs = log_softmax(logits, axis=-1)
    return -np.mean(log_probs[np.arange(len(labels)), labels])
""",
    solution_uses=("log_softmax",),
)


def _gradient(logits, labels):
    probs = softmax(logits, axis=-1)
    return (probs - np.eye(logits.shape[-1])[labels]) / len(labels)


cross_entropy_gradient = Checker(
    name="cross_entropy_gradient",
    chapter="06_cross_entropy",
    label="ex-cross-entropy-gradient-code",
    task="the gradient of the mean loss, shape (N, K)",
    answer_name="my_gradient",
    parameters=("logits", "labels"),
    reference=_gradient,
    cases=CASES,
    covers=CASE_COVERS,
    atol=1e-12,
    mistakes=[
        Mistake(
            "gradient with the wrong sign",
            "The gradient of -log softmax(z)_y is softmax(z) - q, not q - softmax(z), "
            "with q the one-hot row of the true class y: the probability of the true "
            "class must go up when we step against it.",
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
            "softmax(Z) / N is only the first term: subtract Q, the one-hot rows of "
            "the labels, (softmax(Z) - Q) / N.",
            variants=[lambda logits, labels: softmax(logits, axis=-1) / len(labels)],
        ),
        Mistake(
            "the softmax shifted by the row mean, minimum, median, first or last logit "
            "instead of the maximum",
            f"{_non_max_shift_hint('The minimum of [0, -720, 1] (-720) leaves exp(721)')} "
            "Subtract each row's maximum, "
            "logits.max(axis=-1, keepdims=True), before the exponential, or use softmax.",
            variants=[
                lambda logits, labels, shift=shift: (
                    (shifted_softmax(logits, shift(logits)) - np.eye(logits.shape[-1])[labels])
                    / len(labels)
                )
                for shift in NON_MAX_SHIFTS
            ],
        ),
        Mistake(
            "softmax over the wrong axis",
            "The classes are the last axis: softmax(logits, axis=-1).",
            variants=[
                lambda logits, labels: (
                    (softmax(logits, axis=0) - np.eye(logits.shape[1])[labels]) / len(labels)
                )
            ],
        ),
    ],
    hint_text=(
        "For one example the gradient is softmax(z) - q, with q the one-hot row of "
        "its true class y; for a batch the rows Q are np.eye(K)[labels]. The mean "
        "divides by N."
    ),
    solution_text="""
def my_gradient(logits, labels):
    num_examples, num_classes = logits.shape
    return (softmax(logits, axis=-1) - np.eye(num_classes)[labels]) / num_examples
""",
    solution_uses=("softmax",),
)


PROBABILITY_CASES = [
    (probabilities(CASES[0][0]), CASES[0][1]),
    (probabilities(rows((3, 5), seed=602, scale=3.0)), np.array([4, 0, 2])),
    (np.array([[1e-300, 0.5, 0.5], [0.2, 0.7, 0.1]]), np.array([0, 1])),
    # zero probabilities off the label: 0 * log(0) is NaN
    (np.array([[0.0, 1.0, 0.0], [0.25, 0.0, 0.75]]), np.array([1, 2])),
    (np.array([[1.0 - 2.0**-52, 2.0**-52]]), np.array([0])),
    (np.array([[1.0], [1.0]]), np.array([0, 0])),
    # 400 examples: the product of their probabilities underflows to 0
    (probabilities(rows((400, 10), seed=606)), np.arange(400) % 10),
]


def _loss_of_probs(probs, labels):
    return -np.mean(np.log(_picked(probs, labels)))


def _one_hot_sum(probs, labels):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.mean(np.sum(np.eye(probs.shape[-1])[labels] * np.log(probs), axis=-1))


loss_from_probabilities = Checker(
    name="loss_from_probabilities",
    chapter="06_cross_entropy",
    label="ex-cross-entropy-from-probs",
    task="the mean of -log probs[label] over the batch, one number",
    answer_name="my_loss_from_probs",
    parameters=("probs", "labels"),
    reference=_loss_of_probs,
    returns=(("loss", "number"),),
    cases=PROBABILITY_CASES,
    covers=(
        "ordinary probabilities, batches of 1 to 4 examples with 1 to 5 classes",
        "zero probabilities off the label (a sum of one-hot times log(probs) gives "
        "0 * -inf = NaN) and a probability of 1e-300 on the label",
        "a probability within 2.2e-16 of 1 on the label (a loss of 2.2e-16)",
        "a batch of 400 examples, whose probabilities multiply to below the smallest "
        "float (the log of their product is -inf)",
    ),
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
            "log(probs[label]) is negative; the loss is -log(probs[label]).",
            variants=[lambda probs, labels: np.mean(np.log(_picked(probs, labels)))],
        ),
        Mistake(
            "one loss per example, not their mean",
            "Return one number, the mean of the per-example losses.",
            variants=[lambda probs, labels: -np.log(_picked(probs, labels))],
        ),
        Mistake(
            "a mean over the classes as well",
            "This is the mean of all N * K entries of -Q * log(probs), the loss divided "
            "by K: sum each row over the classes (one loss per example), then average "
            "over the N examples.",
            variants=[lambda probs, labels: _loss_of_probs(probs, labels) / probs.shape[-1]],
        ),
        Mistake(
            "the log of the product of the probabilities",
            "log(p_1 p_2 ... p_N) is the sum of the logs in exact arithmetic, but the "
            "product of 400 probabilities, each well below 1, is far below the smallest "
            f"positive float ({_SMALLEST_FLOAT:.1e}, np.nextafter(0.0, 1.0)): it underflows "
            "to 0 and its log is -inf. Take the log of "
            "each probability, then the mean: -np.mean(np.log(probs[np.arange(N), labels])).",
            variants=[lambda probs, labels: -np.log(np.prod(_picked(probs, labels))) / len(labels)],
        ),
        Mistake(
            "a one-hot sum, 0 * log(0)",
            "A probability of 0 off the label makes the sum of one-hot times log(probs) "
            "NaN: 0 * log(0) is 0 * (-inf) = NaN. Pick each row's probability at its "
            "label instead, probs[np.arange(N), labels].",
            variants=[_one_hot_sum],
        ),
        Mistake(
            "the probabilities clipped",
            "Clipping the probabilities to [eps, 1 - eps] (as Keras does, with eps = "
            "1e-7), or adding a small eps before the log, caps each loss near -log(eps): "
            "a probability of 1e-300 on the label has the loss 690.8, not 16.1 (eps = "
            "1e-7) or 27.6 (eps = 1e-12). Take the log of the probability itself; only a loss "
            "computed from logits avoids the infinity of a probability of exactly 0.",
            variants=[
                lambda probs, labels, eps=eps: (
                    -np.mean(np.log(np.clip(_picked(probs, labels), eps, 1 - eps)))
                )
                for eps in (1e-7, 1e-8, 1e-10, 1e-12, 1e-15, np.finfo(float).eps)
            ],
        ),
    ],
    hint_text=(
        "Pick the probability of each example's label, probs[np.arange(N), labels], "
        "and return minus the mean of their logs."
    ),
    solution_text="""
def my_loss_from_probs(probs, labels):
    return -np.mean(np.log(probs[np.arange(len(labels)), labels]))
""",
)
