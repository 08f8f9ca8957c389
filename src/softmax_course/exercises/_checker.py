"""The checker machinery: run a learner's answer on hidden cases, explain the verdict.

Every exercise of the book that asks for code is a :class:`Checker`. Its
:meth:`Checker.check` runs the learner's function on hidden test inputs (never
the examples the chapter shows), compares the results with the package's own
functions, and prints one verdict. When the answer is wrong, each catalogued
:class:`Mistake` is run on the failing input too; if the learner's result is
what that mistake produces, the verdict names it and gives its hint.

Verdicts are plain, deterministic text (numbers printed to five significant
digits by this module, never by NumPy's print options), because the book
stores them as notebook outputs.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._format import Stream, describe_type, format_value
from ._mistakes import Mistake, same_answer

__all__ = ["Checker"]

#: Relative tolerance by the floating dtype of the expected result.
RTOL = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-9}

#: The smallest absolute tolerance by the dtype of the expected result (rounding of
#: terms of size 1, such as the shifted logits of a log-softmax).
ATOL_FLOOR = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 1e-6}


@dataclass(frozen=True)
class _Part:
    """One returned value: its name, and whether it is an array or a number."""

    name: str
    kind: str  # "array", "number" or "values" (an array-like such as a list)


def _is_placeholder(value) -> bool:
    if value is None or value is Ellipsis:
        return True
    return isinstance(value, (tuple, list)) and any(
        item is None or item is Ellipsis for item in value
    )


def _is_empty_function(function) -> bool:
    """Whether a function's body is only ``...`` (or a docstring): the placeholder."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    return not code.co_names and code.co_nlocals == code.co_argcount and len(code.co_code) <= 12


def _copy(value):
    if isinstance(value, Stream):
        return (block.copy() for block in value.blocks)
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


class _Problem(Exception):
    """A received value that cannot be compared: its explanation."""


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
    title : str
        A few words naming the exercise.
    prompt : str
        The exercise text (Markdown), as the chapter shows it.
    task : str
        One line saying what the answer must be; used in the placeholder's comment.
    answer_name : str
        The learner's function (or variable) in the placeholder cell.
    parameters : tuple of str
        The function's parameters (empty for a value exercise).
    reference : callable
        Computes the expected result from a case's arguments (the package's
        own functions).
    cases : list of tuple
        The hidden test inputs, each a tuple of arguments, tried in order.
    mistakes : list of Mistake
        The classic wrong answers this exercise recognises.
    hint : str
        The general hint printed by :meth:`hint`.
    solution : str
        The reference solution, as code (printed by :meth:`solution`).
    returns : tuple of (str, str)
        The returned parts, as ``(name, kind)`` with kind ``"array"`` or
        ``"number"``; several parts mean a tuple is returned.
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
    """

    def __init__(
        self,
        *,
        name: str,
        chapter: str,
        label: str,
        title: str,
        prompt: str,
        task: str,
        answer_name: str,
        parameters: tuple[str, ...],
        reference: Callable,
        cases: list[tuple],
        mistakes: list[Mistake],
        hint: str,
        solution: str,
        returns: tuple[tuple[str, str], ...] = (("result", "array"),),
        atol: float = 1e-12,
        rtol: float | None = None,
        solution_uses: tuple[str, ...] = (),
        judge: Callable | None = None,
        judge_label: str = "",
    ):
        self.name = name
        self.chapter = chapter
        self.label = label
        self.title = title
        self.prompt = prompt
        self.task = task
        self.answer_name = answer_name
        self.parameters = tuple(parameters)
        self.reference = reference
        self.cases = list(cases)
        self.mistakes = list(mistakes)
        self._hint = hint
        self._solution = solution
        self.returns = tuple(_Part(*part) for part in returns)
        self.atol = atol
        self.rtol = rtol
        self.solution_uses = tuple(solution_uses)
        self.judge = judge
        self.judge_label = judge_label

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
        print(f"Hint: {self._hint}")

    def solution(self) -> None:
        """Print the reference solution.

        Examples
        --------
        >>> from softmax_course.exercises import predicted_class
        >>> predicted_class.solution()
        def my_prediction(logits):
            return np.argmax(logits, axis=-1)
        """
        print(self._solution.strip("\n"))

    def solution_code(self) -> str:
        """Return the reference solution as code (a string), for tests and the book.

        Returns
        -------
        str
            The code of the solution, ending with a newline.
        """
        return self._solution.strip("\n") + "\n"

    # -- the verdict ---------------------------------------------------------

    def check(self, answer) -> bool:
        """Check an answer, print the verdict, and return whether it is correct.

        Parameters
        ----------
        answer : callable or object
            The learner's function (for a function exercise) or value.

        Returns
        -------
        bool
            True for a correct answer. A wrong answer, a placeholder, or an
            answer that raises gives False: this method never raises for them.

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
        Correct: my_prediction gives the expected result on all 3 hidden test inputs.
        True
        """
        verdict, correct = self.verdict(answer)
        print(verdict)
        return correct

    def verdict(self, answer) -> tuple[str, bool]:
        """Return the verdict text and whether the answer is correct, printing nothing.

        Parameters
        ----------
        answer : callable or object
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
        if _is_placeholder(answer):
            return self._not_answered(), False
        if self.is_function:
            return self._check_function(answer)
        return self._check_value(answer)

    def _not_answered(self, name: str | None = None, returned_none: bool = False) -> str:
        if self.is_function:
            name = name or self.answer_name
            what = f"write the body of `{name}` ({self.task}), then run this cell again."
            if returned_none:
                what += " (It returns None: does it end with `return`?)"
        else:
            what = f"replace `...` by your answer ({self.task}), then run this cell again."
        return f"Not answered yet: {what} Stuck? `{self.name}.hint()` gives a hint."

    def _call(self, function, args):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function(*[_copy(arg) for arg in args])

    def _check_function(self, function) -> tuple[str, bool]:
        if not callable(function):
            return (
                f"Not correct yet: `{self.name}.check` expects your function "
                f"`{self.answer_name}({', '.join(self.parameters)})` itself, "
                f"and received {describe_type(function)}. Pass the function, without "
                "calling it.",
                False,
            )
        name = getattr(function, "__name__", self.answer_name)
        if name == "<lambda>":
            name = self.answer_name
        call = f"{name}({', '.join(self.parameters)})"
        for index, args in enumerate(self.cases):
            try:
                received = self._call(function, args)
            except Exception as error:  # noqa: BLE001 - the learner's error is explained
                return self._explain_exception(call, args, error), False
            if index == 0 and _is_placeholder(received):
                returned_none = received is None and not _is_empty_function(function)
                return self._not_answered(name, returned_none), False
            expected = self._expected(args)
            try:
                received_parts = self._parts(received)
            except _Problem as problem:
                return self._explain(call, args, expected, received, str(problem)), False
            judged = None
            if self.judge is not None:
                with np.errstate(all="ignore"):
                    judged = tuple(np.asarray(part) for part in self.judge(received_parts, args))
            failure = self._compare(received_parts if judged is None else judged, expected)
            if failure:
                if judged is not None:
                    failure = f"{failure} (in the {self.judge_label})"
                return self._explain(call, args, expected, received, failure, judged), False
        count = len(self.cases)
        return (
            f"Correct: {name} gives the expected result on all {count} hidden test inputs.",
            True,
        )

    def _check_value(self, value) -> tuple[str, bool]:
        expected = self._expected(())
        try:
            received_parts = self._parts(value)
        except _Problem as problem:
            return self._explain(None, (), expected, value, str(problem)), False
        failure = self._compare(received_parts, expected)
        if failure:
            return self._explain(None, (), expected, value, failure), False
        return f"Correct: {format_value(value)} is the right answer.", True

    def _expected(self, args) -> tuple[np.ndarray, ...]:
        with np.errstate(all="ignore"):
            value = self.reference(*[_copy(arg) for arg in args])
        if len(self.returns) == 1:
            value = (value,)
        return tuple(np.asarray(part) for part in value)

    def _parts(self, received) -> tuple[np.ndarray, ...]:
        parts = self.returns
        if len(parts) == 1:
            received = (received,)
        elif not isinstance(received, (tuple, list)) or len(received) != len(parts):
            names = ", ".join(part.name for part in parts)
            raise _Problem(
                f"{describe_type(received)}, not a tuple of {len(parts)} values ({names})"
            )
        out = []
        for part, value in zip(parts, received, strict=True):
            out.append(self._part(part, value))
        return tuple(out)

    def _label(self, part: _Part) -> str:
        """The prefix naming a returned part in a verdict (none for a single part)."""
        return "" if len(self.returns) == 1 else f"{part.name}: "

    def _part(self, part: _Part, value) -> np.ndarray:
        label = self._label(part)
        if part.kind == "number":
            if isinstance(value, (bool, np.bool_)) or not (
                isinstance(value, numbers.Real)
                or (isinstance(value, np.ndarray) and value.dtype.kind in "iuf")
            ):
                raise _Problem(f"{label}{describe_type(value)}, not a number")
            array = np.asarray(value, dtype=np.float64)
            if array.ndim != 0:
                raise _Problem(
                    f"{label}an array of shape {array.shape}, not a single number"
                    " (a mean over the batch is one number)"
                )
            return array
        if part.kind == "values":
            try:
                array = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                raise _Problem(f"{label}{describe_type(value)}, not numbers") from None
            return array
        if not isinstance(value, np.ndarray):
            raise _Problem(
                f"{label}{describe_type(value)}, not a NumPy array"
                " (build arrays with NumPy operations, or convert with np.asarray)"
            )
        if value.dtype.kind not in "biuf":
            raise _Problem(f"{label}an array of dtype {value.dtype}, not of numbers")
        return value

    def _tolerance(self, expected: np.ndarray) -> float:
        if self.rtol is not None:
            return self.rtol
        return RTOL.get(expected.dtype, RTOL[np.dtype(np.float64)])

    def _atol(self, expected: np.ndarray) -> float:
        return max(self.atol, ATOL_FLOOR.get(expected.dtype, 0.0))

    def _compare(self, received, expected) -> str | None:
        for part, got, want in zip(self.returns, received, expected, strict=True):
            label = self._label(part)
            if got.shape != want.shape:
                return f"{label}an array of shape {got.shape} instead of {want.shape}"
            bad = ~np.isclose(
                got.astype(np.float64),
                want.astype(np.float64),
                rtol=self._tolerance(want),
                atol=self._atol(want),
            )
            if bad.any():
                where = tuple(int(i) for i in np.argwhere(bad)[0])
                position = f" at index {list(where)}" if where else ""
                first_got, first_want = got[where], want[where]
                if np.isfinite(first_want) and not np.isfinite(first_got):
                    reason = f"{format_value(first_got)} where the answer is finite"
                else:
                    reason = "a different value"
                return (
                    f"{label}{reason}{position} (expected {format_value(first_want)}, "
                    f"received {format_value(first_got)})"
                )
        return None

    def _recognise(self, args, received, expected) -> Mistake | None:
        try:
            received_parts = self._parts(received)
        except _Problem:
            received_parts = None
        for mistake in self.mistakes:
            if received_parts is not None and mistake.matches is not None:
                try:
                    with np.errstate(all="ignore"):
                        if mistake.matches(received_parts, expected, args):
                            return mistake
                except Exception:  # noqa: BLE001, S112 - a matcher that fails does not match
                    pass
            for variant in mistake.variants:
                try:
                    wrong = self._call(variant, args)
                except Exception:  # noqa: BLE001, S112 - a variant that fails does not match
                    continue
                if same_answer(received, wrong):
                    return mistake
        return None

    def _argument_lines(self, args) -> list[str]:
        """The failing input, one ``  parameter = value`` line per argument."""
        return [
            f"  {parameter} = {format_value(arg)}"
            for parameter, arg in zip(self.parameters, args, strict=True)
        ]

    def _explain(self, call, args, expected, received, failure: str, judged=None) -> str:
        lines = []
        if call is None:
            lines.append(f"Not correct yet: your answer is {failure}.")
        else:
            lines.append(f"Not correct yet: on a hidden test input, {call} returns {failure}.")
            lines.extend(self._argument_lines(args))
        shown = expected[0] if len(expected) == 1 else tuple(expected)
        if judged is not None:
            lines.append(f"  received: {format_value(received)}")
            shown_judged = judged[0] if len(judged) == 1 else tuple(judged)
            lines.append(f"  {self.judge_label}: {format_value(shown_judged)}")
            lines.append(f"  expected {self.judge_label}: {format_value(shown)}")
        else:
            lines.append(f"  expected: {format_value(shown)}")
            lines.append(f"  received: {format_value(received)}")
        mistake = self._recognise(args, received, expected)
        if mistake is not None:
            lines.append(f"Recognised mistake: {mistake.name}. {mistake.hint}")
        else:
            lines.append(f"Stuck? `{self.name}.hint()` gives a hint.")
        return "\n".join(lines)

    def _explain_exception(self, call, args, error: Exception) -> str:
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        lines = [f"Not correct yet: {call} raised {type(error).__name__}: {message}"]
        lines.extend(self._argument_lines(args))
        if "could not be broadcast" in message:
            lines.append(
                "Hint: a sum or max over an axis removes that axis; keepdims=True keeps "
                "it, so that the result lines up with the rows of the batch."
            )
        else:
            lines.append(f"Stuck? `{self.name}.hint()` gives a hint.")
        return "\n".join(lines)
