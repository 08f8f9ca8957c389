"""Run a learner's code with a time limit, catching everything it raises.

A checker calls the learner's function, and converts what it returns, through
:func:`run_guarded`, the one place where the learner's code runs. Whatever
happens there becomes an :class:`Outcome`: the value, or the exception it
raised (any ``BaseException``: ``KeyboardInterrupt`` when the kernel is
interrupted, ``SystemExit`` from ``sys.exit()``), or the fact that it did not
return within the time limit. What it prints is captured, not shown.

How the time limit works:

* In the main thread of a process that has ``signal.setitimer`` (Linux and
  macOS, which is where Jupyter runs a notebook's cells), a ``SIGALRM`` timer
  interrupts the learner's code: the handler raises an exception inside it, at
  the next Python instruction (a single long NumPy call finishes first), and
  the timer fires again every 0.5 s, in case the code catches the first one
  (a loop that catches every one of them, ``while True: try: ... except: pass``,
  cannot be stopped this way, nor by an interrupt: only a restart stops it). Once the
  learner's code is done, later alarms are ignored; the previous handler is
  restored afterwards. When another timer is already
  running (such as pytest-timeout's), the thread fallback below is used so that
  it is not disturbed.
* Elsewhere (Windows, or a checker called off the main thread), the learner's
  code runs in a daemon worker thread that the caller waits for, at most the
  time limit. A thread cannot be killed: after the limit an exception is
  injected into it (``PyThreadState_SetAsyncExc``), which stops a Python loop
  at its next instruction; code blocked inside one C call (``time.sleep``, a
  huge NumPy operation) keeps running in the background until that call ends,
  and the verdict says so.
* Where neither exists (a Python without threads, such as JupyterLite's), the
  code runs without a time limit; exceptions are still explained.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import signal
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["DEFAULT_TIME_LIMIT", "Outcome", "run_guarded"]

#: Seconds that each call of a learner's function may take (``time_limit`` overrides it).
DEFAULT_TIME_LIMIT = 10.0

#: After the time limit, the alarm fires again this often, in case the code caught it.
_REPEAT = 0.5


class _TimeUp(BaseException):  # noqa: N818 - not an error of the learner's: the clock
    """Raised inside the learner's code when its time is up."""


@dataclass
class Outcome:
    """What happened when the learner's code ran.

    Attributes
    ----------
    value : object
        What the code returned (None when it did not return).
    error : BaseException or None
        What it raised, if anything.
    timed_out : bool
        True when it did not return within the time limit.
    still_running : bool
        True when it timed out and could not be stopped (thread fallback only).
    printed : str
        What it printed to stdout or stderr.
    """

    value: object = None
    error: BaseException | None = None
    timed_out: bool = False
    still_running: bool = False
    printed: str = ""


def _can_use_alarm() -> bool:
    if not hasattr(signal, "setitimer") or not hasattr(signal, "SIGALRM"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    return signal.getitimer(signal.ITIMER_REAL)[0] == 0.0


def _quietly(thunk: Callable[[], object]) -> object:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return thunk()


def _with_alarm(thunk: Callable[[], object], time_limit: float, outcome: Outcome) -> None:
    armed = [True]  # cleared as soon as the learner's code is done: later alarms are ignored

    def on_alarm(signum, frame):
        if armed[0]:
            raise _TimeUp

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, time_limit, _REPEAT)
            try:
                outcome.value = _quietly(thunk)
            finally:
                armed[0] = False
                signal.setitimer(signal.ITIMER_REAL, 0.0)
        except _TimeUp:
            outcome.timed_out = True
        except BaseException as error:  # noqa: BLE001 - the learner's, explained in the verdict
            outcome.error = error
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


def _raise_in(thread: threading.Thread) -> None:
    """Inject :class:`_TimeUp` into a thread, which stops it at its next Python instruction."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident), ctypes.py_object(_TimeUp)
    )


def _with_thread(thunk: Callable[[], object], time_limit: float, outcome: Outcome) -> None:
    box: dict[str, object] = {}

    def work():
        try:
            box["value"] = _quietly(thunk)
        except _TimeUp:
            pass
        except BaseException as error:  # noqa: BLE001 - the learner's, explained in the verdict
            box["error"] = error

    worker = threading.Thread(target=work, name="softmax-course-answer", daemon=True)
    try:
        worker.start()
    except RuntimeError:  # no threads here (WebAssembly, JupyterLite): no time limit
        work()
        outcome.value, outcome.error = box.get("value"), box.get("error")  # type: ignore[assignment]
        return
    deadline = time.monotonic() + time_limit
    try:
        while worker.is_alive() and time.monotonic() < deadline:
            worker.join(min(0.05, max(deadline - time.monotonic(), 0.0)))
    except KeyboardInterrupt as interrupt:
        _raise_in(worker)
        outcome.error = interrupt
        return
    if worker.is_alive():
        _raise_in(worker)
        worker.join(_REPEAT)
        outcome.timed_out = True
        outcome.still_running = worker.is_alive()
        return
    outcome.value = box.get("value")
    outcome.error = box.get("error")  # type: ignore[assignment]


def run_guarded(thunk: Callable[[], object], time_limit: float) -> Outcome:
    """Run ``thunk()`` (learner's code) with a time limit, never raising.

    Parameters
    ----------
    thunk : callable
        Runs the learner's code and returns its result.
    time_limit : float
        Seconds it may take.

    Returns
    -------
    Outcome

    Examples
    --------
    >>> run_guarded(lambda: 1 / 0, 1.0).error
    ZeroDivisionError('division by zero')
    >>> run_guarded(lambda: print("hi") or 3, 1.0)
    Outcome(value=3, error=None, timed_out=False, still_running=False, printed='hi\\n')
    """
    outcome = Outcome()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        if _can_use_alarm():
            _with_alarm(thunk, time_limit, outcome)
        else:
            _with_thread(thunk, time_limit, outcome)
    outcome.printed = printed.getvalue()
    return outcome
