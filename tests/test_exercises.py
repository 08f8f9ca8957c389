"""Tests of softmax_course.exercises: the checker machinery and every checker's verdicts.

The learner-style wrong answers, one test per catalogued mistake, are in
``test_exercises_mistakes.py``.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import softmax_course
from softmax_course import exercises
from softmax_course.exercises import CHECKERS, Checker, format_value, stable_softmax

FUNCTION_CHECKERS = [c for c in CHECKERS if c.is_function]
ARRAY_CHECKERS = [c for c in FUNCTION_CHECKERS if c.returns[0].kind == "array"]
NUMBER_CHECKERS = [c for c in FUNCTION_CHECKERS if c.returns[0].kind == "number"]


def _ids(checker):
    return checker.name


def _solution(checker):
    namespace = {"np": np}
    namespace.update({name: getattr(softmax_course, name) for name in checker.solution_uses})
    exec(checker.solution_code(), namespace)  # noqa: S102 - the package's own solution
    return namespace[checker.answer_name]


def _run(checker, answer, capsys):
    correct = checker.check(answer)
    return correct, capsys.readouterr().out


# -- the catalogue ------------------------------------------------------------------


def test_at_least_two_checkers_per_chapter_and_twenty_in_all():
    chapters = [checker.chapter[:2] for checker in CHECKERS]
    for number in [f"{n:02d}" for n in range(1, 11)]:
        assert chapters.count(number) >= 2, number
    assert len(CHECKERS) >= 20


def test_names_and_labels_are_unique_and_exported():
    names = [checker.name for checker in CHECKERS]
    labels = [checker.label for checker in CHECKERS]
    assert len(set(names)) == len(names) and len(set(labels)) == len(labels)
    for checker in CHECKERS:
        assert getattr(exercises, checker.name) is checker
        assert checker.name in exercises.__all__
        assert checker.label.startswith("ex-")


def test_no_checker_shadows_a_package_function():
    # a chapter imports both: `from softmax_course.exercises import x` must not hide one
    clashes = {checker.name for checker in CHECKERS} & set(dir(softmax_course))
    assert not clashes - {"exercises"}


def test_stable_softmax_is_the_chapter_5_checker_of_a_batch():
    assert stable_softmax.parameters == ("z",)
    assert stable_softmax.chapter == "05_log_softmax_and_stability"
    names = {mistake.name for mistake in stable_softmax.mistakes}
    assert {
        "no max subtraction",
        "normalised over the wrong axis",
        "exponentials not divided by their sum",
    } <= names


@pytest.mark.parametrize("checker", CHECKERS, ids=_ids)
def test_solution_code_fits_a_notebook_line(checker):
    for line in checker.solution_code().splitlines():
        assert len(line) < 88, line
    assert len(f"    ...  # your code: {checker.task}") < 88


def test_import_needs_only_numpy_and_the_standard_library():
    code = textwrap.dedent(
        """
        import sys
        import softmax_course
        before = set(sys.modules)
        import softmax_course.exercises
        added = {m.split(".")[0].lstrip("_") for m in set(sys.modules) - before}
        allowed = {"softmax_course", "numpy"} | set(sys.stdlib_module_names)
        added = {m for m in added if not m.startswith("cython")}  # NumPy's compiled parts
        print(sorted(added - {m.lstrip("_") for m in allowed}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# -- every checker: reference, placeholder, exceptions, wrong types -------------


@pytest.mark.parametrize("checker", CHECKERS, ids=_ids)
def test_reference_solution_is_correct(checker, capsys):
    answer = _solution(checker)
    correct, out = _run(checker, answer, capsys)
    assert correct is True
    assert out.startswith("Correct: ") and out.count("\n") == 1


@pytest.mark.parametrize("checker", CHECKERS, ids=_ids)
def test_placeholder_is_not_answered_yet(checker, capsys):
    if checker.is_function:
        namespace = {}
        params = ", ".join(checker.parameters)
        exec(f"def {checker.answer_name}({params}):\n    ...  # your code\n", namespace)  # noqa: S102
        answer = namespace[checker.answer_name]
    else:
        answer = ...
    correct, out = _run(checker, answer, capsys)
    assert correct is False
    assert out.startswith("Not answered yet: ")
    assert f"{checker.name}.hint()" in out and "returns None" not in out


def test_a_body_without_return_is_asked_for_its_return(capsys):
    def my_softmax(z):
        np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)

    correct, out = _run(stable_softmax, my_softmax, capsys)
    assert not correct
    assert out.startswith("Not correct yet: `my_softmax` returns None. Does it end with")
    assert "Not answered" not in out


@pytest.mark.parametrize("checker", FUNCTION_CHECKERS, ids=_ids)
def test_an_answer_that_raises_is_explained(checker, capsys):
    def my_answer(*args):
        raise ZeroDivisionError("division by zero")

    correct, out = _run(checker, my_answer, capsys)
    assert correct is False
    first = out.splitlines()[0]
    assert first.startswith("Not correct yet: my_answer(")
    assert first.endswith("raised ZeroDivisionError: division by zero")
    assert f"  {checker.parameters[0]} = " in out


def test_a_broadcasting_error_gets_the_keepdims_hint(capsys):
    def my_softmax(z):
        e = np.exp(z - z.max(axis=-1))
        return e / e.sum(axis=-1)

    correct, out = _run(stable_softmax, my_softmax, capsys)
    assert not correct
    assert "raised ValueError: operands could not be broadcast together" in out
    assert "keepdims=True" in out


def test_the_keepdims_hint_also_fits_logits_computed_inside_the_answer():
    from softmax_course.exercises import linear_logits, regression_loss

    def my_loss(W, b, X, y, l2):
        Z = X @ W + b  # (N, K): no argument has this shape
        Z = Z - Z.max(axis=1)  # keepdims forgotten
        log_probs = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
        return -np.mean(log_probs[np.arange(len(y)), y]) + l2 / 2 * np.sum(W**2)

    text, passed = regression_loss.verdict(my_loss)
    assert not passed and "could not be broadcast" in text and "keepdims=True" in text
    assert "if the shorter shape" in text  # Z is not an argument: the hint says "if"

    def my_logits(points, weights, bias):  # a bias of the wrong length: the hint hedges
        return points @ weights + np.append(bias, 0.0)

    text, passed = linear_logits.verdict(my_logits)  # (4, 3) and a bias of length 4
    assert not passed and "Hint: if the shorter shape is a sum or max" in text


@pytest.mark.parametrize(
    ("returned", "text"),
    [
        (np.zeros(7), "an array of shape (7,) instead of ("),
        (["0.5", "0.5"], "a list, not a NumPy array"),
    ],
    ids=["wrong shape", "not an array"],
)
@pytest.mark.parametrize("checker", ARRAY_CHECKERS, ids=_ids)
def test_a_wrong_array_is_explained(checker, returned, text, capsys):
    def my_answer(*args):
        return returned if len(checker.returns) == 1 else tuple(returned for _ in checker.returns)

    correct, out = _run(checker, my_answer, capsys)
    assert correct is False
    assert text in out
    assert "  expected" in out and "  received: " in out


INTEGER_CHECKERS = [c for c in ARRAY_CHECKERS if c._expected(c.cases[0])[0].dtype.kind in "iu"]


def test_the_class_checkers_expect_integers():
    names = {checker.name for checker in INTEGER_CHECKERS}
    assert {"predicted_class", "prediction_from_logits"} <= names


@pytest.mark.parametrize("checker", INTEGER_CHECKERS, ids=_ids)
def test_float_indices_are_not_accepted(checker, capsys):
    """Right values in a float dtype cannot index an array: the verdict says so."""

    def my_answer(*args):
        return np.asarray(checker.reference(*args)).astype(np.float64)

    correct, out = _run(checker, my_answer, capsys)
    assert correct is False
    assert "values of dtype float64 where the answer is integers" in out
    assert checker.check(lambda *args: checker.reference(*args).astype(np.int32))


@pytest.mark.parametrize(
    ("single", "several", "text"),
    [
        ("a number", ("one", "two"), "a str, not a number"),
        (
            np.ones(3),
            (np.ones(3), 1.0),
            "an array of shape (3,), not a single number (is a mean or a sum over the "
            "entries missing?)",
        ),
        (
            np.ones(1),
            (np.ones(1), 1.0),
            "an array of shape (1,), not a single number (an array of one entry gives "
            "its number with .item())",
        ),
    ],
    ids=["not a number", "array for a number", "array of one entry"],
)
@pytest.mark.parametrize("checker", NUMBER_CHECKERS, ids=_ids)
def test_a_wrong_number_is_explained(checker, single, several, text, capsys):
    def my_answer(*args):
        return single if len(checker.returns) == 1 else several

    correct, out = _run(checker, my_answer, capsys)
    assert correct is False
    assert text in out


def test_a_tuple_is_asked_for_when_several_values_are_expected(capsys):
    correct, out = _run(exercises.regression_gradient, lambda *args: np.zeros(3), capsys)
    assert not correct
    assert "an array of shape (3,), not a tuple of 2 values (dW, db)" in out


def test_passing_the_result_instead_of_the_function_is_explained(capsys):
    correct, out = _run(stable_softmax, np.ones((2, 3)), capsys)
    assert not correct
    assert "expects your function `my_softmax(z)` itself" in out


@pytest.mark.parametrize("checker", CHECKERS, ids=_ids)
def test_hint_and_solution_print(checker, capsys):
    checker.hint()
    hint = capsys.readouterr().out
    checker.solution()
    solution = capsys.readouterr().out
    assert hint.startswith("Hint: ") and len(hint) > 40
    assert solution.strip() == checker.solution_code().strip()
    assert checker.answer_name in solution


# -- verdicts: deterministic, never raising, inputs untouched ---------------------


def test_the_verdict_is_the_same_text_every_time():
    def my_softmax(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    first, _ = stable_softmax.verdict(my_softmax)
    with np.printoptions(precision=2, floatmode="fixed"):
        second, _ = stable_softmax.verdict(my_softmax)
    assert first == second
    assert "0x" not in first and "<function" not in first


def test_no_max_subtraction_verdict_shows_the_failing_input(capsys):
    def my_softmax(z):
        return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)

    correct, out = _run(stable_softmax, my_softmax, capsys)
    assert not correct
    lines = out.splitlines()
    assert lines[0] == (
        "Not correct yet: on a hidden test input, my_softmax(z) returns nan where the "
        "answer is finite at index [0, 0] (expected 0.38365, received nan)."
    )
    assert lines[1] == "  z = [[900, 900, 899.5], [-0.5, 0.25, 2]]"
    assert lines[2] == "  expected: [[0.38365, 0.38365, 0.2327], [0.065362, 0.13837, 0.79627]]"
    assert lines[3] == "  received: [[nan, nan, nan], [0.065362, 0.13837, 0.79627]]"
    assert lines[4].startswith("Recognised mistake: no max subtraction. ")


def test_learner_that_modifies_its_input_does_not_change_the_cases():
    before = [args[0].copy() for args in stable_softmax.cases]

    def my_softmax(z):
        z -= z.max(axis=-1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=-1, keepdims=True)
        return z

    assert stable_softmax.verdict(my_softmax)[1]
    for saved, args in zip(before, stable_softmax.cases, strict=True):
        assert np.array_equal(saved, args[0])


def test_no_warning_escapes_from_a_learner_function(recwarn):
    stable_softmax.verdict(lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))
    assert len(recwarn) == 0


def test_float32_answers_are_judged_with_float32_tolerance():
    def my_softmax(z):
        z32 = z.astype(np.float32)
        e = np.exp(z32 - z32.max(axis=-1, keepdims=True))
        return (e / e.sum(axis=-1, keepdims=True)).astype(z.dtype)

    text, correct = stable_softmax.verdict(my_softmax)
    # float32 rounding fails the float64 inputs, and says where
    assert not correct and "a different value at index" in text


def test_repr_names_the_exercise():
    assert repr(stable_softmax) == (
        "<exercise checker 'stable_softmax' (ex-stability-softmax, chapter "
        "05_log_softmax_and_stability)>"
    )
    assert isinstance(stable_softmax, Checker)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1000.0, "1000"),
        (-0.0, "0"),
        (2.0 / 3.0, "0.66667"),
        (1e-300, "1e-300"),
        (np.float32(0.1), "0.1"),
        (np.nan, "nan"),
        (-np.inf, "-inf"),
        (np.int64(3), "3"),
        (True, "True"),
        ((1.5, -np.inf), "(1.5, -inf)"),
        (np.array([[1, 2], [3, 4]]), "[[1, 2], [3, 4]]"),
        ("text", "a str"),
        (None, "a NoneType"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


def test_streams_are_shown_block_by_block():
    args = exercises.streaming_logsumexp.cases[1]
    assert format_value(args[0]) == ("an iterator over 3 blocks: [1000, 999], [998], [1001, 0]")


def test_merge_reference_agrees_with_the_package_logsumexp():
    for first, second in exercises.merge_pairs.cases:
        m, total = exercises.merge_pairs.reference(first, second)
        with np.errstate(divide="ignore"):  # log(0) = -inf for an empty block
            terms = [first[0] + np.log(first[1]), second[0] + np.log(second[1])]
            merged = m + np.log(total)
        expected = softmax_course.logsumexp(np.array(terms))
        assert merged == expected or np.isclose(merged, expected, rtol=1e-15, atol=0)


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        ([0.09, 0.2447], "an array of shape (2,) instead of (3,)"),
        ("0.09, 0.2447, 0.6652", "a str, not numbers"),
        ({"a": 1}, "a dict, not numbers"),
        ([0.09, 0.2447, 0.7], "a different value at index [2] (expected 0.66524, received 0.7)"),
    ],
)
def test_a_wrong_value_answer_is_explained(answer, text, capsys):
    correct, out = _run(exercises.softmax_shares, answer, capsys)
    assert correct is False
    assert out.startswith(f"Not correct yet: your answer is {text}.")


def test_a_value_answer_may_be_a_list_a_tuple_or_an_array(capsys):
    for answer in (
        [0.0900, 0.2447, 0.6652],
        (0.09, 0.2447, 0.6652),
        np.array([0.09, 0.2447, 0.6652]),
    ):
        correct, out = _run(exercises.softmax_shares, answer, capsys)
        assert correct and out.startswith("Correct: ")


def test_a_tuple_with_one_part_missing_is_an_answer_not_the_placeholder():
    def my_gradient(W, b, X, y, l2):
        dW = np.zeros_like(W)  # written, db not yet
        return dW, None

    text, correct = exercises.regression_gradient.verdict(my_gradient)
    assert not correct
    assert "returns db: a NoneType, not a NumPy array" in text
    assert not text.startswith("Not answered yet")
    placeholder, _ = exercises.regression_gradient.verdict(lambda W, b, X, y, l2: (..., ...))
    assert placeholder.startswith("Not answered yet")


def test_a_tensor_of_keras_or_tensorflow_is_read_as_its_array():
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    text, correct = exercises.one_hot_labels.verdict(lambda labels, k: tf.one_hot(labels, k))
    assert correct, text

    def my_accuracy(logits, labels):
        metric = keras.metrics.SparseCategoricalAccuracy()
        metric.update_state(labels, logits)
        return metric.result()  # a float32 tensor

    text, correct = exercises.accuracy_from_logits.verdict(my_accuracy)
    assert correct, text
    # the values are still checked: a wrong tensor is refused
    text, correct = exercises.one_hot_labels.verdict(lambda labels, k: tf.one_hot(labels, k + 1))
    assert not correct and "an array of shape" in text


def test_a_list_of_numbers_is_read_as_its_array_and_anything_else_is_described():
    text, correct = exercises.predicted_class.verdict(
        lambda logits: list(np.argmax(logits, axis=-1))
    )
    assert correct, text
    text, correct = exercises.top_k_distribution.verdict(
        lambda logits, k: [float(p) for p in exercises.top_k_distribution.reference(logits, k)]
    )
    assert correct, text
    text, correct = exercises.predicted_class.verdict(
        lambda logits: [str(i) for i in np.argmax(logits, axis=-1)]
    )
    assert not correct
    assert "returns a list, not a NumPy array" in text
    assert "  received: [1, 1, 1, 1, 2, 1]" not in text.splitlines()
    text, _ = exercises.predicted_class.verdict(lambda logits: (np.argmax(logits, -1), "x"))
    assert "  received: ([1, 1, 1, 1, 2, 1], a str)" in text.splitlines()
    assert format_value([1, "a", [2.5, 3]]) == "[1, a str, [2.5, 3]]"


def test_values_that_print_alike_are_shown_with_their_difference():
    def my_softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True) * (1 + 1e-8)

    text, correct = stable_softmax.verdict(my_softmax)
    assert not correct
    assert text.splitlines()[0].endswith(
        "(expected 0.037018097, received 0.037018098: a relative difference of 1e-08, "
        "above the 1e-09 allowed)."
    )


def test_a_result_in_float32_is_named_as_the_cause():
    def my_sigmoid(z):
        z = z.astype(np.float32)  # a float64 input computed in float32
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))

    text, correct = exercises.stable_sigmoid.verdict(my_sigmoid)
    assert not correct
    assert text.splitlines()[0].endswith(
        "; the result is float32, which keeps about 7 significant digits, where the "
        "expected result is float64."
    )
    # a float64 result that differs gets no such remark
    stable, _ = stable_softmax.verdict(lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True))
    assert "significant digits" not in stable


def test_a_number_in_float32_is_named_as_the_cause_and_shown_apart(capsys):
    def cross_entropy_in(dtype):
        def my_cross_entropy(logits, labels):
            z = np.asarray(logits, dtype=dtype)  # float32: a learner's narrow loss
            z = z - z.max(axis=1, keepdims=True)
            log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            return -log_p[np.arange(len(labels)), labels].mean()

        return my_cross_entropy

    correct, out = _run(exercises.cross_entropy_loss, cross_entropy_in(np.float32), capsys)
    assert not correct
    assert "; the result is float32, which keeps about 7 significant digits" in out
    # the expected and received lines print enough digits to differ
    assert "  expected: 0.9763711\n  received: 0.9763712\n" in out
    # a float64 loss that is off gets no remark on precision
    correct, out = _run(
        exercises.cross_entropy_loss,
        lambda logits, labels: cross_entropy_in(np.float64)(logits, labels) * (1 + 1e-6),
        capsys,
    )
    assert not correct
    assert "significant digits" not in out


def test_two_mistakes_alike_on_one_input_are_told_apart_by_later_inputs(capsys):
    # both overflow to inf on the first failing input; only one is the learner's
    def shifted_by_true_class(logits, labels):
        z_y = logits[np.arange(len(labels)), labels][:, None]
        return np.mean(np.log(np.sum(np.exp(logits - z_y), axis=1)))

    def shifted_by_minimum(logits, labels):
        z = logits - logits.min(axis=1, keepdims=True)
        log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
        return -np.mean(log_p[np.arange(len(labels)), labels])

    def nll_shifted_by_true_class(logits, labels, temperature):
        return shifted_by_true_class(logits / temperature, labels)

    def nll_of_log_softmax(logits, labels, temperature):
        z = logits / temperature
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        return -np.mean(np.log(p[np.arange(len(labels)), labels]))

    for checker, answer, named in [
        (
            exercises.cross_entropy_loss,
            shifted_by_true_class,
            "shifted by the true class's logit instead of the maximum",
        ),
        (
            exercises.cross_entropy_loss,
            shifted_by_minimum,
            "shifted by the row mean, minimum, median, first or last logit instead of the maximum",
        ),
        # one formula of a mistake must keep agreeing: the minimum shift, not the mean
        (
            exercises.temperature_nll,
            nll_shifted_by_true_class,
            "shifted by the true class's logit instead of the maximum",
        ),
        (
            exercises.temperature_nll,
            nll_of_log_softmax,
            "log(softmax(z / T)) instead of log-softmax",
        ),
    ]:
        correct, out = _run(checker, answer, capsys)
        assert not correct
        assert out.count("Recognised mistake") == 1, out
        assert f"Recognised mistake: {named}." in out


def test_a_wrong_answer_that_breaks_a_rule_is_told_both(capsys):
    import scipy.special

    def my_log_softmax(z):
        return scipy.special.log_softmax(z, axis=-1)  # loses log1p(r): 0, not -4.2e-18

    correct, out = _run(exercises.stable_log_softmax, my_log_softmax, capsys)
    assert not correct
    assert "(expected -4.2484e-18, received 0)" in out
    assert "It also calls scipy.special.log_softmax, and the exercise asks for NumPy" in out
    # a wrong answer in NumPy gets no such line
    correct, out = _run(exercises.stable_log_softmax, lambda z: z - z.max(), capsys)
    assert not correct
    assert "It also calls" not in out


def test_a_judged_answer_slightly_off_is_not_given_a_mistake_it_did_not_make(capsys):
    # log(p) in float32: slightly off where clipping at a tiny eps changes nothing
    correct, out = _run(
        exercises.softmax_inverse, lambda probs: np.log(probs).astype(np.float32), capsys
    )
    assert not correct
    assert "Recognised mistake" not in out
    assert "the result is float32" in out
    # the judged lines print digits enough to differ
    assert "  softmax of the returned logits: [0.1, 0.60000002, 0.30000001]\n" in out
    assert "  expected softmax of the returned logits: [0.1, 0.6, 0.3]\n" in out


def test_a_float32_answer_far_off_is_not_blamed_on_its_precision(capsys):
    def my_accuracy(logits, labels):  # the error rate, returned in float32
        return np.float32(1 - np.mean(np.argmax(logits, axis=-1) == labels))

    correct, out = _run(exercises.accuracy_from_logits, my_accuracy, capsys)
    assert not correct
    assert "(expected 0.375, received 0.625)" in out
    assert "significant digits" not in out
    assert "Recognised mistake: the error rate instead of the accuracy." in out


def test_a_broadcasting_error_of_another_kind_gets_no_keepdims_hint(capsys):
    def my_accuracy(logits, labels):
        return np.mean(np.argmax(logits, axis=0) == labels)

    correct, out = _run(exercises.accuracy_from_logits, my_accuracy, capsys)
    assert not correct
    assert "could not be broadcast" in out and "keepdims" not in out


def test_a_float32_loss_is_not_called_the_loss_of_the_predicted_class(capsys):
    def my_loss(scores, true_class):
        s = scores.astype(np.float32)
        e = np.exp(s - s.max())
        return -np.log(e[true_class] / e.sum())

    correct, out = _run(exercises.true_class_loss, my_loss, capsys)
    assert not correct
    assert "(expected 0.0773039, received 0.0773038" in out
    assert "Recognised mistake" not in out


def test_an_overflowing_np_where_is_named(capsys):
    def my_sigmoid(z):
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))

    correct, out = _run(exercises.stable_sigmoid, my_sigmoid, capsys)
    assert correct is False
    assert "gives the expected results, but it overflows on z = " in out
