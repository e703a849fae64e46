"""An action potential travelling from a soma down a Hodgkin-Huxley axon, past a passive dendrite.

A ``SpatialNeuron`` written as in Brian2: a soma (30 µm) with a 2 mm Hodgkin-Huxley axon of
200 compartments and a passive dendrite of 50. A current step into the soma fires an action
potential that runs along the axon (its speed is printed) and spreads, attenuated, into the
dendrite. The figure shows the voltage at four places over time, and the voltage along the
morphology at the moment the action potential is half-way down the axon.

Run: ``python examples/dendrite_cable.py [--fig dendrite_cable.png]``
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from spikeloom import (
    Cylinder,
    Network,
    Soma,
    SpatialNeuron,
    SpikeMonitor,
    StateMonitor,
    cm,
    defaultclock,
    ms,
    msiemens,
    mV,
    nA,
    ohm,
    uF,
    um,
)
from spikeloom.plot import plot_morphology

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
#: Hodgkin & Huxley's squid-axon values (rest at 0 mV, their convention)
PARAMETERS = {"El": 10.613 * mV, "ENa": 115 * mV, "EK": -12 * mV,
              "gl": 0.3 * msiemens / cm**2}


def build(axon_compartments: int = 200):
    """The neuron (soma, HH axon, passive dendrite) and its monitors, in one Network."""
    defaultclock.dt = 0.01 * ms
    morpho = Soma(diameter=30 * um)
    morpho.axon = Cylinder(diameter=2 * um, length=2000 * um, n=axon_compartments)
    morpho.dendrite = Cylinder(diameter=1.5 * um, length=400 * um, n=50)
    neuron = SpatialNeuron(morpho, EQUATIONS, Cm=1 * uF / cm**2, Ri=35.4 * ohm * cm,
                           method="exponential_euler", threshold="v > 50*mV",
                           refractory="v > 20*mV", namespace=PARAMETERS)
    neuron.v = 0 * mV
    neuron.h, neuron.m, neuron.n = 1, 0, 0.5
    neuron.gNa = 120 * msiemens / cm**2
    neuron.gK = 36 * msiemens / cm**2
    neuron.dendrite.gNa = 0 * msiemens / cm**2  # a passive dendrite
    neuron.dendrite.gK = 0 * msiemens / cm**2
    places = {"soma": morpho, "axon 0.5 mm": morpho.axon[500 * um],
              "axon 1.5 mm": morpho.axon[1500 * um], "dendrite 200 µm": morpho.dendrite[200 * um]}
    record = [int(np.atleast_1d(place._indices())[0]) for place in places.values()]
    trace = StateMonitor(neuron, "v", record=record)
    profile = StateMonitor(neuron, "v", record=True, dt=0.1 * ms)
    spikes = SpikeMonitor(neuron)
    network = Network(neuron, trace, profile, spikes)
    return network, neuron, morpho, places, trace, profile, spikes


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fig", default="dendrite_cable.png")
    parser.add_argument("--compartments", type=int, default=200,
                        help="compartments of the axon")
    args = parser.parse_args(argv)
    network, neuron, morpho, places, trace, profile, spikes = build(args.compartments)
    network.run(1 * ms)
    neuron.main.I = 3 * nA
    network.run(1 * ms)
    neuron.main.I = 0 * nA
    network.run(8 * ms)

    axon = np.arange(neuron.axon.start, neuron.axon.stop)
    first = {int(i): float(t) for i, t in zip(spikes.i[::-1], spikes.t_[::-1])}
    reached = [k for k in axon if k in first]
    distance = np.asarray(neuron.distance_)
    near, far = reached[len(reached) // 4], reached[-len(reached) // 4]
    speed = (distance[far] - distance[near]) / (first[far] - first[near])
    print(f"{len(spikes.i[:])} threshold crossings; the action potential reached "
          f"{len(reached)} of {len(axon)} axon compartments at {speed:.2f} m/s")

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.2))
    for k, name in enumerate(places):
        ax_t.plot(np.asarray(trace.t / ms), np.asarray(trace.v[k] / mV), label=name)
    ax_t.set(xlabel="time (ms)", ylabel="v (mV)", title="voltage at four places")
    ax_t.legend(frameon=False)
    halfway = first.get(reached[len(reached) // 2], float(profile.t_[-1]))
    row = int(np.argmin(np.abs(np.asarray(profile.t_) - halfway)))
    morpho.generate_coordinates()
    plot_morphology(morpho, values=profile.v[:, row], ax=ax_m, value_unit=mV)
    ax_m.set_title(f"v along the neuron at t = {halfway * 1e3:.2f} ms")
    fig.tight_layout()
    fig.savefig(args.fig, dpi=110)
    print(f"figure: {args.fig}")


if __name__ == "__main__":
    main()
