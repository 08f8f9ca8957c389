"""The lock (constraints.txt) and the scripts that make and check it, offline.

`make lock-check` resolves the lock for every platform against the package
index; these tests check, without the network, that the lock agrees with
requirements.txt, that its platform markers are right, and that a failure
is reported with the platform and the package.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*([^#]*?))?\s*(?:#.*)?$")


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pins(path: Path) -> dict[str, list[tuple[str, str | None]]]:
    """name -> [(version, marker or None)] of every `name==version` line of a pip file."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            name = re.sub(r"[-_.]+", "-", match[1]).lower()
            found.setdefault(name, []).append((match[2], match[3] or None))
    return found


def test_every_top_level_pin_is_in_the_lock_with_the_same_version():
    top, lock = pins(ROOT / "requirements.txt"), pins(ROOT / "constraints.txt")
    assert len(top) >= 20
    for name, versions in top.items():
        assert name in lock, f"{name} is pinned in requirements.txt but not in constraints.txt"
        assert {v for v, _ in versions} == {v for v, _ in lock[name]}, name


def test_tensorflow_cpu_where_it_has_wheels_tensorflow_elsewhere():
    lock = pins(ROOT / "constraints.txt")
    ((cpu_version, cpu_marker),) = lock["tensorflow-cpu"]
    ((full_version, full_marker),) = lock["tensorflow"]
    assert cpu_version == full_version
    for system, machine, cpu_build in (
        ("linux", "x86_64", True),
        ("win32", "AMD64", True),
        ("linux", "aarch64", False),
        ("darwin", "arm64", False),
    ):
        env = {"sys_platform": system, "platform_machine": machine}
        assert evaluate(cpu_marker, env) is cpu_build, (system, machine)
        assert evaluate(full_marker, env) is not cpu_build, (system, machine)


def evaluate(marker: str, env: dict[str, str]) -> bool:
    from packaging.markers import Marker

    return Marker(marker).evaluate(env)


def test_the_lock_pins_every_package_once_per_environment():
    for name, versions in pins(ROOT / "constraints.txt").items():
        if len(versions) > 1:  # a fork: each version must carry a marker
            assert all(marker for _, marker in versions), name


@pytest.fixture(scope="module")
def check_lock():
    pytest.importorskip("uv")
    return load_script("check_lock")


def test_the_check_covers_the_supported_platforms_and_pythons(check_lock):
    targets = {target for _, target, _ in check_lock.PLATFORMS}
    assert targets == {
        "x86_64-manylinux_2_28",
        "aarch64-manylinux_2_28",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    }
    assert check_lock.PYTHONS == ("3.11", "3.12", "3.13")


UV_NO_WHEEL = """\
  x No solution found when resolving dependencies:
  `-> Because tensorflow-cpu==2.21.0 has no wheels with a matching platform tag (e.g.,
      `macosx_12_0_arm64`) and you require tensorflow-cpu==2.21.0, we can conclude that
      your requirements are unsatisfiable.
"""


def test_a_missing_wheel_is_reported_with_platform_and_package(check_lock):
    # uv wraps long lines; the check reads its unwrapped form (NO_COLOR, no terminal)
    flat = " ".join(UV_NO_WHEEL.split()) + (
        "\nhint: Wheels are available for `tensorflow-cpu` (v2.21.0) on the following "
        "platforms: `manylinux_2_27_x86_64`, `win_amd64`"
    )
    message = check_lock.explain(flat, "macOS 12+ on Apple silicon", "3.13")
    assert message == (
        "macOS 12+ on Apple silicon, Python 3.13: no wheel of tensorflow-cpu==2.21.0 with a "
        "matching platform tag (macosx_12_0_arm64); it has wheels for manylinux_2_27_x86_64, "
        "win_amd64"
    )


def test_no_usable_wheel_and_other_errors_are_reported(check_lock):
    message = check_lock.explain(
        "error: No solution found\n  cause: Because numpy==2.4.6 has no usable wheels and you "
        "require numpy==2.4.6, we can conclude that your requirements are unsatisfiable.",
        "Linux aarch64",
        "3.11",
    )
    assert message == "Linux aarch64, Python 3.11: no wheel of numpy==2.4.6"
    other = check_lock.explain("error: Failed to fetch: `https://pypi.org/simple/x/`", "W", "3.12")
    assert other == "W, Python 3.12: error: Failed to fetch: `https://pypi.org/simple/x/`"


@pytest.mark.parametrize(
    ("version", "ok"), [((3, 10), False), ((3, 11), True), ((3, 13), True), ((3, 14), False)]
)
def test_make_refuses_an_unsupported_python_and_says_why(version, ok, monkeypatch, capsys):
    check_python = load_script("check_python")
    monkeypatch.setattr(check_python.sys, "version_info", (*version, 0, "final", 0))
    monkeypatch.setattr(check_python.sys, "platform", "linux")
    monkeypatch.setattr(check_python.platform, "machine", lambda: "x86_64")
    assert check_python.main() == (0 if ok else 1)
    err = capsys.readouterr().err
    if ok:
        assert err == ""
    else:
        assert f"Python {version[0]}.{version[1]}" in err
        assert "supports Python 3.11, 3.12 and 3.13" in err
        assert "TensorFlow" in err


def test_make_refuses_an_intel_mac(monkeypatch, capsys):
    check_python = load_script("check_python")
    monkeypatch.setattr(check_python.sys, "platform", "darwin")
    monkeypatch.setattr(check_python.platform, "machine", lambda: "x86_64")
    assert check_python.main() == 1
    assert "none for macOS on Intel" in capsys.readouterr().err


def test_check_python_runs_in_this_interpreter():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_python.py")],
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stderr) == (0, "")
