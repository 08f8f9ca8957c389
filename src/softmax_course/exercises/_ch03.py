"""Chapter 3, the softmax: the checkers ``softmax_inverse`` and ``softmax_vjp``."""

from __future__ import annotations

import numpy as np

from .. import softmax, softmax_jacobian
from ._checker import Checker
from ._inputs import rows
from ._mistakes import Mistake
from ._rules import NO_JACOBIAN

softmax_inverse = Checker(
    name="softmax_inverse",
    chapter="03_softmax",
    label="ex-softmax-inverse-code",
    task="logits z with softmax(z) == probs",
    answer_name="my_logits_for",
    parameters=("probs",),
    reference=lambda probs: probs,
    judge=lambda received, args: (softmax(received[0]),),
    judge_label="softmax of the returned logits",
    cases=[
        (np.array([0.1, 0.6, 0.3]),),
        (np.array([0.25, 0.25, 0.25, 0.25]),),
        (np.array([0.7, 0.2, 0.05, 0.05]),),
        (np.array([0.999, 1e-3]),),
        (np.array([0.5, 0.5 - 1e-200, 1e-200]),),
        (np.array([1.0]),),
        (np.full(7, 1 / 7),),
    ],
    covers=(
        "distributions of 1 to 7 classes, uniform and peaked",
        "a probability of 1e-200, whose logit is about -460: logits that clip or "
        "add a small constant to the probabilities fail it",
    ),
    mistakes=[
        Mistake(
            "the probabilities returned as logits",
            "softmax(probs) is not probs: the softmax exponentiates its input. Undo "
            "the exponential with a logarithm.",
            variants=[lambda probs: probs],
        ),
        Mistake(
            "exponentials instead of logarithms",
            "The softmax applies exp, so the logits must undo it: np.log(probs), not "
            "np.exp(probs).",
            variants=[lambda probs: np.exp(probs)],
        ),
        Mistake(
            "logits of the wrong sign",
            "-log(p) reverses the order of the classes: the most likely class gets "
            "the smallest logit. Take z = log(p) (plus any constant).",
            variants=[lambda probs: -np.log(probs)],
        ),
    ],
    hint_text=(
        "softmax(z)_i = exp(z_i) / Z. If z_i = log(p_i), then exp(z_i) = p_i and Z = sum(p) = 1."
    ),
    solution_text="""
def my_logits_for(probs):
    return np.log(probs)  # plus any constant
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
    chapter="03_softmax",
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
        "np.eye are refused, in its own code and in its helpers)",
    ),
    rules=(NO_JACOBIAN,),
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
