"""spikeloom's NEST synapse models against NEST 3 itself, on fixed spike trains.

``tests/reference/nest/make_nest_synapse_reference.py`` (run under NEST) connected parrot
neurons through ``stdp_synapse``, ``stdp_nn_symm_synapse`` and ``tsodyks2_synapse`` to
parrot neurons (STDP of given pre/post trains) or to an ``iaf_psc_exp`` (the weights reach a
real receptor), and recorded the weight sent with every presynaptic spike
(``weight_recorder``: the STDP weight after its update, the Tsodyks PSC amplitude
``weight*x*u``), every connection's final state and the neuron's ``V_m`` and currents. Here
the same spikes are replayed with :func:`~spikeloom.models.spike_generator` and the models
of :mod:`spikeloom.models.plasticity.nest`.

Compared: the weight after each presynaptic spike, the whole weight trace (NEST's weight
changes only when a presynaptic spike arrives), the final ``weight``/``Kplus``/``u``/``x``,
the PSC amplitudes, ``V_m`` and the synaptic currents. The mutants at the end show that the
comparison fails for a wrong default, a wrong update order and a missing dendritic delay.

Measured agreement (``docs/nest_synapses.md``) is printed by ``python
tests/models/test_nest_synapses.py``.
"""

from __future__ import annotations

import ast
import functools
import inspect
from pathlib import Path

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import ms, pA
from spikeloom.models import FromIJ, Projection, iaf_psc_exp, spike_generator
from spikeloom.models.plasticity import nest as nest_models
from spikeloom.models.plasticity import stdp_nn_symm_synapse, stdp_synapse, tsodyks2_synapse
from spikeloom.units import get_dim

DATA = Path(__file__).parents[1] / "reference" / "nest" / "data"
MODELS = {"stdp_synapse": stdp_synapse, "stdp_nn_symm_synapse": stdp_nn_symm_synapse,
          "tsodyks2_synapse": tsodyks2_synapse}
PROTOCOLS = sorted(p.stem for p in DATA.glob("syn_*.npz"))
TARGETS = {"iaf_psc_exp": iaf_psc_exp}

#: Largest |spikeloom - NEST| allowed: relative to the quantity's scale for weights (|Wmax|),
#: PSC amplitudes (the connection's |weight|) and state (Kplus, u, x: absolute), in NEST's
#: units for the neuron's V_m (mV) and currents (pA). Both sides evaluate the same closed-form
#: updates (NEST's exp of time differences, its order of operations); only round-off
#: differs: here the times are shifted by d - dt into the synapse's frame, so a time
#: difference carries ~1e-16 s of error, and the order of some products differs. Measured
#: (docs/nest_synapses.md): weights <= 1.7e-15 of Wmax, PSCs <= 1.9e-15 of the weight, Kplus
#: <= 6.9e-15, V_m <= 6.8e-13 mV, currents <= 3.7e-13 pA, spike times equal. The bounds sit
#: 100-1000x above that and 1e9x below the smallest effect of a modelling error (a wrong
#: default, update order or delay: 5e-3 of Wmax or more, see the mutant tests).
TOLERANCE = {"weight": 1e-12, "psc": 1e-12, "state": 1e-12, "V_m": 1e-9, "I_syn": 1e-9}


def _load(name: str) -> dict:
    return dict(np.load(DATA / f"{name}.npz"))


def _params(model_cls, params: dict) -> dict:
    """NEST's numbers with spikeloom's units (times in ms; weights stay NEST numbers)."""
    out = {}
    for key, value in params.items():
        default = model_cls.DEFAULTS[key]
        out[key] = value * ms if isinstance(default, sl.Quantity) else value
    return out


def build(name: str, model_cls=None):
    """The protocol ``name`` rebuilt in spikeloom; returns (ref, network pieces)."""
    ref = _load(name)
    model_cls = model_cls or MODELS[str(ref["model"])]
    sl.start_scope()
    step = float(ref["resolution_ms"]) * ms
    sl.defaultclock.dt = step
    pre = spike_generator(int(ref["n_pre"]), ref["pre_i"], ref["pre_t_ms"] * ms,
                          name=f"{name}_pre")
    target = str(ref["target"])
    objects, on_pre, kwargs = [pre], None, {}
    neuron = None
    if target == "parrot_neuron":
        post = spike_generator(int(ref["n_post"]), ref["post_i"], ref["post_t_ms"] * ms,
                               name=f"{name}_post")
        on_pre = ""  # receptor 1 of a parrot: nothing is sent
        if not issubclass(model_cls, tsodyks2_synapse):
            kwargs.setdefault("tau_minus", float(ref["post_tau_minus_ms"]) * ms)
    else:
        params = ast.literal_eval(str(ref["post_params"]))
        neuron = TARGETS[target](1, I_e=params.pop("I_e", 0.0) * pA, name=f"{name}_neuron",
                                 **{k: v * ms for k, v in params.items()})
        post = neuron
        if len(ref["drive_t_ms"]):
            drive = spike_generator(1, np.zeros(len(ref["drive_t_ms"]), int),
                                    ref["drive_t_ms"] * ms, name=f"{name}_drive")
            link = Projection(drive, neuron, None, FromIJ([0], [0]),
                              weight=float(ref["drive_weight"]) * pA,
                              delay=float(ref["drive_delay_ms"]) * ms, name=f"{name}_link")
            objects += [drive, link]
    objects.append(post)
    synapses = []
    for g, params in enumerate(ast.literal_eval(str(ref["groups"]))):
        k = np.flatnonzero(ref["conn_group"] == g)
        model = model_cls(**_params(model_cls, params))
        S = model.connect(pre, post, FromIJ(ref["conn_pre"][k], ref["conn_post"][k]),
                          weight=ref["conn_weight"][k], delay=ref["conn_delay_ms"][k] * ms,
                          on_pre=on_pre, name=f"{name}_syn{g}", **kwargs)
        synapses.append((k, S))
    state = ["weight"] + (["u", "x"] if issubclass(model_cls, tsodyks2_synapse) else [])
    monitors = [sl.StateMonitor(S, state, record=True) for _, S in synapses]
    objects += [S for _, S in synapses] + monitors
    trace = spikes = None
    if neuron is not None:
        trace = sl.StateMonitor(neuron, ["V_m", "I_syn_ex", "I_syn_in"], record=0)
        spikes = sl.SpikeMonitor(neuron)
        objects += [trace, spikes]
    sl.Network(*objects).run(float(ref["duration_ms"]) * ms)
    return ref, synapses, monitors, trace, spikes


def _per_connection(ref, synapses, monitors, var: str) -> np.ndarray:
    """Monitored ``var`` of every connection (rows in NEST's connection order), NEST units."""
    out = None
    for (k, _), mon in zip(synapses, monitors, strict=True):
        values = _nest_number(getattr(mon, var))
        if out is None:
            out = np.empty((len(ref["conn_pre"]), values.shape[1]))
        out[k] = values
    return out


def _nest_number(value) -> np.ndarray:
    """A weight in NEST's numbers (pA for a current weight; plain numbers as they are)."""
    if isinstance(value, sl.Quantity) and get_dim(value) == get_dim(pA):
        return np.asarray(value / pA, dtype=float)
    return np.asarray(value, dtype=float)


@functools.cache
def agreement(name: str) -> dict:
    """Largest deviations from NEST (relative for weights/PSCs/state, absolute for traces)."""
    ref, synapses, monitors, trace, spikes = build(name)
    return _compare(ref, synapses, monitors, trace, spikes)


def _compare(ref, synapses, monitors, trace, spikes) -> dict:
    model = str(ref["model"])
    step = float(ref["resolution_ms"])
    n_conn = len(ref["conn_pre"])
    groups = ast.literal_eval(str(ref["groups"]))
    delay = ref["conn_delay_ms"]
    weight = _per_connection(ref, synapses, monitors, "weight")
    n_t = weight.shape[1]
    out = {"n_connections": n_conn, "n_pre_spikes": len(ref["wr_t_ms"])}
    # the sample that first shows the update of a spike stamped T: T + d (see the module
    # docstring of spikeloom.models.plasticity.nest; the monitor records at the step's start)
    conn = ref["wr_conn"]
    sample = np.rint((ref["wr_t_ms"] + delay[conn]) / step).astype(int)
    if model == "tsodyks2_synapse":
        u = _per_connection(ref, synapses, monitors, "u")
        x = _per_connection(ref, synapses, monitors, "x")
        psc = weight[conn, sample] * u[conn, sample] * x[conn, sample]
        scale = np.abs(ref["conn_weight"][conn])
        out["psc"] = float(np.max(np.abs(psc - ref["wr_weight"]) / scale))
        out["psc_range"] = (float(np.min(np.abs(ref["wr_weight"]) / scale)),
                            float(np.max(np.abs(ref["wr_weight"]) / scale)))
        scale_c = np.abs(ref["conn_weight"])
        out["state"] = float(max(np.max(np.abs(u[:, -1] - ref["final_u"])),
                                 np.max(np.abs(x[:, -1] - ref["final_x"]))))
        out["weight"] = float(np.max(np.abs(weight[:, -1] - ref["final_weight"]) / scale_c))
    else:
        wmax = np.array([abs(groups[g].get("Wmax", MODELS[model].DEFAULTS["Wmax"]))
                         for g in ref["conn_group"]])
        # NEST's weight trace: the initial weight, then the weight sent with each spike
        # from T + d on
        expected = np.repeat(ref["conn_weight"][:, None], n_t, axis=1)
        for c, s, w in zip(conn, sample, ref["wr_weight"], strict=True):
            expected[c, s:] = w
        out["weight_at_spikes"] = float(np.max(np.abs(weight[conn, sample] - ref["wr_weight"])
                                               / wmax[conn]))
        out["weight_trace"] = float(np.max(np.abs(weight - expected) / wmax[:, None]))
        final = np.concatenate([_nest_number(S.weight[:]) for _, S in synapses])
        order = np.concatenate([k for k, _ in synapses])
        final = final[np.argsort(order)]
        out["weight"] = float(np.max(np.abs(final - ref["final_weight"]) / wmax))
        out["weight_change"] = float(np.max(np.abs(ref["final_weight"] - ref["conn_weight"])
                                            / wmax))
        if model == "stdp_synapse":
            kplus = np.concatenate([np.asarray(S.Kplus[:]) for _, S in synapses])
            kplus = kplus[np.argsort(order)]
            out["state"] = float(np.max(np.abs(kplus - ref["final_Kplus"])))
    if trace is not None:
        n = len(ref["V_m_nest"])
        out["V_m"] = float(np.max(np.abs(np.asarray(trace.V_m[0] / sl.mV)[1:n]
                                         - ref["V_m_nest"][:n - 1])))
        out["I_syn"] = float(max(
            np.max(np.abs(np.asarray(getattr(trace, var)[0] / pA)[1:n]
                          - ref[f"{var}_nest"][:n - 1])) for var in ("I_syn_ex", "I_syn_in")))
        spike_t = np.asarray(spikes.t / ms) + step
        same = len(spike_t) == len(ref["spike_t_ms"])
        out["spikes"] = float(np.max(np.abs(spike_t - ref["spike_t_ms"]), initial=0.0)) \
            if same else np.inf
        out["n_spikes"] = len(ref["spike_t_ms"])
    return out


CHECKS = {"weight": "weight", "weight_at_spikes": "weight", "weight_trace": "weight",
          "psc": "psc", "state": "state", "V_m": "V_m", "I_syn": "I_syn"}


def _assert_agrees(name: str, result: dict) -> None:
    for key, tol in CHECKS.items():
        if key in result:
            assert result[key] <= TOLERANCE[tol], f"{name}: {key} differs by {result[key]:.3g}"
    if "spikes" in result:
        assert result["spikes"] <= 1e-9, f"{name}: spike times differ ({result['spikes']})"


@pytest.mark.parametrize("name", PROTOCOLS)
def test_synapse_follows_nest(name):
    result = agreement(name)
    _assert_agrees(name, result)
    if "weight_change" in result:  # the protocol moves the weights measurably
        assert result["weight_change"] > 1e-3


def test_protocols_cover_the_models():
    models = {str(_load(name)["model"]) for name in PROTOCOLS}
    assert models == set(MODELS)


# -- defaults and parameter names ---------------------------------------------------------------
@pytest.mark.parametrize("model", sorted(MODELS))
def test_defaults_are_nest_defaults(model):
    name = next(n for n in PROTOCOLS if str(_load(n)["model"]) == model)
    ref = _load(name)
    nest_defaults = ast.literal_eval(str(ref["nest_defaults"]))
    cls = MODELS[model]
    for key, value in cls.DEFAULTS.items():
        ours = float(value / ms) if isinstance(value, sl.Quantity) else float(value)
        assert ours == nest_defaults[key], f"{model}: default {key}"
    assert set(cls.DEFAULTS) == set(nest_defaults) - {"weight", "delay"}
    # connect(): NEST's weight and delay defaults
    sig = inspect.signature(cls.connect)
    assert sig.parameters["weight"].default == nest_defaults["weight"]
    assert float(sig.parameters["delay"].default / ms) == nest_defaults["delay"]
    if model != "tsodyks2_synapse":
        assert float(nest_models.TAU_MINUS_DEFAULT / ms) == float(
            ref["neuron_tau_minus_default_ms"])


def test_lambda_spellings():
    a = stdp_synapse(lambda_=0.02)
    b = stdp_synapse(**{"lambda": 0.02})
    assert a["lambda"] == b.lambda_ == 0.02
    with pytest.raises(TypeError, match="lambda once"):
        stdp_synapse(lambda_=0.02, **{"lambda": 0.03})


def test_tsodyks2_u_does_not_follow_U():
    model = tsodyks2_synapse(U=0.2)
    assert model["u"] == 0.5  # NEST's constructor default, as nest.Connect leaves it


# -- bad parameters --------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, match", [
    (stdp_synapse, {"Kplus": -1.0}, r"Kplus=-1: Kplus must be non-negative"),
    (stdp_synapse, {"tau_plus": -5 * ms}, r"tau_plus=-5\*ms: tau_plus must be > 0"),
    (stdp_synapse, {"tau_plus": 5.0}, r"tau_plus must be a time"),
    (stdp_synapse, {"Wmax": 0.0}, r"Wmax=0: Wmax must not be 0"),
    (stdp_synapse, {"mu_plus": float("nan")}, r"mu_plus must be finite"),
    (stdp_synapse, {"alpha": "1"}, r"alpha must be a plain number"),
    (stdp_synapse, {"tau_minus": 20 * ms}, r"tau_minus is a parameter of the postsynaptic"),
    (stdp_nn_symm_synapse, {"Kplus": 1.0}, r"unknown parameter\(s\) Kplus"),
    (tsodyks2_synapse, {"U": 1.5}, r"U=1\.5: 'U' must be in \[0,1\]"),
    (tsodyks2_synapse, {"u": -0.1}, r"u=-0\.1: 'u' must be in \[0,1\]"),
    (tsodyks2_synapse, {"tau_rec": 0 * ms}, r"tau_rec=0\*ms: 'tau_rec' must be > 0"),
    (tsodyks2_synapse, {"tau_fac": -1 * ms}, r"tau_fac=-1\*ms: 'tau_fac' must be >= 0"),
    (tsodyks2_synapse, {"tau_psc": 3 * ms}, r"unknown parameter\(s\) tau_psc"),
])
def test_bad_parameters(cls, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        cls(**kwargs)


def _pair_groups():
    sl.start_scope()
    sl.defaultclock.dt = 0.1 * ms
    pre = spike_generator(1, [0], [10.0] * ms)
    post = iaf_psc_exp(1)
    return pre, post


@pytest.mark.parametrize("kwargs, match", [
    ({"weight": -5.0}, r"weight=-5, Wmax=100: weight and Wmax must have the same sign"),
    ({"weight": 5.0 * sl.nS}, r"weight=5\. nS has unit siemens, but the target's weight is in amp"),
    ({"delay": 0.04 * ms}, r"delay=.* is shorter than one time step"),
    ({"delay": 1.0}, r"delay must be a time"),
    ({"tau_minus": -3 * ms}, r"tau_minus must be a positive finite time, got -3"),
    ({"weight": [1.0, 2.0]}, r"weight has 2 values but the connectivity made 1 synapses"),
])
def test_bad_connect_arguments(kwargs, match):
    pre, post = _pair_groups()
    with pytest.raises((ValueError, TypeError), match=match):
        stdp_synapse().connect(pre, post, **kwargs)


def test_target_without_receptors_needs_on_pre():
    sl.start_scope()
    pre = spike_generator(1, [0], [10.0] * ms)
    post = spike_generator(1, [0], [12.0] * ms)
    with pytest.raises(ValueError, match="has no built-in receptors; give on_pre="):
        tsodyks2_synapse().connect(pre, post)
    with pytest.raises(TypeError, match="tsodyks2_synapse has no postsynaptic trace"):
        tsodyks2_synapse().connect(pre, post, on_pre="", tau_minus=20 * ms)


def test_neuron_tau_minus_is_used():
    """A postsynaptic group with its own tau_minus (NEST's arrangement) provides it."""
    sl.start_scope()
    sl.defaultclock.dt = 0.1 * ms
    pre = spike_generator(1, [0, 0], [10.0, 30.0] * ms)
    post = sl.NeuronGroup(1, "v : 1\ntau_minus : second (constant)", threshold="t > 19.95*ms"
                          " and t < 20.05*ms", name="post_with_tau_minus")
    post.tau_minus = 7 * ms
    S = stdp_synapse().connect(pre, post, weight=50.0, on_pre="v_post += weight")
    with pytest.raises(ValueError, match="has its own tau_minus"):
        stdp_synapse().connect(pre, post, weight=50.0, on_pre="", tau_minus=20 * ms)
    sl.Network(pre, post, S).run(40 * ms)
    # post at 20.1 ms (NEST stamp) + d = 21.1 ms; the pre at 30 ms depresses with
    # exp(-(30 - 21.1)/7); the pre at 10 ms facilitated it with exp(-(21.1 - 10)/20)
    n = 0.5 + 0.01 * 0.5 * np.exp(-11.1 / 20)
    n = n - 0.01 * n * np.exp(-8.9 / 7)
    assert abs(float(S.weight[0]) - 100 * n) < 1e-9


# -- the comparison has teeth: mutants fail it ----------------------------------------------------
class _no_dendritic_delay(stdp_synapse):
    """Brian2's convention: the post pathway as fast as the pre pathway (Δt misses d)."""

    def _initialize(self, synapses, delay_steps, step):
        super()._initialize(synapses, delay_steps, step)
        synapses.post.delay = (delay_steps - 1) * step * sl.second


class _update_at_post(stdp_synapse):
    """The facilitation shown at the postsynaptic spike instead of the next presynaptic one."""

    def _code(self, weight_unit, transmit, tau_minus):
        model, pre, post = super()._code(weight_unit, transmit, tau_minus)
        return model, pre, post + ["weight = weight_fac", "n_fac = 0"]


class _u_before_x(tsodyks2_synapse):
    """u updated before x (x then uses the new u)."""

    def _code(self, weight_unit, transmit, tau_minus):
        model, pre, post = super()._code(weight_unit, transmit, tau_minus)
        i = next(k for k, line in enumerate(pre) if line.startswith("x = "))
        pre[i], pre[i + 1] = pre[i + 1], pre[i]
        return model, pre, post


class _u_follows_U(tsodyks2_synapse):
    """The initial u taken from U (BrainPy's STP), not NEST's independent default 0.5."""

    def _initialize(self, synapses, delay_steps, step):
        super()._initialize(synapses, delay_steps, step)
        synapses.u = self.params["U"]


class _wrong_lambda_default(stdp_synapse):
    DEFAULTS = {**stdp_synapse.DEFAULTS, "lambda": 0.011}


@pytest.mark.parametrize("name, mutant, key", [
    ("syn_stdp_pairs", _no_dendritic_delay, "weight_at_spikes"),
    ("syn_stdp_trains", _update_at_post, "weight_trace"),
    ("syn_stdp_iaf_psc_exp", _wrong_lambda_default, "weight_at_spikes"),
    ("syn_tsodyks2_facilitating", _u_before_x, "psc"),
    ("syn_tsodyks2_facilitating", _u_follows_U, "psc"),
])
def test_mutants_fail_the_comparison(name, mutant, key):
    result = _compare(*build(name, mutant))
    tol = TOLERANCE[CHECKS[key]]
    assert result[key] > 1e6 * tol, f"{mutant.__name__}: {key} = {result[key]:.3g}"


if __name__ == "__main__":  # the figures of docs/nest_synapses.md
    for protocol in PROTOCOLS:
        res = agreement(protocol)
        print(protocol, {k: (f"{v:.2e}" if isinstance(v, float) else v)
                         for k, v in res.items()})
