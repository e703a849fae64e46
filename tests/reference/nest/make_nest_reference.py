"""Make ``data/*.npz``: NEST 3's own runs of its neuron models on fixed inputs.

Run with NEST's interpreter (its own environment, never spikeloom's)::

    python3 -m venv nest-venv && nest-venv/bin/pip install nest-simulator
    nest-venv/bin/python tests/reference/nest/make_nest_reference.py

Each protocol drives one neuron with a ``dc`` current and fixed excitatory and inhibitory
spike trains (``spike_generator`` -> ``static_synapse`` with a 1 ms delay) at NEST's
default resolution of 0.1 ms, and records ``V_m`` every step and the spike times. The
input is stored beside the output so that ``test_nest_reference.py`` rebuilds it in
spikeloom.
"""

from pathlib import Path

import numpy as np

RESOLUTION = 0.1  # ms
DELAY = 1.0  # ms
OUT = Path(__file__).with_name("data")

#: name -> (model, params, duration ms, I_e pA, (ex times ms, ex weight), (in times, in weight))
PROTOCOLS = {
    # one 40 nS input from rest: the EPSP the issue measured (NEST 2.080 mV peak)
    "iaf_cond_exp_epsp": ("iaf_cond_exp", {}, 60.0, 0.0, ([10.0], 40.0), ([], 0.0)),
    "iaf_cond_exp_driven": ("iaf_cond_exp", {}, 400.0, 240.0,
                            (np.arange(5.0, 395.0, 1.7).round(1).tolist(), 25.0),
                            (np.arange(7.0, 395.0, 4.3).round(1).tolist(), -12.0)),
    "iaf_cond_exp_fast": ("iaf_cond_exp", {"tau_syn_ex": 1.0, "tau_syn_in": 3.0}, 400.0,
                          230.0, (np.arange(3.0, 395.0, 2.3).round(1).tolist(), 6.0),
                          (np.arange(9.0, 395.0, 6.1).round(1).tolist(), -6.0)),
    "iaf_psc_exp_driven": ("iaf_psc_exp", {}, 400.0, 360.0,
                           (np.arange(5.0, 395.0, 1.7).round(1).tolist(), 60.0),
                           (np.arange(7.0, 395.0, 4.3).round(1).tolist(), -90.0)),
}


def run(model, params, duration, i_e, excitatory, inhibitory):
    import nest

    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = RESOLUTION
    neuron = nest.Create(model, params={**params, "I_e": i_e})
    meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": RESOLUTION})
    spikes = nest.Create("spike_recorder")
    nest.Connect(meter, neuron)
    nest.Connect(neuron, spikes)
    for times, weight in (excitatory, inhibitory):
        if times:
            generator = nest.Create("spike_generator", params={"spike_times": times})
            nest.Connect(generator, neuron, syn_spec={"weight": weight, "delay": DELAY})
    nest.Simulate(duration)
    events = meter.get("events")
    order = np.argsort(events["times"])
    return {"t_ms": np.asarray(events["times"])[order],
            "V_m_mV": np.asarray(events["V_m"])[order],
            "spike_t_ms": np.asarray(spikes.get("events")["times"], dtype=float)}


def main() -> None:
    import nest

    OUT.mkdir(exist_ok=True)
    for name, (model, params, duration, i_e, excitatory, inhibitory) in PROTOCOLS.items():
        result = run(model, params, duration, i_e, excitatory, inhibitory)
        np.savez(OUT / f"{name}.npz", **result, model=model, duration_ms=duration,
                 I_e_pA=i_e, ex_times_ms=np.asarray(excitatory[0], float),
                 ex_weight=excitatory[1], in_times_ms=np.asarray(inhibitory[0], float),
                 in_weight=inhibitory[1], delay_ms=DELAY, resolution_ms=RESOLUTION,
                 params=repr(params), nest_version=nest.__version__)
        print(f"{name}: {len(result['spike_t_ms'])} spikes, V_m max "
              f"{result['V_m_mV'].max():.4f} mV")


if __name__ == "__main__":
    main()
