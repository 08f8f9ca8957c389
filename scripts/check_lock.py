"""Check that the lock installs from wheels on every supported platform.

Usage: python scripts/check_lock.py [--force] [--jobs N]

For each supported platform and Python version, resolves requirements.txt
(which applies constraints.txt, the lock) with uv, as pip would install it
there, but with wheels only (`--only-binary :all:`): a package with no wheel
for a platform would make a learner there build it from source, or fail. The
check also fails when the resolution needs a package that constraints.txt does
not pin (the lock is out of date: run `make lock`).

It needs the package index only, like the install. uv caches the index (the
first Python version of each platform revalidates it, the others reuse it); a
passing result is also remembered in the virtual environment (keyed on the
files it read and uv's version), so an unchanged lock is not checked again
until `--force` or `make clean`.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from uv import find_uv_bin

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
LOCK = ROOT / "constraints.txt"
INPUTS = (REQUIREMENTS, LOCK, ROOT / "pyproject.toml", Path(__file__).resolve())

# (name in README's "Supported platforms" table, uv's --python-platform, environment)
PLATFORMS = (
    ("Linux x86-64 (glibc 2.28+)", "x86_64-manylinux_2_28", {}),
    ("Linux aarch64 (glibc 2.28+)", "aarch64-manylinux_2_28", {}),
    ("macOS 12+ on Apple silicon", "aarch64-apple-darwin", {"MACOSX_DEPLOYMENT_TARGET": "12.0"}),
    ("Windows x86-64", "x86_64-pc-windows-msvc", {}),
)


def _supported_pythons() -> tuple[str, ...]:
    """The versions scripts/check_python.py lets `make setup` use, as uv spells them."""
    path = Path(__file__).resolve().with_name("check_python.py")
    spec = importlib.util.spec_from_file_location("check_python", path)
    check_python = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_python)
    return tuple(f"{major}.{minor}" for major, minor in check_python.SUPPORTED_PYTHONS)


PYTHONS = _supported_pythons()

STAMP = Path(sys.prefix) / ".lock-check.json"

NO_WHEEL = re.compile(
    r"Because (?P<package>[A-Za-z0-9._-]+)==(?P<version>\S+) has no (?:usable )?wheels"
    r"(?: with a matching (?P<what>[A-Za-z ]*?tag)(?: \(e\.g\., `(?P<tag>[^`]+)`\))?)?"
)
AVAILABLE = re.compile(r"Wheels are available for `[^`]+` \([^)]*\) on the following \w+: (.*)")
PIN = re.compile(r"^([A-Za-z0-9._-]+)==", re.MULTILINE)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def uv_version(uv: str) -> str:
    return subprocess.run([uv, "--version"], capture_output=True, text=True, check=True).stdout


def fingerprint(uv: str) -> str:
    digest = hashlib.sha256(uv_version(uv).encode())
    for path in INPUTS:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(repr((PLATFORMS, PYTHONS)).encode())
    return digest.hexdigest()


def explain(output: str, platform: str, python: str) -> str:
    """One sentence naming the platform and the package without a wheel, if uv says which."""
    where = f"{platform}, Python {python}"
    found = NO_WHEEL.search(output)
    if found:
        line = f"{where}: no wheel of {found['package']}=={found['version']}"
        if found["what"]:
            line += f" with a matching {found['what']}"
            line += f" ({found['tag']})" if found["tag"] else ""
        available = AVAILABLE.search(output)
        if available:
            line += f"; it has wheels for {available[1].replace('`', '').strip().rstrip('.')}"
        return line
    reason = next(
        (s.strip() for s in output.splitlines() if s.strip().startswith(("cause:", "error:"))),
        output.strip().splitlines()[-1] if output.strip() else "uv failed",
    )
    return f"{where}: {reason}"


def resolve(uv: str, platform: tuple, python: str, offline: bool = False) -> tuple[bool, str]:
    name, target, extra_env = platform
    env = {**os.environ, **extra_env, "UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"}
    command = [
        uv, "pip", "compile", str(REQUIREMENTS.relative_to(ROOT)),
        "--python-platform", target, "--python-version", python,
        "--only-binary", ":all:",
        "--no-header", "--no-annotate",
    ] + (["--offline"] if offline else [])  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0 and offline:
        return resolve(uv, platform, python)  # something not in uv's cache yet: ask the index
    if done.returncode != 0:
        return False, explain(done.stderr + done.stdout, name, python)
    pinned = {normalise(p) for p in PIN.findall(LOCK.read_text())}
    resolved = {normalise(p) for p in PIN.findall(done.stdout)}
    unpinned = sorted(resolved - pinned)
    if unpinned:
        return False, (
            f"{name}, Python {python}: {', '.join(unpinned)} not pinned in constraints.txt "
            "(the lock is out of date: run `make lock`)"
        )
    return True, f"{name}, Python {python}: {len(resolved)} packages, all from wheels"


def check_platform(uv: str, platform: tuple) -> list[tuple[bool, str]]:
    """Every Python version on one platform: the first asks the index (uv revalidates its
    cache), the others resolve from that fresh cache, and ask the index only if it lacks
    something (a wheel's metadata for that Python version)."""
    return [resolve(uv, platform, python, offline=i > 0) for i, python in enumerate(PYTHONS)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="check even if checked before")
    parser.add_argument("--jobs", type=int, default=4, help="platforms at once (default 4)")
    args = parser.parse_args(argv)

    uv = find_uv_bin()
    key = fingerprint(uv)
    if not args.force and STAMP.exists():
        try:
            if json.loads(STAMP.read_text()).get("fingerprint") == key:
                print("lock check: constraints.txt unchanged since it passed (--force to redo)")
                return 0
        except (OSError, ValueError):
            pass

    start = time.perf_counter()
    jobs = [(platform, python) for platform in PLATFORMS for python in PYTHONS]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = sum(pool.map(lambda platform: check_platform(uv, platform), PLATFORMS), [])
    seconds = time.perf_counter() - start

    failures = [message for ok, message in results if not ok]
    for ok, message in results:
        print(("  ok    " if ok else "  FAIL  ") + message)
    if failures:
        print(
            f"lock check FAILED for {len(failures)} of {len(jobs)} platform/Python pairs "
            f"({seconds:.0f} s):",
            file=sys.stderr,
        )
        for message in failures:
            print(f"  {message}", file=sys.stderr)
        print(
            "  Fix: pin a version with wheels there (a marker in requirements.txt if only "
            "that platform needs another package), then `make lock`.",
            file=sys.stderr,
        )
        return 1
    STAMP.write_text(json.dumps({"fingerprint": key, "checked": time.time()}))
    print(
        f"lock check: constraints.txt installs from wheels on {len(PLATFORMS)} platforms x "
        f"Python {', '.join(PYTHONS)} ({seconds:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
