"""Make ``data/syn_*.npz``: NEST 3's own runs of its plastic synapse models on fixed spikes.

Run with NEST's interpreter (its own environment, never spikeloom's)::

    python3 -m venv nest-venv && nest-venv/bin/pip install nest-simulator
    nest-venv/bin/python tests/reference/nest/make_nest_synapse_reference.py

Each protocol connects presynaptic ``parrot_neuron`` s (driven by ``spike_generator`` s, so
their spike times are fixed) to targets through ``stdp_synapse``, ``stdp_nn_symm_synapse``
or ``tsodyks2_synapse``, at NEST's default resolution of 0.1 ms. The targets are either

* ``parrot_neuron`` s driven by their own fixed spike trains, the synapse on receptor 1
  (which does not make the parrot fire): the STDP of given pre/post spike trains, as
  NEST's own STDP tests do; or
* one NEST neuron (``iaf_psc_exp``) with a constant current and a fixed excitatory drive
  (``static_synapse``), which fires on its own: the weights reach a real receptor.

Recorded: the parrots' spike times (what spikeloom replays), a ``weight_recorder`` on every
plastic connection (the weight sent with each presynaptic spike: the STDP weight after its
update, or the Tsodyks PSC amplitude ``weight*x*u``), the final ``weight`` and state
(``Kplus``; ``u``, ``x``) of every connection and, for a neuron target, ``V_m``, the
synaptic currents every step and the spike times. The models' defaults (``GetDefaults``)
are stored too, to check spikeloom's against them.
"""

from pathlib import Path

import numpy as np

RESOLUTION = 0.1  # ms
OUT = Path(__file__).with_name("data")
SEED = 20240611


def _poisson(rng, rate_hz, start, stop, grid=0.5):
    """Spike times on a ``grid`` (ms) with probability rate*grid per slot."""
    slots = np.arange(start, stop, grid)
    return np.round(slots[rng.random(slots.size) < rate_hz * grid * 1e-3], 1)


def _trains(seed, n, rate, stop, delays, forced=3):
    """Random pre/post trains, with ``forced`` post spikes exactly ``delay`` before a pre
    spike (Δt = 0 at the synapse: NEST discards the pair) in every connection."""
    rng = np.random.default_rng(seed)
    pre, post = [], []
    for k in range(n):
        a = _poisson(rng, rate, 5.0, stop)
        b = _poisson(rng, rate, 2.0, stop)
        d = delays[k % len(delays)]
        chosen = rng.choice(a[a > d + 5.0], size=forced, replace=False)
        b = np.union1d(b, np.round(chosen - d, 1))
        pre.append(a)
        post.append(b)
    return pre, post


def _pairing_protocol(offsets, delay, n_pairs=5, first=100.0, period=150.0):
    """One connection per offset (t_post - t_pre of the generators); a last presynaptic
    spike one period after the last pairing commits its facilitation."""
    pre, post = [], []
    for off in offsets:
        starts = first + period * np.arange(n_pairs)
        pre.append(np.round(np.r_[starts, first + period * n_pairs], 1))
        post.append(np.round(starts + off, 1))
    return pre, post, first + period * n_pairs + 2 * delay + 10.0


#: t_post - t_pre of the generator spikes in the pairing protocols (ms); with d = 5 ms the
#: synapse sees Δt = offset + 5 ms: -5 ms is the discarded coincidence, -5.1/-4.9 its
#: neighbours, and (-5, 0) the pairs whose sign the dendritic delay flips
OFFSETS = [-40.0, -20.0, -10.0, -6.0, -5.1, -5.0, -4.9, -4.0, -2.5, -1.0, -0.1, 0.0, 0.1,
           1.0, 2.5, 5.0, 10.0, 20.0, 40.0]
PAIR_DELAY = 5.0

_PAIR_PRE, _PAIR_POST, _PAIR_STOP = _pairing_protocol(OFFSETS, PAIR_DELAY)
_TRAIN_DELAYS = [0.1, 1.0, 2.0, 2.5, 5.0, 1.5]
_TR_PRE, _TR_POST = _trains(SEED, 12, 25.0, 1500.0, _TRAIN_DELAYS)
_INH_PRE, _INH_POST = _trains(SEED + 1, 6, 30.0, 1000.0, [1.0])
_NN_PRE, _NN_POST = _trains(SEED + 2, 12, 25.0, 1500.0, _TRAIN_DELAYS)


def _parrot(model, pre, post, groups, duration, tau_minus=None):
    """STDP between parrots: connection k joins pre parrot k to post parrot k."""
    return {"model": model, "target": "parrot_neuron", "pre_times": pre, "post_times": post,
            "groups": groups, "duration": duration, "post_params":
            {} if tau_minus is None else {"tau_minus": tau_minus}}


def _conns(weights, delays, pre=None, post=None):
    n = len(weights)
    return [(k if pre is None else pre[k], k if post is None else post[k], float(weights[k]),
             float(delays[k % len(delays)])) for k in range(n)]


_rng = np.random.default_rng(SEED + 3)
_STDP_IAF_PRE = [_poisson(_rng, 25.0, 5.0, 995.0, grid=0.1) for _ in range(5)]
_STDP_IAF_DRIVE = _poisson(_rng, 60.0, 3.0, 995.0, grid=0.1)
_rng = np.random.default_rng(SEED + 4)
_TSO_TRAIN = np.round(np.r_[50.0 + 50.0 * np.arange(10), 900.0 + 20.0 * np.arange(5),
                            _poisson(_rng, 15.0, 1050.0, 1500.0, grid=0.1)], 1)
_TSO_FAC = [np.round(np.r_[20.0 + 25.0 * np.arange(8), 400.0 + 10.0 * np.arange(6),
                           _poisson(_rng, 20.0, 600.0, 1000.0, grid=0.1)], 1),
            _poisson(_rng, 30.0, 5.0, 1000.0, grid=0.1),
            _poisson(_rng, 15.0, 5.0, 1000.0, grid=0.1)]

#: name -> protocol. groups: [(synapse parameters, [(pre, post, weight, delay ms), ...])]
PROTOCOLS = {
    # the STDP window with NEST's defaults: weights after each of 5 pairings per Δt
    "syn_stdp_pairs": _parrot("stdp_synapse", _PAIR_PRE, _PAIR_POST,
                              [({}, _conns([50.0] * len(OFFSETS), [PAIR_DELAY]))],
                              _PAIR_STOP),
    # random trains with coincidences, six delays, every parameter off its default and the
    # postsynaptic neurons' tau_minus = 30 ms
    "syn_stdp_trains": _parrot("stdp_synapse", _TR_PRE, _TR_POST,
        [({"tau_plus": 15.0, "lambda": 0.05, "alpha": 1.2, "mu_plus": 0.4, "mu_minus": 0.7,
           "Wmax": 80.0}, _conns(np.linspace(10.0, 70.0, 12), _TRAIN_DELAYS))],
        1520.0, tau_minus=30.0),
    # inhibitory (Wmax < 0), additive potentiation, large steps that hit both bounds, and
    # an initial Kplus (NEST's t_lastspike starts at 0 ms)
    "syn_stdp_inhibitory": _parrot("stdp_synapse", _INH_PRE, _INH_POST,
        [({"lambda": 0.1, "alpha": 0.5, "mu_plus": 0.0, "mu_minus": 1.0, "Wmax": -100.0,
           "Kplus": 0.5}, _conns(-np.linspace(20.0, 90.0, 6), [1.0]))],
        1010.0),
    # weights into a real neuron: NEST's defaults (Wmax = 100 pA, tau_minus = 20 ms)
    "syn_stdp_iaf_psc_exp": {
        "model": "stdp_synapse", "target": "iaf_psc_exp", "pre_times": _STDP_IAF_PRE,
        "groups": [({}, _conns([20.0, 40.0, 60.0, 80.0, 95.0], [1.0, 1.5, 2.0, 3.0, 0.5],
                               post=[0] * 5))],
        "duration": 1010.0, "post_params": {"I_e": 340.0},
        "drive": (_STDP_IAF_DRIVE, 120.0, 1.0)},
    "syn_stdp_nn_symm_pairs": _parrot("stdp_nn_symm_synapse", _PAIR_PRE, _PAIR_POST,
        [({}, _conns([50.0] * len(OFFSETS), [PAIR_DELAY]))], _PAIR_STOP),
    "syn_stdp_nn_symm_trains": _parrot("stdp_nn_symm_synapse", _NN_PRE, _NN_POST,
        [({"tau_plus": 12.0, "lambda": 0.04, "alpha": 0.8, "mu_plus": 0.5, "mu_minus": 1.5,
           "Wmax": 60.0}, _conns(np.linspace(5.0, 55.0, 12), _TRAIN_DELAYS))],
        1520.0, tau_minus=25.0),
    # NEST's defaults (U = u = 0.5, tau_rec = 800 ms, no facilitation): depression and its
    # recovery, then irregular spikes
    "syn_tsodyks2_defaults": {
        "model": "tsodyks2_synapse", "target": "iaf_psc_exp", "pre_times": [_TSO_TRAIN],
        "groups": [({}, [(0, 0, 250.0, 1.0)])], "duration": 1520.0,
        "post_params": {}, "drive": (np.array([]), 0.0, 1.0)},
    # facilitation: U set but u left at NEST's 0.5; an inhibitory connection with initial
    # u and x; a fast-facilitating one with the shortest delay
    "syn_tsodyks2_facilitating": {
        "model": "tsodyks2_synapse", "target": "iaf_psc_exp", "pre_times": _TSO_FAC,
        "groups": [({"U": 0.1, "tau_fac": 400.0, "tau_rec": 120.0}, [(0, 0, 300.0, 1.0)]),
                   ({"U": 0.1, "u": 0.1, "x": 0.8, "tau_fac": 1000.0, "tau_rec": 50.0},
                    [(1, 0, -200.0, 2.0)]),
                   ({"U": 0.9, "u": 0.9, "tau_fac": 10.0, "tau_rec": 400.0},
                    [(2, 0, 150.0, 0.1)])],
        "duration": 1020.0, "post_params": {}, "drive": (np.array([]), 0.0, 1.0)},
}

#: recordables of a neuron target (NEST's names; mV, pA)
RECORD = ["V_m", "I_syn_ex", "I_syn_in"]


def _parrots(nest, times):
    """Parrot neurons repeating ``times`` (one array each); returns them and the recorder."""
    gens = nest.Create("spike_generator", len(times),
                       params=[{"spike_times": list(map(float, t))} for t in times])
    parrots = nest.Create("parrot_neuron", len(times))
    nest.Connect(gens, parrots, "one_to_one", syn_spec={"delay": RESOLUTION})
    rec = nest.Create("spike_recorder")
    nest.Connect(parrots, rec)
    return parrots, rec


def _spikes(recorder, nodes) -> tuple[np.ndarray, np.ndarray]:
    ev = recorder.get("events")
    first = nodes.tolist()[0]
    t, i = np.asarray(ev["times"], float), np.asarray(ev["senders"], int) - first
    order = np.lexsort((i, t))
    return t[order], i[order]


def run(protocol) -> dict:
    import nest

    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.resolution = RESOLUTION
    model = protocol["model"]
    pre, pre_rec = _parrots(nest, protocol["pre_times"])
    out = {"n_pre": len(protocol["pre_times"])}
    if protocol["target"] == "parrot_neuron":
        post, post_rec = _parrots(nest, protocol["post_times"])
        if protocol["post_params"]:
            post.set(protocol["post_params"])
        out["n_post"] = len(protocol["post_times"])
        receptor = 1  # spikes on receptor 1 are not repeated by the parrot
    else:
        post = nest.Create(protocol["target"], params=protocol["post_params"])
        meter = nest.Create("multimeter", params={"record_from": RECORD,
                                                  "interval": RESOLUTION})
        post_rec = nest.Create("spike_recorder")
        nest.Connect(meter, post)
        nest.Connect(post, post_rec)
        times, weight, delay = protocol["drive"]
        if len(times):
            drive = nest.Create("spike_generator", params={"spike_times": list(map(float,
                                                                                  times))})
            nest.Connect(drive, post, syn_spec={"weight": weight, "delay": delay})
        out["n_post"] = 1
        receptor = 0
    recorder = nest.Create("weight_recorder")
    nest.CopyModel(model, "recorded_synapse", {"weight_recorder": recorder})
    conn_list = []
    for g, (params, conns) in enumerate(protocol["groups"]):
        for (i, j, weight, delay) in conns:
            nest.Connect(pre[i], post[j], syn_spec={
                "synapse_model": "recorded_synapse", "weight": weight, "delay": delay,
                "receptor_type": receptor, **params})
            conn_list.append((g, i, j, weight, delay))
    nest.Simulate(protocol["duration"])

    conn = np.asarray(conn_list, dtype=float)
    out["conn_group"] = conn[:, 0].astype(int)
    out["conn_pre"] = conn[:, 1].astype(int)
    out["conn_post"] = conn[:, 2].astype(int)
    out["conn_weight"] = conn[:, 3]
    out["conn_delay_ms"] = conn[:, 4]
    # final state, connection by connection
    keys = {"stdp_synapse": ["weight", "Kplus"], "stdp_nn_symm_synapse": ["weight"],
            "tsodyks2_synapse": ["weight", "u", "x"]}[model]
    for key in keys:
        out[f"final_{key}"] = np.array([
            nest.GetConnections(pre[i], post[j]).get(key) for (_, i, j, _, _) in conn_list])
    # the weight sent with each presynaptic spike
    ev = recorder.get("events")
    senders = np.asarray(ev["senders"], int) - pre.tolist()[0]
    targets = np.asarray(ev["targets"], int) - post.tolist()[0]
    index = {(i, j): k for k, (_, i, j, _, _) in enumerate(conn_list)}
    wr_conn = np.array([index[(s, t)] for s, t in zip(senders, targets, strict=True)], int)
    wr_t = np.asarray(ev["times"], float)
    order = np.lexsort((wr_conn, wr_t))
    out["wr_t_ms"], out["wr_conn"] = wr_t[order], wr_conn[order]
    out["wr_weight"] = np.asarray(ev["weights"], float)[order]
    out["pre_t_ms"], out["pre_i"] = _spikes(pre_rec, pre)
    if protocol["target"] == "parrot_neuron":
        out["post_t_ms"], out["post_i"] = _spikes(post_rec, post)
    else:
        events = meter.get("events")
        order = np.argsort(events["times"])
        out["t_ms"] = np.asarray(events["times"])[order]
        for name in RECORD:
            out[f"{name}_nest"] = np.asarray(events[name])[order]
        out["spike_t_ms"] = np.asarray(post_rec.get("events")["times"], float)
        times, weight, delay = protocol["drive"]
        out["drive_t_ms"] = np.asarray(times, float)
        out["drive_weight"], out["drive_delay_ms"] = float(weight), float(delay)
    out["post_tau_minus_ms"] = float(post.get("tau_minus")[0] if len(post) > 1
                                     else post.get("tau_minus"))
    return out


def nest_defaults(model) -> dict:
    import nest

    return {k: float(v) for k, v in nest.GetDefaults(model).items()
            if isinstance(v, float | int) and not isinstance(v, bool) and np.isfinite(v)
            and k not in ("sizeof", "synapse_modelid", "num_connections", "receptor_type")}


def main() -> None:
    import nest

    OUT.mkdir(exist_ok=True)
    for name, protocol in PROTOCOLS.items():
        result = run(protocol)
        model = protocol["model"]
        np.savez_compressed(OUT / f"{name}.npz", **result, model=model, target=protocol["target"],
                 groups=repr([params for params, _ in protocol["groups"]]),
                 post_params=repr(protocol["post_params"]),
                 duration_ms=protocol["duration"], resolution_ms=RESOLUTION,
                 nest_defaults=repr(nest_defaults(model)),
                 neuron_tau_minus_default_ms=float(
                     nest.GetDefaults(protocol["target"])["tau_minus"]),
                 nest_version=nest.__version__)
        n_pre = len(result["pre_t_ms"])
        extra = f", {len(result['spike_t_ms'])} target spikes" if "spike_t_ms" in result \
            else f", {len(result['post_t_ms'])} post spikes"
        print(f"{name}: {len(result['conn_pre'])} connections, {n_pre} pre spikes{extra}, "
              f"final weights {np.round(result['final_weight'], 3).tolist()}")


if __name__ == "__main__":
    main()
