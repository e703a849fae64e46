"""Progress reports of ``run(report=...)``, as Brian2 prints them.

``report='text'`` (or ``'stdout'``, ``'stderr'``) writes Brian2's lines::

    Starting simulation at t=0. s for a duration of 1. s
    0.5 s (50%) simulated in 10s, estimated 10s remaining.
    1. s (100%) simulated in 20s

at the start, every ``report_period`` of wall time while the compiled loop runs (a thread
reads the loop's step counter), and at the end; a callable gets Brian2's arguments
``(elapsed, completed, start, duration)``. ``report='tqdm'`` draws a progress bar.
"""

from __future__ import annotations

import sys
import time

from .. import units


def format_wall_time(seconds: float) -> str:
    """Brian2's rendering of a wall time: '3h 25m 45s', '2m 3s', '12s', '< 1s'."""
    parts = []
    remaining = seconds
    for size, letter in ((86400, "d"), (3600, "h"), (60, "m"), (1, "s")):
        whole = int(remaining / size)
        remaining -= whole * size
        if whole > 0 or parts:
            parts.append(f"{whole}{letter}")
    return " ".join(parts) or "< 1s"


class TextReport:
    """Writes Brian2's progress lines to ``stream``."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def __call__(self, elapsed, completed: float, start, duration) -> None:
        if completed == 0.0:
            self.stream.write(f"Starting simulation at t={start} for a duration of "
                              f"{duration}\n")
        else:
            wall = float(elapsed / units.second)
            line = (f"{completed * duration} ({int(completed * 100.0)}%) simulated in "
                    f"{format_wall_time(wall)}")
            if completed < 1.0:
                left = int(round((1 - completed) / completed * wall))
                line += f", estimated {format_wall_time(left)} remaining."
            self.stream.write(line + "\n")
        self.stream.flush()


class RunReport:
    """Calls a Brian2 report callback at the start, every ``period`` seconds of wall time
    (when :meth:`poll` is called with the steps done), and at the end.

    Parameters
    ----------
    callback : callable
        ``callback(elapsed, completed, start, duration)`` (Brian2's signature).
    start, duration : Quantity (time)
        Network time at the start and the run's duration.
    total_steps : int
    period : float
        Wall seconds between reports.
    """

    def __init__(self, callback, start, duration, total_steps: int, period: float) -> None:
        self.callback, self.start, self.duration = callback, start, duration
        self.total_steps, self.period = max(total_steps, 1), period
        self.t0 = time.perf_counter()
        self.next_report = self.t0 + period
        callback(0 * units.second, 0.0, start, duration)

    def poll(self, done_steps: int) -> None:
        now = time.perf_counter()
        if now > self.next_report and 0 < done_steps < self.total_steps:
            self.callback((now - self.t0) * units.second, done_steps / self.total_steps,
                          self.start, self.duration)
            self.next_report = now + self.period

    __call__ = poll  # the backends' progress hook

    def finish(self) -> None:
        self.callback((time.perf_counter() - self.t0) * units.second, 1.0, self.start,
                      self.duration)


def make_report(report, report_period, start, duration, total_steps: int):
    """The :class:`RunReport` for ``report`` ('text', 'stdout', 'stderr', a callable), or
    None for None and 'tqdm'; other values raise, naming what is allowed."""
    if report is None or report == "tqdm":
        return None
    if report in ("text", "stdout"):
        callback = TextReport(sys.stdout)
    elif report == "stderr":
        callback = TextReport(sys.stderr)
    elif isinstance(report, str):
        raise ValueError(f"run: report={report!r}; allowed are None, 'text', 'stdout', "
                         "'stderr', 'tqdm' or a callable")
    elif callable(report):
        callback = report
    else:
        raise TypeError(f"run: report must be None, 'text', 'stdout', 'stderr', 'tqdm' or a "
                        f"callable, got {type(report).__name__}")
    period = float(report_period / units.second)
    return RunReport(callback, start, duration, total_steps, period)
