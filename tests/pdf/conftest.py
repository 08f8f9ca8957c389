"""The PDF tests run only when asked for (``make pdf-check``, or ``pytest tests/pdf``).

They read ``_build/pdf/softmax-course.pdf``, which ``make pdf`` builds with TeX
Live, so a plain ``pytest tests`` (``make unit``) leaves them out, as it leaves
out the browser tests.
"""

from __future__ import annotations

from pathlib import Path

from support import ignored_unless_asked_for

HERE = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path, config):
    return ignored_unless_asked_for(HERE, collection_path, config)
