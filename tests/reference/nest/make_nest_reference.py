"""Make ``data/*.npz``: NEST 3's own runs of its neuron models on fixed inputs.

Run with NEST's interpreter (its own environment, never spikeloom's)::

    python3 -m venv nest-venv && nest-venv/bin/pip install nest-simulator
    nest-venv/bin/python tests/reference/nest/make_nest_reference.py [protocol ...]

(with protocol names, only those files are written).

Each protocol drives one neuron with a constant current ``I_e``, fixed excitatory and
inhibitory spike trains (``spike_generator`` -> ``static_synapse`` with a 1 ms delay) and,
in some protocols, a ``dc_generator`` (amplitude, start, stop, connection delay), at NEST's
default resolution of 0.1 ms, and records ``V_m`` (and the model's other recordables listed
in ``RECORD``) every step and the spike times. The input is stored beside the output so
that ``test_nest_reference.py`` rebuilds it in spikeloom; NEST's parameter defaults of the
model are stored too (``nest_defaults``), to check spikeloom's against them.

``poisson_generator_window.npz`` holds the steps in which NEST's ``poisson_generator`` is
active for a given ``start``/``stop`` (its spike trains themselves are compared with the
closed form, not with NEST's random numbers); ``dc_generator_defaults.npz`` the
``dc_generator``'s defaults.
"""

from pathlib import Path

import numpy as np

RESOLUTION = 0.1  # ms
DELAY = 1.0  # ms
OUT = Path(__file__).with_name("data")

#: recordables compared besides V_m (NEST's names; pA, nS, mV or, for the gates, 1)
RECORD = {
    "iaf_psc_exp": ["I_syn_ex", "I_syn_in"],
    "iaf_psc_alpha": ["I_syn_ex", "I_syn_in"],
    "iaf_cond_exp": ["g_ex", "g_in"],
    "iaf_cond_alpha": ["g_ex", "g_in"],
    "aeif_cond_exp": ["g_ex", "g_in", "w"],
    "aeif_cond_alpha": ["g_ex", "g_in", "w"],
    "izhikevich": ["U_m"],
    "hh_psc_alpha": ["I_syn_ex", "I_syn_in", "Act_m", "Inact_h", "Act_n"],
}


def _train(start, stop, period):
    return np.arange(start, stop, period).round(1).tolist()


#: name -> (model, params, duration ms, I_e pA, (ex times ms, ex weight), (in times, in weight)
#:          [, extras]); extras: {"dc": (amplitude pA, start ms, stop ms, delay ms)}
PROTOCOLS = {
    # one 40 nS input from rest: the EPSP the issue measured (NEST 2.080 mV peak)
    "iaf_cond_exp_epsp": ("iaf_cond_exp", {}, 60.0, 0.0, ([10.0], 40.0), ([], 0.0)),
    "iaf_cond_exp_driven": ("iaf_cond_exp", {}, 400.0, 240.0,
                            (_train(5.0, 395.0, 1.7), 25.0), (_train(7.0, 395.0, 4.3), -12.0)),
    "iaf_cond_exp_fast": ("iaf_cond_exp", {"tau_syn_ex": 1.0, "tau_syn_in": 3.0}, 400.0,
                          230.0, (_train(3.0, 395.0, 2.3), 6.0), (_train(9.0, 395.0, 6.1), -6.0)),
    "iaf_psc_exp_driven": ("iaf_psc_exp", {}, 400.0, 360.0,
                           (_train(5.0, 395.0, 1.7), 60.0), (_train(7.0, 395.0, 4.3), -90.0)),
    # alpha currents with NEST's defaults, spiking on synaptic input
    "iaf_psc_alpha_driven": ("iaf_psc_alpha", {}, 400.0, 340.0,
                             (_train(5.0, 395.0, 1.7), 35.0), (_train(7.0, 395.0, 4.3), -40.0)),
    # tau_syn_ex == tau_m (the degenerate propagator), E_L changed (V_m still starts at
    # -70 mV), a refractory period off NEST's default; a dc_generator through a 1 ms delay
    "iaf_psc_alpha_equal_tau": ("iaf_psc_alpha",
                                {"tau_syn_ex": 10.0, "tau_syn_in": 3.0, "E_L": -65.0,
                                 "t_ref": 3.3}, 300.0, 150.0,
                                (_train(4.0, 295.0, 3.1), 12.0),
                                (_train(6.0, 295.0, 7.7), -30.0),
                                {"dc": (180.0, 50.0, 220.0, 1.0)}),
    # one 40 nS input from rest: the alpha EPSP with the 0.2 ms default rise time
    "iaf_cond_alpha_epsp": ("iaf_cond_alpha", {}, 60.0, 0.0, ([10.0], 40.0), ([], 0.0)),
    "iaf_cond_alpha_driven": ("iaf_cond_alpha", {}, 400.0, 240.0,
                              (_train(5.0, 395.0, 1.7), 20.0),
                              (_train(7.0, 395.0, 4.3), -8.0)),
    "iaf_cond_alpha_slow": ("iaf_cond_alpha", {"tau_syn_ex": 1.5, "tau_syn_in": 4.0,
                                               "t_ref": 1.3}, 400.0, 225.0,
                            (_train(3.0, 395.0, 2.3), 2.0), (_train(9.0, 395.0, 6.1), -2.0),
                            {"dc": (60.0, 100.0, 300.0, 0.1)}),
    # AdEx with NEST's defaults (t_ref = 0: the reset happens inside the step in NEST)
    "aeif_cond_exp_driven": ("aeif_cond_exp", {}, 400.0, 1000.0,
                             (_train(5.0, 395.0, 1.7), 10.0), (_train(7.0, 395.0, 4.3), -10.0)),
    # with a refractory period, and bursting-type adaptation
    "aeif_cond_exp_tref": ("aeif_cond_exp", {"t_ref": 2.0, "a": 2.0, "b": 40.0,
                                             "tau_w": 80.0, "V_peak": 10.0}, 400.0, 800.0,
                           (_train(5.0, 395.0, 2.1), 8.0), (_train(7.0, 395.0, 5.3), -8.0),
                           {"dc": (200.0, 150.0, 250.0, 1.0)}),
    # Delta_T = 0: NEST's integrate-and-fire limit (threshold V_th)
    "aeif_cond_exp_iaf": ("aeif_cond_exp", {"Delta_T": 0.0, "t_ref": 1.0}, 400.0, 1000.0,
                          (_train(5.0, 395.0, 1.7), 10.0), (_train(7.0, 395.0, 4.3), -10.0)),
    # AdEx with alpha conductances: the three aeif_cond_exp protocols (peak conductances a
    # little smaller: an alpha conductance carries e times the charge of an exponential one)
    "aeif_cond_alpha_driven": ("aeif_cond_alpha", {}, 400.0, 1000.0,
                               (_train(5.0, 395.0, 1.7), 6.0), (_train(7.0, 395.0, 4.3), -6.0)),
    "aeif_cond_alpha_tref": ("aeif_cond_alpha", {"t_ref": 2.0, "a": 2.0, "b": 40.0,
                                                 "tau_w": 80.0, "V_peak": 10.0}, 400.0, 800.0,
                             (_train(5.0, 395.0, 2.1), 5.0), (_train(7.0, 395.0, 5.3), -5.0),
                             {"dc": (200.0, 150.0, 250.0, 1.0)}),
    "aeif_cond_alpha_iaf": ("aeif_cond_alpha", {"Delta_T": 0.0, "t_ref": 1.0}, 400.0, 1000.0,
                            (_train(5.0, 395.0, 1.7), 6.0), (_train(7.0, 395.0, 4.3), -6.0)),
    # Hodgkin-Huxley: one excitatory and one inhibitory alpha current from rest (V_m starts
    # at -65 mV, slightly off the model's rest)
    "hh_psc_alpha_epsp": ("hh_psc_alpha", {}, 60.0, 0.0, ([10.0], 400.0), ([30.0], -400.0)),
    # regular firing (~18 ms period) with NEST's defaults
    "hh_psc_alpha_driven": ("hh_psc_alpha", {}, 400.0, 550.0,
                            (_train(5.0, 395.0, 1.7), 500.0), (_train(7.0, 395.0, 4.3), -50.0)),
    # t_ref = 0.3 ms, shorter than the time V_m stays above 0 mV after its peak: NEST detects
    # each spike twice, 0.4 ms apart (its refractory count); slower currents, E_L changed
    # (V_m still starts at -65 mV), a dc_generator through a 1 ms delay
    "hh_psc_alpha_tref": ("hh_psc_alpha", {"t_ref": 0.3, "tau_syn_ex": 1.0, "tau_syn_in": 3.0,
                                           "E_L": -55.0}, 300.0, 400.0,
                          (_train(4.0, 295.0, 3.1), 40.0), (_train(6.0, 295.0, 7.7), -50.0),
                          {"dc": (300.0, 50.0, 220.0, 1.0)}),
    # regular spiking, NEST's defaults (V_m = -65 mV, U_m = -13 mV at the start)
    "izhikevich_driven": ("izhikevich", {}, 400.0, 6.0,
                          (_train(5.0, 395.0, 1.7), 1.5), (_train(7.0, 395.0, 4.3), -2.0)),
    # chattering (c = -50 mV, d = 2 mV) switched on by a dc_generator
    "izhikevich_chattering": ("izhikevich", {"c": -50.0, "d": 2.0}, 300.0, 0.0,
                              (_train(4.0, 295.0, 3.1), 1.0), (_train(6.0, 295.0, 7.7), -1.0),
                              {"dc": (10.0, 50.0, 250.0, 1.0)}),
    # low-threshold spiking (b = 0.25: U_m still starts at NEST's -13 mV, not b*V_m)
    "izhikevich_lts": ("izhikevich", {"b": 0.25, "d": 2.0}, 300.0, 4.0,
                       (_train(4.0, 295.0, 2.9), 1.2), (_train(6.0, 295.0, 6.7), -1.5)),
}


def run(model, params, duration, i_e, excitatory, inhibitory, extras=None):
    import nest

    extras = extras or {}
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = RESOLUTION
    neuron = nest.Create(model, params={**params, "I_e": i_e})
    record = ["V_m", *RECORD[model]]
    meter = nest.Create("multimeter", params={"record_from": record, "interval": RESOLUTION})
    spikes = nest.Create("spike_recorder")
    nest.Connect(meter, neuron)
    nest.Connect(neuron, spikes)
    for times, weight in (excitatory, inhibitory):
        if times:
            generator = nest.Create("spike_generator", params={"spike_times": times})
            nest.Connect(generator, neuron, syn_spec={"weight": weight, "delay": DELAY})
    if "dc" in extras:
        amplitude, start, stop, delay = extras["dc"]
        dc = nest.Create("dc_generator",
                         params={"amplitude": amplitude, "start": start, "stop": stop})
        nest.Connect(dc, neuron, syn_spec={"delay": delay})
    nest.Simulate(duration)
    events = meter.get("events")
    order = np.argsort(events["times"])
    out = {"t_ms": np.asarray(events["times"])[order],
           "spike_t_ms": np.asarray(spikes.get("events")["times"], dtype=float),
           "recorded": np.asarray(record)}
    for name in record:
        out[f"{name}_{'mV' if name in ('V_m', 'U_m') else 'nest'}"] = \
            np.asarray(events[name])[order]
    return out


#: poisson_generator windows (start ms, stop ms) probed at a rate of 1 MHz (a spike in every
#: active step: the chance of none is exp(-100)); the stamps show the active steps
POISSON_WINDOWS = [(10.0, 20.0), (0.0, 5.0)]


def poisson_window(start, stop) -> np.ndarray:
    """The distinct time stamps NEST gives the spikes of an active ``poisson_generator``."""
    import nest

    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = RESOLUTION
    generator = nest.Create("poisson_generator",
                            params={"rate": 1e6, "start": start, "stop": stop})
    spikes = nest.Create("spike_recorder")
    nest.Connect(generator, spikes)
    nest.Simulate(stop + 5.0)
    return np.unique(np.asarray(spikes.get("events")["times"], dtype=float))


def nest_defaults(model) -> dict:
    import nest

    return {k: float(v) for k, v in nest.GetDefaults(model).items()
            if isinstance(v, float | int) and not isinstance(v, bool) and np.isfinite(v)}


def main(names=()) -> None:
    """Write every protocol and the device files, or only the protocols ``names``."""
    import nest

    unknown = sorted(set(names) - set(PROTOCOLS))
    if unknown:
        raise SystemExit(f"unknown protocol(s) {unknown}; known: {sorted(PROTOCOLS)}")
    OUT.mkdir(exist_ok=True)
    for name, (model, params, duration, i_e, excitatory, inhibitory, *extras) in \
            PROTOCOLS.items():
        if names and name not in names:
            continue
        extras = extras[0] if extras else {}
        result = run(model, params, duration, i_e, excitatory, inhibitory, extras)
        dc = extras.get("dc", (0.0, 0.0, 0.0, 0.0))
        np.savez(OUT / f"{name}.npz", **result, model=model, duration_ms=duration,
                 I_e_pA=i_e, ex_times_ms=np.asarray(excitatory[0], float),
                 ex_weight=excitatory[1], in_times_ms=np.asarray(inhibitory[0], float),
                 in_weight=inhibitory[1], delay_ms=DELAY, resolution_ms=RESOLUTION,
                 params=repr(params), has_dc="dc" in extras, dc_amplitude_pA=dc[0],
                 dc_start_ms=dc[1], dc_stop_ms=dc[2], dc_delay_ms=dc[3],
                 nest_defaults=repr(nest_defaults(model)), nest_version=nest.__version__)
        print(f"{name}: {len(result['spike_t_ms'])} spikes, V_m max "
              f"{result['V_m_mV'].max():.4f} mV")
    if names:
        return
    windows = {f"stamps_{k}": poisson_window(*w) for k, w in enumerate(POISSON_WINDOWS)}
    np.savez(OUT / "poisson_generator_window.npz", windows_ms=np.asarray(POISSON_WINDOWS),
             resolution_ms=RESOLUTION, nest_defaults=repr(nest_defaults("poisson_generator")),
             nest_version=nest.__version__, **windows)
    print("poisson_generator:", {k: (v.min(), v.max(), len(v)) for k, v in windows.items()})
    dc = nest_defaults("dc_generator")
    np.savez(OUT / "dc_generator_defaults.npz", nest_defaults=repr(dc),
             nest_version=nest.__version__)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
