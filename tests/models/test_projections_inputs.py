"""Input groups (SpikeTimeGroup, PoissonSpikes) feeding projections."""

from __future__ import annotations

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import Hz, SpikeMonitor, ms, mV, nS
from spikeloom.models import (
    COBA,
    LIF,
    AllToAll,
    Expon,
    PoissonSpikes,
    Projection,
    SpikeTimeGroup,
    run_steps,
)


def test_poisson_spikes_drive_an_expon_projection_campbell():
    """1000 Poisson inputs at 20 Hz through Expon(5 ms), 1 nS each, onto one neuron: the
    time-averaged conductance is N·rate·w·tau = 100 nS (Campbell's theorem), its variance
    N·rate·w²·tau/2; the spike count is Poisson(N·rate·T); lastspike holds each input's last
    spike time."""
    sl.start_scope()
    sl.seed(3)
    inputs = PoissonSpikes(1000, 20 * Hz, name="ps_in")
    post = LIF(1, V_rest=-65 * mV, V_th=1e3 * mV, name="ps_post")
    proj = Projection(inputs, post, Expon(tau=5 * ms), AllToAll(), weight=1 * nS,
                      output=COBA(E=0 * mV), name="ps_proj")
    spikes = SpikeMonitor(inputs, name="ps_spikes")
    out = run_steps(sl.Network(inputs, post, proj, spikes), 20_000, {"G": (proj, "G")})
    count = spikes.num_spikes
    assert abs(count - 40_000) < 5 * np.sqrt(40_000)
    G = np.asarray(out["G"][500:, 0] / nS)
    mean, var = G.mean(), G.var()
    # correlation time 5 ms: ~390 independent samples in 1.95 s
    assert mean == pytest.approx(100.0, abs=5 * np.sqrt(1000 * 20 * 5e-3 / 2) / np.sqrt(390))
    assert var == pytest.approx(1000 * 20 * 1 * 5e-3 / 2, rel=0.25)
    last = np.array([spikes.t_[spikes.i == k].max() for k in range(5)])
    np.testing.assert_allclose(np.asarray(inputs.lastspike_[:5]), last)


def test_input_groups_fire_before_the_state_update():
    """SpikeTimeGroup and PoissonSpikes run in 'before_groups' (BrainPy's order: a spike at
    t acts on the step that starts at t); units are required for the times."""
    g = SpikeTimeGroup(2, [0, 1], [1, 2] * ms, name="stg_when")
    assert g.when == "before_groups" and hasattr(g, "lastspike")
    assert PoissonSpikes(3, 5 * Hz, name="ps_when").when == "before_groups"
    with pytest.raises(ValueError, match=r"times must carry a time unit, e.g. "
                                         r"times=\[10, 30\]\*ms"):
        SpikeTimeGroup(1, [0, 0], [10, 30])
    with pytest.raises(ValueError, match="freqs must be a rate"):
        PoissonSpikes(1, 5 * ms)
