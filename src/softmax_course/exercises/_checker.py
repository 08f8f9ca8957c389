"""The checker machinery: run a learner's answer on hidden cases, explain the verdict.

Every exercise of the book that asks for code is a :class:`Checker`. Its
:meth:`Checker.check` runs the learner's function on hidden test inputs (never
the examples the chapter shows), compares the results with the package's own
functions, and prints one verdict. When the answer is wrong, each catalogued
:class:`Mistake` is run on the failing input too; the verdict names a mistake
only when the learner's result is what that mistake produces there (and the
mistake is wrong there).

The learner's code runs only through :func:`~._guard.run_guarded`: every call,
and the conversion of what it returns into plain NumPy arrays, has a time
limit (:data:`~._guard.DEFAULT_TIME_LIMIT`, 10 s, or ``time_limit=``), and
whatever it raises (``KeyboardInterrupt`` included) becomes a verdict. An
exception from the checker's own code (a reference, a mistake) is not caught:
it is a bug of the package.

Verdicts are plain, deterministic text (numbers printed by this subpackage,
never by NumPy's print options), because the book stores them as notebook
outputs.
"""

from __future__ import annotations

import contextlib
import re
import tracemalloc
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ._answers import (
    Part,
    Problem,
    Shown,
    contains_shown,
    copy_argument,
    error_text,
    is_empty_function,
    is_placeholder,
    part_label,
    read_parts,
    snapshot,
)
from ._format import describe_type, format_both, format_pair, format_value
from ._guard import DEFAULT_TIME_LIMIT, Outcome, run_guarded
from ._mistakes import Mistake, same_answer
from ._rules import Rule, broken_rule

__all__ = ["Checker", "MemoryBound"]

#: Relative tolerance by the floating dtype of the expected result.
RTOL = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-9}

#: The smallest absolute tolerance by the dtype of the expected result (rounding of
#: terms of size 1, such as the shifted logits of a log-softmax).
ATOL_FLOOR = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 1e-6}

#: Why a value is NaN or infinite, said once in a verdict that shows one.
_NONFINITE = (
    "Where a NaN or an infinity was not meant: NaN comes from inf - inf, inf / inf, "
    "0 / 0 or 0 * inf, and inf from an exp that overflows (exp(z) is inf above "
    "z = 709.78 in float64) or from log(0). If the answer returns inf or NaN on "
    "purpose (a special case, a guard), check the condition that leads to it."
)


def _narrower(got: np.ndarray, want: np.ndarray, first_got=None, first_want=None) -> str:
    """Why a result in a narrower float type than expected differs, or "".

    Only where the precision can explain it: the first differing entries are
    within a thousand machine epsilons of the narrower type, relatively (an
    answer off by 0.25 in float32 is wrong for another reason).
    """
    if got.dtype.kind != "f" or want.dtype.kind != "f" or got.itemsize >= want.itemsize:
        return ""
    if first_got is not None and first_want is not None:
        a, b = float(first_got), float(first_want)
        if not (np.isfinite(a) and np.isfinite(b)):
            return ""
        if abs(a - b) > 1000 * np.finfo(got.dtype).eps * abs(b):
            return ""
    digits = round(-np.log10(np.finfo(got.dtype).eps))
    return (
        f"; the result is {got.dtype}, which keeps about {digits} significant digits, "
        f"where the expected result is {want.dtype}"
    )


def _shape_problem(got: np.ndarray, want: np.ndarray) -> str:
    """What differs in shape: a single number where an array was expected, or the shapes.

    >>> _shape_problem(np.array(3.5), np.zeros(3))
    'a single number instead of an array of shape (3,)'
    >>> _shape_problem(np.zeros((2, 3)), np.zeros(3))
    'an array of shape (2, 3) instead of (3,)'
    """
    if got.ndim == 0:
        return f"a single number instead of an array of shape {want.shape}"
    return f"an array of shape {got.shape} instead of {want.shape}"


def _unexpectedly_nonfinite(got: np.ndarray, want: np.ndarray) -> bool:
    """Whether a received part holds a NaN or an infinity that the expected part has not."""
    if got.dtype.kind != "f":
        return False
    if got.shape != np.shape(want) or np.asarray(want).dtype.kind != "f":
        return not bool(np.all(np.isfinite(got)))
    want = np.asarray(want)
    nan = np.isnan(got) & ~np.isnan(want)
    inf = np.isinf(got) & ~(got == want)
    return bool(np.any(nan | inf))


def _the_inputs(count: int, of: str = "") -> str:
    """ "The 5 hidden test inputs (of x) cover", or "The one hidden test input (of x) covers"."""
    of = f" of {of}" if of else ""
    if count == 1:
        return f"The one hidden test input{of} covers"
    return f"The {count} hidden test inputs{of} cover"


def _megabytes(count: int) -> str:
    """A number of bytes in megabytes, to one decimal ("0.4 MB")."""
    return f"{count / 1e6:.1f} MB"


_SHAPES = re.compile(r"\((\d+(?:,\s*\d+)*),?\)")


@dataclass(frozen=True, kw_only=True)
class MemoryBound:
    """The most memory a correct answer may hold at once, on one input of its own.

    A rule read from the code (:mod:`._rules`) sees only the functions it names;
    memory sees every way of building what the exercise forbids (a K x K matrix
    by broadcasting, a stream collected by a comprehension).

    Parameters
    ----------
    case : tuple
        The arguments of the input (not one of the checked cases).
    limit : int
        Bytes the answer may allocate on top of its input, at its peak, as
        ``tracemalloc`` counts them (NumPy reports its arrays to it).
    shown : str
        The input in words, for the verdict ("a stream of 40 blocks of 5000 logits").
    allowed : str
        The limit in words ("what 10 blocks take").
    asks : str
        What the exercise asks, as the verdict quotes it ("one pass over a stream
        that is never held whole").
    advice : str
        How to do it within the bound.
    """

    case: tuple
    limit: int
    shown: str
    allowed: str
    asks: str
    advice: str


@contextlib.contextmanager
def _error_state_kept() -> Iterator[None]:
    """While the learner's code runs, its ``np.errstate`` and ``np.seterr`` change nothing.

    Both (and ``errstate`` as a decorator) set one context variable of NumPy's
    through the module that defines them; it is replaced for the duration by
    one whose ``set`` does nothing, so an answer cannot silence the overflow it
    is being checked for. Ufuncs read the real variable, which the checker has
    set before.
    """
    from numpy._core import _ufunc_config

    real = _ufunc_config._extobj_contextvar

    class _Kept:
        def get(self, *args):
            return real.get(*args)

        def set(self, value):
            return None

        def reset(self, token):
            return None

    _ufunc_config._extobj_contextvar = _Kept()
    try:
        yield
    finally:
        _ufunc_config._extobj_contextvar = real


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class Checker:
    """An exercise that checks a learner's answer and explains the verdict.

    Parameters
    ----------
    name : str
        The checker's name in :mod:`softmax_course.exercises`.
    chapter : str
        The notebook the exercise belongs to, such as ``"05_log_softmax_and_stability"``.
    label : str
        The label of the exercise in the book, such as ``"ex-stability-softmax"``.
    task : str
        One line saying what the answer must be; used in the placeholder's comment.
    answer_name : str
        The learner's function (or variable) in the placeholder cell.
    parameters : tuple of str
        The function's parameters (empty for a value exercise).
    reference : callable
        Computes the expected result from a case's arguments (the package's
        own functions).
    cases : tuple of tuple
        The hidden test inputs, each a tuple of arguments, tried in order.
    covers : tuple of str
        What the hidden inputs test, one item each (printed by
        :meth:`hidden_inputs`; tests/test_exercises_inputs.py checks each claim
        on the cases).
    mistakes : tuple of Mistake
        The classic wrong answers this exercise recognises.
    hint_text : str
        The general hint printed by :meth:`hint`.
    solution_text : str
        The reference solution, as code (printed by :meth:`solution`).
    returns : tuple of (str, str)
        The returned parts, as ``(name, kind)`` with kind ``"array"``,
        ``"number"`` or ``"values"``; several parts mean a tuple is returned.
    atol : float
        Absolute tolerance (besides the relative one, which follows the dtype).
    rtol : float, optional
        Relative tolerance, overriding the one that follows the dtype.
    solution_uses : tuple of str
        Names the solution needs besides ``np`` (package functions).
    judge : callable, optional
        ``judge(received_parts, args) -> parts`` turns a received answer into
        what is compared with the reference, when several answers are right
        (for example logits, judged by their softmax).
    judge_label : str
        Says what ``judge`` computes, in the verdict.
    rules : tuple of Rule
        What the exercise forbids ("NumPy only", "without forming J"): a
        function whose results are right but that calls a forbidden function
        is not correct, and the verdict says which call.
    by_hand_decimals : int, optional
        For a value exercise done by hand: values that agree with the exact
        answer to far more than this many decimals are asked to be rounded.
    time_limit : float
        Seconds each call of the learner's function may take (10 by default).
    overflow_free : bool
        The exercise forbids overflow (a stable formula): a function whose
        results are right but that overflows on a hidden input (such as
        ``np.where`` over two branches, both computed) is not correct, even
        when it silences the warning with ``np.errstate``.
    memory : MemoryBound, optional
        What the exercise forbids, measured: a function whose results are right
        but that holds more memory than the bound allows on its input is not
        correct.
    """

    name: str
    chapter: str
    label: str
    task: str
    answer_name: str
    parameters: tuple[str, ...]
    reference: Callable
    cases: tuple[tuple, ...]
    covers: tuple[str, ...]
    mistakes: tuple[Mistake, ...]
    hint_text: str
    solution_text: str
    returns: tuple = (("result", "array"),)
    atol: float = 1e-12
    rtol: float | None = None
    solution_uses: tuple[str, ...] = ()
    judge: Callable | None = None
    judge_label: str = ""
    rules: tuple[Rule, ...] = ()
    by_hand_decimals: int | None = None
    time_limit: float = DEFAULT_TIME_LIMIT
    overflow_free: bool = False
    memory: MemoryBound | None = None

    def __post_init__(self):
        for name in ("parameters", "cases", "covers", "mistakes", "solution_uses", "rules"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        parts = tuple(part if isinstance(part, Part) else Part(*part) for part in self.returns)
        object.__setattr__(self, "returns", parts)
        if not self.covers:
            raise ValueError(f"checker {self.name!r}: say what its hidden inputs cover")
        # the checker's own docstring (``help``, ``checker?`` in Jupyter): its hidden inputs
        covered = "\n".join(f"- {item}" for item in self.covers)
        object.__setattr__(
            self,
            "__doc__",
            f"Exercise {self.label} (chapter {self.chapter}): {self.task}.\n\n"
            f"Check an answer with ``{self.name}.check({self.answer_name})``. "
            f"{_the_inputs(len(self.cases))}:\n\n{covered}\n",
        )

    def __repr__(self) -> str:
        return f"<exercise checker {self.name!r} ({self.label}, chapter {self.chapter})>"

    @property
    def is_function(self) -> bool:
        """True when the answer is a function, False when it is a value."""
        return bool(self.parameters)

    def hint(self) -> None:
        """Print a hint for the exercise.

        Examples
        --------
        >>> from softmax_course.exercises import predicted_class
        >>> predicted_class.hint()  # doctest: +ELLIPSIS
        Hint: The prediction is the class with the largest logit. ...
        """
        print(f"Hint: {self.hint_text}")

    def solution(self) -> None:
        """Print the reference solution.

        Examples
        --------
        >>> from softmax_course.exercises import predicted_class
        >>> predicted_class.solution()
        def my_prediction(logits):
            return np.argmax(logits, axis=-1)
        """
        print(self.solution_text.strip("\n"))

    def solution_code(self) -> str:
        """Return the reference solution as code (a string), for tests and the book.

        Returns
        -------
        str
            The code of the solution, ending with a newline.
        """
        return self.solution_text.strip("\n") + "\n"

    def hidden_inputs(self) -> None:
        """Print what the hidden test inputs cover.

        Examples
        --------
        >>> from softmax_course.exercises import stable_softmax
        >>> stable_softmax.hidden_inputs()  # doctest: +ELLIPSIS
        The 11 hidden test inputs of stable_softmax cover:
        - ...
        """
        print(f"{_the_inputs(len(self.cases), of=self.name)}:")
        for item in self.covers:
            print(f"- {item}")

    # -- the verdict ---------------------------------------------------------

    def check(self, answer, *, time_limit: float | None = None) -> bool:
        """Check an answer, print the verdict, and return whether it is correct.

        Parameters
        ----------
        answer : callable or object
            The learner's function (for a function exercise) or value.
        time_limit : float, optional
            Seconds each call of the function may take (default: the
            checker's ``time_limit``, 10 s).

        Returns
        -------
        bool
            True for a correct answer. A wrong answer, a placeholder, or an
            answer that raises, hangs or is interrupted gives False: this
            method never raises for them.

        Examples
        --------
        >>> import numpy as np
        >>> from softmax_course.exercises import predicted_class
        >>> def my_prediction(logits):
        ...     ...  # your code
        >>> predicted_class.check(my_prediction)  # doctest: +ELLIPSIS
        Not answered yet: write the body of `my_prediction` (...), then run this cell again. ...
        False
        >>> def my_prediction(logits):
        ...     return np.argmax(logits, axis=-1)
        >>> predicted_class.check(my_prediction)
        Correct: my_prediction gives the expected result on all 7 hidden test inputs.
        True
        """
        verdict, correct = self.verdict(answer, time_limit=time_limit)
        print(verdict)
        return correct

    def verdict(self, answer, *, time_limit: float | None = None) -> tuple[str, bool]:
        """Return the verdict text and whether the answer is correct, printing nothing.

        Parameters
        ----------
        answer : callable or object
            As for :meth:`check`.
        time_limit : float, optional
            As for :meth:`check`.

        Returns
        -------
        text : str
            The verdict :meth:`check` prints.
        correct : bool
            Whether the answer is correct.

        Examples
        --------
        >>> from softmax_course.exercises import predicted_class
        >>> text, correct = predicted_class.verdict(lambda logits: logits.argmin(axis=-1))
        >>> correct, text.splitlines()[-1]  # doctest: +ELLIPSIS
        (False, 'Recognised mistake: smallest logit instead of the largest. ...')
        """
        limit = self.time_limit if time_limit is None else float(time_limit)
        try:
            if is_placeholder(answer):
                return self._not_answered(), False
            if self.is_function:
                return self._check_function(answer, limit)
            return self._check_value(answer, limit)
        except KeyboardInterrupt:
            return (
                "Not checked: the check was interrupted before it finished. Run the cell "
                "again to check your answer.",
                False,
            )

    def _not_answered(self, name: str | None = None, returned_none: bool = False) -> str:
        if self.is_function:
            name = name or self.answer_name
            if returned_none:  # a body that computes but returns nothing
                return (
                    f"Not correct yet: `{name}` returns None. Does it end with `return` "
                    f"and the result ({self.task})? {self._stuck()}"
                )
            what = f"write the body of `{name}` ({self.task}), then run this cell again."
        else:
            what = f"replace `...` by your answer ({self.task}), then run this cell again."
        return f"Not answered yet: {what} Stuck? `{self.name}.hint()` gives a hint."

    def _stuck(self) -> str:
        return f"Stuck? `{self.name}.hint()` gives a hint."

    def _run(self, function, args, limit: float) -> tuple[Outcome, str, list]:
        """Call the learner's function on copies of ``args`` and convert the result."""
        copies = [copy_argument(arg) for arg in args]
        phase = ["call"]

        def thunk():
            received = function(*copies)
            phase[0] = "convert"
            try:
                parts = self._parts(received)
            except Problem as problem:
                parts = problem
            return received, parts, snapshot(received)

        return run_guarded(thunk, limit), phase[0], copies

    def _check_function(self, function, limit: float) -> tuple[str, bool]:
        if not callable(function):
            return (
                f"Not correct yet: `{self.name}.check` expects your function "
                f"`{self.answer_name}({', '.join(self.parameters)})` itself, "
                f"and received {describe_type(function)}. Pass the function, without "
                "calling it.",
                False,
            )
        name = self.answer_name
        if isinstance(function, types.FunctionType) and function.__name__ != "<lambda>":
            name = function.__name__
        call = f"{name}({', '.join(self.parameters)})"
        notes: list[str] = []
        for index, args in enumerate(self.cases):
            outcome, phase, copies = self._run(function, args, limit)
            if outcome.printed and not any("printed" in note for note in notes):
                notes.append(f"Note: {name} printed while it ran; the checker hides its output.")
            if outcome.timed_out:
                return self._explain_timeout(call, args, limit, outcome.still_running), False
            if outcome.error is not None:
                return self._explain_exception(call, args, outcome.error, phase), False
            received, parts, shown = outcome.value
            if index == 0 and is_placeholder(received):
                returned_none = received is None and not is_empty_function(function)
                return self._not_answered(name, returned_none), False
            expected = self._expected(args)
            passed = self.cases[:index]
            if isinstance(parts, Problem):
                problem = str(parts)
                return (
                    self._explain(
                        call, args, expected, None, problem, snapshot=shown, passed=passed
                    ),
                    False,
                )
            judged = None
            shape_failure = self._compare_shapes(parts, expected)
            if shape_failure:
                return (
                    self._explain(call, args, expected, parts, shape_failure, passed=passed),
                    False,
                )
            if self.judge is not None:
                with np.errstate(all="ignore"):
                    judged = tuple(np.asarray(part) for part in self.judge(parts, args))
            failure = self._compare(parts if judged is None else judged, expected)
            if failure:
                if judged is not None:  # the values compared are not the ones returned
                    failure = failure.replace(", received ", ", found ", 1)
                    failure = f"a result whose check fails: the {self.judge_label} has {failure}"
                later = (function, self.cases[index:], limit)
                return (
                    self._explain(
                        call, args, expected, parts, failure, judged, passed=passed, later=later
                    ),
                    False,
                )
            if not any("in place" in note for note in notes):
                changed = self._changed_argument(args, copies)
                if changed:
                    notes.append(
                        f"Note: {name} changes its argument `{changed}` in place; code that "
                        "calls it may not expect that."
                    )
        if self.overflow_free:
            overflowed = self._overflowing_input(function, limit)
            if overflowed is not None:
                return (
                    f"Not correct yet: {name} gives the expected results, but it "
                    f"overflows on {self._show_args(overflowed)} (a value above the "
                    "largest float, such as np.exp of a large number, even in a branch "
                    "of np.where that is not chosen: np.where computes both). The "
                    "exercise asks for a formula that never overflows.",
                    False,
                )
        broken = broken_rule(function, self.rules)
        if broken is not None:
            rule, called = broken
            return (
                f"Not correct yet: {name} gives the expected results, but it calls "
                f"{called}, and the exercise asks for {rule.asks}: {rule.advice}.",
                False,
            )
        if self.memory is not None:
            peak = self._peak_memory(function, limit)
            if peak is not None and peak > self.memory.limit:
                bound = self.memory
                return (
                    f"Not correct yet: {name} gives the expected results, but on "
                    f"{bound.shown} it held {_megabytes(peak)} at once, more than "
                    f"{bound.allowed} ({_megabytes(bound.limit)}), and the exercise asks "
                    f"for {bound.asks}: {bound.advice}.",
                    False,
                )
        count = len(self.cases)
        on = "on the hidden test input" if count == 1 else f"on all {count} hidden test inputs"
        lines = [f"Correct: {name} gives the expected result {on}."]
        return "\n".join(lines + notes), True

    def _overflowing_input(self, function, limit: float):
        """The first hidden input on which ``function`` overflows, or None."""
        for args in self.cases:
            copies = [copy_argument(arg) for arg in args]

            def thunk(copies=copies):
                with np.errstate(over="raise"), _error_state_kept():
                    try:
                        function(*copies)
                    except FloatingPointError:
                        return True
                return False

            outcome = run_guarded(thunk, limit)
            if outcome.value is True:
                return args
        return None

    def _peak_memory(self, function, limit: float) -> int | None:
        """Bytes ``function`` held at its peak on the memory input (None if it failed)."""
        copies = [copy_argument(arg) for arg in self.memory.case]
        already = tracemalloc.is_tracing()

        def thunk():
            if not already:
                tracemalloc.start()
            try:
                start = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                function(*copies)
                return tracemalloc.get_traced_memory()[1] - start
            finally:
                if not already:
                    tracemalloc.stop()

        outcome = run_guarded(thunk, limit)
        return outcome.value if outcome.error is None and not outcome.timed_out else None

    def _show_args(self, args) -> str:
        """The input on one line, ``z = [...], k = 3`` (the lines of the verdict, joined)."""
        return ", ".join(line.strip() for line in self._argument_lines(args))

    def _changed_argument(self, args, copies) -> str | None:
        for parameter, original, given in zip(self.parameters, args, copies, strict=True):
            if isinstance(original, np.ndarray) and isinstance(given, np.ndarray):
                same = given.shape == original.shape and bool(
                    np.array_equal(given, original, equal_nan=original.dtype.kind == "f")
                )
                if not same:
                    return parameter
        return None

    def _check_value(self, value, limit: float) -> tuple[str, bool]:
        expected = self._expected(())

        def thunk():
            try:
                return self._parts(value)
            except Problem as problem:
                return problem

        outcome = run_guarded(thunk, limit)
        if outcome.timed_out or outcome.error is not None:
            what = "took too long" if outcome.timed_out else error_text(outcome.error)
            return (
                f"Not correct yet: your answer cannot be read as numbers (converting it "
                f"{what}). Give plain numbers, such as [0.1, 0.2, 0.7].",
                False,
            )
        parts = outcome.value
        if isinstance(parts, Problem):
            return self._explain(None, (), expected, None, str(parts)), False
        failure = self._compare(parts, expected)
        if failure:
            return self._explain(None, (), expected, parts, failure), False
        if self.by_hand_decimals is not None:
            computed = self._computed_by_code(parts[0], expected[0])
            if computed:
                return computed, False
        return f"Correct: {format_value(parts[0])} is the right answer.", True

    def _computed_by_code(self, received: np.ndarray, expected: np.ndarray) -> str | None:
        scale = 10.0**self.by_hand_decimals
        extra = np.abs(received * scale - np.round(received * scale))
        exact = np.isclose(received, expected, rtol=1e-9, atol=0)
        if bool(np.all(exact)) and bool(np.any(extra > 1e-3)):
            return (
                f"Not correct yet: your values agree with the exact answer to about ten "
                f"digits ({received.flat[0]:.12g}, ...), as a program or a calculator "
                f"prints them; the exercise asks for them worked out by hand and rounded "
                f"to {self.by_hand_decimals} decimals: round them, then type them in."
            )
        return None

    def _expected(self, args) -> tuple[np.ndarray, ...]:
        with np.errstate(all="ignore"):
            value = self.reference(*[copy_argument(arg) for arg in args])
        if len(self.returns) == 1:
            value = (value,)
        return tuple(np.asarray(part) for part in value)

    def _parts(self, received) -> tuple[np.ndarray, ...]:
        """The received value as plain arrays, one per returned part (may run learner code)."""
        return read_parts(received, self.returns)

    def _label(self, part: Part) -> str:
        """The prefix naming a returned part in a verdict (none for a single part)."""
        return part_label(part, self.returns)

    def _tolerance(self, expected: np.ndarray) -> float:
        if self.rtol is not None:
            return self.rtol
        return RTOL.get(expected.dtype, RTOL[np.dtype(np.float64)])

    def _atol(self, expected: np.ndarray) -> float:
        return max(self.atol, ATOL_FLOOR.get(expected.dtype, 0.0))

    def _bad(self, got: np.ndarray, want: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return ~np.isclose(
                got.astype(np.float64),
                want.astype(np.float64),
                rtol=self._tolerance(want),
                atol=self._atol(want),
                equal_nan=True,
            )

    def _compare_shapes(self, received, expected) -> str | None:
        for part, got, want in zip(self.returns, received, expected, strict=True):
            if got.shape != want.shape:
                return f"{self._label(part)}{_shape_problem(got, want)}"
            finite = got.dtype.kind not in "fc" or bool(np.all(np.isfinite(got)))
            if want.dtype.kind in "iu" and got.dtype.kind not in "iu" and finite:
                return (
                    f"{self._label(part)}values of dtype {got.dtype} where the answer is "
                    f"integers (indices such as classes must be integers to index an array)"
                )
        return None

    def _compare(self, received, expected) -> str | None:
        for part, got, want in zip(self.returns, received, expected, strict=True):
            label = self._label(part)
            if got.shape != want.shape:
                return f"{label}{_shape_problem(got, want)}"
            bad = self._bad(got, want)
            if bad.any():
                where = tuple(int(i) for i in np.argwhere(bad)[0])
                position = f" at index {list(where)}" if where else ""
                first_got, first_want = got[where], want[where]
                shown_want, shown_got = format_pair(first_want, first_got)
                if np.isfinite(first_want) and not np.isfinite(first_got):
                    reason = f"{shown_got} where the answer is finite"
                else:
                    reason = "a different value"
                detail = ""
                close = format_value(first_want) == format_value(first_got) and first_want != 0
                if close:  # the printed digits agree: say how far apart they are
                    relative = abs(float(first_got) - float(first_want)) / abs(float(first_want))
                    detail = (
                        f": a relative difference of {relative:.2g}, above the "
                        f"{self._tolerance(want):.2g} allowed"
                    )
                return (
                    f"{label}{reason}{position} (expected {shown_want}, received "
                    f"{shown_got}{detail}){_narrower(got, want, first_got, first_want)}"
                )
        return None

    def _wrong_on(self, wrong, expected, args) -> bool:
        """Whether a mistake's output differs from the expected result on this input."""
        try:
            parts = self._parts(wrong)
        except Problem:
            return True
        if self.judge is not None:
            with np.errstate(all="ignore"):
                parts = tuple(np.asarray(part) for part in self.judge(parts, args))
        return self._compare(parts, expected) is not None

    def _recognise(self, args, parts, expected, received=None, passed=()) -> list[Mistake]:
        """The catalogued mistakes whose output on ``args`` is the received answer.

        A wrong formula (a variant) counts only if it is wrong on ``args`` and
        gives the received answer there, and if it is right on every earlier
        input ``passed``, where the learner's answer was right too.
        """
        if parts is not None:
            received = parts[0] if len(parts) == 1 else parts
        found = []
        for mistake in self.mistakes:
            if mistake.matches is not None and parts is not None:
                with np.errstate(all="ignore"):
                    if mistake.matches(parts, expected, args):
                        found.append(mistake)
                        continue
            for variant in mistake.variants:
                wrong = self._output(variant, args)
                if wrong is None or not self._wrong_on(wrong, expected, args):
                    continue
                if (
                    same_answer(received, wrong)
                    and self._at_its_errors(parts, wrong, expected, args)
                    and self._right_on(variant, passed)
                ):
                    found.append(mistake)
                    break
        return found

    def _narrow_down(self, mistakes, function, cases, limit) -> list[Mistake]:
        """Of several mistakes that give the answer's result, those that keep giving it.

        Two wrong formulas can agree on the input where the answer first fails (an
        overflow that both share). ``cases`` starts with that input: a formula (one
        variant of a mistake) stays a candidate while it gives the answer's result
        on each input in turn, and a mistake is dropped when none of its formulas
        is left, unless that would drop them all.
        """
        alive = {id(mistake): list(mistake.variants) for mistake in mistakes}
        kept = list(mistakes)
        for args in cases:
            if len(kept) < 2:
                break
            outcome, _, _ = self._run(function, args, limit)
            if outcome.timed_out or outcome.error is not None:
                break
            received, parts, _ = outcome.value
            if isinstance(parts, Problem):
                break
            answer = parts[0] if len(parts) == 1 else parts
            agreeing = {}
            for mistake in kept:
                if not mistake.variants:  # recognised by what it matches: kept
                    agreeing[id(mistake)] = []
                    continue
                variants = [
                    variant
                    for variant in alive[id(mistake)]
                    if (wrong := self._output(variant, args)) is not None
                    and same_answer(answer, wrong)
                ]
                if variants:
                    agreeing[id(mistake)] = variants
            if agreeing:
                alive.update(agreeing)
                kept = [mistake for mistake in kept if id(mistake) in agreeing]
        return kept

    def _at_its_errors(self, parts, wrong, expected, args) -> bool:
        """Whether, where the mistake is wrong, the answer is wrong the same way.

        ``same_answer`` allows a relative 1e-6; a mistake whose error is smaller
        than that (a cancellation of 1e-9) would otherwise be named for any answer
        that is slightly off. At each entry where the mistake misses the expected
        result, the answer must equal it, or be ten times closer to it than to
        the expected result.
        """
        if parts is None:
            return True
        try:
            wrong_parts = self._parts(wrong)
        except Problem:
            return True
        if self.judge is not None:  # compared where the exercise compares: judged
            with np.errstate(all="ignore"):
                try:
                    parts = tuple(np.asarray(part) for part in self.judge(parts, args))
                    wrong_parts = tuple(np.asarray(part) for part in self.judge(wrong_parts, args))
                except Exception:  # noqa: BLE001 - a judge that cannot judge decides nothing
                    return True
        for got, mistaken, want in zip(parts, wrong_parts, expected, strict=False):
            if not (got.shape == mistaken.shape == np.shape(want)):
                continue
            if got.dtype.kind not in "biuf" or mistaken.dtype.kind not in "biuf":
                continue
            bad = self._bad(mistaken, np.asarray(want))
            with np.errstate(all="ignore"):
                r = got.astype(np.float64)[bad]
                w = mistaken.astype(np.float64)[bad]
                e = np.asarray(want, dtype=np.float64)[bad]
                same = (r == w) | (np.isnan(r) & np.isnan(w))
                near = np.abs(r - w) <= 0.1 * np.abs(w - e)
            if not np.all(same | near):
                return False
        return True

    @staticmethod
    def _output(variant, args):
        with np.errstate(all="ignore"):
            return variant(*[copy_argument(arg) for arg in args])

    def _right_on(self, variant, passed) -> bool:
        """Whether a wrong formula gives the expected result on every input in ``passed``."""
        for args in passed:
            wrong = self._output(variant, args)
            if wrong is None or self._wrong_on(wrong, self._expected(args), args):
                return False
        return True

    def _argument_lines(self, args) -> list[str]:
        """The failing input, one ``  parameter = value`` line per argument."""
        return [
            f"  {parameter} = {format_value(arg)}"
            for parameter, arg in zip(self.parameters, args, strict=True)
        ]

    def _explain(
        self,
        call,
        args,
        expected,
        parts,
        failure: str,
        judged=None,
        snapshot=None,
        passed=(),
        later=None,
    ) -> str:
        lines = []
        if call is None:
            lines.append(f"Not correct yet: your answer is {failure}.")
        else:
            lines.append(f"Not correct yet: on a hidden test input, {call} returns {failure}.")
            lines.extend(self._argument_lines(args))
        shown = expected[0] if len(expected) == 1 else tuple(expected)
        if parts is not None:
            received = parts[0] if len(parts) == 1 else tuple(parts)
        else:
            received = snapshot
        if judged is not None:
            lines.append(f"  received: {format_value(received)}")
            shown_judged = judged[0] if len(judged) == 1 else tuple(judged)
            shown_want, shown_got = format_both(shown, shown_judged)
            lines.append(f"  {self.judge_label}: {shown_got}")
            lines.append(f"  expected {self.judge_label}: {shown_want}")
        else:
            # a judged exercise compares what the judge computes, not the answer itself
            expected_label = f"expected {self.judge_label}" if self.judge else "expected"
            if received is None or isinstance(received, Shown):
                lines.append(f"  {expected_label}: {format_value(shown)}")
                if received is not None:
                    lines.append(f"  received: {received.text}")
            else:
                shown_want, shown_got = format_both(shown, received)
                lines.append(f"  {expected_label}: {shown_want}")
                lines.append(f"  received: {shown_got}")
        if parts is not None:
            mistakes = self._recognise(args, parts, expected, passed=passed)
        elif received is not None and not contains_shown(received):
            mistakes = self._recognise(args, None, expected, received, passed=passed)
        else:
            mistakes = []
        if len(mistakes) > 1 and later is not None:
            mistakes = self._narrow_down(mistakes, *later)
        if len(mistakes) > 1:
            lines.append(f"{len(mistakes)} mistakes give exactly this result on this input:")
        for mistake in mistakes:
            lines.append(f"Recognised mistake: {mistake.name}. {mistake.hint}")
        broken = broken_rule(later[0], self.rules) if later is not None else None
        if broken is not None:
            rule, called = broken
            lines.append(
                f"It also calls {called}, and the exercise asks for {rule.asks}: {rule.advice}."
            )
        if mistakes:
            return "\n".join(lines)
        looked_at = judged if judged is not None else parts
        if looked_at is not None and any(
            _unexpectedly_nonfinite(got, want)
            for got, want in zip(looked_at, expected, strict=False)
        ):
            lines.append(_NONFINITE)
        lines.append(self._stuck())
        return "\n".join(lines)

    def _explain_timeout(self, call, args, limit: float, still_running: bool) -> str:
        seconds = f"{limit:g} second" + ("" if limit == 1 else "s")
        lines = [
            f"Not correct yet: {call} did not return within {seconds} on a hidden test "
            f"input, so the checker {'stopped waiting' if still_running else 'stopped it'}."
        ]
        lines.extend(self._argument_lines(args))
        lines.append(
            "Does a loop never end (a `while` whose condition never changes), or does it "
            f"wait? If it is only slow, `{self.name}.check({self.answer_name}, "
            "time_limit=60)` gives each call more time."
        )
        if still_running:
            lines.append(
                "It could not be stopped and still runs in the background: restart the "
                "kernel to stop it."
            )
        return "\n".join(lines)

    def _explain_exception(self, call, args, error: BaseException, phase: str) -> str:
        if isinstance(error, KeyboardInterrupt):
            lines = [
                f"Not correct yet: {call} was interrupted (KeyboardInterrupt) before it "
                "returned, on a hidden test input."
            ]
        elif phase == "convert":
            lines = [
                f"Not correct yet: {call} returns a value that cannot be read as numbers: "
                f"converting it raised {error_text(error)}"
            ]
        else:
            lines = [f"Not correct yet: {call} raised {error_text(error)}"]
        lines.extend(self._argument_lines(args))
        keepdims = self._is_keepdims_error(error, args)
        if keepdims:
            lines.append(
                "Hint: a sum or max over an axis removes that axis; keepdims=True keeps "
                "it, so that the result lines up with the rows of the batch."
                if keepdims == "sure"
                else "Hint: if the shorter shape is a sum or max over the last axis of "
                "the other, note that it removes that axis; keepdims=True keeps it, so "
                "that the result lines up with the rows of the batch."
            )
        else:
            lines.append(self._stuck())
        return "\n".join(lines)

    @staticmethod
    def _is_keepdims_error(error: BaseException, args) -> str:
        """ "sure" if an argument met its own row sums or maxima, "maybe" if an array with
        as many rows as an argument did (the logits X @ W + b of X), else ""."""
        message = error_text(error)
        if "could not be broadcast" not in message:
            return ""
        shapes = {
            tuple(int(n) for n in match.split(",") if n.strip())
            for match in _SHAPES.findall(message)
        }
        arrays = [arg for arg in args if isinstance(arg, np.ndarray) and arg.ndim >= 2]
        if any(arg.shape in shapes and arg.shape[:-1] in shapes for arg in arrays):
            return "sure"
        batches = {arg.shape[0] for arg in arrays}
        if any(
            len(shape) >= 2 and shape[:-1] in shapes and shape[0] in batches for shape in shapes
        ):
            return "maybe"
        return ""
