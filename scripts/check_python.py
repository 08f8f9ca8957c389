"""Refuse, before a long install, a Python or a platform the course cannot run on.

Run by `make` with the interpreter that will create .venv (or the one in it):
    python3 scripts/check_python.py
Exit status 0 and no output when supported; 1 with the reason otherwise.

Written for any Python 3 (no f-strings, no newer syntax), so that an old
interpreter gets the message rather than a SyntaxError.
"""
# ruff: noqa: UP030, UP032  (str.format on purpose: see above)

import platform
import sys

# The one list of supported versions: scripts/check_lock.py checks the lock for these, and
# pyproject.toml's requires-python (">=3.11, <3.14") says the same to pip.
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))

# (sys.platform, platform.machine() lower-cased) -> name in README's table
SUPPORTED_PLATFORMS = {
    ("linux", "x86_64"): "Linux x86-64",
    ("linux", "amd64"): "Linux x86-64",
    ("linux", "aarch64"): "Linux aarch64",
    ("linux", "arm64"): "Linux aarch64",
    ("darwin", "arm64"): "macOS on Apple silicon",
    ("win32", "amd64"): "Windows x86-64",
    ("win32", "x86_64"): "Windows x86-64",
}

WHY = (
    "TensorFlow 2.21 (the Keras chapters and the Keras reference tests)\n"
    "  publishes wheels for Python 3.10 to 3.13 only, none yet for 3.14, and the course\n"
    "  package needs Python 3.11 or newer."
)


def _spoken(versions):
    """((3, 11), (3, 12), (3, 13)) -> '3.11, 3.12 and 3.13'."""
    names = ["{0}.{1}".format(*version) for version in versions]
    return ", ".join(names[:-1]) + " and " + names[-1]


def main():
    version = sys.version_info[:2]
    here = "{0} is Python {1}.{2}".format(sys.executable, version[0], version[1])
    problems = []
    if version not in SUPPORTED_PYTHONS:
        problems.append(
            "{0}; the course supports Python {1}.\n  Why: {2}\n"
            "  Fix: install one of them (python.org, your package manager, pyenv or\n"
            "  `uv python install 3.12`), then run for example\n"
            "      make clean && make test BASE_PYTHON=python3.12".format(
                here, _spoken(SUPPORTED_PYTHONS), WHY
            )
        )
    system = "linux" if sys.platform.startswith("linux") else sys.platform
    key = (system, platform.machine().lower())
    if key not in SUPPORTED_PLATFORMS:
        problems.append(
            "this is {0} on {1}; the course's lock covers Linux x86-64 and aarch64,\n"
            "  macOS on Apple silicon (arm64) and Windows x86-64.\n"
            "  Why: TensorFlow 2.21 has wheels for those only (none for macOS on Intel,\n"
            "  none for Windows on ARM). On Windows, an x86-64 Python or WSL works;\n"
            "  on an Intel Mac, a Linux virtual machine or container; on an Apple silicon\n"
            "  Mac, a Python built for arm64 (one running under Rosetta reports x86_64).".format(
                sys.platform, platform.machine() or "an unknown machine"
            )
        )
    if problems:
        sys.stderr.write("make: cannot set up the course: " + "\nmake: and ".join(problems))
        sys.stderr.write("\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
