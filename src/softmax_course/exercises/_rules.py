"""The rules of an exercise: what the learner's function may not call.

Where an exercise says "using only NumPy" or "without forming J", the checker
reads what the learner's function refers to, before running it: the globals and
closure variables its code loads (``softmax``, ``scipy``), the attributes it
reads from modules (``scipy.special.softmax``, ``np.outer``), the modules it
imports inside its body, and, recursively, the same for the helper functions it
calls that the learner wrote (not for library functions). Every name is
resolved to the object it names at check time, so ``from scipy.special import
softmax as sm`` is found under any name. Code that reaches a forbidden function
without naming it (``getattr`` on a string, ``eval``) is not found: the rules
catch honest mistakes, not a determined cheat.
"""

from __future__ import annotations

import dis
import functools
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .. import softmax_jacobian

__all__ = ["NO_JACOBIAN", "NO_READY_MADE_LOSS", "NUMPY_ONLY", "Rule", "broken_rule"]

#: Libraries other than NumPy that compute a softmax (or a step of it).
_OTHER_LIBRARIES = frozenset(
    {"softmax_course", "scipy", "torch", "jax", "jaxlib", "tensorflow", "keras", "sklearn"}
    | {"mpmath", "pandas", "numba", "cupy", "special"}
)

#: Library code is not read: only the learner's own helper functions are.
_LIBRARY_ROOTS = _OTHER_LIBRARIES | {"numpy", "builtins"} | set(sys.stdlib_module_names)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A rule of an exercise: the calls it forbids, and what the verdict says.

    Parameters
    ----------
    asks : str
        What the exercise asks, as the verdict quotes it ("NumPy only").
    forbids : callable
        ``forbids(name, obj) -> bool`` for each dotted name the function
        refers to and the object it names.
    advice : str
        How to do without it.
    """

    asks: str
    forbids: Callable[[str, object], bool]
    advice: str


def _root(obj) -> str:
    """The top-level package an object comes from, without running any code of it."""
    obj = _unwrap(obj)
    if isinstance(obj, types.ModuleType):
        return obj.__name__.split(".")[0]
    if isinstance(obj, np.ufunc):  # ufuncs have no __module__: NumPy's are in np
        return "numpy" if getattr(np, obj.__name__, None) is obj else "special"
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, type)):
        module = obj.__module__
    else:  # an instance (a callable object): its class says where it comes from
        module = type(obj).__module__
    return module.split(".")[0] if isinstance(module, str) else ""


def _unwrap(obj):
    """The function behind a ``functools.partial`` or a bound method."""
    for _ in range(10):
        if isinstance(obj, functools.partial):
            obj = obj.func
        elif isinstance(obj, types.MethodType):
            obj = obj.__func__
        else:
            break
    return obj


def _from_other_library(name: str, obj) -> bool:
    return _root(obj) in _OTHER_LIBRARIES


def _one_of(*objects) -> Callable[[str, object], bool]:
    """A ``forbids`` that refuses exactly these functions (under any name)."""

    def forbids(name: str, obj) -> bool:
        obj = _unwrap(obj)
        return any(obj is forbidden for forbidden in objects)

    return forbids


_forms_jacobian = _one_of(softmax_jacobian, np.outer, np.diag, np.diagflat, np.eye, np.identity)


def _a_ready_made_loss(name: str, obj) -> bool:
    """A library's cross-entropy (the package's, Keras's, TensorFlow's, scikit-learn's)."""
    last = name.rsplit(".", 1)[-1].lower()
    is_loss = "cross_entropy" in last or "crossentropy" in last or last == "log_loss"
    return is_loss and _root(obj) in _OTHER_LIBRARIES


NUMPY_ONLY = Rule(
    asks="NumPy only",
    forbids=_from_other_library,
    advice="write the steps with NumPy (np.exp, np.max, np.sum, np.log) instead",
)

NO_READY_MADE_LOSS = Rule(
    asks="the loss written from log_softmax",
    forbids=_a_ready_made_loss,
    advice="take log_softmax of the logits, pick each row's entry at its label and "
    "return minus their mean",
)

NO_JACOBIAN = Rule(
    asks="the product without forming J",
    forbids=_forms_jacobian,
    advice="J v = p * (v - p @ v) needs only p, one dot product and two element-wise "
    "operations, never a K x K matrix",
)


def _is_learner_function(obj) -> bool:
    if not isinstance(obj, types.FunctionType):
        return False
    module = obj.__module__ if isinstance(obj.__module__, str) else ""
    return module.split(".")[0] not in _LIBRARY_ROOTS


def _code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_objects(constant)


_LOADS = {"LOAD_GLOBAL", "LOAD_DEREF", "LOAD_NAME", "LOAD_CLASSDEREF"}
_ATTRIBUTES = {"LOAD_ATTR", "LOAD_METHOD"}


def _references(function: types.FunctionType) -> Iterator[tuple[str, object]]:
    """Every (dotted name, object) that the function's code loads from outside itself."""
    namespace = dict(vars(__import__("builtins")))
    namespace.update(function.__globals__)
    closure = function.__closure__ or ()
    namespace.update(
        {
            name: cell.cell_contents
            for name, cell in zip(function.__code__.co_freevars, closure, strict=False)
            if _cell_is_set(cell)
        }
    )
    for code in _code_objects(function.__code__):
        current: tuple[str, object] | None = None
        for instruction in dis.get_instructions(code):
            name = instruction.argval if isinstance(instruction.argval, str) else None
            extends = (
                instruction.opname in _ATTRIBUTES
                and current is not None
                and name is not None
                and isinstance(current[1], types.ModuleType)
                and hasattr(current[1], name)
            )
            if extends:
                dotted, module = current
                current = (f"{dotted}.{name}", getattr(module, name))
                continue
            if current is not None:
                yield current
                current = None
            if instruction.opname in _LOADS and name in namespace:
                current = (name, namespace[name])
            elif instruction.opname == "IMPORT_NAME" and name:
                module = sys.modules.get(name)
                yield name, module if module is not None else types.ModuleType(name)
        if current is not None:
            yield current


def _cell_is_set(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises ValueError
    except ValueError:
        return False
    return True


def broken_rule(function, rules: tuple[Rule, ...]) -> tuple[Rule, str] | None:
    r"""The first rule the function breaks, and the dotted name that breaks it.

    Parameters
    ----------
    function : callable
        The learner's function.
    rules : tuple of Rule
        The exercise's rules.

    Returns
    -------
    (Rule, str) or None

    Examples
    --------
    A learner's function, as a notebook defines it (module ``__main__``):

    >>> import scipy.special
    >>> notebook = {"__name__": "__main__", "scipy": scipy}
    >>> exec("def my_softmax(z):\n    return scipy.special.softmax(z, axis=-1)", notebook)
    >>> rule, name = broken_rule(notebook["my_softmax"], (NUMPY_ONLY,))
    >>> rule.asks, name
    ('NumPy only', 'scipy.special.softmax')
    """
    if not rules:
        return None
    function = _unwrap(function)
    if isinstance(function, (types.FunctionType, types.BuiltinFunctionType, type)):
        itself = f"{function.__module__}.{function.__qualname__}"
    else:
        itself = f"a {type(function).__module__}.{type(function).__qualname__} object"
    for rule in rules:
        if rule.forbids(itself, function):
            return rule, itself
    if not _is_learner_function(function):
        return None
    seen: set[int] = set()
    pending = [function]
    while pending:
        current = pending.pop()
        if id(current) in seen or not isinstance(current, types.FunctionType):
            continue
        seen.add(id(current))
        for name, obj in _references(current):
            for rule in rules:
                if rule.forbids(name, obj):
                    return rule, name
            if _is_learner_function(_unwrap(obj)):
                pending.append(_unwrap(obj))
    return None
