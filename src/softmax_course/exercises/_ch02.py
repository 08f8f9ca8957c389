"""Chapter 2, the sigmoid: the checkers ``stable_sigmoid`` and ``stable_log_sigmoid``."""

from __future__ import annotations

import numpy as np

from ._checker import Checker
from ._mistakes import Mistake, nonfinite_where_finite
from ._package import sc

stable_sigmoid = Checker(
    name="stable_sigmoid",
    chapter="02_sigmoid",
    label="ex-sigmoid-stable",
    title="A sigmoid that never overflows",
    prompt=(
        "Write `my_sigmoid(z)`: the sigmoid of every entry of a 1-D array `z`, accurate\n"
        "for logits of any size, with no overflow in `np.exp`. (For $z \\approx -710$ the\n"
        "sigmoid is about $e^{z}$, a tiny but representable number.)"
    ),
    task="the sigmoid 1 / (1 + exp(-z)) of every entry, without overflow",
    answer_name="my_sigmoid",
    parameters=("z",),
    reference=lambda z: sc().sigmoid(z),
    cases=[
        (np.array([-4.5, -1.0, 0.0, 0.25, 3.0, 8.0]),),
        (np.array([-730.0, -712.5, -50.0, 1.5]),),
        (np.array([30.0, 710.0, 800.0, -2.0]),),
        (np.array([-3.0, 0.5, 2.5], dtype=np.float32),),
    ],
    atol=0.0,
    mistakes=[
        Mistake(
            "the sigmoid overflows for large negative inputs",
            "For z = -730, np.exp(-z) = exp(730) overflows to inf and 1 / (1 + inf) "
            "is 0, while the answer is about exp(-730). For z < 0 use the equal form "
            "exp(z) / (1 + exp(z)), whose exponential cannot overflow: "
            "np.exp(-np.abs(z)) is at most 1.",
            variants=[lambda z: 1.0 / (1.0 + np.exp(-z))],
        ),
        Mistake(
            "the sigmoid overflows for large positive inputs",
            "For z = 800, np.exp(z) is inf and inf / (1 + inf) is NaN. The form "
            "exp(z) / (1 + exp(z)) is safe for z < 0 only; for z >= 0 use "
            "1 / (1 + exp(-z)).",
            variants=[lambda z: np.exp(z) / (1.0 + np.exp(z))],
            matches=nonfinite_where_finite,
        ),
        Mistake(
            "the sigmoid of -z",
            "1 / (1 + exp(z)) is sigma(-z), the probability of the other class; the "
            "sigmoid is 1 / (1 + exp(-z)).",
            variants=[lambda z: 1.0 / (1.0 + np.exp(z))],
        ),
    ],
    hint=(
        "exp(-z) overflows for z < -709.78. Write e = np.exp(-np.abs(z)), which is in "
        "(0, 1]: the sigmoid is 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0 "
        "(np.where chooses)."
    ),
    solution="""
def my_sigmoid(z):
    e = np.exp(-np.abs(z))  # at most 1: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
""",
)

stable_log_sigmoid = Checker(
    name="stable_log_sigmoid",
    chapter="02_sigmoid",
    label="ex-sigmoid-log",
    title="The log-sigmoid, finite everywhere",
    prompt=(
        "Write `my_log_sigmoid(z)`: $\\log \\sigma(z)$ for every entry of a 1-D array `z`,\n"
        "finite for every finite logit (for $z = -800$ the answer is about $-800$)."
    ),
    task="log(sigmoid(z)) of every entry, finite for every finite z",
    answer_name="my_log_sigmoid",
    parameters=("z",),
    reference=lambda z: sc().log_sigmoid(z),
    cases=[
        (np.array([-4.5, -1.0, 0.0, 0.25, 3.0, 8.0]),),
        (np.array([-850.5, -40.0, 40.0, 900.0]),),
        (np.array([-2.0, 0.5, 6.0], dtype=np.float32),),
    ],
    mistakes=[
        Mistake(
            "log(sigmoid(z)) instead of a log-sigmoid",
            "For z = -850.5 the sigmoid underflows to 0 (or exp(850.5) overflows) and "
            "its log is -inf, while log sigma(z) is about -850.5. Compute the log directly: "
            "log sigma(z) = -log(1 + exp(-z)) = -np.logaddexp(0, -z), finite for every z.",
            variants=[
                lambda z: np.log(sc().sigmoid(z)),
                lambda z: np.log(1.0 / (1.0 + np.exp(-z))),
                lambda z: -np.log1p(np.exp(-z)),
            ],
            matches=nonfinite_where_finite,
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
    hint=(
        "log sigma(z) = -log(1 + exp(-z)). NumPy's np.logaddexp(a, b) = log(exp(a) + "
        "exp(b)) computes log(1 + exp(-z)) without overflow as np.logaddexp(0, -z)."
    ),
    solution="""
def my_log_sigmoid(z):
    return -np.logaddexp(0, -z)
""",
)
