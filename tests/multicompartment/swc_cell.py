"""A neuron read from an SWC file, written only against Brian2's API.

:func:`simulate` takes the simulator module (``brian2`` or ``spikeloom``) and runs the same
model on both: Brian2's bundled reconstruction ``mp_ma_40984_gc2.CNG.swc`` (a soma and 28
dendritic sections, 353 compartments; kept in ``tests/core/morphology_reference/``) with
Hodgkin-Huxley channels in the soma and passive dendrites, driven by a current step into the
soma. ``make_swc_reference.py`` stores Brian2's run; ``test_swc_cell.py`` compares
spikeloom's with it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SWC = Path(__file__).resolve().parents[1] / "core" / "morphology_reference" / \
    "mp_ma_40984_gc2.CNG.swc"
#: compartments whose voltage is recorded: the soma and three dendritic places
RECORD = (0, 60, 200, 352)
DT = 25e-6  # s
DURATION = 40e-3  # s
STEP = (2e-3, 32e-3)  # s: the current step into the soma
I_SOMA = 1e-9  # A
EQUATIONS = """
Im = gl*(El - v) + gNa*m**3*h*(ENa - v) + gK*n**4*(EK - v) : amp/meter**2
I : amp (point current)
dm/dt = alpham*(1 - m) - betam*m : 1
dn/dt = alphan*(1 - n) - betan*n : 1
dh/dt = alphah*(1 - h) - betah*h : 1
alpham = (0.1/mV)*10*mV/exprel((-v + 25*mV)/(10*mV))/ms : Hz
betam = 4*exp(-v/(18*mV))/ms : Hz
alphah = 0.07*exp(-v/(20*mV))/ms : Hz
betah = 1/(exp((-v + 30*mV)/(10*mV)) + 1)/ms : Hz
alphan = (0.01/mV)*10*mV/exprel((-v + 10*mV)/(10*mV))/ms : Hz
betan = 0.125*exp(-v/(80*mV))/ms : Hz
gNa : siemens/meter**2
gK : siemens/meter**2
"""


def simulate(b) -> dict:
    """Run the cell under simulator module ``b``; return times (s), the recorded voltages
    (V, one row per compartment of :data:`RECORD`) and the soma's threshold crossings (s)."""
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    morpho = b.Morphology.from_file(str(SWC))
    mV, cm = b.mV, b.cm
    namespace = {"El": 10.613 * mV, "ENa": 115 * mV, "EK": -12 * mV,
                 "gl": 0.3 * b.msiemens / cm**2}
    neuron = b.SpatialNeuron(morphology=morpho, model=EQUATIONS, Cm=1 * b.uF / cm**2,
                             Ri=100 * b.ohm * cm, method="exponential_euler",
                             threshold="v > 50*mV", refractory="v > 20*mV",
                             threshold_location=0, namespace=namespace)
    neuron.v = 0 * mV
    neuron.h, neuron.m, neuron.n = 1, 0, 0.5
    neuron.gNa = 0 * b.siemens / cm**2
    neuron.gK = 0 * b.siemens / cm**2
    neuron.main.gNa = 120 * b.msiemens / cm**2  # active soma, passive dendrites
    neuron.main.gK = 36 * b.msiemens / cm**2
    trace = b.StateMonitor(neuron, "v", record=list(RECORD))
    spikes = b.SpikeMonitor(neuron)
    network = b.Network(neuron, trace, spikes)
    network.run(STEP[0] * b.second)
    neuron.I[0] = I_SOMA * b.amp
    network.run((STEP[1] - STEP[0]) * b.second)
    neuron.I[0] = 0 * b.amp
    network.run((DURATION - STEP[1]) * b.second)
    return {"t": np.asarray(trace.t_).tolist(), "v": np.asarray(trace.v_).tolist(),
            "spikes": np.asarray(spikes.t_).tolist(),
            "n_compartments": int(morpho.total_compartments)}
