"""Odd answers: every checker explains them, never raises, never hangs.

Answers that raise (any exception, ``KeyboardInterrupt`` and ``SystemExit``
included), return None, NaN, masked arrays or values that cannot be converted,
loop forever or sleep, are not functions, print, or change their input. The
time limit is tested with short limits, in the main thread (``SIGALRM``) and
in a worker thread (the fallback used off the main thread and on Windows).
"""

import dataclasses
import os
import signal
import threading
import time

import numpy as np
import pytest

import softmax_course
from softmax_course.exercises import CHECKERS, Checker, Mistake, softmax_shares, stable_softmax
from softmax_course.exercises._guard import DEFAULT_TIME_LIMIT

FUNCTION_CHECKERS = [c for c in CHECKERS if c.is_function]
SHORT = 0.3  # seconds: the time limit of the tests that loop or sleep


def _ids(checker):
    return checker.name


def _solution(checker):
    namespace = {"np": np, "__name__": "__main__"}
    namespace.update({name: getattr(softmax_course, name) for name in checker.solution_uses})
    exec(checker.solution_code(), namespace)  # noqa: S102 - the package's own solution
    return namespace[checker.answer_name]


def _shaped(checker, fill):
    """An answer that returns ``fill(shape)`` for every part the exercise returns."""

    def answer(*args):
        expected = checker.reference(*args)
        parts = (expected,) if len(checker.returns) == 1 else expected
        made = tuple(fill(np.shape(part)) for part in parts)
        return made[0] if len(made) == 1 else made

    return answer


def _verdict(checker, answer, time_limit=None):
    start = time.monotonic()
    text, passed = checker.verdict(answer, time_limit=time_limit)
    return text, passed, time.monotonic() - start


# -- exceptions ---------------------------------------------------------------------


class _Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no message")


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (KeyboardInterrupt(), "was interrupted (KeyboardInterrupt) before it returned"),
        (SystemExit(3), "raised SystemExit: 3"),
        (_Unprintable(), "raised _Unprintable"),
        (RecursionError("maximum recursion depth exceeded"), "raised RecursionError"),
        (MemoryError(), "raised MemoryError"),
    ],
    ids=["KeyboardInterrupt", "SystemExit", "unprintable", "RecursionError", "MemoryError"],
)
@pytest.mark.parametrize("checker", FUNCTION_CHECKERS, ids=_ids)
def test_every_exception_is_explained(checker, error, text):
    def my_answer(*args):
        raise error

    verdict, passed, _ = _verdict(checker, my_answer)
    assert not passed
    assert verdict.startswith("Not correct yet: my_answer(") and text in verdict


def test_an_interrupt_of_the_kernel_is_explained():
    def my_softmax(z):
        os.kill(os.getpid(), signal.SIGINT)  # what Jupyter's "interrupt" sends
        while True:
            pass

    # A kernel turns SIGINT into KeyboardInterrupt; a test process started in the
    # background by a shell inherits SIGINT ignored, so set the kernel's handler here.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        text, passed, seconds = _verdict(stable_softmax, my_softmax, time_limit=5)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert not passed and seconds < 4
    assert "was interrupted (KeyboardInterrupt)" in text


class _Tensor:
    """A value like a tensor that requires grad: converting it raises."""

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad.")

    def __float__(self):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad.")


@pytest.mark.parametrize("checker", CHECKERS, ids=_ids)
def test_a_value_whose_conversion_raises_is_explained(checker):
    answer = _shaped(checker, lambda shape: _Tensor()) if checker.is_function else _Tensor()
    if not checker.is_function:
        answer = [_Tensor(), _Tensor(), _Tensor()]
    text, passed, _ = _verdict(checker, answer)
    assert not passed
    assert text.startswith("Not correct yet: ")
    assert "_Tensor" in text or "RuntimeError" in text


@pytest.mark.parametrize("checker", CHECKERS, ids=_ids)
def test_an_integer_too_large_for_a_float_is_explained(checker):
    huge = 10**400
    answer = _shaped(checker, lambda shape: huge) if checker.is_function else [huge] * 3
    text, passed, _ = _verdict(checker, answer)
    assert not passed and text.startswith("Not correct yet: ")
    if any(part.kind != "array" for part in checker.returns):
        assert "too large to be a float" in text


# -- placeholders, None, NaN, masked arrays ------------------------------------------


@pytest.mark.parametrize("checker", FUNCTION_CHECKERS, ids=_ids)
def test_none_from_a_later_call_is_explained(checker):
    calls = []
    solution = _solution(checker)

    def my_answer(*args):
        calls.append(1)
        return solution(*args) if len(calls) == 1 else None

    text, passed, _ = _verdict(checker, my_answer)
    assert not passed
    assert "a NoneType" in text


@pytest.mark.parametrize("checker", FUNCTION_CHECKERS, ids=_ids)
def test_nan_everywhere_is_explained_as_nan(checker):
    text, passed, _ = _verdict(checker, _shaped(checker, lambda shape: np.full(shape, np.nan)))
    assert not passed
    assert (
        "received nan" in text
        or "returns nan where the answer is finite" in text
        or "has nan where the answer is finite" in text  # a judged exercise (softmax of it)
    )
    # no mistake reproduces NaN everywhere on ordinary inputs: none is named
    assert "Recognised mistake" not in text
    assert "NaN comes from inf - inf" in text


@pytest.mark.parametrize(
    "fill",
    [
        lambda shape: np.ma.masked_all(shape),
        lambda shape: np.ma.masked_array(np.zeros(shape), mask=True),
    ],
    ids=["masked_all", "fully masked"],
)
@pytest.mark.parametrize("checker", FUNCTION_CHECKERS, ids=_ids)
def test_a_masked_array_is_refused_with_an_explanation(checker, fill):
    text, passed, _ = _verdict(checker, _shaped(checker, fill))
    assert not passed
    assert "numpy.ma.MaskedArray" in text and "masked entries hide values" in text


@pytest.mark.parametrize("checker", FUNCTION_CHECKERS, ids=_ids)
def test_a_masked_array_of_the_right_values_is_refused_too(checker):
    solution = _solution(checker)

    def my_answer(*args):
        result = solution(*args)
        if isinstance(result, tuple):
            return tuple(np.ma.masked_array(part, mask=False) for part in result)
        return np.ma.masked_array(result, mask=False)

    text, passed, _ = _verdict(checker, my_answer)
    assert not passed and "numpy.ma.MaskedArray" in text


def test_other_ndarray_subclasses_are_refused():
    def my_softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return np.asmatrix(e / e.sum(axis=-1, keepdims=True))

    text, passed, _ = _verdict(stable_softmax, my_softmax)
    assert not passed and "numpy.matrix, a subclass of the NumPy array" in text


# -- loops, sleeps and the time limit -----------------------------------------------


def test_the_default_time_limit_is_ten_seconds():
    assert DEFAULT_TIME_LIMIT == 10.0
    assert all(checker.time_limit == 10.0 for checker in CHECKERS)


@pytest.mark.parametrize("checker", FUNCTION_CHECKERS, ids=_ids)
def test_a_loop_that_never_ends_gets_a_verdict(checker):
    def my_answer(*args):
        while True:
            pass

    text, passed, seconds = _verdict(checker, my_answer, time_limit=SHORT)
    assert not passed and seconds < 3
    assert text.startswith("Not correct yet: my_answer(")
    assert f"did not return within {SHORT:g} seconds" in text
    assert "still runs" not in text


def test_a_sleep_gets_a_verdict_and_the_limit_is_settable():
    def my_softmax(z):
        time.sleep(30)

    text, passed, seconds = _verdict(stable_softmax, my_softmax, time_limit=SHORT)
    assert not passed and seconds < 3
    assert "did not return within 0.3 seconds" in text and "time_limit=60" in text
    slow = dataclasses.replace(stable_softmax, time_limit=0.2)
    text, passed, seconds = _verdict(slow, my_softmax)
    assert not passed and seconds < 3 and "within 0.2 seconds" in text


def test_a_loop_that_catches_the_alarm_is_still_stopped():
    def my_softmax(z):
        while True:
            try:
                while True:
                    pass
            except BaseException:  # noqa: BLE001 - a learner's bare except
                break
        while True:
            pass

    text, passed, seconds = _verdict(stable_softmax, my_softmax, time_limit=SHORT)
    assert not passed and seconds < 4 and "did not return within" in text


def test_off_the_main_thread_a_loop_is_stopped_by_the_worker_fallback():
    results = {}

    def my_softmax(z):
        while True:
            pass

    def run():
        results["verdict"] = stable_softmax.verdict(my_softmax, time_limit=SHORT)

    caller = threading.Thread(target=run)
    start = time.monotonic()
    caller.start()
    caller.join(10)
    assert not caller.is_alive() and time.monotonic() - start < 5
    text, passed = results["verdict"]
    assert not passed and "did not return within 0.3 seconds" in text
    assert "still runs" not in text  # the injected exception stopped the loop
    time.sleep(0.2)
    assert not any(t.name == "softmax-course-answer" for t in threading.enumerate())


def test_off_the_main_thread_a_blocking_call_is_reported_as_still_running():
    results = {}

    def my_softmax(z):
        time.sleep(1.5)  # one C call: cannot be interrupted from another thread

    def run():
        results["verdict"] = stable_softmax.verdict(my_softmax, time_limit=0.2)

    caller = threading.Thread(target=run)
    caller.start()
    caller.join(10)
    text, passed = results["verdict"]
    assert not passed and "still runs in the background" in text
    time.sleep(2.0)  # the sleep ends, and the injected exception ends the worker
    assert not any(t.name == "softmax-course-answer" for t in threading.enumerate())


def test_a_timer_already_running_is_left_alone():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *args: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 60.0)
    try:

        def my_softmax(z):
            while True:
                pass

        text, passed, seconds = _verdict(stable_softmax, my_softmax, time_limit=SHORT)
        assert not passed and "did not return within" in text and seconds < 3
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 50 < remaining <= 60
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired


def test_the_alarm_handler_is_restored_after_a_check():
    before = signal.getsignal(signal.SIGALRM)
    stable_softmax.verdict(lambda z: z)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# -- not a function, printing, mutating ----------------------------------------------


@pytest.mark.parametrize("value", [42, "my_softmax", [1.0, 2.0], np.ones(3)])
@pytest.mark.parametrize("checker", FUNCTION_CHECKERS, ids=_ids)
def test_a_value_instead_of_a_function_is_explained(checker, value):
    text, passed, _ = _verdict(checker, value)
    assert not passed
    assert f"expects your function `{checker.answer_name}(" in text


@pytest.mark.parametrize("checker", FUNCTION_CHECKERS, ids=_ids)
def test_a_correct_answer_that_prints_is_correct_and_its_output_hidden(checker, capsys):
    solution = _solution(checker)

    def my_answer(*args):
        print("debugging:", args)
        return solution(*args)

    passed = checker.check(my_answer)
    out = capsys.readouterr().out
    assert passed
    assert out.startswith("Correct: ") and "debugging" not in out
    assert "Note: my_answer printed while it ran" in out


@pytest.mark.parametrize(
    "checker",
    [c for c in FUNCTION_CHECKERS if isinstance(c.cases[0][0], np.ndarray)],
    ids=_ids,
)
def test_a_correct_answer_that_changes_its_input_is_correct_with_a_note(checker):
    solution = _solution(checker)

    def my_answer(*args):
        result = solution(*[np.copy(arg) if isinstance(arg, np.ndarray) else arg for arg in args])
        args[0][...] = 0
        return result

    before = [np.copy(case[0]) for case in checker.cases]
    text, passed, _ = _verdict(checker, my_answer)
    assert passed, text
    assert f"changes its argument `{checker.parameters[0]}` in place" in text
    for saved, case in zip(before, checker.cases, strict=True):  # the hidden inputs are untouched
        assert np.array_equal(saved, case[0])


# -- value exercises ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (np.ma.masked_array([0.09, 0.2447, 0.6652], mask=[0, 1, 0]), "masked entries"),
        ([0.09, 0.2447, 10**400], "too large to be a float"),
        ([[0.09, 0.2447], 0.6652], "not numbers"),
        (
            softmax_course.softmax(np.array([1.0, 2.0, 3.0])),
            "as a program or a calculator prints them",
        ),
        (
            [0.09003057317038046, 0.24472847105479767, 0.6652409557748219],
            "as a program or a calculator prints them",
        ),
    ],
    ids=["masked", "huge", "ragged", "softmax", "full digits"],
)
def test_odd_value_answers_are_explained(answer, text):
    verdict, passed, _ = _verdict(softmax_shares, answer)
    assert not passed and verdict.startswith("Not correct yet: ")
    assert text in verdict


def test_hand_computed_digits_are_accepted():
    for answer in ([0.09003, 0.24473, 0.66524], [0.0900, 0.2447, 0.6652]):
        assert softmax_shares.verdict(answer)[1]


# -- the checker itself ---------------------------------------------------------------


def test_a_checker_is_a_frozen_keyword_only_dataclass():
    assert dataclasses.is_dataclass(Checker)
    with pytest.raises(dataclasses.FrozenInstanceError):
        stable_softmax.time_limit = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        Checker("stable_softmax")  # type: ignore[call-arg, misc]
    names = {f.name for f in dataclasses.fields(Checker)}
    assert not names & {"prompt", "title"}


def test_no_lazy_module_lookups_in_the_exercises_package():
    from pathlib import Path

    import softmax_course.exercises as package

    for path in Path(package.__file__).parent.glob("*.py"):
        source = path.read_text()
        assert "importlib" not in source and "import_module" not in source, path.name


def test_an_error_in_the_checker_itself_is_not_hidden():
    def broken_reference(z):
        raise AssertionError("a bug of the package")

    broken = dataclasses.replace(stable_softmax, reference=broken_reference)
    with pytest.raises(AssertionError, match="a bug of the package"):
        broken.verdict(lambda z: z)

    def broken_variant(z):
        raise AssertionError("a bug of a mistake")

    mistaken = dataclasses.replace(
        stable_softmax, mistakes=(Mistake("broken", "none", variants=[broken_variant]),)
    )
    with pytest.raises(AssertionError, match="a bug of a mistake"):
        mistaken.verdict(lambda z: z * 0.0)


ODD_VALUES = [
    np.array([1 + 2j]),
    np.array(["a"]),
    np.array([None], dtype=object),
    np.float64(0.5),
    np.array(0.5),
    True,
    [],
    (),
    {},
    "text",
    1e400,
    np.nan,
    -(10**400),
    np.zeros((0,)),
    np.zeros((300, 300)),
    np.array([np.datetime64("2020-01-01")]),
    (np.zeros(3), None),
    (None, None, None),
    (1.0, 2.0, 3.0),
    ([1.0], [2.0]),
    np.ma.masked,
    np.float16(1.0),
    np.uint64(2**63),
    np.array([[1, 2], [3, 4]]),
    object(),
    type,
]


@pytest.mark.parametrize(
    "value", ODD_VALUES, ids=[f"{i}-{type(v).__name__}" for i, v in enumerate(ODD_VALUES)]
)
@pytest.mark.parametrize("checker", CHECKERS, ids=_ids)
def test_an_odd_returned_value_gets_a_verdict(checker, value):
    answer = (lambda *args: value) if checker.is_function else value
    text, passed, _ = _verdict(checker, answer)
    assert isinstance(text, str) and text.startswith(("Not correct yet: ", "Not answered yet: "))
    assert not passed


def test_without_threads_the_answer_runs_without_a_time_limit(monkeypatch):
    from softmax_course.exercises import _guard

    def no_threads(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(_guard, "_can_use_alarm", lambda: False)
    monkeypatch.setattr(threading.Thread, "start", no_threads)

    def my_softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    assert stable_softmax.verdict(my_softmax)[1]
    text, passed = stable_softmax.verdict(lambda z: 1 / 0)
    assert not passed and "raised ZeroDivisionError" in text
