"""Tests of the package as a whole: its exports, its signatures and what importing it costs."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import softmax_course
import softmax_course.testing

#: Modules that ``import softmax_course`` must not load (each is imported where used).
HEAVY = ("mpmath", "scipy", "matplotlib", "tensorflow", "keras", "sklearn", "dask")

#: Public subpackages imported on demand, with their own ``__all__``.
SUBPACKAGES = ("softmax_course.testing", "softmax_course.exercises")


def _public_modules():
    for info in pkgutil.iter_modules(softmax_course.__path__, "softmax_course."):
        name = info.name
        if name.rsplit(".", 1)[1].startswith("_") or name in SUBPACKAGES or info.ispkg:
            continue
        yield importlib.import_module(name)


def _defined_public_names(module):
    """Functions and classes a module defines (not imports) under a public name."""
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(value) or inspect.isclass(value):
            yield name


def test_all_is_sorted_unique_and_resolves():
    names = softmax_course.__all__
    assert len(names) == len(set(names))
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    for name in names:
        assert hasattr(softmax_course, name), name


def test_all_lists_every_public_function_and_class_of_the_modules():
    defined = {name for module in _public_modules() for name in _defined_public_names(module)}
    missing = defined - set(softmax_course.__all__)
    assert not missing, f"defined in a module but not exported: {sorted(missing)}"


def test_every_exported_function_lives_in_a_public_module():
    for name in softmax_course.__all__:
        value = getattr(softmax_course, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            module = value.__module__.split(".")
            assert module[0] == "softmax_course" and not module[-1].startswith("_"), name


def test_test_oracles_are_not_part_of_the_api():
    assert not set(softmax_course.testing.__all__) & set(softmax_course.__all__)


def _functions(module):
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.isfunction(value):
            yield name, value
        elif inspect.isclass(value):
            for attribute, method in vars(value).items():
                function = getattr(method, "__func__", method)
                if inspect.isfunction(function) and not attribute.startswith("_"):
                    yield f"{name}.{attribute}", function


#: Data arguments with a default (like ``np.zeros(shape)``), positional by design.
DATA_WITH_DEFAULT = {("Normalizer.empty", "shape")}


@pytest.mark.parametrize("module", [softmax_course, softmax_course.testing], ids=str)
def test_every_option_is_keyword_only(module):
    for name, function in _functions(module):
        for parameter in inspect.signature(function).parameters.values():
            if (name, parameter.name) in DATA_WITH_DEFAULT:
                continue
            if parameter.default is not parameter.empty:
                assert parameter.kind is parameter.KEYWORD_ONLY, f"{name}({parameter.name}=...)"


def test_public_functions_are_annotated():
    for name, function in _functions(softmax_course):
        signature = inspect.signature(function)
        assert signature.return_annotation is not signature.empty, name


def test_the_package_is_marked_typed():
    assert (Path(softmax_course.__file__).parent / "py.typed").is_file()


def _loaded_after(statement):
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_import_loads_nothing_heavy():
    loaded = _loaded_after("import softmax_course")
    heavy = {name for name in loaded if name.split(".")[0] in HEAVY}
    assert not heavy, f"import softmax_course loaded {sorted(heavy)}"
    assert "softmax_course.testing" not in loaded
    assert "softmax_course.exercises" not in loaded


def test_the_oracles_load_mpmath_when_asked():
    loaded = _loaded_after("import softmax_course.testing")
    assert "mpmath" in loaded
    assert not {name for name in loaded if name.split(".")[0] in set(HEAVY) - {"mpmath"}}


def test_the_oracles_are_not_reachable_from_the_top_level():
    for name in softmax_course.testing.__all__:
        assert not hasattr(softmax_course, name), name
