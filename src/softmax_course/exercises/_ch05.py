"""Chapter 5, stability: ``stable_softmax``, ``stable_log_softmax``, ``stable_logsumexp``."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import log_softmax, logsumexp, softmax
from ..teaching import naive_softmax
from ._checker import Checker
from ._common import (
    CLIP_EPS,
    NOT_DIVIDED,
    WHOLE_BATCH,
    WRONG_AXIS,
    batch_max_softmax,
    clip_forms,
    shifted_softmax,
)
from ._inputs import rows
from ._mistakes import Mistake
from ._rules import NUMPY_ONLY

#: The hidden batches: ordinary logits first, then the ones that break naive formulas.
BATCHES = [
    rows((3, 4), seed=501),
    np.array([[900.0, 900.0, 899.5], [-0.5, 0.25, 2.0]]),
    np.array([[-900.0, -900.0, -901.5], [0.5, -0.25, 1.0]]),
    np.array([[800.0, 799.0, 790.0], [-800.0, -801.0, -810.0]]),
    np.array([[90.0, 89.0, 88.0], [1.0, 2.0, 3.0]], dtype=np.float32),
    rows((1, 5), seed=502),
    # rows 2200 and 810 wide: shifting by the row minimum (both rows) or the mean (the
    # first row) overflows, while the formula without any shift does not
    np.array([[700.0, -1500.0, 0.0], [-800.0, 10.0, 5.0]]),
    np.array([[1000.0, -1000.0, 0.5], [3.0, -2.0, 1.0]]),
    # a huge common offset: only a shift removes it
    np.array([[1e6, 1e6 - 1.5, 1e6 + 0.25], [-1e6, -1e6 + 2.0, -1e6 - 3.0]]),
    rows((5, 1), seed=503),
    rows((7, 9), seed=504, scale=30.0),
]

#: What the hidden batches of the softmax and the log-softmax cover.
BATCH_COVERS = (
    "ordinary logits, and batches of 1 to 7 rows with 1 to 9 classes (one class per row included)",
    "rows near exp's limits: [900, 900, 899.5], [-900, -900, -901.5], float32 logits of 90",
    "rows 2200 and 2000 wide ([700, -1500, 0], [1000, -1000, 0.5]), where shifting by "
    "the row's minimum or mean instead of its maximum overflows, and one 810 wide "
    "([-800, 10, 5]), where the minimum shift overflows",
    "a huge common offset (1e6 and -1e6) that only a shift removes",
    "the rule: NumPy only (the package, SciPy, PyTorch, JAX, TensorFlow and Keras "
    "are refused, in the function and in its helpers)",
)


def _naive_softmax(z):
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def _shifted_log_softmax(z, shift):
    shifted = z - shift
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


#: Where exp overflows in float64 (709.78), as the verdicts print it.
_EXP_LIMIT = f"{np.log(np.finfo(np.float64).max):.2f}"

MIN_SHIFT = Mistake(
    "the row minimum subtracted instead of the maximum",
    "Any shift leaves the softmax unchanged in exact arithmetic, but only the "
    "maximum makes every exponent <= 0: after subtracting the minimum, the largest "
    f"exponent is the row's width, max - min, and exp overflows above {_EXP_LIMIT} in float64 "
    "(the row [700, -1500, 0] has exp(2200) = inf). Subtract "
    "z.max(axis=-1, keepdims=True).",
    variants=[
        lambda z: shifted_softmax(z, z.min(axis=-1, keepdims=True)),
        lambda z: _shifted_log_softmax(z, z.min(axis=-1, keepdims=True)),
        lambda z: z.min(axis=-1) + np.log(np.exp(z - z.min(axis=-1, keepdims=True)).sum(axis=-1)),
    ],
)
MEAN_SHIFT = Mistake(
    "the row mean subtracted instead of the maximum",
    "Any shift leaves the softmax unchanged in exact arithmetic, but only the "
    "maximum makes every exponent <= 0: after subtracting the mean, the largest "
    f"exponent is max - mean, and exp overflows above {_EXP_LIMIT} in float64 (the row "
    "[700, -1500, 0] has mean -266.7 and exp(700 + 266.7) = inf). Subtract "
    "z.max(axis=-1, keepdims=True).",
    variants=[
        lambda z: shifted_softmax(z, z.mean(axis=-1, keepdims=True)),
        lambda z: _shifted_log_softmax(z, z.mean(axis=-1, keepdims=True)),
        lambda z: z.mean(axis=-1) + np.log(np.exp(z - z.mean(axis=-1, keepdims=True)).sum(axis=-1)),
    ],
)
NO_LOG1P = Mistake(
    "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
    "After the shift the sum of a row is 1 + r, where r sums the other terms. When "
    "r is below the rounding of 1 (e^-40 = 4.2e-18 is), 1 + r rounds to 1, its log "
    "is 0 (and so is log1p(sum - 1)), and the tiny log1p(r), about r, is lost: the "
    "log-probability of the top class, or what the log-sum-exp adds to m. Leave the "
    "largest term (exactly 1) out of the sum and take np.log1p(r).",
    variants=[
        lambda z: _shifted_log_softmax(z, z.max(axis=-1, keepdims=True)),
        lambda z: (
            z
            - (
                z.max(axis=-1, keepdims=True)
                + np.log(np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True))
            )
        ),
        lambda z: z.max(axis=-1) + np.log(np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1)),
        lambda z: (
            z.max(axis=-1) + np.log1p(np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1) - 1)
        ),
    ],
)


def _r_without_top(z):
    """The row maximum and r, the sum of exp(z - m) with the term at the argmax left out."""
    m = z.max(axis=-1, keepdims=True)
    e = np.exp(z - m)
    np.put_along_axis(e, z.argmax(axis=-1)[:, None], 0.0, axis=-1)
    return m, e.sum(axis=-1, keepdims=True)


def _log_one_plus_r_log_softmax(z):
    m, r = _r_without_top(z)
    return (z - m) - np.log(1 + r)


def _log_one_plus_r_logsumexp(z):
    m, r = _r_without_top(z)
    return (m + np.log(1 + r))[:, 0]


LOG_OF_ONE_PLUS_R = Mistake(
    "log(1 + r) instead of log1p(r)",
    "The largest term is already left out of r, the sum of the other terms; only "
    "the last step is off: np.log(1 + r) forms 1 + r, which rounds to 1 when r is "
    "below the rounding of 1 (e^-40 = 4.2e-18 is), so the log is 0 and the tiny "
    "log1p(r), about r, is lost. Write np.log1p(r) instead of np.log(1 + r): it "
    "takes r itself, without forming 1 + r.",
    variants=[_log_one_plus_r_log_softmax, _log_one_plus_r_logsumexp],
)


def _r_without_ties(z):
    """The row maximum and r with every term at the maximum left out, not only one."""
    m = z.max(axis=-1, keepdims=True)
    return m, np.where(z == m, 0.0, np.exp(z - m)).sum(axis=-1, keepdims=True)


def _ties_log_softmax(z):
    m, r = _r_without_ties(z)
    return (z - m) - np.log1p(r)


def _ties_logsumexp(z):
    m, r = _r_without_ties(z)
    return (m + np.log1p(r))[:, 0]


TIED_MAXIMA_LEFT_OUT = Mistake(
    "every tied maximum left out of r",
    "Only one term of the sum is the 1 that log1p(r) adds back. When the maximum "
    "appears more than once in a row (a tie), each other term at the maximum is also "
    "exactly 1 and belongs to r. Leave out the term at one index only, the argmax: "
    "with e = np.exp(z - m), np.put_along_axis(e, z.argmax(axis=-1)[:, None], 0.0, axis=-1).",
    variants=[_ties_log_softmax, _ties_logsumexp],
)


def _only(mistake: Mistake, *indices: int) -> Mistake:
    """The shared mistake with only the wrong formulas of one exercise's function.

    The shared mistakes hold a softmax, a log-softmax and a log-sum-exp form; an
    exercise keeps its own, so that an answer returning another of the three
    functions (a log-softmax where the softmax is asked) is not named after them.
    """
    return dataclasses.replace(mistake, variants=[mistake.variants[i] for i in indices])


def _column_max_softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


NO_MAX_SUBTRACTION = Mistake(
    "no max subtraction",
    "exp(900) overflows to inf and inf / inf is NaN (and exp(-900) underflows to "
    "0, and 0 / 0 is NaN). Subtract each row's maximum first, "
    "z - z.max(axis=-1, keepdims=True): the softmax does not change, every "
    "exponent is <= 0 and the largest term is exactly 1.",
    variants=[_naive_softmax, lambda z: naive_softmax(z, axis=-1)],
)

stable_softmax = Checker(
    name="stable_softmax",
    chapter="05_log_softmax_and_stability",
    label="ex-stability-softmax",
    task="softmax over the last axis of a 2-D batch",
    answer_name="my_softmax",
    parameters=("z",),
    reference=lambda z: softmax(z, axis=-1),
    cases=[(batch,) for batch in BATCHES],
    covers=BATCH_COVERS,
    rules=(NUMPY_ONLY,),
    mistakes=[
        WRONG_AXIS,
        WHOLE_BATCH,
        NOT_DIVIDED,
        Mistake(
            "the maximum of the whole batch subtracted",
            "One maximum for the whole batch leaves a row far below it with every "
            "exponential 0 (exp(-900) underflows), and 0 / 0 is NaN. Subtract each "
            "row's own maximum: "
            "z.max(axis=-1, keepdims=True).",
            variants=[batch_max_softmax],
        ),
        Mistake(
            "each column's maximum subtracted",
            "The shift must be the same for every entry of a row (softmax is "
            "invariant to adding a constant to a row, not to a column): "
            "z.max(axis=-1, keepdims=True).",
            variants=[_column_max_softmax],
        ),
        NO_MAX_SUBTRACTION,
        _only(MIN_SHIFT, 0),
        _only(MEAN_SHIFT, 0),
    ],
    hint_text=(
        "Softmax does not change when a constant is added to a row. Subtract each "
        "row's maximum, m = z.max(axis=-1, keepdims=True), then exponentiate and "
        "divide each row by its sum (axis=-1, keepdims=True)."
    ),
    solution_text="""
def my_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
""",
)

LOG_BATCHES = [
    rows((3, 4), seed=511),
    np.array([[0.0, -850.0, 2.5], [1.0, 2.0, 3.0]]),
    # ties for the maximum: only one of the tied terms is the 1 left out of r
    np.array([[1.0, 1.0, -2.0, 0.5], [0.0, 0.0, 0.0, 0.0]]),
    np.array([[950.0, 949.0, 0.0], [-950.0, -951.0, -950.5]]),
    np.array([[20.0, -30.0, 5.0], [0.5, 0.25, -1.0]], dtype=np.float32),
    # log-probabilities near 0: -4.3e-18 is lost by log(1 + r); before the rows
    # below, where z - LSE(z) cancels, so that the two mistakes are told apart
    # (its first row is 2200 wide, so that a mean shift overflows here too, at the
    # first index a verdict shows, and is not mistaken for the missing log1p); in the
    # third row the sum 1 + 2 e^-36.5 rounds up twice (to 1 + 2 eps) when the 1 comes
    # first, once (to 1 + eps) as 1 + r: log(sum) is told from log(1 + r)
    np.array([[0.0, -40.0, -2200.0], [0.0, -40.0, -45.0], [0.0, -36.5, -36.5]]),
    np.array([[700.0, -1500.0, 0.0], [-800.0, 10.0, 5.0]]),
    np.array([[1000.0, -1000.0, 3.0], [-900.0, 0.0, -5.0]]),
    np.array([[1e6, 1e6 - 0.5, 1e6 + 0.25], [-1e6, -1e6 - 40.0, -1e6 - 2.0]]),
    rows((4, 1), seed=512),
    rows((6, 8), seed=513, scale=20.0),
]


def _naive_log_softmax(z):
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


stable_log_softmax = Checker(
    name="stable_log_softmax",
    chapter="05_log_softmax_and_stability",
    label="ex-stability-log-softmax",
    task="log-softmax over the last axis of a 2-D batch",
    answer_name="my_log_softmax",
    parameters=("z",),
    reference=lambda z: log_softmax(z, axis=-1),
    cases=[(batch,) for batch in LOG_BATCHES],
    covers=(
        "ordinary logits, and batches of 2 to 6 rows with 1 to 8 classes (one class "
        "per row included)",
        "ties for the row maximum ([1, 1, -2, 0.5] and a row of zeros)",
        "a log-probability 852.5 below the top one ([0, -850, 2.5]), which log(softmax) makes -inf",
        "log-probabilities near 0 (-4.3e-18), compared relatively, with no absolute "
        "tolerance: log(sum) of a sum that rounds to 1 loses them, log1p keeps them, "
        "and z - LSE(z) loses them where the top logit is large ([700, -1500, 0]); so "
        "does log(1 + r) (the row [0, -36.5, -36.5] tells it from log(sum))",
        "rows 2200 and 2000 wide ([700, -1500, 0], [1000, -1000, 3]), where shifting "
        "by the row's minimum or mean instead of its maximum overflows, and one 810 wide "
        "([-800, 10, 5]), where the minimum shift overflows",
        "a huge common offset (1e6 and -1e6) that only a shift removes",
        BATCH_COVERS[-1],
    ),
    rules=(NUMPY_ONLY,),
    atol=0.0,
    mistakes=[
        Mistake(
            "normalised over the wrong axis",
            "The classes are the last axis: the log-sum-exp is over axis=-1, with keepdims=True.",
            variants=[lambda z: log_softmax(z, axis=0)],
        ),
        _only(NO_LOG1P, 0, 1),
        _only(LOG_OF_ONE_PLUS_R, 0),
        _only(TIED_MAXIMA_LEFT_OUT, 0),
        Mistake(
            "z minus the log-sum-exp, which cancels",
            "z - LSE(z) subtracts two nearly equal numbers for the top class: for the "
            "row [700, -1500, 0], LSE(z) = 700 + 9.9e-305 rounds to 700, and 700 - 700 "
            "= 0 loses the log-probability -9.9e-305. Subtract in the other order: "
            "(z - m) - np.log1p(r), where z - m is exact and the tiny log1p(r) is "
            "subtracted last.",
            variants=[
                lambda z: z - logsumexp(z, axis=-1, keepdims=True),
                lambda z: z - np.logaddexp.reduce(z, axis=-1, keepdims=True),
            ],
        ),
        Mistake(
            "log(softmax(z)) instead of a log-softmax",
            "A probability of exp(-852.6) underflows to 0 and its log is -inf, while the "
            "log-probability is a finite -852.6. Never take the log of a probability: "
            "log softmax(z) = (z - m) - log1p(r), with m the row maximum and r the sum "
            "of exp(z - m) over the other entries.",
            variants=[
                lambda z: np.log(softmax(z, axis=-1)),
                lambda z: np.log(_naive_softmax(z)),
            ],
        ),
        Mistake(
            "the log of probabilities kept off 0 (clipped, or eps added)",
            "Clipping the probabilities to [eps, 1] or to [eps, 1 - eps] (as Keras does, "
            "with eps = 1e-7), or "
            "adding eps, before the log keeps it finite but wrong: a log-probability of "
            "-852.6 comes back as about log(eps) (log(1e-12) is -27.6), and an added eps "
            "moves every other one by about eps / p. Never take the log of a probability: "
            "log softmax(z) = (z - m) - log1p(r), with m the row maximum and r the sum "
            "of exp(z - m) over the other entries.",
            variants=[
                lambda z, form=form: np.log(form(softmax(z, axis=-1)))
                for form in clip_forms((*CLIP_EPS, 1e-300, 1e-100, 1e-30, 1e-20))
            ],
        ),
        Mistake(
            "the log-sum-exp left out",
            "z - m is only the shifted logits; subtract log(sum(exp(z - m))) too, as "
            "np.log1p(r) with r the sum of the other terms, so that the exponentials "
            "of each row sum to 1.",
            variants=[lambda z: z - z.max(axis=-1, keepdims=True)],
        ),
        Mistake(
            "normalised over the whole batch",
            "The log-sum-exp is over each row (axis=-1, keepdims=True), not over the whole batch.",
            variants=[lambda z: z - np.log(np.exp(z).sum())],
        ),
        Mistake(
            "the maximum of the whole batch subtracted",
            "One maximum for the whole batch leaves a row far below it with every "
            "exponential 0 (exp(-950 - 950) underflows): the log of its sum is log(0) = "
            "-inf, and its log-probabilities are +inf. Subtract each row's own maximum: "
            "z.max(axis=-1, keepdims=True).",
            variants=[lambda z: _shifted_log_softmax(z, z.max())],
        ),
        Mistake(
            "no max subtraction",
            "exp(950) overflows to inf, so log(sum(exp(z))) is inf. Subtract the "
            "row maximum m first: log(sum(exp(z))) = m + log1p(r), with r the sum of "
            "exp(z - m) over the other entries.",
            variants=[_naive_log_softmax],
        ),
        _only(MIN_SHIFT, 1),
        _only(MEAN_SHIFT, 1),
    ],
    hint_text=(
        "With m = z.max(axis=-1, keepdims=True): log softmax(z) = (z - m) - "
        "log(sum(exp(z - m))). Every exponent is <= 0 and the sum is at least 1, so "
        "nothing overflows and the log is never of 0. The sum is 1 + r, with r the "
        "sum of the other terms: np.log1p(r) keeps a tiny r that 1 + r rounds away."
    ),
    solution_text="""
def my_log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)  # the largest is 0
    e = np.exp(shifted)
    top = shifted.argmax(axis=-1)[:, None]
    np.put_along_axis(e, top, 0.0, axis=-1)  # leave out the largest term, 1
    return shifted - np.log1p(e.sum(axis=-1, keepdims=True))
""",
)

LSE_BATCHES = [
    rows((3, 4), seed=521),
    np.array([[1000.0, 1000.0, 999.0], [-1000.0, -1001.0, -1000.5]]),
    np.array([[0.5, -30.0, 2.0, 1.0]], dtype=np.float32),
    rows((4, 2), seed=522),
    np.array([[700.0, -1500.0, 0.0], [-800.0, 10.0, 5.0]]),
    np.array([[1000.0, -1000.0, 5.0], [-1000.0, -2000.0, -1500.0]]),
    # log-sum-exps near 0; the third row tells log(sum) from log(1 + r), as above
    np.array([[0.0, -40.0, -45.0], [0.0, -38.5, -45.0], [0.0, -36.5, -36.5]]),
    np.array([[1e6, 1e6 - 1.0, 1e6 + 2.0]]),
    rows((3, 1), seed=523),
]

stable_logsumexp = Checker(
    name="stable_logsumexp",
    chapter="05_log_softmax_and_stability",
    label="ex-stability-logsumexp",
    task="log(sum(exp(z))) of every row, shape (batch,), without overflow",
    answer_name="my_logsumexp",
    parameters=("z",),
    reference=lambda z: logsumexp(z, axis=-1),
    cases=[(batch,) for batch in LSE_BATCHES],
    covers=(
        "ordinary logits, and batches of 1 to 4 rows with 1 to 4 classes",
        "rows near exp's limits ([1000, 1000, 999], [-1000, -1001, -1000.5])",
        "log-sum-exps near 0 (4.3e-18 for [0, -40, -45]), compared relatively, with no "
        "absolute tolerance: log(sum) of a sum that rounds to 1 loses them, and so does "
        "log(1 + r) (the row [0, -36.5, -36.5] tells the two apart)",
        "rows 2200 and 2000 wide ([700, -1500, 0], [1000, -1000, 5]), where shifting "
        "by the row's minimum or mean instead of its maximum overflows, and one 810 wide "
        "([-800, 10, 5]), where the minimum shift overflows",
        "a huge common offset (1e6) that only a shift removes",
        BATCH_COVERS[-1],
    ),
    rules=(NUMPY_ONLY,),
    atol=0.0,
    mistakes=[
        Mistake(
            "the maximum not added back",
            "log(sum(exp(z - m))) is LSE(z) - m: add m back, LSE(z) = m + log1p(r), with "
            "r the sum of exp(z - m) over the other entries.",
            variants=[
                lambda z: np.log(np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1)),
            ],
        ),
        Mistake(
            "the summed axis kept",
            "keepdims=True leaves shape (batch, 1); the answer has one number per row, "
            "shape (batch,). Keep the axis while you subtract, then drop it (or use "
            "m[:, 0]).",
            variants=[lambda z: logsumexp(z, axis=-1, keepdims=True)],
        ),
        Mistake(
            "summed over the wrong axis",
            "The classes are the last axis: sum over axis=-1.",
            variants=[lambda z: logsumexp(z, axis=0)],
        ),
        Mistake(
            "the maximum instead of the log-sum-exp",
            "max(z) is a lower bound of LSE(z); the log-sum-exp adds "
            "log(sum(exp(z - m))), between 0 and log K.",
            variants=[lambda z: z.max(axis=-1)],
        ),
        Mistake(
            "the maximum of the whole batch subtracted",
            "One maximum for the whole batch leaves a row far below it with every "
            "exponential 0 (exp(-1000 - 1000) underflows), and log(0) = -inf. Subtract "
            "each row's own maximum, m = z.max(axis=-1, keepdims=True), and add it back.",
            variants=[lambda z: z.max() + np.log(np.exp(z - z.max()).sum(axis=-1))],
        ),
        Mistake(
            "no max subtraction",
            "exp(1000) overflows to inf, and exp(-1000) underflows to 0, whose log is "
            "-inf. Subtract the row maximum m: LSE(z) = m + log1p(r), with r the sum of "
            "exp(z - m) over the other entries.",
            variants=[lambda z: np.log(np.exp(z).sum(axis=-1))],
        ),
        Mistake(
            "one log-sum-exp for the whole batch",
            "The formula for one row, m + log(sum(exp(z - m))) with m = z.max(), sums "
            "over every entry of the batch and returns one number; the answer has one "
            "number per row: take the maximum and the sum along axis=-1 (keepdims=True "
            "for the maximum while you subtract it).",
            variants=[lambda z: float(z.max() + np.log(np.exp(z - z.max()).sum()))],
        ),
        _only(NO_LOG1P, 2, 3),
        _only(LOG_OF_ONE_PLUS_R, 1),
        _only(TIED_MAXIMA_LEFT_OUT, 1),
        _only(MIN_SHIFT, 2),
        _only(MEAN_SHIFT, 2),
    ],
    hint_text=(
        "With m the row maximum, LSE(z) = m + log(sum(exp(z - m))): keepdims=True "
        "while subtracting m, then add the maximum of shape (batch,). The sum is "
        "1 + r, with r the sum of the other terms: m + np.log1p(r) keeps a tiny r."
    ),
    solution_text="""
def my_logsumexp(z):
    m = z.max(axis=-1, keepdims=True)
    e = np.exp(z - m)
    np.put_along_axis(e, z.argmax(axis=-1)[:, None], 0.0, axis=-1)  # the term 1
    return (m + np.log1p(e.sum(axis=-1, keepdims=True)))[:, 0]
""",
)
