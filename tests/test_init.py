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
import softmax_course.online
import softmax_course.testing

#: Modules that ``import softmax_course`` must not load (each is imported where used).
HEAVY = ("mpmath", "scipy", "matplotlib", "tensorflow", "keras", "sklearn", "dask")

#: The top level: what a chapter uses every day, and little else (issue 20).
TOP_LEVEL = {
    "cross_entropy",
    "entropy",
    "kl_divergence",
    "log_sigmoid",
    "log_softmax",
    "logit",
    "logsumexp",
    "one_hot",
    "sigmoid",
    "softmax",
    "softmax_jacobian",
}

#: Where the exercises package imports from: these paths must not move.
FIXED_PATHS = [
    ("softmax_course.teaching", "naive_softmax"),
    ("softmax_course.sampling", "sampling_distribution"),
    ("softmax_course.calibration", "expected_calibration_error"),
    ("softmax_course.regression", "softmax_regression_loss_grad"),
]


def _public_modules():
    """Every public module and subpackage (not the test oracles, not the exercises)."""
    for info in pkgutil.walk_packages(softmax_course.__path__, "softmax_course."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts) or parts[1] in ("testing", "exercises"):
            continue
        yield importlib.import_module(info.name)


def _defined_public_names(module):
    """Functions and classes a module defines (not imports) under a public name."""
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(value) or inspect.isclass(value):
            yield name


def test_the_top_level_is_small():
    assert set(softmax_course.__all__) == TOP_LEVEL
    for name in TOP_LEVEL:
        assert hasattr(softmax_course, name), name


def test_the_paths_the_exercises_use_stay():
    for module, name in FIXED_PATHS:
        assert callable(getattr(importlib.import_module(module), name)), (module, name)


@pytest.mark.parametrize("module", list(_public_modules()), ids=lambda m: m.__name__)
def test_all_is_sorted_unique_and_resolves(module):
    names = module.__all__
    assert len(names) == len(set(names))
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    for name in names:
        assert hasattr(module, name), name


def test_every_public_function_and_class_is_exported_by_its_module():
    for module in _public_modules():
        missing = set(_defined_public_names(module)) - set(module.__all__)
        if module.__name__.startswith("softmax_course.online."):
            missing -= set(softmax_course.online.__all__)
        assert not missing, f"{module.__name__} does not export {sorted(missing)}"


def test_every_exported_function_lives_in_a_public_module():
    for module in _public_modules():
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isfunction(value) or inspect.isclass(value):
                parts = value.__module__.split(".")
                assert parts[0] == "softmax_course", name
                assert not any(part.startswith("_") for part in parts), name


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
MODULES = [*_public_modules(), softmax_course.testing]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_option_is_keyword_only(module):
    for name, function in _functions(module):
        for parameter in inspect.signature(function).parameters.values():
            if (name, parameter.name) in DATA_WITH_DEFAULT:
                continue
            if parameter.default is not parameter.empty:
                assert parameter.kind is parameter.KEYWORD_ONLY, f"{name}({parameter.name}=...)"


@pytest.mark.parametrize("module", list(_public_modules()), ids=lambda m: m.__name__)
def test_public_functions_are_annotated(module):
    for name, function in _functions(module):
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
