"""Threaded loops (``SPIKELOOM_THREADS`` > 1) give exactly the serial results.

The parallel renderer splits element loops over Numba's threads, collects spikes chunk by
chunk and delivers synaptic events by target partition; every element is computed as in the
serial loop, spikes are packed in index order and each target receives its events in spike
order, so a seeded run must give the same spike trains and state bit for bit. A plan is made
parallel only above a size threshold; the test lowers that threshold to 0 to force it on a
network small enough for a unit test.
"""

import numpy as np
import pytest

import spikeloom as sl
from spikeloom.backends.numba import _run
from spikeloom.demo import build_coba


def _coba_run(n: int, seed: int, delays: str | None = None):
    sl.seed(seed)
    net = build_coba(n, p=0.05)
    net.neurons.v = "Vr + rand()*(Vt - Vr) + 2*mV*randn()"  # exercise both draw kinds
    if delays is not None:  # per-synapse delays: delay groups split by target partition
        net.exc.delay = delays
    net.network.run(60 * sl.ms, report=None)
    return (np.asarray(net.spikes.i[:]), np.asarray(net.spikes.t[:] / sl.ms),
            np.asarray(net.neurons.v[:] / sl.mV), np.asarray(net.neurons.ge[:]))


@pytest.mark.parametrize("delays", [None, "rand()*3*ms"])
def test_threaded_run_equals_serial_run(monkeypatch, delays):
    serial = _coba_run(600, 3, delays)
    monkeypatch.setattr(_run, "PARALLEL_MIN_ELEMENTS", 0)
    monkeypatch.setenv("SPIKELOOM_THREADS", "2")
    import numba

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("Numba has a single thread here")
    threaded = _coba_run(600, 3, delays)
    assert len(serial[0]) > 100  # the network is active: the comparison means something
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)


def test_threads_are_used_only_when_asked_and_above_the_size_threshold(monkeypatch):
    monkeypatch.setenv("SPIKELOOM_THREADS", "2")
    import numba

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("Numba has a single thread here")
    from spikeloom import ir

    def plan_of(n):
        block = ir.ElementLoop("g", 1, "dt", start=0, stop="N", kernel=ir.Kernel())
        return ir.Plan(arrays=(), scalars=(("N", "int64"), ("dt", "float64")),
                       blocks=(block,)), {"N": n, "dt": 1e-4}

    assert not _run.use_threads(*plan_of(_run.PARALLEL_MIN_ELEMENTS - 1))
    assert _run.use_threads(*plan_of(_run.PARALLEL_MIN_ELEMENTS))
    monkeypatch.setenv("SPIKELOOM_THREADS", "1")
    assert not _run.use_threads(*plan_of(10 * _run.PARALLEL_MIN_ELEMENTS))
    monkeypatch.delenv("SPIKELOOM_THREADS")  # the default is one thread
    assert not _run.use_threads(*plan_of(10 * _run.PARALLEL_MIN_ELEMENTS))
    monkeypatch.setenv("SPIKELOOM_THREADS", "two")
    with pytest.raises(ValueError, match="SPIKELOOM_THREADS.*'two'"):
        _run.use_threads(*plan_of(10))
