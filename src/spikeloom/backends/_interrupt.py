"""Ctrl-C (SIGINT) during a compiled run: stop at the next step boundary, never mid-step.

Python runs signal handlers in the main thread between bytecodes only, so a compiled loop
that never returns to Python cannot be interrupted by the default handler (the interrupt
was seen after the run, as a ``SystemError``, and could leave a half-written state behind).
While a run is in flight :class:`StopRequest` replaces the default SIGINT handler by one
that only raises a flag; the loop polls the flag once per step (Numba) or between chunks
of steps (JAX), stops after a whole step and reports :data:`STATUS_INTERRUPTED`; the
network then takes the finished steps back and raises :class:`KeyboardInterrupt`.
"""

from __future__ import annotations

import signal
import threading

import numpy as np

#: seconds the main thread waits for the loop's thread between two looks at signals
JOIN_POLL_S = 0.05


class StopRequest:
    """The flag a compiled loop polls (``array[0] != 0``: stop after this step).

    Used as a context manager around a run: in the main thread, and while SIGINT has
    Python's default handler, Ctrl-C sets the flag instead of raising at a random point.
    A handler the user installed is left alone (:func:`wait_for` copes with what it
    raises).
    """

    def __init__(self) -> None:
        self.array = np.zeros(1, np.int64)
        self.pending: BaseException | None = None
        self._previous = None

    @property
    def requested(self) -> bool:
        return bool(self.array[0])

    def request(self, exc: BaseException | None = None) -> None:
        """Ask the loop to stop; ``exc`` is raised once the finished steps are kept."""
        self.array[0] = 1
        if self.pending is None:
            self.pending = exc

    def _handler(self, signum, frame) -> None:
        self.request()

    def __enter__(self) -> StopRequest:
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def raise_pending(self) -> None:
        """Raise what stopped the run (:class:`KeyboardInterrupt` for Ctrl-C)."""
        raise self.pending if self.pending is not None else KeyboardInterrupt()


def _in_worker(call, stop: StopRequest, thread_name: str, abandon: bool):
    """``call()`` in a daemon thread while the main thread waits and keeps what a signal
    handler raises in ``stop``; with ``abandon``, :data:`STOPPED` as soon as a stop is
    requested (the thread goes on and its result is dropped)."""
    result: dict = {}

    def target() -> None:
        try:
            result["value"] = call()
        except BaseException as exc:  # re-raised in the caller's thread below
            result["error"] = exc

    worker = threading.Thread(target=target, name=thread_name, daemon=True)
    worker.start()
    while worker.is_alive():
        if abandon and stop.requested:
            return STOPPED
        try:
            worker.join(JOIN_POLL_S)
        except BaseException as exc:  # a handler the user installed raised
            stop.request(exc)
    if "error" in result:
        raise result["error"]
    return result["value"]


def wait_for(call, stop: StopRequest):
    """``call()`` in a worker thread while the main thread waits, so that signals are
    handled during a loop that releases the GIL (``nogil``); returns its result.

    Whatever a signal handler raises meanwhile is kept in ``stop`` (and stops the loop)
    instead of leaving a loop running on arrays Python would go on to use. Outside the
    main thread no signal arrives, so ``call`` runs directly.
    """
    if threading.current_thread() is not threading.main_thread():
        return call()
    return _in_worker(call, stop, "spikeloom-run", abandon=False)


#: what :func:`unless_stopped` returns when the stop came first
STOPPED = object()


def unless_stopped(call, stop: StopRequest | None):
    """``call()``, or :data:`STOPPED` as soon as a stop is requested while it runs.

    For calls without effects on shared state (compiling a program, seconds long): the
    call goes on in a daemon thread and its result is dropped, so Ctrl-C during a
    compile in the middle of a run answers at once instead of after the compile.
    """
    if stop is None or threading.current_thread() is not threading.main_thread():
        return call()
    return _in_worker(call, stop, "spikeloom-compile", abandon=True)
