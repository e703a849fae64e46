"""The class-wise network's currents: teacher while training, readout bias while frozen.

Without input, an ``iaf_psc_exp`` neuron under a constant current I relaxes towards
E_L + I tau_m / C_m. Below rheobase, C_m (V_th - E_L) / tau_m, it never fires; above it, it
fires first at T1 = tau_m ln(R I / (R I - (V_th - E_L))) (R = tau_m / C_m) after a reset to
E_L, and then every T1 + t_ref, since V_reset = E_L. These closed forms pin the readout
current's size, units and when it applies.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from spikeloom import units
from spikeloom.tasks._estimator import CLASSWISE_NEURON, make_rule
from spikeloom.tasks._networks import DT, ClasswiseNetwork
from spikeloom.tasks._spikes import latency_schedule

PERIOD_STEPS = 3000  # 300 ms per sample
N_SAMPLES = 3


def _network(readout_pA: float) -> ClasswiseNetwork:
    return ClasswiseNetwork(2, 2, make_rule("nc"), np.zeros((2, 2)), PERIOD_STEPS,
                            neuron=CLASSWISE_NEURON, readout_current=readout_pA * units.pA)


def _silent_inputs():
    return latency_schedule(np.full((N_SAMPLES, 2), np.inf), PERIOD_STEPS, DT)


def _closed_form_count(current_pA: float) -> int:
    params = {**ClasswiseNetwork.NEURON, **CLASSWISE_NEURON}
    tau = float(params["tau_m"] / units.second)
    c_m = float(params["C_m"] / units.farad)
    gap = float((params["V_th"] - params["E_L"]) / units.volt)
    t_ref = float(params["t_ref"] / units.second)
    drive = tau / c_m * current_pA * 1e-12
    if drive <= gap:
        return 0
    first = tau * math.log(drive / (drive - gap))
    return int((PERIOD_STEPS * DT - first) // (first + t_ref)) + 1


def test_rheobase_is_where_the_bias_starts_to_fire():
    params = {**ClasswiseNetwork.NEURON, **CLASSWISE_NEURON}
    rheobase = params["C_m"] * (params["V_th"] - params["E_L"]) / params["tau_m"]
    assert float(rheobase / units.pA) == pytest.approx(0.246, abs=1e-3)


@pytest.mark.parametrize("current_pA", [0.2, 0.5, 1.0])
def test_frozen_runs_get_the_readout_current_every_sample(current_pA):
    expected = _closed_form_count(current_pA)
    assert (expected == 0) == (current_pA < 0.246)
    counts = _network(current_pA).run(_silent_inputs())
    np.testing.assert_array_equal(counts, np.full((N_SAMPLES, 2), expected))


def test_training_runs_get_the_teacher_not_the_readout_current():
    """With a teacher, the target neuron gets target_current (0 here) and the others the
    suppressing current: neither fires without input, whatever the readout current."""
    net = _network(1.0)
    teacher = np.eye(2, dtype=bool)[[0, 1, 0]]
    np.testing.assert_array_equal(net.run(_silent_inputs(), teacher), 0)
    # and the next frozen run is biased again
    np.testing.assert_array_equal(net.run(_silent_inputs()), _closed_form_count(1.0))
