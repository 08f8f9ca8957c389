"""The hidden inputs test what each exercise claims.

Each checker says what its hidden inputs cover (``covers``); the claims that
can be measured on the cases are measured here: rows wider than exp's range
(so that shifting by a row's minimum or mean overflows), huge common offsets,
log-probabilities near 0, zero probabilities, shapes. The shifts by the
minimum and the mean, and the unstable solutions of the second edition's
chapters, are rejected.
"""

import inspect

import numpy as np
import pytest

from softmax_course.exercises import (
    CHECKERS,
    cross_entropy_loss,
    loss_from_probabilities,
    regression_loss,
    stable_log_sigmoid,
    stable_log_softmax,
    stable_logsumexp,
    stable_softmax,
    streaming_logsumexp,
    temperature_nll,
    top_k_distribution,
    true_class_loss,
)

EXP_RANGE = np.log(np.finfo(np.float64).max)  # 709.78


def _ids(checker):
    return checker.name


@pytest.mark.parametrize("checker", CHECKERS, ids=_ids)
def test_every_checker_says_what_its_hidden_inputs_cover(checker, capsys):
    assert checker.covers and all(len(item) > 20 for item in checker.covers)
    checker.hidden_inputs()
    out = capsys.readouterr().out
    if len(checker.cases) == 1:
        assert out.startswith(f"The one hidden test input of {checker.name} covers:")
    else:
        assert out.startswith(
            f"The {len(checker.cases)} hidden test inputs of {checker.name} cover:"
        )
    assert out.count("\n- ") == len(checker.covers)
    doc = inspect.getdoc(checker)  # what help(checker) and `checker?` show
    assert doc.startswith(f"Exercise {checker.label} ")
    assert all(f"- {item}" in doc for item in checker.covers)


# the logits that a softmax of each exercise sees, row by row
LOGITS_OF = {
    "stable_softmax": lambda z: z,
    "stable_log_softmax": lambda z: z,
    "stable_logsumexp": lambda z: z,
    "cross_entropy_loss": lambda logits, labels: logits,
    "regression_loss": lambda W, b, X, y, l2: X @ W + b,
    "temperature_nll": lambda logits, labels, temperature: logits / temperature,
    "top_k_distribution": lambda logits, k: np.sort(logits)[-k:][None, :],
}
SHIFT_CHECKERS = [c for c in CHECKERS if c.name in LOGITS_OF]


def _rows(checker):
    for args in checker.cases:
        logits = np.atleast_2d(LOGITS_OF[checker.name](*args))
        yield from logits.astype(np.float64)


@pytest.mark.parametrize("checker", SHIFT_CHECKERS, ids=_ids)
def test_a_row_makes_the_min_shift_and_the_mean_shift_overflow(checker):
    rows = list(_rows(checker))
    assert any(row.max() - row.min() > EXP_RANGE for row in rows)
    assert any(row.max() - row.mean() > EXP_RANGE for row in rows)


@pytest.mark.parametrize(
    "checker", [stable_softmax, stable_log_softmax, stable_logsumexp, true_class_loss], ids=_ids
)
def test_a_huge_common_offset(checker):
    assert any(np.min(np.abs(args[0])) >= 999_000 for args in checker.cases)


@pytest.mark.parametrize(
    "checker",
    [stable_log_sigmoid, stable_log_softmax, stable_logsumexp, cross_entropy_loss, temperature_nll],
    ids=_ids,
)
def test_values_near_zero_are_compared_relatively(checker):
    assert checker.atol == 0.0
    tiny = []
    for args in checker.cases:
        expected = np.abs(np.asarray(checker.reference(*args), dtype=np.float64))
        tiny.extend(expected[(expected > 0) & (expected < 1e-15)].tolist())
    assert tiny, "no value near 0 among the hidden results"


def test_a_streamed_log_sum_exp_near_zero_is_compared_relatively():
    assert streaming_logsumexp.atol == 0.0
    results = [
        streaming_logsumexp.reference(iter(args[0].blocks)) for args in streaming_logsumexp.cases
    ]
    assert any(0 < value < 1e-15 for value in results)


def test_zero_probabilities_and_probabilities_near_one():
    probs = [args[0] for args in loss_from_probabilities.cases]
    assert any((p == 0).any() for p in probs)
    assert any(((p < 1) & (p > 1 - 1e-15)).any() for p in probs)


@pytest.mark.parametrize("checker", [c for c in CHECKERS if c.is_function], ids=_ids)
def test_several_shapes(checker):
    shapes = set()
    for args in checker.cases:
        first = args[0]
        shapes.add(np.shape(first) if isinstance(first, np.ndarray) else repr(type(first)))
    assert len(shapes) >= 2 or checker.name in {"merge_pairs", "streaming_logsumexp"}


# -- shifting by the minimum or the mean: rejected wherever the issue lists it ---------


def _shift(z, how):
    return getattr(z, how)(axis=-1, keepdims=True)


def _log_softmax_shifted(z, how):
    shifted = z - _shift(z, how)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _answers(how):
    def softmax_answer(z):
        e = np.exp(z - _shift(z, how))
        return e / e.sum(axis=-1, keepdims=True)

    def log_softmax_answer(z):
        return _log_softmax_shifted(z, how)

    def logsumexp_answer(z):
        c = _shift(z, how)
        return (c + np.log(np.exp(z - c).sum(axis=-1, keepdims=True)))[:, 0]

    def cross_entropy_answer(logits, labels):
        log_probs = _log_softmax_shifted(logits, how)
        return -np.mean(log_probs[np.arange(len(labels)), labels])

    def regression_answer(W, b, X, y, l2):
        return cross_entropy_answer(X @ W + b, y) + l2 / 2 * np.sum(W**2)

    def temperature_answer(logits, labels, temperature):
        return cross_entropy_answer(logits / temperature, labels)

    def top_k_answer(logits, k):
        kept = np.argsort(logits)[-k:]
        e = np.zeros_like(logits)
        e[kept] = np.exp(logits[kept] - getattr(logits[kept], how)())
        return e / e.sum()

    return {
        stable_softmax: softmax_answer,
        stable_log_softmax: log_softmax_answer,
        stable_logsumexp: logsumexp_answer,
        cross_entropy_loss: cross_entropy_answer,
        regression_loss: regression_answer,
        temperature_nll: temperature_answer,
        top_k_distribution: top_k_answer,
    }


SHIFTED_ANSWERS = [
    pytest.param(checker, answer, id=f"{checker.name}: {how} shift")
    for how in ("min", "mean")
    for checker, answer in _answers(how).items()
]


@pytest.mark.parametrize(("checker", "answer"), SHIFTED_ANSWERS)
def test_the_min_shift_and_the_mean_shift_are_rejected(checker, answer):
    text, passed = checker.verdict(answer)
    assert not passed
    assert text.startswith("Not correct yet: ")
    assert "Recognised mistake: " in text and "instead of the maximum" in text


MIN_SHIFT_VERDICT = """\
Not correct yet: on a hidden test input, my_softmax(z) returns nan where the answer is \
finite at index [0, 0] (expected 1, received nan).
  z = [[700, -1500, 0], [-800, 10, 5]]
  expected: [[1, 0, 9.8597e-305], [0, 0.99331, 0.0066929]]
  received: [[nan, 0, nan], [0, nan, nan]]
Recognised mistake: the row minimum subtracted instead of the maximum. Any shift leaves \
the softmax unchanged in exact arithmetic, but only the maximum makes every exponent <= \
0: after subtracting the minimum, the largest exponent is the row's width, max - min, \
and exp overflows above 709.78 in float64 (the row [700, -1500, 0] has exp(2200) = inf). \
Subtract z.max(axis=-1, keepdims=True)."""


def test_the_min_shift_verdict_of_stable_softmax():
    def my_softmax(z):
        e = np.exp(z - z.min(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    text, passed = stable_softmax.verdict(my_softmax)
    assert not passed
    assert text == MIN_SHIFT_VERDICT


def test_chapter_5_mean_shift_answer_is_rejected():
    def my_softmax(z):  # the mean-shift exercise's answer, for a batch
        e = np.exp(z - z.mean(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    text, passed = stable_softmax.verdict(my_softmax)
    assert not passed and "the row mean subtracted instead of the maximum" in text


def test_chapter_5_mean_shift_log_softmax_verdict_shows_the_overflow():
    def my_log_softmax(z):  # the mean shift: the first index shown is the overflow
        c = z.mean(axis=-1, keepdims=True)
        return (z - c) - np.log(np.exp(z - c).sum(axis=-1, keepdims=True))

    text, passed = stable_log_softmax.verdict(my_log_softmax)
    assert not passed
    assert "returns -inf where the answer is finite at index [0, 0]" in text
    assert "the row mean subtracted instead of the maximum" in text


# -- the second edition's chapter solutions that the stricter inputs reject -----------


def test_chapter_4_loss_solution_without_the_log_of_the_sum_is_rejected():
    def my_loss(scores, true_class):
        e = np.exp(scores - scores.max())
        return -np.log(e[true_class] / e.sum())

    text, passed = true_class_loss.verdict(my_loss)
    assert not passed
    assert "returns inf where the answer is finite (expected 800, received inf)" in text
    assert (
        "Recognised mistake: the log of a probability or an exponential that underflows to 0."
        in text
    )


def test_chapter_5_solutions_without_log1p_are_rejected():
    def my_log_softmax(z):
        shifted = z - z.max(axis=-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))

    def my_logsumexp(z):
        m = z.max(axis=-1, keepdims=True)
        return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[:, 0]

    for checker, answer in ((stable_log_softmax, my_log_softmax), (stable_logsumexp, my_logsumexp)):
        text, passed = checker.verdict(answer)
        assert not passed
        assert (
            "Recognised mistake: a sum that rounds to 1 (log1p of r, the sum without the top term, needed)."
            in text
        )
