"""Memory estimates before allocating: a MemoryEstimateError instead of an OOM kill.

No test allocates what it estimates: the large cases raise before allocating, and the
others shrink the available memory with a monkeypatched ``available_bytes``.
"""

import time

import numpy as np
import pytest

import spikeloom as sl
from spikeloom.core import _connect, _memory
from spikeloom.core._variables import DerivedVariable
from spikeloom.exceptions import MemoryEstimateError

MB = 10**6


@pytest.fixture(autouse=True)
def _default_prefs():
    yield
    sl.prefs.spikeloom.memory_check = True
    sl.prefs.spikeloom.memory_check_fraction = 0.9


@pytest.fixture
def available(monkeypatch):
    """Set the available memory (bytes) the checks see."""
    def set_available(n_bytes: int) -> None:
        monkeypatch.setattr(_memory, "available_bytes", lambda: n_bytes)
    return set_available


def _synapses(n_pre: int, n_post: int | None = None, name: str | None = None
              ) -> sl.Synapses:
    G = sl.NeuronGroup(n_pre, "v : 1", threshold="v > 1")
    H = G if n_post is None else sl.NeuronGroup(n_post, "v : 1")
    return sl.Synapses(G, H, "w : 1\nx : 1", on_pre="v_post += w", delay=1 * sl.ms,
                       name=name)


def _stored_bytes(S) -> int:
    """The bytes the synapses' arrays hold after connect (indices, variables, delays)."""
    return sum(var.values.nbytes for var in S.variables.values()
               if not isinstance(var, DerivedVariable) and var.values is not None
               and not var.shared)


def test_huge_connect_raises_at_once():
    """Catches 10**6 x 10**6 with p=0.5 (5*10**11 synapses) allocating until the OOM
    killer ends the process, and a message without the numbers."""
    S = _synapses(10**6, name="syn")
    start = time.perf_counter()
    with pytest.raises(MemoryEstimateError) as raised:
        S.connect(p=0.5)
    assert time.perf_counter() - start < 1.0
    message = str(raised.value)
    per_synapse = 4 + 4 + 8 + 8 + 8  # i, j, w, x, delay
    for part in ("Synapses 'syn'", "500000000000 synapses", f"{per_synapse} bytes each",
                 str(500_000_000_000 * (per_synapse + _memory.CONNECT_WORKING_BYTES)),
                 str(raised.value.available), "p=0.5", "prefs.spikeloom.memory_check"):
        assert part in message, part
    assert isinstance(raised.value, MemoryError)
    assert S.N == 0


@pytest.mark.parametrize("kwargs", [
    {"condition": "i != j", "p": 0.5},  # estimated from a sample
    {"j": "k for k in range(N_post)"},  # the generator's candidates
    {"p": 1e-6, "n": 100_000},  # multisynapses (10**6 pairs, 10**11 synapses)
    {"p": "0.5"},  # p as an expression
])
def test_huge_connect_forms_raise_at_once(kwargs):
    """Catches a form of connect that is not estimated before building."""
    S = _synapses(10**6)
    start = time.perf_counter()
    with pytest.raises(MemoryEstimateError):
        S.connect(**kwargs)
    assert time.perf_counter() - start < 1.0


def test_estimate_matches_the_allocated_bytes():
    """Catches an estimate that misses arrays connect allocates (or counts absent ones):
    within 2 % for p=0.1 (the count is random: 6 sigma is 0.9 %), exact for all pairs."""
    sl.seed(1)
    S = _synapses(2000, 1000)
    count, _, upper = _connect.expected_synapses(S, p=0.1)
    estimate = _memory.estimate_synapses(S, count)
    S.connect(p=0.1)
    assert not upper
    assert abs(estimate.stored - _stored_bytes(S)) <= 0.02 * _stored_bytes(S)
    assert abs(estimate.synapses - S.N) <= 0.02 * S.N
    T = _synapses(300, 200)
    count, _, _ = _connect.expected_synapses(T)
    expected = _memory.estimate_synapses(T, count).stored
    T.connect()
    assert expected == _stored_bytes(T)


def test_selective_condition_is_not_refused_on_its_upper_bound(available, monkeypatch):
    """Catches a condition string judged by N_pre*N_post pairs (432 MB here) although it
    keeps 0.5 % of them (2 MB): the sample tells; and the sample's rand() changing the
    connectivity (it must equal a connect without the check)."""
    samples = []
    sampled = _connect.sampled_synapses
    monkeypatch.setattr(sl.core._synapses, "sampled_synapses",
                        lambda *args: samples.append(sampled(*args)) or samples[-1])
    available(60 * MB)
    condition = "i % 100 == 0 and rand() < 0.5"
    connectivity = []
    for check in (True, False):
        sl.prefs.spikeloom.memory_check = check
        sl.seed(5)
        S = _synapses(3000)
        S.connect(condition)
        connectivity.append((S.i[:].copy(), S.j[:].copy()))
    assert len(samples) == 1 and abs(samples[0][0] - 45_000) < 5_000, samples
    assert np.array_equal(connectivity[0][0], connectivity[1][0])
    assert np.array_equal(connectivity[0][1], connectivity[1][1])
    assert 40_000 < len(connectivity[0][0]) < 50_000


def test_huge_state_monitor_raises_before_the_run():
    """Catches a StateMonitor of 1000 elements x 10**9 steps (8 TB) allocating its buffers."""
    G = sl.NeuronGroup(1000, "dv/dt = -v/(10*ms) : 1", method="exact", name="cells")
    M = sl.StateMonitor(G, "v", record=True, name="trace")
    net = sl.Network(G, M)
    start = time.perf_counter()
    with pytest.raises(MemoryEstimateError) as raised:
        net.run(1e5 * sl.second)
    assert time.perf_counter() - start < 1.0
    message = str(raised.value)
    assert "StateMonitor 'trace'" in message and "1000000000 steps" in message
    assert M._columns["v"].shape[0] == 0 and float(net.t) == 0  # nothing allocated, no step
    net.run(1 * sl.ms)  # a run that fits goes on
    assert M.v.shape == (1000, 10)


def test_network_arrays_beyond_all_memory(monkeypatch):
    """Catches a network whose arrays (allocated lazily by the OS) exceed all the memory."""
    G = sl.NeuronGroup(3_000_000, "v : 1")  # 24 MB
    monkeypatch.setattr(_memory, "total_bytes", lambda: 20 * MB)
    with pytest.raises(MemoryEstimateError, match="memory in all"):
        sl.Network(G).run(0.1 * sl.ms)


def test_preferences_switch_off_and_adjust(available):
    """Catches the preferences not being read: the check off lets a refused connect
    through, and the fraction moves the limit."""
    available(30 * MB)  # 10**6 synapses x (32 + 16) bytes = 48 MB
    with pytest.raises(MemoryEstimateError):
        _synapses(1000).connect()
    sl.prefs.spikeloom.memory_check_fraction = 2.0  # e.g. with swap
    _synapses(1000).connect()
    sl.prefs.spikeloom.memory_check_fraction = 0.9
    sl.prefs["spikeloom.memory_check"] = False
    S = _synapses(1000)
    S.connect()
    assert S.N == 10**6
    with pytest.raises(ValueError, match="memory_check_fraction"):
        sl.prefs.spikeloom.memory_check_fraction = 0
    with pytest.raises(ValueError, match="memory_check"):
        sl.prefs.spikeloom.memory_check = "no"


def test_state_monitor_check_switched_off(available):
    """Catches the run check ignoring the preference."""
    available(1 * MB)
    G = sl.NeuronGroup(2000, "dv/dt = -v/(10*ms) : 1", method="exact")
    M = sl.StateMonitor(G, "v", record=True)
    net = sl.Network(G, M)
    with pytest.raises(MemoryEstimateError):
        net.run(200 * sl.ms)  # 2000 x 2002 rows x 8 bytes = 32 MB
    sl.prefs.spikeloom.memory_check = False
    net.run(200 * sl.ms)
    assert M.v.shape == (2000, 2000)


def test_available_memory_is_read():
    """Catches a platform reading that returns nothing or nonsense on Linux."""
    available, total = _memory.available_bytes(), _memory.total_bytes()
    if available is None:
        pytest.skip("no memory figures on this platform")
    assert 0 < available <= total
    assert np.isfinite(available)
