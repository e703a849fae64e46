"""The progress bar follows the compiled loop while it runs (no Python between steps)."""

import re

import pytest

import spikeloom as sl
from spikeloom import NeuronGroup, ms, second


def test_progress_bar_shows_intermediate_steps_of_one_compiled_run(capsys):
    """A run of ~1 s wall time with report= draws counts strictly between 0 and the total.

    The loop is one compiled call, so intermediate counts can only come from the thread that
    reads the loop's step counter while the loop runs.
    """
    G = NeuronGroup(4000, "dv/dt = (2 - v)/(10*ms) + 0.01*sin(v)/ms : 1", threshold="v > 1",
                    reset="v = 0", method="rk4")
    net = sl.Network(G)
    net.run(1 * ms)  # compile outside the measured run
    capsys.readouterr()
    net.run(1 * second, report="tqdm")
    err = capsys.readouterr().err
    total = 10000  # steps
    counts = [int(n) for n, t in re.findall(r"(\d+)/(\d+)", err) if int(t) == total]
    assert any(0 < c < total for c in counts), f"no intermediate progress in {err[-500:]!r}"
    assert net.t_ == pytest.approx(1.001, abs=1e-12)


def test_text_report_prints_brian2s_lines_while_the_loop_runs(capsys):
    """report='text' prints Brian2's lines (format of Brian2 2.9's TextReport): the start,
    at least one intermediate line every report_period of wall time -- which only the
    thread reading the compiled loop's counter can produce -- and the end."""
    G = NeuronGroup(4000, "dv/dt = (2 - v)/(10*ms) + 0.01*sin(v)/ms : 1", threshold="v > 1",
                    reset="v = 0", method="rk4")
    net = sl.Network(G)
    net.run(1 * ms)
    capsys.readouterr()
    net.run(1 * second, report="text", report_period=0.1 * second)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Starting simulation at t=1. ms for a duration of 1. s"
    middle = [re.fullmatch(r".* \((\d+)%\) simulated in .*, estimated .* remaining\.", x)
              for x in lines[1:-1]]
    assert middle and all(m and 0 < int(m.group(1)) < 100 for m in middle), lines
    assert re.fullmatch(r"1\. s \(100%\) simulated in (< 1s|\d+s)", lines[-1]), lines[-1]


def test_report_callback_gets_brian2s_arguments():
    calls = []
    G = NeuronGroup(1, "v : 1")
    sl.Network(G).run(2 * ms, report=lambda *args: calls.append(args))
    assert [c[1] for c in calls] == [0.0, 1.0]
    assert float(calls[0][3] / ms) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="report='loud'"):
        sl.Network(G).run(1 * ms, report="loud")
