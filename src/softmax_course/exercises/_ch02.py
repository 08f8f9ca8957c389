"""Chapter 2, the sigmoid: the checkers ``stable_sigmoid`` and ``stable_log_sigmoid``."""

from __future__ import annotations

import numpy as np

from .. import log_sigmoid, sigmoid
from ._checker import Checker
from ._common import CLIP_EPS, clip_forms
from ._mistakes import Mistake

# the bounds a learner clips the logits to, to keep np.exp finite
_CLIP_BOUNDS = (30.0, 50.0, 100.0, 500.0, 700.0, 709.0)


def _clipped(formula, bound):
    """``formula`` applied to the logits clipped to [-bound, bound]."""
    return lambda z: formula(np.clip(z, -bound, bound))


stable_sigmoid = Checker(
    name="stable_sigmoid",
    chapter="02_sigmoid",
    label="ex-sigmoid-stable",
    task="the sigmoid 1 / (1 + exp(-z)) of every entry, without overflow",
    answer_name="my_sigmoid",
    parameters=("z",),
    reference=lambda z: sigmoid(z),
    cases=[
        # 10 to 20.7: sigma is 1 minus 4.5e-5 to 1.02e-9, not 1 (an answer that returns 1
        # above a threshold fails wherever the threshold is below 20.7)
        (
            np.array(
                [-4.5, -1.0, 0.0, 0.25, 3.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 19.0]
                + [20.0, 20.4, 20.7, -12.0]
            ),
        ),
        (np.array([-730.0, -712.5, -50.0, 1.5, -30.0]),),
        (np.array([30.0, 710.0, 800.0, -2.0]),),
        (np.array([-3.0, 0.5, 2.5], dtype=np.float32),),
        (np.array([-100.0, -90.0, 95.0, 120.0], dtype=np.float32),),
        (
            np.array(
                [-725.0, -1e6, 1e6, 36.0, -36.0, -732.0, -736.0, -738.0, -740.0, -742.0]
                + [-742.5, -742.6, -742.75, -742.9, -743.0, -743.5]
            ),
        ),
    ],
    covers=(
        "ordinary logits, and logits beyond exp's range on both sides (-1e6 to 1e6), "
        "where exp(-z) or exp(z) overflows",
        "moderate logits from 10 to 20.7, whose sigmoid is 1 minus 4.5e-5 down to "
        "1.02e-9 (above the relative tolerance 1e-9): an answer that returns 1 above "
        "any threshold below 20.7 fails, and one that returns 0 below a threshold above "
        "-742.9 fails too (the sigmoid is within atol of 0 only below about -742.94)",
        "large negative logits, whose sigmoid is a tiny but representable number "
        "(about e^-730, e^-725): it must not be rounded to 0 (a few units of the last "
        "place of these subnormal numbers are tolerated, atol = 2e-323)",
        "float32 logits beyond float32's exp range (+-88.7)",
    ),
    atol=2e-323,
    overflow_free=True,
    mistakes=[
        Mistake(
            "0 for large negative inputs (an overflow, or a cut-off)",
            "For z = -730 the sigmoid is about exp(-730), tiny but not 0, and the answer "
            "is 0. The naive 1 / (1 + np.exp(-z)) gives 0 because exp(730) overflows to "
            "inf; scipy.special.expit, and an answer that returns 0 below a threshold, "
            "round it to 0 too. For z < 0 use the equal form "
            "exp(z) / (1 + exp(z)), whose exponential cannot overflow: "
            "np.exp(-np.abs(z)) is at most 1.",
            variants=[lambda z: 1.0 / (1.0 + np.exp(-z))],
        ),
        Mistake(
            "1 above a threshold (a cut-off)",
            "sigma(z) = 1 / (1 + exp(-z)) rounds to exactly 1 only above about 36.7 in "
            "float64; below that, 1 - sigma(z) is about exp(-z), which the checker's "
            "relative 1e-9 sees up to z = 20.7 (at z = 20, sigma(z) = 1 - 2.1e-9). No "
            "cut-off is needed: 1 / (1 + exp(-z)) cannot overflow for z >= 0.",
            variants=[
                lambda z, cut=cut: np.where(z > cut, 1.0, sigmoid(z))
                for cut in (5.0, 8.0, 10.0, 15.0, 20.0)
            ],
        ),
        Mistake(
            "the sigmoid overflows for large positive inputs",
            "For z = 800, np.exp(z) is inf and inf / (1 + inf) is NaN. The form "
            "exp(z) / (1 + exp(z)) is safe for z < 0 only; for z >= 0 use "
            "1 / (1 + exp(-z)).",
            variants=[lambda z: np.exp(z) / (1.0 + np.exp(z))],
        ),
        Mistake(
            "one minus a number near 1 for negative inputs",
            "1 - sigma(-z) and (1 + tanh(z/2)) / 2 equal the sigmoid in exact "
            "arithmetic, but for z < 0 they subtract two numbers close to 1 and lose "
            "every digit of a small result: at z = -50 they give 0, while the answer "
            "is about 1.9e-22. For z < 0 use exp(z) / (1 + exp(z)), which has no "
            "subtraction.",
            variants=[
                lambda z: 1.0 - 1.0 / (1.0 + np.exp(z)),
                lambda z: (1.0 + np.tanh(z / 2)) / 2,
            ],
        ),
        Mistake(
            "the logits clipped before the exponential",
            "Clipping z, as in np.clip(z, -500, 500), keeps np.exp finite but changes "
            "the answer beyond the clip: sigma(-730) is about exp(-730), not exp(-500). "
            "No clipping is needed: e = np.exp(-np.abs(z)) is at most 1, and the "
            "sigmoid is 1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0.",
            variants=[
                _clipped(lambda z: 1.0 / (1.0 + np.exp(-z)), bound) for bound in _CLIP_BOUNDS
            ],
        ),
        Mistake(
            "the sigmoid of -z",
            "The answer is sigma(-z) = 1 - sigma(z), the probability of the other "
            "class, as 1 / (1 + exp(z)) is, or the stable form with its two branches "
            "swapped. With e = exp(-|z|): sigma(z) = 1 / (1 + e) where z >= 0 and "
            "e / (1 + e) where z < 0.",
            variants=[lambda z: 1.0 / (1.0 + np.exp(z))],
        ),
    ],
    hint_text=(
        "exp(-z) overflows for z < -709.78. Write e = np.exp(-np.abs(z)), which is in "
        "(0, 1]: the sigmoid is 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0 "
        "(np.where chooses)."
    ),
    solution_text="""
def my_sigmoid(z):
    e = np.exp(-np.abs(z))  # at most 1: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
""",
)

stable_log_sigmoid = Checker(
    name="stable_log_sigmoid",
    chapter="02_sigmoid",
    label="ex-sigmoid-log",
    task="log(sigmoid(z)) of every entry, finite for every finite z",
    answer_name="my_log_sigmoid",
    parameters=("z",),
    reference=lambda z: log_sigmoid(z),
    cases=[
        # -17.5 to -12 and 11 to 20: a threshold that returns z below it, or -exp(-z)
        # above it, is wrong by more than the relative 1e-9 at one of these
        (
            np.array(
                [-4.5, -1.0, 0.0, 0.25, 3.0, 8.0, -12.0, -13.5, -15.0, -16.5, -17.5]
                + [-17.55, -17.65, -17.74]
                + [11.0, 12.5, 14.0, 15.0, 16.5, 18.0, 19.0, 20.0]
            ),
        ),
        # -720: exp(-z) overflows, while sigma(-720) is still a (subnormal) float
        (np.array([-850.5, -720.0, -40.0, 40.0, 900.0]),),
        (np.array([-2.0, 0.5, 6.0], dtype=np.float32),),
        (np.array([38.0, 45.0, 1e6, -1e6]),),
        (np.array([-100.0, 30.0, 100.0], dtype=np.float32),),
    ],
    covers=(
        "ordinary logits, and logits beyond exp's range on both sides (-1e6 to 1e6), "
        "and -720, where exp(-z) overflows but sigma(z) is a (subnormal) float",
        "moderate logits from -17.5 to -12 and from 11 to 20: an answer that returns z "
        "below a threshold above -17.5, or -exp(-z) above a threshold below 20, fails "
        "(log sigma(-12) is -12.000006)",
        "log-probabilities near 0: log sigma(40) = -4.2e-18 must not be rounded to 0 "
        "(checked relatively, with no absolute tolerance)",
        "float32 logits beyond float32's exp range",
    ),
    atol=0.0,
    mistakes=[
        Mistake(
            "log(sigmoid(z))",
            "The log of a computed sigmoid inherits its rounding: for large z, sigma(z) "
            "is rounded near 1, so log sigma(z), close to 0, loses its digits (from the "
            "9th at z = 19; at z = 40 it is 0); for z = -850.5 the sigmoid underflows to "
            "0, or exp(-z) overflows to inf, and the log is -inf. Compute log sigma(z) "
            "directly: min(z, 0) - log1p(exp(-|z|)), or -np.logaddexp(0, -z), accurate "
            "and finite for every z.",
            variants=[
                lambda z: np.log(sigmoid(z)),
                lambda z: np.log(1.0 / (1.0 + np.exp(-z))),
            ],
        ),
        Mistake(
            "the log of a number that underflows, for negative z",
            "For z < 0 the answer takes the log of a computed sigmoid or exponential: "
            "below about -745, sigma(z) = exp(z) / (1 + exp(z)) and exp(z) are smaller "
            "than the smallest float and round to 0, whose log is -inf, where "
            "log sigma(-850.5) is about -850.5. For z < 0, log sigma(z) = "
            "z - log1p(exp(z)) (write z, not log(exp(z))): one formula for both signs "
            "is min(z, 0) - log1p(exp(-|z|)), or -np.logaddexp(0, -z).",
            variants=[
                lambda z: np.where(z >= 0, -np.log1p(np.exp(-np.abs(z))), np.log(sigmoid(z))),
            ],
        ),
        Mistake(
            "exp(-z) overflows for large negative z",
            "-log1p(exp(-z)) is accurate for large z, but for z below -709.78 exp(-z) "
            "overflows to inf and the result is -inf, where log sigma(-850.5) is about "
            "-850.5. Split by the sign of z so that the exponent is never positive: "
            "min(z, 0) - log1p(exp(-|z|)), or -np.logaddexp(0, -z).",
            variants=[lambda z: -np.log1p(np.exp(-z))],
        ),
        Mistake(
            "the sigmoid kept off 0 (clipped, or eps added) before the log",
            "Clipping sigma(z) to [eps, 1], or adding eps, keeps the log finite but "
            "wrong: log sigma(-850.5) is about -850.5, not about log(eps) (log(1e-300) "
            "is -690.8), and an added eps changes every log by about eps / sigma(z); "
            "and for large z, sigma(z) is rounded near 1, so log sigma(z), close to 0, "
            "loses its digits (at z = 40 it is 0). Compute log sigma(z) directly, with "
            "no eps: -np.logaddexp(0, -z).",
            variants=[
                lambda z, form=form: np.log(form(1.0 / (1.0 + np.exp(-z))))
                for form in clip_forms((*CLIP_EPS, 1e-300, 1e-100, 1e-30, 1e-20))
            ],
        ),
        Mistake(
            "log(1 + x) instead of log1p(x)",
            "For z = 40, exp(-z) = 4.2e-18 and 1 + 4.2e-18 rounds to 1, whose log is 0: "
            "the log-probability -4.2e-18 is lost (scipy.special.log_softmax of [0, z] "
            "forms 1 + x too, and returns 0 there). np.log1p(x) computes log(1 + x) "
            "without forming 1 + x: -np.log1p(np.exp(-np.abs(z))) + np.minimum(z, 0).",
            variants=[
                lambda z: np.minimum(z, 0) - np.log(1.0 + np.exp(-np.abs(z))),
                lambda z: -np.log(1.0 + np.exp(-z)),
            ],
        ),
        Mistake(
            "z - log(1 + exp(z)), which cancels for large z",
            "z - log(1 + e^z) is log sigma(z) in exact arithmetic, but for large z it "
            "subtracts two nearly equal numbers: at z = 40 they agree to about 19 digits, "
            "more than float64 keeps, so they round to the same float and the result, "
            "-4.2e-18, is lost (and where exp(z) is written out, it "
            "overflows above z = 709.78 and the result is -inf). -np.logaddexp(0, -z) "
            "computes it with no subtraction.",
            variants=[
                lambda z: z - np.logaddexp(0.0, z),
                lambda z: z - np.log1p(np.exp(z)),
                lambda z: z - np.log(1.0 + np.exp(z)),
            ],
        ),
        Mistake(
            "the logits clipped before the exponential",
            "Clipping z, as in np.clip(z, -700, 700), keeps np.exp finite but changes "
            "the answer beyond the clip: log sigma(-850.5) is about -850.5, not -700. "
            "No clipping is needed: -np.logaddexp(0, -z) is finite for every z.",
            variants=[_clipped(lambda z: -np.log1p(np.exp(-z)), bound) for bound in _CLIP_BOUNDS],
        ),
        Mistake(
            "the log-probability of the other class",
            "-np.logaddexp(0, z) is log sigma(-z); the log-sigmoid is -np.logaddexp(0, -z).",
            variants=[lambda z: -np.logaddexp(0.0, z)],
        ),
        Mistake(
            "the minus sign left out",
            "log sigma(z) = -log(1 + exp(-z)) is negative: it is the log of a probability.",
            variants=[lambda z: np.logaddexp(0.0, -z)],
        ),
    ],
    hint_text=(
        "log sigma(z) = -log(1 + exp(-z)). NumPy's np.logaddexp(a, b) = log(exp(a) + "
        "exp(b)) computes log(1 + exp(-z)) without overflow as np.logaddexp(0, -z)."
    ),
    solution_text="""
def my_log_sigmoid(z):
    return -np.logaddexp(0, -z)
""",
)
