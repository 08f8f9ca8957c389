"""The PDF tests run only when asked for (``make pdf-check``, or ``pytest tests/pdf``).

They read ``_build/pdf/softmax-course.pdf``, which ``make pdf`` builds with TeX
Live, so a plain ``pytest tests`` (``make unit``) leaves them out, as it leaves
out the browser tests.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def _asked_for(config) -> bool:
    for arg in config.args:
        path = Path(str(arg).split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path, config):
    path = Path(collection_path).resolve()
    if (path == HERE or HERE in path.parents) and not _asked_for(config):
        return True
    return None
