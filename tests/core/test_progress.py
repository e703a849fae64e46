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
    net.run(1 * second, report="text")
    err = capsys.readouterr().err
    total = 10000  # steps
    counts = [int(n) for n, t in re.findall(r"(\d+)/(\d+)", err) if int(t) == total]
    assert any(0 < c < total for c in counts), f"no intermediate progress in {err[-500:]!r}"
    assert net.t_ == pytest.approx(1.001, abs=1e-12)
