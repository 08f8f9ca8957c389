"""Chapter 4, worked examples: ``softmax_shares``, ``batch_softmax``, ``true_class_loss``,
``softmax_vjp``."""

from __future__ import annotations

import numpy as np

from .. import cross_entropy, softmax, softmax_jacobian
from ._checker import Checker, MemoryBound
from ._common import (
    NON_MAX_SHIFTS,
    NOT_DIVIDED,
    WHOLE_BATCH,
    WRONG_AXIS,
    batch_max_softmax,
    clip_forms,
    shifted_softmax,
)
from ._inputs import rows
from ._mistakes import Mistake
from ._rules import NO_JACOBIAN, NUMPY_ONLY

_ONE_TWO_THREE = np.array([1.0, 2.0, 3.0])

#: Where exp overflows in float64 (709.78), as the verdicts print it.
_EXP_LIMIT = f"{np.log(np.finfo(np.float64).max):.2f}"

#: The shares by hand: four decimals, so a correctly rounded share is within half a unit
#: of the fourth decimal (5e-5) of the exact one, and a wrong fourth decimal is not.
_DECIMALS = 4
_HALF_UNIT = 0.5 * 10.0**-_DECIMALS


def _close(values):
    target = np.asarray(values, dtype=np.float64)

    def matches(received, expected, args):
        return received[0].shape == target.shape and bool(
            np.allclose(received[0], target, rtol=0, atol=6e-5)
        )

    return matches


def _percentages(received, expected, args):
    return received[0].shape == expected[0].shape and bool(
        np.allclose(received[0], 100 * expected[0], rtol=0, atol=6e-3)
    )


softmax_shares = Checker(
    name="softmax_shares",
    chapter="04_worked_examples",
    label="ex-worked-one-two-three",
    task="the shares of softmax([1, 2, 3]), to four decimals",
    answer_name="my_shares",
    parameters=(),
    reference=lambda: softmax(_ONE_TWO_THREE),
    cases=[()],
    covers=(
        "the one input of the exercise, [1, 2, 3]; values within 5e-5 (half "
        "a unit of the fourth decimal) of the exact shares are accepted, so the shares "
        "rounded to four decimals pass and a wrong fourth decimal fails; values equal to "
        "the exact shares to about ten digits (as code or a calculator prints them) are "
        "refused: the exercise asks for shares worked out by hand and rounded",
    ),
    by_hand_decimals=_DECIMALS,
    returns=(("shares", "values"),),
    rtol=0.0,
    atol=_HALF_UNIT,
    mistakes=[
        Mistake(
            "exponentials, not divided by their sum",
            "These are e^1, e^2 and e^3. Divide each by their sum, the denominator, "
            "to get shares that add up to 1.",
            matches=_close(np.exp(_ONE_TWO_THREE)),
        ),
        Mistake(
            "percentages instead of probabilities",
            "Softmax gives probabilities between 0 and 1: divide by 100.",
            matches=_percentages,
        ),
        Mistake(
            "logits divided by their sum, without exponentials",
            "1/6, 2/6 and 3/6 are shares of the logits; the softmax shares the "
            "exponentials e^1, e^2, e^3.",
            matches=_close(_ONE_TWO_THREE / 6),
        ),
        Mistake(
            "rounded to fewer than four decimals",
            "One, two or three decimals hide the fourth: give four, such as 0.0900.",
            matches=lambda received, expected, args: (
                received[0].shape == (3,)
                and any(
                    np.allclose(received[0], np.round(expected[0], d), rtol=0, atol=1e-9)
                    for d in (1, 2, 3)
                )
            ),
        ),
    ],
    hint_text=(
        "Three steps: exponentiate each logit (e^1 is about 2.7183), add the three "
        "exponentials, divide each by the sum."
    ),
    solution_text="""
my_shares = [0.0900, 0.2447, 0.6652]
""",
)


batch_softmax = Checker(
    name="batch_softmax",
    chapter="04_worked_examples",
    label="ex-worked-batch-code",
    task="the softmax of each row of a (batch, classes) array",
    answer_name="my_batch_softmax",
    parameters=("logits",),
    reference=lambda logits: softmax(logits, axis=-1),
    cases=[
        (rows((3, 5), seed=401),),
        (rows((4, 2), seed=402),),
        (rows((1, 6), seed=403),),
        (rows((6, 1), seed=404),),
        (rows((9, 7), seed=405, scale=6.0),),
        # logits of size 1000: without the shift by each row's maximum, exp(1000)
        # overflows to inf and exp(-1000) underflows to 0 (inf / inf and 0 / 0 are NaN);
        # one shift for the whole batch leaves the third row at exp(-2000) = 0; a shift
        # by the row mean, median, minimum or last logit overflows in the first row, a
        # shift by the first logit in the last row
        (
            np.array(
                [
                    [1000.0, -1000.0, 0.5],
                    [1000.0, 999.0, 998.5],
                    [-1000.0, -1001.0, -999.5],
                    [-1000.0, 1000.0, 2.0],
                ]
            ),
        ),
    ],
    covers=(
        "batches of 1 to 9 rows and 1 to 7 classes (one row, one class, more rows "
        "than classes and fewer)",
        "logits of size 1000 (rows [1000, -1000, 0.5], [1000, 999, 998.5], "
        "[-1000, -1001, -999.5] and [-1000, 1000, 2]), where the softmax without the shift "
        "by each row's maximum gives NaN (exp(1000) overflows, exp(-1000) underflows), and "
        "so do one shift by the maximum of the whole batch and a shift by the row's mean, "
        "minimum, median, first or last logit",
        "the rule: NumPy only (the package, SciPy, PyTorch, JAX, TensorFlow and "
        "Keras are refused, in the function and in its helpers)",
    ),
    rules=(NUMPY_ONLY,),
    mistakes=[
        WRONG_AXIS,
        WHOLE_BATCH,
        NOT_DIVIDED,
        Mistake(
            "no max subtraction",
            "exp(1000) overflows to inf and inf / inf is NaN (and exp(-1000) underflows "
            "to 0, and 0 / 0 is NaN). Subtract each row's maximum first, "
            "logits - logits.max(axis=-1, keepdims=True): the softmax does not change, "
            "and no exponential exceeds 1.",
            variants=[lambda logits: np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)],
        ),
        Mistake(
            "the maximum of the whole batch subtracted",
            "One maximum for the whole batch leaves a row far below it with every "
            "exponential 0 (exp(-2000) underflows), and 0 / 0 is NaN. Subtract each "
            "row's own maximum: logits.max(axis=-1, keepdims=True).",
            variants=[batch_max_softmax],
        ),
        Mistake(
            "shifted by the row mean, minimum, median, first or last logit instead of the maximum",
            "Any shift leaves the softmax unchanged in exact arithmetic, but only the row "
            "maximum m makes every exponent <= 0: after subtracting another value c, the "
            f"largest exponent is m - c, and exp overflows to inf once it exceeds {_EXP_LIMIT} "
            "(inf / inf is NaN). In the row [1000, -1000, 0.5], the mean (about 0.17), the "
            "median or last logit (0.5) and the minimum (-1000) leave exp(999.8), "
            "exp(999.5) and exp(2000); in the row [-1000, 1000, 2], the first logit "
            "(-1000) leaves exp(2000). Subtract logits.max(axis=-1, keepdims=True).",
            variants=[
                lambda logits, shift=shift: shifted_softmax(logits, shift(logits))
                for shift in NON_MAX_SHIFTS
            ],
        ),
    ],
    hint_text=(
        "First subtract each row's maximum, logits.max(axis=-1, keepdims=True): the "
        "softmax does not change, and no exp overflows. Then exponentiate and divide "
        "each row by its own sum: np.sum(e, axis=-1, keepdims=True) has shape "
        "(batch, 1), which broadcasts over the classes."
    ),
    solution_text="""
def my_batch_softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
""",
)


#: Near a loss of 0 the chapter's form keeps only absolute accuracy (chapter 5 adds log1p).
_LOSS_ATOL = 1e-12


def _probability(scores, true_class):
    return softmax(scores)[true_class]


def _clipped_losses(probability):
    """-log of probability(*args) kept off 0 by each of the clip forms."""
    return [lambda *args, clip=clip: -np.log(clip(probability(*args))) for clip in clip_forms()]


def _ties_loss(scores, true_class):
    """(m - s_y) + log1p(r), with every score equal to the maximum left out of r."""
    m = scores.max()
    return (m - scores[true_class]) + np.log1p(np.exp(scores - m)[scores != m].sum())


true_class_loss = Checker(
    name="true_class_loss",
    chapter="04_worked_examples",
    label="ex-worked-loss-code",
    task="-log softmax(scores)[true_class], one number",
    answer_name="my_loss",
    parameters=("scores", "true_class"),
    reference=lambda scores, true_class: cross_entropy(scores, true_class),
    returns=(("loss", "number"),),
    cases=[
        (np.array([-1.2, 0.4, 2.5, -0.3]), 1),
        (np.array([0.5, 3.1, -2.0]), 1),
        # a tied largest score: only one of the two is the 1 that log1p(r) adds back
        (np.array([2.2, -0.7, 0.1, 2.2, -3.0]), 4),
        (np.array([1000.0, 998.0, 990.0]), 1),
        # 1500 wide, the maximum in the middle: shifting by the mean, the minimum, the
        # median or the first or last score instead of the maximum overflows (the true
        # class is the top one, so the log of its probability is fine here)
        (np.array([-800.0, 0.0, -1500.0]), 1),
        # the probability e^-720 is subnormal but not 0: the log of the probability is
        # still right here, while a shift by the true class's score overflows (e^720)
        (np.array([0.0, -720.0]), 1),
        (np.array([0.0, -800.0]), 1),
        (np.array([3.0, 1.0, 2.5, -1.0], dtype=np.float32), 0),
        (np.array([1e6 + 2.0, 1e6, 1e6 - 1.5]), 2),
    ],
    covers=(
        "ordinary scores, with the true class first, in the middle and last, and a "
        "tied largest score",
        "scores of size 1000 and a huge common offset (1e6), where exp overflows",
        "a true class 720 below the largest score (its probability is subnormal but "
        "not 0; a shift by the true class's score overflows) and 800 below it (its "
        "probability underflows to 0, the loss is a finite 800)",
        "scores 1500 apart with the largest in the middle ([-800, 0, -1500]), where "
        "shifting by their mean, minimum, median, first or last score instead of their "
        "maximum overflows",
        "float32 scores whose true class is also the predicted class",
        f"a loss is compared relatively, except near 0, where an absolute {_LOSS_ATOL:.0e} "
        "(in float64) is enough: the log of the max-shifted sum, without log1p, passes "
        "(chapter 5's exercises compare losses near 0 relatively)",
    ),
    atol=_LOSS_ATOL,
    mistakes=[
        Mistake(
            "every tied largest score left out of r",
            "Only one term of the sum is the 1 that log1p(r) adds back. When the largest "
            "score appears more than once (a tie, as in [2.2, -0.7, 0.1, 2.2, -3.0]), "
            "each other term at the maximum is also exactly 1 and belongs to r. Leave out "
            "the term at one index only, the argmax: e = np.exp(s - m); e[np.argmax(s)] = 0.",
            variants=[_ties_loss],
        ),
        Mistake(
            "the probability, not the loss",
            "This is softmax(scores)[true_class]; the loss is minus its logarithm.",
            variants=[_probability],
        ),
        Mistake(
            "the minus sign left out",
            "log p is negative for p < 1; the loss is -log p, which is positive.",
            variants=[lambda scores, true_class: np.log(_probability(scores, true_class))],
        ),
        Mistake(
            "the loss of the top class instead of the true class",
            "The result is -log of the largest probability, log(sum(exp(s - max(s)))) "
            "alone: the loss of the true class also subtracts its shifted score, "
            "s[true_class] - max(s) (if the argmax picked the class, index with "
            "true_class instead).",
            variants=[lambda scores, true_class: -np.log(softmax(scores).max())],
        ),
        Mistake(
            "scores used as probabilities",
            "The scores are logits: turn them into probabilities with the softmax "
            "before taking the logarithm.",
            variants=[lambda scores, true_class: -np.log(scores[true_class])],
        ),
        Mistake(
            "no max subtraction",
            "exp(1000) overflows to inf. Subtract the largest score first: "
            "softmax(s - max(s)) = softmax(s).",
            variants=[
                lambda scores, true_class: (
                    -np.log(np.exp(scores)[true_class] / np.exp(scores).sum())
                ),
                lambda scores, true_class: np.log(np.exp(scores).sum()) - scores[true_class],
            ],
        ),
        Mistake(
            "shifted by the true class's score instead of the maximum",
            "log(sum(exp(s - s[true_class]))) is the loss in exact arithmetic, but the "
            "scores above the true one give positive exponents: for [0, -720] and "
            "true_class=1, exp(720) overflows to inf. Shift by the maximum instead: "
            "(max(s) - s[true_class]) + log(sum(exp(s - max(s)))).",
            variants=[
                lambda scores, true_class: np.log(np.exp(scores - scores[true_class]).sum()),
            ],
        ),
        Mistake(
            "the log of a probability or an exponential that underflows to 0",
            "The probability exp(-800) / S underflows to 0, and so does the exponential "
            "exp(s[true_class] - max(s)) = exp(-800) itself: -log(0) is inf, while the "
            "loss is a finite 800. Take no exponential of the true class's score: it is "
            "already its own log. With the shifted scores s - max(s), the loss is "
            "log(sum(exp(s - max(s)))) - (s[true_class] - max(s)).",
            variants=[
                lambda scores, true_class: -np.log(softmax(scores)[true_class]),
                lambda scores, true_class: (
                    -np.log(
                        np.exp(scores - scores.max())[true_class]
                        / np.exp(scores - scores.max()).sum()
                    )
                ),
            ],
        ),
        Mistake(
            "shifted by the mean, minimum, median, first or last score instead of the maximum",
            "Any shift leaves the softmax unchanged in exact arithmetic, but only the "
            "maximum makes every exponent <= 0: after subtracting another value c, the "
            f"largest exponent is max(s) - c, and exp overflows to inf above {_EXP_LIMIT}. "
            "The scores [-800, 0, -1500] have mean -766.7, median and first score -800, "
            "minimum and last score -1500, and exp(766.7), exp(800) and exp(1500) are inf. "
            "Subtract scores.max().",
            variants=[
                lambda scores, true_class, shift=shift: (
                    np.log(np.exp(scores - shift(scores)).sum())
                    - (scores[true_class] - shift(scores)[0])
                )
                for shift in NON_MAX_SHIFTS
            ],
        ),
        Mistake(
            "the probability clipped",
            "Clipping the probability to [eps, 1 - eps] (as Keras does, with eps = 1e-7), "
            "or adding eps to it, before the log caps the loss at -log(eps), "
            f"{-np.log(1e-7):.1f} for eps = 1e-7, however far below the top score the "
            "true class is; the upper clip moves a loss near 0 by about eps, and an added "
            "eps moves every loss, by about eps / p. Take no probability: "
            "log(sum(exp(s - max(s)))) - (s[true_class] - max(s)) needs no clipping.",
            variants=_clipped_losses(_probability),
        ),
        Mistake(
            "the wrong logarithm",
            "The loss uses the natural logarithm, np.log, not np.log10 or np.log2.",
            variants=[
                lambda scores, true_class: -np.log10(_probability(scores, true_class)),
                lambda scores, true_class: -np.log2(_probability(scores, true_class)),
            ],
        ),
    ],
    hint_text=(
        "-log softmax(s)[y] = log(sum(exp(s))) - s[y]. Subtract the largest score "
        "first (shifted = scores - scores.max()), so that no exp overflows, and take "
        "the log of the sum rather than of a probability, which can underflow to 0."
    ),
    solution_text="""
def my_loss(scores, true_class):
    shifted = scores - scores.max()  # exp(shifted) never overflows
    return np.log(np.exp(shifted).sum()) - shifted[true_class]
""",
)


_VJP_CASES = [
    (rows(4, seed=301), rows(4, seed=302)),
    (rows(6, seed=303, scale=3.0), rows(6, seed=304)),
    (np.array([1000.0, 999.0, 997.5]), np.array([0.5, -1.0, 2.0])),
    (np.array([1000.0, -1000.0, 0.5, 2.0]), np.array([1.0, 3.0, -2.0, 0.25])),
    (np.array([4.0]), np.array([2.5])),
]

softmax_vjp = Checker(
    name="softmax_vjp",
    chapter="04_worked_examples",
    label="ex-softmax-vjp-code",
    task="J^T v = p * (v - p @ v) with p = softmax(z), without forming J",
    answer_name="my_vjp",
    parameters=("z", "v"),
    reference=lambda z, v: softmax_jacobian(z).T @ v,
    cases=_VJP_CASES,
    covers=(
        "vectors of 1 to 6 classes, ordinary logits and logits of size 1000 (an "
        "overflowing exp fails) and a row 2000 wide (zero probabilities)",
        "the rule: the function must not form J (softmax_jacobian, np.outer, np.diag, "
        "np.eye are refused, in its own code and in its helpers), nor build it another "
        "way (by broadcasting), measured: on z and v of 2000 entries, the answer may "
        "hold at most what 100 vectors of 2000 entries take, where J takes 2000",
    ),
    rules=(NO_JACOBIAN,),
    memory=MemoryBound(
        case=(rows(2000, seed=305), rows(2000, seed=306)),
        limit=100 * 2000 * 8,
        shown="z and v of 2000 entries",
        allowed="what 100 vectors of 2000 entries take",
        asks=NO_JACOBIAN.asks,
        advice=NO_JACOBIAN.advice,
    ),
    atol=1e-12,
    rtol=1e-8,
    mistakes=[
        Mistake(
            "only the diagonal of J",
            "p * v is diag(p) v; J = diag(p) - p p^T also subtracts p (p @ v): p * (v - p @ v).",
            variants=[lambda z, v: softmax(z) * v],
        ),
        Mistake(
            "not multiplied by p",
            "v - p @ v is the bracket only; every entry of J v is multiplied by p_i: "
            "p * (v - p @ v).",
            variants=[lambda z, v: v - softmax(z) @ v],
        ),
        Mistake(
            "wrong sign",
            "J = diag(p) - p p^T, so J v = p * v - (p @ v) p = p * (v - p @ v).",
            variants=[lambda z, v: -softmax(z) * (v - softmax(z) @ v)],
        ),
        Mistake(
            "the sum of v instead of p @ v",
            "The subtracted term is the p-weighted mean of v, p @ v, not v.sum().",
            variants=[lambda z, v: softmax(z) * (v - v.sum())],
        ),
    ],
    hint_text=(
        "J = diag(p) - p p^T is symmetric, so J^T v = J v = p * v - p (p @ v): one "
        "dot product and two element-wise operations."
    ),
    solution_text="""
def my_vjp(z, v):
    p = softmax(z)
    return p * (v - p @ v)
""",
    solution_uses=("softmax",),
)
