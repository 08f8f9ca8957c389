"""The exercises' rules: "using only NumPy", "without forming J", "by hand".

A function whose results are right but that calls what the exercise forbids
is not correct, and the verdict names the call; the same function without it
is correct. The forbidden call is found in the function, in the helpers it
calls, in closures, under another name, and in an import inside its body.
"""

import functools

import numpy as np
import pytest
import scipy.special
from scipy.special import softmax as scipy_softmax

import softmax_course
from softmax_course import log_softmax, logsumexp, softmax, softmax_jacobian
from softmax_course.exercises import (
    CHECKERS,
    batch_softmax,
    softmax_vjp,
    stable_log_softmax,
    stable_logsumexp,
    stable_softmax,
)

SCIPY_VERDICT = (
    "Not correct yet: my_softmax gives the expected results, but it calls "
    "scipy.special.softmax, and the exercise asks for NumPy only: write the steps with "
    "NumPy (np.exp, np.max, np.sum, np.log) instead."
)


def test_scipy_where_numpy_only_is_asked_gets_this_verdict():
    def my_softmax(z):
        return scipy.special.softmax(z, axis=-1)

    text, passed = stable_softmax.verdict(my_softmax)
    assert not passed
    assert text == SCIPY_VERDICT


def _helper_softmax(z):
    return softmax(z, axis=-1)


def _make_closure():
    library = scipy_softmax

    def my_softmax(z):
        return library(z, axis=-1)

    return my_softmax


def my_softmax_imports(z):
    import scipy.special as special

    return special.softmax(z, axis=-1)


_PARTIAL = functools.partial(scipy_softmax, axis=-1)

NUMPY_ONLY_BREAKERS = [
    (batch_softmax, functools.partial(scipy.special.softmax, axis=-1), "scipy.special"),
    (stable_softmax, lambda z: _PARTIAL(z), "_PARTIAL"),
    (stable_softmax, lambda z: scipy_softmax(z, axis=-1), "scipy_softmax"),
    (stable_softmax, lambda z: softmax(z, axis=-1), "softmax"),
    (stable_softmax, lambda z: softmax_course.softmax(z, axis=-1), "softmax_course.softmax"),
    (stable_softmax, lambda z: _helper_softmax(z), "softmax"),
    (stable_softmax, _make_closure(), "library"),
    (stable_softmax, my_softmax_imports, "scipy.special"),
    (batch_softmax, lambda logits: scipy.special.softmax(logits, axis=1), "scipy.special.softmax"),
    (stable_log_softmax, lambda z: log_softmax(z, axis=-1), "log_softmax"),
    (stable_logsumexp, lambda z: logsumexp(z, axis=-1), "logsumexp"),
    (stable_logsumexp, lambda z: scipy.special.logsumexp(z, axis=1), "scipy.special.logsumexp"),
]


@pytest.mark.parametrize(("checker", "answer", "called"), NUMPY_ONLY_BREAKERS)
def test_a_library_call_breaks_numpy_only(checker, answer, called):
    text, passed = checker.verdict(answer)
    assert not passed
    assert "gives the expected results, but it calls " in text
    assert called in text and "the exercise asks for NumPy only" in text


def test_scipy_log_softmax_is_rejected_for_its_values_first():
    # chapter 5 measures it: it loses log-probabilities near 0 (here -4.2e-18)
    text, passed = stable_log_softmax.verdict(lambda z: scipy.special.log_softmax(z, axis=-1))
    assert not passed
    assert "returns a different value at index [0, 0] (expected -4.2484e-18, received 0)" in text


def test_numpy_and_the_standard_library_are_allowed():
    import math

    def my_softmax(z):
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        assert math.isfinite(float(e.sum()))
        return e / np.sum(e, axis=-1, keepdims=True)

    text, passed = stable_softmax.verdict(my_softmax)
    assert passed, text


def my_vjp_outer(z, v):
    p = softmax(z)
    jacobian = np.diag(p) - np.outer(p, p)
    return jacobian @ v


def my_vjp_package_jacobian(z, v):
    return softmax_jacobian(z) @ v


def my_vjp_eye(z, v):
    p = softmax(z)
    return (p[:, None] * (np.eye(len(p)) - p[None, :])) @ v


@pytest.mark.parametrize(
    ("answer", "called"),
    [
        (my_vjp_outer, "np.diag"),
        (my_vjp_package_jacobian, "softmax_jacobian"),
        (my_vjp_eye, "np.eye"),
    ],
)
def test_forming_the_jacobian_breaks_the_vjp_rule(answer, called):
    text, passed = softmax_vjp.verdict(answer)
    assert not passed
    assert f"but it calls {called}, and the exercise asks for the product without forming J" in (
        text
    )


def test_the_vjp_may_use_the_package_softmax():
    def my_vjp(z, v):
        p = softmax(z)
        return p * (v - p @ v)

    assert softmax_vjp.verdict(my_vjp)[1]


def test_a_ready_made_cross_entropy_breaks_the_loss_rule():
    from softmax_course.exercises import cross_entropy_loss

    def my_cross_entropy(logits, labels):
        return softmax_course.cross_entropy(logits, labels)

    def my_cross_entropy_from_log_softmax(logits, labels):
        return -np.mean(log_softmax(logits, axis=-1)[np.arange(len(labels)), labels])

    text, passed = cross_entropy_loss.verdict(my_cross_entropy)
    assert not passed
    assert "but it calls softmax_course.cross_entropy, and the exercise asks for the loss" in text
    assert cross_entropy_loss.verdict(my_cross_entropy_from_log_softmax)[1]


def test_only_the_exercises_that_forbid_have_rules():
    with_rules = {c.name for c in CHECKERS if c.rules}
    assert with_rules == {
        "cross_entropy_loss",
        "softmax_vjp",
        "batch_softmax",
        "stable_softmax",
        "stable_log_softmax",
        "stable_logsumexp",
    }
    assert {c.name for c in CHECKERS if c.by_hand_decimals} == {"softmax_shares"}


@pytest.mark.parametrize("checker", [c for c in CHECKERS if c.rules], ids=lambda c: c.name)
def test_the_model_solution_keeps_the_rules(checker):
    namespace = {"np": np, "__name__": "__main__"}
    namespace.update({name: getattr(softmax_course, name) for name in checker.solution_uses})
    exec(checker.solution_code(), namespace)  # noqa: S102 - the package's own solution
    text, passed = checker.verdict(namespace[checker.answer_name])
    assert passed, text
