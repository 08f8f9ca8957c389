"""Chapter 5, stability: ``stable_softmax``, ``stable_log_softmax``, ``stable_logsumexp``."""

from __future__ import annotations

import numpy as np

from ._checker import Checker
from ._common import NOT_DIVIDED, WHOLE_BATCH, WRONG_AXIS
from ._mistakes import Mistake, nonfinite_where_finite
from ._package import rows, sc

#: The hidden batches: ordinary logits first, then the ones that break naive formulas.
BATCHES = [
    rows((3, 4), seed=501),
    np.array([[900.0, 900.0, 899.5], [-0.5, 0.25, 2.0]]),
    np.array([[-900.0, -900.0, -901.5], [0.5, -0.25, 1.0]]),
    np.array([[800.0, 799.0, 790.0], [-800.0, -801.0, -810.0]]),
    np.array([[90.0, 89.0, 88.0], [1.0, 2.0, 3.0]], dtype=np.float32),
    rows((1, 5), seed=502),
]


def _naive_softmax(z):
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def _batch_max_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def _column_max_softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


NO_MAX_SUBTRACTION = Mistake(
    "no max subtraction",
    "exp(900) overflows to inf and inf / inf is NaN (and exp(-900) underflows to "
    "0, and 0 / 0 is NaN). Subtract each row's maximum first, "
    "z - z.max(axis=-1, keepdims=True): the softmax does not change, every "
    "exponent is <= 0 and the largest term is exactly 1.",
    variants=[_naive_softmax, lambda z: sc().naive_softmax(z, axis=-1)],
    matches=nonfinite_where_finite,
)

stable_softmax = Checker(
    name="stable_softmax",
    chapter="05_log_softmax_and_stability",
    label="ex-stability-softmax",
    title="A softmax that never overflows",
    prompt=(
        "Write `my_softmax(z)`: the softmax over the last axis of a 2-D batch of logits\n"
        "`z` (one row per example), using only NumPy, correct for logits of any size:\n"
        "rows such as $[1000, 1000, 999]$ or $[-1000, -1000, -1001]$ must not give NaN."
    ),
    task="softmax over the last axis of a 2-D batch",
    answer_name="my_softmax",
    parameters=("z",),
    reference=lambda z: sc().softmax(z, axis=-1),
    cases=[(batch,) for batch in BATCHES],
    mistakes=[
        WRONG_AXIS,
        WHOLE_BATCH,
        NOT_DIVIDED,
        Mistake(
            "the maximum of the whole batch subtracted",
            "One maximum for the whole batch leaves rows far below it at exp(-1600) = "
            "0, and 0 / 0 is NaN. Subtract each row's own maximum: "
            "z.max(axis=-1, keepdims=True).",
            variants=[_batch_max_softmax],
        ),
        Mistake(
            "each column's maximum subtracted",
            "The shift must be the same for every entry of a row (softmax is "
            "invariant to adding a constant to a row, not to a column): "
            "z.max(axis=-1, keepdims=True).",
            variants=[_column_max_softmax],
        ),
        NO_MAX_SUBTRACTION,
    ],
    hint=(
        "Softmax does not change when a constant is added to a row. Subtract each "
        "row's maximum, m = z.max(axis=-1, keepdims=True), then exponentiate and "
        "divide each row by its sum (axis=-1, keepdims=True)."
    ),
    solution="""
def my_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
""",
)

LOG_BATCHES = [
    rows((3, 4), seed=511),
    np.array([[0.0, -850.0, 2.5], [1.0, 2.0, 3.0]]),
    np.array([[950.0, 949.0, 0.0], [-950.0, -951.0, -950.5]]),
    np.array([[20.0, -30.0, 5.0], [0.5, 0.25, -1.0]], dtype=np.float32),
]


def _naive_log_softmax(z):
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


stable_log_softmax = Checker(
    name="stable_log_softmax",
    chapter="05_log_softmax_and_stability",
    label="ex-stability-log-softmax",
    title="A log-softmax that stays finite",
    prompt=(
        "Write `my_log_softmax(z)`: the log-softmax over the last axis of a 2-D batch of\n"
        "logits, using only NumPy, finite for every finite logit: for the row\n"
        "$[0, -800, 3]$ the middle entry is about $-803$, not $-\\infty$."
    ),
    task="log-softmax over the last axis of a 2-D batch",
    answer_name="my_log_softmax",
    parameters=("z",),
    reference=lambda z: sc().log_softmax(z, axis=-1),
    cases=[(batch,) for batch in LOG_BATCHES],
    atol=1e-12,
    mistakes=[
        Mistake(
            "normalised over the wrong axis",
            "The classes are the last axis: the log-sum-exp is over axis=-1, with keepdims=True.",
            variants=[lambda z: sc().log_softmax(z, axis=0)],
        ),
        Mistake(
            "log(softmax(z)) instead of a log-softmax",
            "A probability of exp(-852.6) underflows to 0 and its log is -inf, while the "
            "log-probability is a finite -852.6. Never take the log of a probability: "
            "log softmax(z) = (z - m) - log(sum(exp(z - m))), with m the row maximum.",
            variants=[
                lambda z: np.log(sc().softmax(z, axis=-1)),
                lambda z: np.log(_naive_softmax(z)),
            ],
        ),
        Mistake(
            "the log-sum-exp left out",
            "z - m is only the shifted logits; subtract log(sum(exp(z - m))) too, so "
            "that the exponentials of each row sum to 1.",
            variants=[lambda z: z - z.max(axis=-1, keepdims=True)],
        ),
        Mistake(
            "normalised over the whole batch",
            "The log-sum-exp is over each row (axis=-1, keepdims=True), not over the whole batch.",
            variants=[lambda z: z - np.log(np.exp(z).sum())],
        ),
        Mistake(
            "no max subtraction",
            "exp(950) overflows to inf, so log(sum(exp(z))) is inf. Subtract the "
            "row maximum m first: log(sum(exp(z))) = m + log(sum(exp(z - m))).",
            variants=[_naive_log_softmax],
            matches=nonfinite_where_finite,
        ),
    ],
    hint=(
        "With m = z.max(axis=-1, keepdims=True): log softmax(z) = (z - m) - "
        "log(sum(exp(z - m))). Every exponent is <= 0 and the sum is at least 1, so "
        "nothing overflows and the log is never of 0."
    ),
    solution="""
def my_log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
""",
)

LSE_BATCHES = [
    rows((3, 4), seed=521),
    np.array([[1000.0, 1000.0, 999.0], [-1000.0, -1001.0, -1000.5]]),
    np.array([[0.5, -30.0, 2.0, 1.0]], dtype=np.float32),
    rows((4, 2), seed=522),
]

stable_logsumexp = Checker(
    name="stable_logsumexp",
    chapter="05_log_softmax_and_stability",
    label="ex-stability-logsumexp",
    title="The log-sum-exp of every row",
    prompt=(
        "Write `my_logsumexp(z)`: $\\operatorname{LSE}(z) = \\log \\sum_j e^{z_j}$ of every\n"
        "row of a 2-D batch `z`, one number per row (shape `(batch,)`), using only\n"
        "NumPy and finite for every finite logit."
    ),
    task="log(sum(exp(z))) of every row, shape (batch,), without overflow",
    answer_name="my_logsumexp",
    parameters=("z",),
    reference=lambda z: sc().logsumexp(z, axis=-1),
    cases=[(batch,) for batch in LSE_BATCHES],
    atol=1e-12,
    mistakes=[
        Mistake(
            "the maximum not added back",
            "log(sum(exp(z - m))) is LSE(z) - m: add m back, LSE(z) = m + log(sum(exp(z - m))).",
            variants=[
                lambda z: np.log(np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1)),
            ],
        ),
        Mistake(
            "the summed axis kept",
            "keepdims=True leaves shape (batch, 1); the answer has one number per row, "
            "shape (batch,). Keep the axis while you subtract, then drop it (or use "
            "m[:, 0]).",
            variants=[lambda z: sc().logsumexp(z, axis=-1, keepdims=True)],
        ),
        Mistake(
            "summed over the wrong axis",
            "The classes are the last axis: sum over axis=-1.",
            variants=[lambda z: sc().logsumexp(z, axis=0)],
        ),
        Mistake(
            "the maximum instead of the log-sum-exp",
            "max(z) is a lower bound of LSE(z); the log-sum-exp adds "
            "log(sum(exp(z - m))), between 0 and log K.",
            variants=[lambda z: z.max(axis=-1)],
        ),
        Mistake(
            "no max subtraction",
            "exp(1000) overflows to inf, and exp(-1000) underflows to 0, whose log is "
            "-inf. Subtract the row maximum m: LSE(z) = m + log(sum(exp(z - m))).",
            variants=[lambda z: np.log(np.exp(z).sum(axis=-1))],
            matches=nonfinite_where_finite,
        ),
    ],
    hint=(
        "With m the row maximum, LSE(z) = m + log(sum(exp(z - m))): keepdims=True "
        "while subtracting m, then add the maximum of shape (batch,)."
    ),
    solution="""
def my_logsumexp(z):
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[:, 0]
""",
)
