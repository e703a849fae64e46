# Constants assigned in model functions are used only inside equation strings (Brian2 resolves
# them from the caller's locals at run time), hence:
# ruff: noqa: F841
"""Model definitions shared by Brian2 (reference) and spikeloom (under test).

Every model is a function ``model(b) -> dict[str, np.ndarray]`` where ``b`` is
the simulator *module* (``brian2`` or ``spikeloom``).  The function only uses
public Brian2 API through ``b.<name>``, builds a small network, runs it and
returns plain float64 arrays in fixed units (the unit is part of the key
documentation below, e.g. ``v_mV``).

Conventions for the returned dictionaries
-----------------------------------------
* keys ending in ``_mV``, ``_ms``, ``_nA`` ... hold values in that unit;
* keys listed in :data:`INTEGER_SUFFIXES` (spike indices, synapse indices,
  counts, lengths) hold integer-valued floats and are compared exactly;
* everything is ``np.float64``.

Objects must be held in local variables of the model function: the magic
``b.run`` collects the Brian objects from the calling frame, exactly as in a
user script.  External constants used in equation strings (``tau``, ``v0`` ...)
are likewise resolved from the function's locals at ``run`` time.

Models must stay small (<= 200 neurons, <= 200 ms of biological time, apart
from the 1 s Poisson models) so the whole suite runs in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: Key suffixes whose arrays are integer-valued and must match exactly.
INTEGER_SUFFIXES = ("_i", "_j", "_idx", "_count", "_n", "_len", "_steps")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    func: Callable[..., dict]
    deterministic: bool
    features: tuple[str, ...] = field(default_factory=tuple)
    rtol: float = 1e-9
    atol: float = 1e-12

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0] if self.func.__doc__ else ""


#: name -> ModelSpec, in definition order.
REGISTRY: dict[str, ModelSpec] = {}


def register(
    deterministic: bool = True,
    features: tuple[str, ...] = (),
    name: str | None = None,
    rtol: float = 1e-9,
    atol: float = 1e-12,
):
    """Decorator adding a model function to :data:`REGISTRY`."""

    def deco(func):
        key = name or func.__name__
        if key in REGISTRY:
            raise ValueError(f"duplicate model name {key!r}")
        REGISTRY[key] = ModelSpec(key, func, deterministic, tuple(features), rtol, atol)
        return func

    return deco


def is_integer_key(key: str) -> bool:
    return key.endswith(INTEGER_SUFFIXES)


def f64(x) -> np.ndarray:
    """Plain float64 ndarray from a (dimensionless) array-like."""
    return np.array(np.asarray(x), dtype=np.float64)


def _trains(b, spike_trains: dict, unit) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate a ``spike_trains()`` dict (sorted by neuron index) and the lengths."""
    keys = sorted(spike_trains)
    parts = [f64(spike_trains[k] / unit) for k in keys]
    cat = np.concatenate(parts) if parts else np.zeros(0)
    return cat, f64([len(p) for p in parts])


# ---------------------------------------------------------------------------
# 1. threshold + reset
# ---------------------------------------------------------------------------
@register(
    features=(
        "NeuronGroup",
        "threshold",
        "reset",
        "method='exact'",
        "StateMonitor record=list",
        "SpikeMonitor",
    )
)
def lif_threshold_reset(b):
    """LIF driven above threshold by a per-neuron constant target v0 (exact integration)."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 10 * b.ms
    G = b.NeuronGroup(
        6,
        """dv/dt = (v0 - v)/tau : volt
           v0 : volt""",
        threshold="v > 10*mV",
        reset="v = 0*mV",
        method="exact",
    )
    G.v0 = np.array([9.0, 11.0, 13.7, 17.3, 23.1, 41.9]) * b.mV  # neuron 0 never spikes
    mon = b.StateMonitor(G, "v", record=[0, 2, 5])
    spk = b.SpikeMonitor(G)
    b.run(100 * b.ms)
    return {
        "t_ms": f64(mon.t / b.ms),
        "v_mV": f64(mon.v / b.mV),
        "spk_i": f64(spk.i),
        "spk_t_ms": f64(spk.t / b.ms),
        "v_end_mV": f64(G.v / b.mV),
    }


# ---------------------------------------------------------------------------
# 2. refractoriness
# ---------------------------------------------------------------------------
@register(features=("refractory=Quantity", "(unless refractory)", "lastspike", "not_refractory"))
def lif_refractory_fixed(b):
    """LIF with refractory=5*ms; v clamped while refractory via (unless refractory)."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 10 * b.ms
    G = b.NeuronGroup(
        4,
        """dv/dt = (v0 - v)/tau : volt (unless refractory)
           v0 : volt""",
        threshold="v > 10*mV",
        reset="v = 0*mV",
        refractory=5 * b.ms,
        method="exact",
    )
    G.v0 = np.array([12.3, 19.7, 33.1, 77.7]) * b.mV
    mon = b.StateMonitor(G, ["v", "not_refractory"], record=True)
    spk = b.SpikeMonitor(G)
    b.run(100 * b.ms)
    return {
        "t_ms": f64(mon.t / b.ms),
        "v_mV": f64(mon.v / b.mV),
        "not_refractory": f64(mon.not_refractory),
        "spk_i": f64(spk.i),
        "spk_t_ms": f64(spk.t / b.ms),
        "lastspike_ms": f64(G.lastspike / b.ms),
    }


@register(features=("(unless refractory) conditional write: on_pre input lost while refractory",
                   "reset writes unconditionally", "variables without the flag still updated"))
def refractory_conditional_write(b):
    """Synaptic input to an (unless refractory) variable is discarded during refractoriness."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 20 * b.ms
    inp = b.SpikeGeneratorGroup(2, [0, 1, 0, 1, 0], [0.5, 1.0, 2.5, 3.2, 6.0] * b.ms)
    G = b.NeuronGroup(
        3,
        """dv/dt = -v/tau : 1 (unless refractory)
           dx/dt = -x/tau : 1""",
        threshold="v > 1",
        reset="v = 0.1",
        refractory=2 * b.ms,
        method="exact",
    )
    G.v = [1.5, 0.5, 0.95]  # neuron 0 spikes at t=0; neuron 2 after the first input
    S = b.Synapses(inp, G, "w : 1", on_pre="""v_post += w
                                             x_post += w""")
    S.connect()
    S.w = "0.3 + 0.05*i + 0.01*j"
    mon = b.StateMonitor(G, ["v", "x", "not_refractory"], record=True)
    spk = b.SpikeMonitor(G)
    b.run(8 * b.ms)
    return {
        "t_ms": f64(mon.t / b.ms),
        "v": f64(mon.v),
        "x": f64(mon.x),
        "not_refractory": f64(mon.not_refractory),
        "spk_i": f64(spk.i),
        "spk_t_ms": f64(spk.t / b.ms),
    }


@register(features=("refractory='ref' (per-neuron constant)", "timestep() flooring of refractory"))
def lif_refractory_variable(b):
    """Per-neuron refractory period from a `ref : second (constant)` variable.

    Periods that are not multiples of dt (1.05 ms, 2.55 ms ...) are floored to
    whole steps by Brian2's ``timestep(ref, dt)``.
    """
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 10 * b.ms
    G = b.NeuronGroup(
        5,
        """dv/dt = (v0 - v)/tau : volt (unless refractory)
           v0 : volt (constant)
           ref : second (constant)""",
        threshold="v > 10*mV",
        reset="v = 0*mV",
        refractory="ref",
        method="exact",
    )
    G.v0 = 37.9 * b.mV
    G.ref = "1.05*ms + i*1.5*ms"  # 1.05, 2.55, 4.05, 5.55, 7.05 ms
    mon = b.StateMonitor(G, "v", record=[0, 4])
    spk = b.SpikeMonitor(G)
    b.run(60 * b.ms)
    return {
        "v_mV": f64(mon.v / b.mV),
        "spk_i": f64(spk.i),
        "spk_t_ms": f64(spk.t / b.ms),
        "count": f64(spk.count),
    }


@register(
    features=(
        "refractory=<boolean condition>",
        "reset=None",
        "sin/pi/t in equations",
        "method='rk4'",
        "(unless refractory) on a second variable",
    )
)
def lif_refractory_condition(b):
    """Refractoriness as a boolean condition: refractory until v drops below 5 mV.

    The leaky neuron follows a sinusoidal target and is never reset; the
    condition acts as hysteresis (one spike per upward crossing of 10 mV).  The
    counter ``c`` only integrates while the neuron is not refractory.
    """
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 5 * b.ms
    A = 14 * b.mV
    G = b.NeuronGroup(
        4,
        """dv/dt = (v0 + A*sin(2*pi*f*t) - v)/tau : volt
           dc/dt = 1/ms : 1 (unless refractory)
           v0 : volt (constant)
           f : Hz (constant)""",
        threshold="v > 10*mV",
        refractory="v > 5*mV",
        method="rk4",
    )
    G.v0 = np.array([0.0, 2.5, 4.0, 7.3]) * b.mV
    G.f = np.array([23.0, 31.7, 47.3, 61.1]) * b.Hz
    mon = b.StateMonitor(G, ["v", "c", "not_refractory"], record=True)
    spk = b.SpikeMonitor(G)
    b.run(120 * b.ms)
    return {
        "v_mV": f64(mon.v / b.mV),
        "c": f64(mon.c),
        "not_refractory": f64(mon.not_refractory),
        "spk_i": f64(spk.i),
        "spk_t_ms": f64(spk.t / b.ms),
    }


# ---------------------------------------------------------------------------
# 3. integration methods
# ---------------------------------------------------------------------------
def _make_integration_model(method: str):
    def model(b):
        b.start_scope()
        b.defaultclock.dt = 0.1 * b.ms
        # quadratic integrate-and-fire with reset
        tau = 10 * b.ms
        vs = 10 * b.mV
        Q = b.NeuronGroup(
            4,
            """dv/dt = (v**2/vs + I)/tau : volt
               I : volt (constant)""",
            threshold="v > 20*mV",
            reset="v = -5*mV",
            method=method,
        )
        Q.I = np.array([0.37, 1.13, 2.71, 5.9]) * b.mV
        Q.v = -5 * b.mV
        # FitzHugh-Nagumo (dimensionless, two variables, no threshold)
        tau1 = 1 * b.ms
        tau2 = 12.5 * b.ms
        a = 0.7
        bb = 0.8
        F = b.NeuronGroup(
            3,
            """dx/dt = (x - x**3/3 - y + Iext)/tau1 : 1
               dy/dt = (x + a - bb*y)/tau2 : 1
               Iext : 1 (constant)""",
            method=method,
        )
        F.Iext = np.array([0.0, 0.5, 1.2])
        F.x = -1.2
        F.y = -0.6
        mq = b.StateMonitor(Q, "v", record=True)
        sq = b.SpikeMonitor(Q)
        mf = b.StateMonitor(F, ["x", "y"], record=True)
        b.run(80 * b.ms)
        return {
            "qif_v_mV": f64(mq.v / b.mV),
            "qif_spk_i": f64(sq.i),
            "qif_spk_t_ms": f64(sq.t / b.ms),
            "fhn_x": f64(mf.x),
            "fhn_y": f64(mf.y),
        }

    model.__name__ = f"integration_{method}"
    model.__doc__ = (
        f"Nonlinear QIF (threshold/reset) and FitzHugh-Nagumo integrated with method='{method}'."
        + (
            "\n\nNote: Brian2's 'heun' is the stochastic Heun scheme; for deterministic"
            " equations it reduces to forward Euler."
            if method == "heun"
            else ""
        )
    )
    return model


for _m in ("euler", "rk2", "rk4", "heun"):
    register(features=(f"method='{_m}'", "nonlinear ODEs", "threshold/reset"))(
        _make_integration_model(_m)
    )
del _m


@register(
    features=(
        "method='exponential_euler'",
        "conductance-based neuron",
        "voltage-dependent gating",
        "SpikeGeneratorGroup",
        "on_pre='g += w'",
    )
)
def integration_exponential_euler(b):
    """Conductance-based LIF with a voltage-dependent K gate, exponential Euler."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    gl = 10 * b.nS
    El = -70 * b.mV
    E = 0 * b.mV
    C = 200 * b.pF
    taug = 5 * b.ms
    gk = 6 * b.nS
    Ek = -90 * b.mV
    Vh = -50 * b.mV
    kn = 4 * b.mV
    taun = 20 * b.ms
    G = b.NeuronGroup(
        3,
        """dv/dt = (gl*(El - v) + g*(E - v) + gk*n*(Ek - v))/C : volt
           dg/dt = -g/taug : siemens
           dn/dt = (1/(1 + exp(-(v - Vh)/kn)) - n)/taun : 1""",
        threshold="v > -45*mV",
        reset="v = -65*mV",
        method="exponential_euler",
    )
    G.v = El
    gen = b.SpikeGeneratorGroup(
        2,
        [0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1],
        np.array([5.0, 7.3, 10.0, 11.1, 20.0, 21.0, 22.2, 40.0, 40.0, 41.5, 60.3]) * b.ms,
    )
    S = b.Synapses(gen, G, "w : siemens", on_pre="g += w")
    S.connect()
    S.w = "(9 + 4*i + 3*j)*nS"
    mon = b.StateMonitor(G, ["v", "g", "n"], record=True)
    spk = b.SpikeMonitor(G)
    b.run(100 * b.ms)
    return {
        "v_mV": f64(mon.v / b.mV),
        "g_nS": f64(mon.g / b.nS),
        "n": f64(mon.n),
        "spk_i": f64(spk.i),
        "spk_t_ms": f64(spk.t / b.ms),
        "syn_i": f64(S.i[:]),
        "syn_j": f64(S.j[:]),
    }


@register(features=("method='exact'", "coupled linear 2-variable system", "per-neuron tau"))
def integration_exact_linear2(b):
    """Exact integration of the coupled linear system dv/dt=(ge-v)/taum, dge/dt=-ge/taue."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    taum = 10 * b.ms
    G = b.NeuronGroup(
        3,
        """dv/dt = (ge - v)/taum : volt
           dge/dt = -ge/taue : volt
           taue : second (constant)""",
        method="exact",
    )
    G.taue = np.array([2.0, 5.0, 17.0]) * b.ms
    G.ge = np.array([10.0, 4.0, -3.0]) * b.mV
    G.v = np.array([0.0, -2.0, 1.0]) * b.mV
    gen = b.SpikeGeneratorGroup(1, [0, 0, 0], np.array([20.0, 35.0, 35.7]) * b.ms)
    S = b.Synapses(gen, G, on_pre="ge += 5*mV")
    S.connect()
    mon = b.StateMonitor(G, ["v", "ge"], record=True)
    b.run(60 * b.ms)
    return {"t_ms": f64(mon.t / b.ms), "v_mV": f64(mon.v / b.mV), "ge_mV": f64(mon.ge / b.mV)}


# ---------------------------------------------------------------------------
# 4. subexpressions, parameters, slicing, subgroups
# ---------------------------------------------------------------------------
@register(
    features=(
        "subexpression",
        "parameters from arrays",
        "string expressions with i",
        "slice assignment",
        "string-index assignment",
        "subgroups + monitors",
        "StateMonitor of a subexpression",
    )
)
def subexpressions_params_subgroups(b):
    """Conductance-driven LIF with subexpression I, parameters set in many ways, subgroups."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    El = -70 * b.mV
    C = 200 * b.pF
    G = b.NeuronGroup(
        10,
        """dv/dt = (El - v)/tau + I/C : volt
           I = g*(E - v) : amp
           g : siemens
           E : volt
           tau : second""",
        threshold="v > -50*mV",
        reset="v = El",
        method="euler",
    )
    G.tau = "10*ms + i*ms"
    G.g = np.linspace(2.0, 20.0, 10) * b.nS
    G.E = 0 * b.mV
    G.v[0] = -55 * b.mV
    G.v[1:] = "-70*mV + i*0.5*mV"
    G.v["i >= 8"] = -60 * b.mV
    sub_a = G[:5]
    sub_b = G[5:]
    sub_b.E = "10*mV + i*mV"  # i is subgroup-relative: neurons 5..9 get 10..14 mV
    sub_b.g["i == 2"] = 14.5 * b.nS  # subgroup-relative index 2 = neuron 7
    mon_a = b.StateMonitor(sub_a, ["v", "I"], record=True)
    spk_b = b.SpikeMonitor(sub_b)
    spk = b.SpikeMonitor(G)
    sub_mid = G[3:8]
    spk_mid = b.SpikeMonitor(sub_mid)
    b.run(100 * b.ms)
    return {
        "a_v_mV": f64(mon_a.v / b.mV),
        "a_I_nA": f64(mon_a.I / b.nA),
        "b_spk_i": f64(spk_b.i),
        "b_spk_t_ms": f64(spk_b.t / b.ms),
        "mid_spk_i": f64(spk_mid.i),
        "mid_spk_t_ms": f64(spk_mid.t / b.ms),
        "all_spk_i": f64(spk.i),
        "all_spk_t_ms": f64(spk.t / b.ms),
        "g_nS": f64(G.g / b.nS),
        "tau_ms": f64(G.tau / b.ms),
        "E_mV": f64(G.E / b.mV),
        "v_end_mV": f64(G.v / b.mV),
    }


# ---------------------------------------------------------------------------
# 5. SpikeGeneratorGroup -> Synapses, delays, connect variants
# ---------------------------------------------------------------------------
@register(
    features=(
        "SpikeGeneratorGroup (off-grid times, same-bin ordering)",
        "connect(i=..., j=...)",
        "homogeneous delay",
        "on_pre='v += w'",
    )
)
def synapses_generator_homogeneous_delay(b):
    """Generator -> non-spiking integrator through explicit i/j synapses with delay 2 ms.

    Off-grid spike times are floored to the time step (t + 1e-3*dt shift); two
    spikes in the same bin are emitted in (time, index) order, not index order.
    """
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 10 * b.ms
    gen = b.SpikeGeneratorGroup(
        5,
        [0, 1, 3, 2, 4, 1, 0, 4],
        np.array([1.0, 1.04, 1.01, 3.0999, 5.0, 7.5, 12.3, 12.3]) * b.ms,
    )
    N = b.NeuronGroup(4, "dv/dt = -v/tau : volt", method="exact")
    S = b.Synapses(gen, N, "w : volt", on_pre="v += w")
    S.connect(i=[0, 1, 2, 3, 4, 4], j=[0, 1, 2, 3, 0, 3])
    S.w = np.array([1.0, 2.0, 3.0, 4.0, 0.5, -1.5]) * b.mV
    S.delay = 2 * b.ms
    mon = b.StateMonitor(N, "v", record=True)
    spk = b.SpikeMonitor(gen)
    b.run(30 * b.ms)
    return {
        "v_mV": f64(mon.v / b.mV),
        "gen_spk_i": f64(spk.i),
        "gen_spk_t_ms": f64(spk.t / b.ms),
        "syn_i": f64(S.i[:]),
        "syn_j": f64(S.j[:]),
        "delay_ms": f64(S.delay[:] / b.ms),
    }


@register(
    features=(
        "SpikeGeneratorGroup(period=...)",
        "connect(condition='i != j')",
        "connect(j='k for k in range(...) if ...')",
        "connect(i=0, j=0, n=3)",
        "heterogeneous delays (string and array)",
        "S.w['i > j'] = ...",
        "multiple synapses per pair",
    )
)
def synapses_connect_delays(b):
    """Connection patterns, per-synapse delays and string-indexed weight assignment."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 8 * b.ms
    gen = b.SpikeGeneratorGroup(
        5, [0, 1, 2, 3, 4, 2], np.array([0.0, 1.0, 2.0, 3.0, 4.0, 6.5]) * b.ms, period=10 * b.ms
    )
    N = b.NeuronGroup(5, "dv/dt = -v/tau : volt", method="exact")
    # all-to-all except self, delay from a string expression
    S1 = b.Synapses(gen, N, "w : volt", on_pre="v += w")
    S1.connect(condition="i != j")
    S1.w = "0.1*mV*(1 + i + 2*j)"
    S1.w["i > j"] = -0.25 * b.mV
    S1.delay = "j*0.3*ms"
    # neighbourhood via generator syntax, delays from an array.  Delays are
    # converted to whole steps by rounding delay/dt: 0.14 ms -> 1, 0.87 ms -> 9,
    # 1.23 ms -> 12 steps.  (Half-step delays are avoided on purpose: Brian2's
    # C++ queue computes int(delay/dt + 0.5), its pure-Python queue
    # np.round(delay/dt) (half to even), and e.g. 0.15 ms / 0.1 ms is
    # 1.4999999999999998 -- a round-off-level tie.)
    S2 = b.Synapses(gen, N, "w : volt", on_pre="v += w")
    S2.connect(j="k for k in range(i-1, i+2) if k >= 0 and k < N_post")
    S2.w = "0.7*mV"
    S2.delay = np.resize(np.array([0.14, 0.5, 0.87, 1.23]), len(S2)) * b.ms
    # multiple synapses between the same pair, appended by a second connect call
    S3 = b.Synapses(gen, N, "w : volt", on_pre="v += w")
    S3.connect(i=0, j=0, n=3)
    S3.connect(i=[4], j=[2])
    S3.w = np.array([1.0, 2.0, 4.0, 8.0]) * b.mV
    S3.delay = np.array([0.0, 1.0, 2.3, 0.7]) * b.ms
    mon = b.StateMonitor(N, "v", record=True)
    spk = b.SpikeMonitor(gen)
    b.run(45 * b.ms)
    return {
        "v_mV": f64(mon.v / b.mV),
        "gen_spk_i": f64(spk.i),
        "gen_spk_t_ms": f64(spk.t / b.ms),
        "S1_i": f64(S1.i[:]),
        "S1_j": f64(S1.j[:]),
        "S1_w_mV": f64(S1.w[:] / b.mV),
        "S1_delay_ms": f64(S1.delay[:] / b.ms),
        "S2_i": f64(S2.i[:]),
        "S2_j": f64(S2.j[:]),
        "S2_delay_ms": f64(S2.delay[:] / b.ms),
        "S3_i": f64(S3.i[:]),
        "S3_j": f64(S3.j[:]),
        "S3_n": f64([len(S3)]),
    }


# ---------------------------------------------------------------------------
# 6. plasticity
# ---------------------------------------------------------------------------
@register(
    features=(
        "(event-driven) ODEs",
        "on_pre/on_post",
        "clip",
        "STDP traces",
        "StateMonitor on Synapses",
        "pre/post spikes in the same step",
    )
)
def stdp_event_driven(b):
    """Trace STDP with event-driven apre/apost, driven by known pre/post spike times.

    Post spikes are forced by a 'teacher' generator: a teacher spike at t makes
    the post neuron fire at t + dt.
    """
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    taupre = 20 * b.ms
    taupost = 20 * b.ms
    Apre = 0.01
    Apost = -Apre * taupre / taupost * 1.05
    wmax = 1.0
    taue = 5 * b.ms
    tau = 10 * b.ms
    pre = b.SpikeGeneratorGroup(
        3,
        [0, 1, 2, 0, 1, 2, 0, 2, 1, 0],
        np.array([5.0, 7.0, 9.0, 20.0, 24.1, 30.0, 50.0, 55.0, 70.1, 90.0]) * b.ms,
    )
    teacher = b.SpikeGeneratorGroup(
        2, [0, 1, 0, 1, 0, 1], np.array([10.0, 12.0, 29.9, 40.0, 60.0, 69.9]) * b.ms
    )
    post = b.NeuronGroup(
        2,
        """dv/dt = -v/tau : 1
           dge/dt = -ge/taue : 1""",
        threshold="v > 1",
        reset="v = 0",
        method="exact",
    )
    T = b.Synapses(teacher, post, on_pre="v += 2")
    T.connect(j="i")
    S = b.Synapses(
        pre,
        post,
        """w : 1
           dapre/dt = -apre/taupre : 1 (event-driven)
           dapost/dt = -apost/taupost : 1 (event-driven)""",
        on_pre="""ge += w
                  apre += Apre
                  w = clip(w + apost, 0, wmax)""",
        on_post="""apost += Apost
                   w = clip(w + apre, 0, wmax)""",
    )
    S.connect()
    S.w = "0.5 + 0.1*i - 0.2*j"
    wmon = b.StateMonitor(S, "w", record=True)
    gmon = b.StateMonitor(post, "ge", record=True)
    spk_post = b.SpikeMonitor(post)
    b.run(100 * b.ms)
    return {
        "w": f64(S.w[:]),
        "apre": f64(S.apre[:]),
        "apost": f64(S.apost[:]),
        "w_trace": f64(wmon.w),
        "ge": f64(gmon.ge),
        "post_spk_i": f64(spk_post.i),
        "post_spk_t_ms": f64(spk_post.t / b.ms),
        "syn_i": f64(S.i[:]),
        "syn_j": f64(S.j[:]),
    }


@register(
    features=(
        "lastspike_pre / lastspike_post in on_pre/on_post",
        "refractory=0*ms",
        "nearest-neighbour STDP",
        "regular pacemaker neurons",
    )
)
def stdp_lastspike(b):
    """Nearest-spike STDP written with lastspike_pre/lastspike_post (auto-updated lastspike).

    Both groups are phase oscillators that fire regularly; refractory=0*ms makes
    Brian2 maintain `lastspike`, which is set in the thresholds slot, i.e.
    before the synaptic pathways run (so lastspike_pre == t inside on_pre).
    """
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau_plus = 16.8 * b.ms
    tau_minus = 33.7 * b.ms
    A_plus = 0.03
    A_minus = -0.025
    eqs = """dphase/dt = f : 1
             f : Hz (constant)"""
    pre = b.NeuronGroup(
        3, eqs, threshold="phase > 1", reset="phase -= 1", refractory=0 * b.ms, method="euler"
    )
    post = b.NeuronGroup(
        2, eqs, threshold="phase > 1", reset="phase -= 1", refractory=0 * b.ms, method="euler"
    )
    pre.f = np.array([37.3, 51.9, 23.7]) * b.Hz
    pre.phase = np.array([0.1, 0.55, 0.9])
    post.f = np.array([29.1, 44.3]) * b.Hz
    post.phase = np.array([0.0, 0.33])
    S = b.Synapses(
        pre,
        post,
        "w : 1",
        on_pre="""w = clip(w + A_minus*exp((lastspike_post - t)/tau_minus), 0, 1)""",
        on_post="""w = clip(w + A_plus*exp((lastspike_pre - t)/tau_plus), 0, 1)""",
    )
    S.connect()
    S.w = 0.5
    spk_pre = b.SpikeMonitor(pre)
    spk_post = b.SpikeMonitor(post)
    wmon = b.StateMonitor(S, "w", record=True, dt=1 * b.ms)
    b.run(150 * b.ms)
    return {
        "w": f64(S.w[:]),
        "w_trace": f64(wmon.w),
        "pre_spk_i": f64(spk_pre.i),
        "pre_spk_t_ms": f64(spk_pre.t / b.ms),
        "post_spk_i": f64(spk_post.i),
        "post_spk_t_ms": f64(spk_post.t / b.ms),
        "pre_lastspike_ms": f64(pre.lastspike / b.ms),
    }


# ---------------------------------------------------------------------------
# 7. summed variables (explicit Network)
# ---------------------------------------------------------------------------
@register(
    features=(
        "(summed) variable",
        "(clock-driven) synaptic ODE",
        "explicit Network",
        "Network.run",
        "StateMonitor on Synapses",
    )
)
def summed_variable(b):
    """Synaptic current Isyn_post = w*s (summed) with clock-driven s; explicit Network."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 10 * b.ms
    taus = 3 * b.ms
    R = 100 * b.Mohm
    gen = b.SpikeGeneratorGroup(
        3,
        [0, 1, 2, 0, 1, 0, 2, 1],
        np.array([2.0, 2.0, 5.0, 10.0, 10.3, 15.0, 30.0, 31.0]) * b.ms,
    )
    G = b.NeuronGroup(
        2,
        """dv/dt = (-v + R*Isyn)/tau : volt
           Isyn : amp""",
        threshold="v > 10*mV",
        reset="v = 0*mV",
        method="exact",
    )
    S = b.Synapses(
        gen,
        G,
        """w : amp
           ds/dt = -s/taus : 1 (clock-driven)
           Isyn_post = w*s : amp (summed)""",
        on_pre="s += 1",
        method="exact",
    )
    S.connect()
    S.w = "(0.3 + 0.1*i + 0.15*j)*nA"
    vmon = b.StateMonitor(G, ["v", "Isyn"], record=True)
    smon = b.StateMonitor(S, "s", record=[0, 3, 5])
    spk = b.SpikeMonitor(G)
    net = b.Network(gen, G, S, vmon, smon, spk)
    net.run(60 * b.ms)
    return {
        "v_mV": f64(vmon.v / b.mV),
        "Isyn_nA": f64(vmon.Isyn / b.nA),
        "s": f64(smon.s),
        "spk_i": f64(spk.i),
        "spk_t_ms": f64(spk.t / b.ms),
    }


# ---------------------------------------------------------------------------
# 8. monitors and consecutive runs
# ---------------------------------------------------------------------------
@register(
    features=(
        "StateMonitor(dt=1*ms, record=[0, 3])",
        "StateMonitor(record=True)",
        "SpikeMonitor.count",
        "spike_trains()",
        "SpikeMonitor(variables='v')",
        "PopulationRateMonitor",
        "consecutive run() calls",
    )
)
def monitors_consecutive_runs(b):
    """All monitor kinds on a deterministic LIF population, two consecutive 50 ms runs."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 10 * b.ms
    G = b.NeuronGroup(
        8,
        """dv/dt = (v0 - v)/tau : volt
           v0 : volt (constant)""",
        threshold="v > 10*mV",
        reset="v = 0*mV",
        refractory=2 * b.ms,
        method="exact",
    )
    G.v0 = "8*mV + i*4.3*mV"
    G.v = "i*1.1*mV"
    coarse = b.StateMonitor(G, "v", record=[0, 3], dt=1 * b.ms)
    full = b.StateMonitor(G, "v", record=True)
    spk = b.SpikeMonitor(G)
    spk_v = b.SpikeMonitor(G, variables="v")
    rate = b.PopulationRateMonitor(G)
    b.run(50 * b.ms)
    count_first = f64(spk.count[:])
    b.run(50 * b.ms)
    trains_cat, trains_len = _trains(b, spk.spike_trains(), b.ms)
    return {
        "coarse_t_ms": f64(coarse.t / b.ms),
        "coarse_v_mV": f64(coarse.v / b.mV),
        "full_t_ms": f64(full.t / b.ms),
        "full_v_mV": f64(full.v / b.mV),
        "spk_i": f64(spk.i),
        "spk_t_ms": f64(spk.t / b.ms),
        "first_run_count": count_first,
        "count": f64(spk.count[:]),
        "trains_cat_ms": trains_cat,
        "trains_len": trains_len,
        "spkv_i": f64(spk_v.i),
        "spkv_v_mV": f64(spk_v.v / b.mV),
        "rate_t_ms": f64(rate.t / b.ms),
        "rate_Hz": f64(rate.rate / b.Hz),
        "end_t_ms": f64([b.defaultclock.t / b.ms]),
    }


# ---------------------------------------------------------------------------
# 9. TimedArray
# ---------------------------------------------------------------------------
@register(
    features=(
        "TimedArray 1-D ta(t)",
        "TimedArray 2-D ta(t, i)",
        "hold after end",
        "TimedArray dt coarser than the clock",
        "method='rk4' intermediate times",
    )
)
def timed_array_input(b):
    """Current input from 1-D and 2-D TimedArrays (values held past their end)."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 10 * b.ms
    R = 50 * b.Mohm
    ta = b.TimedArray(np.array([0.0, 0.2, 0.5, -0.1, 0.3, 0.0, 0.15, 0.4]) * b.nA, dt=2.5 * b.ms)
    vals2 = np.array(
        [[0.1, 0.0, -0.2], [0.3, 0.2, 0.0], [0.0, 0.5, 0.1], [-0.1, 0.1, 0.4], [0.2, 0.0, 0.0]]
    )
    ta2 = b.TimedArray(vals2 * b.nA, dt=3 * b.ms)
    G1 = b.NeuronGroup(
        2,
        """dv/dt = (-v + R*I*(1 + i))/tau : volt
           I = ta(t) : amp""",
        method="euler",
    )
    G2 = b.NeuronGroup(
        3,
        """dv/dt = (-v + R*I)/tau : volt
           I = ta2(t, i) : amp""",
        method="rk4",
    )
    m1 = b.StateMonitor(G1, ["v", "I"], record=True)
    m2 = b.StateMonitor(G2, ["v", "I"], record=True)
    b.run(25 * b.ms)
    return {
        "G1_v_mV": f64(m1.v / b.mV),
        "G1_I_nA": f64(m1.I / b.nA),
        "G2_v_mV": f64(m2.v / b.mV),
        "G2_I_nA": f64(m2.I / b.nA),
    }


# ---------------------------------------------------------------------------
# 11. store / restore
# ---------------------------------------------------------------------------
def _store_restore_net(b):
    tau = 10 * b.ms
    gen = b.SpikeGeneratorGroup(
        2, [0, 1, 0, 1, 0, 1], np.array([3.0, 8.0, 18.0, 19.5, 27.0, 33.3]) * b.ms
    )
    G = b.NeuronGroup(
        2,
        """dv/dt = -v/tau : volt (unless refractory)""",
        threshold="v > 10*mV",
        reset="v = 0*mV",
        refractory=3 * b.ms,
        method="exact",
        namespace={"tau": tau},  # explicit namespace: run() is called from another frame
    )
    S = b.Synapses(
        gen,
        G,
        """w : volt
           dx/dt = -x/tau : 1 (event-driven)""",
        on_pre="""v += w
                  x += 1
                  w += 0.5*mV*x""",
        namespace={"tau": tau},
    )
    S.connect()
    S.w = "(6 + 2*i - j)*mV"
    S.delay = 3 * b.ms  # spikes at 18 and 19.5 ms are still in flight at the store (20 ms)
    mon = b.StateMonitor(G, "v", record=True)
    spk = b.SpikeMonitor(G)
    return gen, G, S, mon, spk


@register(
    features=(
        "Network.store()",
        "Network.restore()",
        "spike queue in flight at store",
        "explicit namespace= argument",
    )
)
def store_restore_network(b):
    """run 20 ms, store, run 30 ms, restore, run 30 ms: second and third runs equal."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    gen, G, S, mon, spk = _store_restore_net(b)
    net = b.Network(gen, G, S, mon, spk)
    net.run(20 * b.ms)
    net.store()
    net.run(30 * b.ms)
    out = {
        "run2_v_mV": f64(mon.v / b.mV),
        "run2_spk_i": f64(spk.i),
        "run2_spk_t_ms": f64(spk.t / b.ms),
        "run2_w_mV": f64(S.w[:] / b.mV),
    }
    net.restore()
    out["restored_t_ms"] = f64([net.t / b.ms])
    net.run(30 * b.ms)
    out.update(
        {
            "run3_v_mV": f64(mon.v / b.mV),
            "run3_spk_i": f64(spk.i),
            "run3_spk_t_ms": f64(spk.t / b.ms),
            "run3_w_mV": f64(S.w[:] / b.mV),
        }
    )
    return out


@register(features=("magic store()", "magic restore()", "magic run()"))
def store_restore_magic(b):
    """Same as store_restore_network but with the magic b.store()/b.restore()/b.run()."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    _gen, _G, S, mon, spk = _store_restore_net(b)  # locals: collected by the magic network
    b.run(20 * b.ms)
    b.store()
    b.run(30 * b.ms)
    out = {
        "run2_v_mV": f64(mon.v / b.mV),
        "run2_spk_i": f64(spk.i),
        "run2_spk_t_ms": f64(spk.t / b.ms),
        "run2_w_mV": f64(S.w[:] / b.mV),
    }
    b.restore()
    b.run(30 * b.ms)
    out.update(
        {
            "run3_v_mV": f64(mon.v / b.mV),
            "run3_spk_i": f64(spk.i),
            "run3_spk_t_ms": f64(spk.t / b.ms),
            "run3_w_mV": f64(S.w[:] / b.mV),
        }
    )
    return out


# ---------------------------------------------------------------------------
# 10. random models (compared statistically)
# ---------------------------------------------------------------------------
@register(deterministic=False, features=("PoissonGroup(rates=Quantity)", "SpikeMonitor.count"))
def poisson_constant_rate(b):
    """PoissonGroup(100, 50 Hz) for 1 s: per-neuron spike counts and all spike times."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    P = b.PoissonGroup(100, rates=50 * b.Hz)
    spk = b.SpikeMonitor(P)
    b.run(1 * b.second)
    return {"count": f64(spk.count[:]), "spk_i": f64(spk.i), "spk_t_ms": f64(spk.t / b.ms)}


@register(deterministic=False, features=("PoissonGroup(rates='10*Hz + i*Hz')",))
def poisson_string_rate(b):
    """PoissonGroup(100, rates='10*Hz + i*Hz') for 1 s: per-neuron spike counts."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    P = b.PoissonGroup(100, rates="10*Hz + i*Hz")
    spk = b.SpikeMonitor(P)
    b.run(1 * b.second)
    return {"count": f64(spk.count[:])}


@register(deterministic=False, features=("rand() in threshold", "refractory with random threshold"))
def rand_threshold_refractory(b):
    """NeuronGroup firing with threshold 'rand() < rates*dt' and a 10 ms refractory period.

    Each step a non-refractory neuron fires with probability p = rates*dt, so
    an inter-spike interval is 99 steps + Geometric(p) steps.
    """
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    G = b.NeuronGroup(
        100, "rates : Hz (constant)", threshold="rand() < rates*dt", refractory=10 * b.ms
    )
    G.rates = 20 * b.Hz
    spk = b.SpikeMonitor(G)
    b.run(1 * b.second)
    trains = spk.spike_trains()
    isis = [np.diff(f64(trains[k] / b.ms)) for k in sorted(trains)]
    return {"count": f64(spk.count[:]), "isi_ms": np.concatenate(isis) if isis else np.zeros(0)}


@register(
    deterministic=False,
    features=(
        "xi noise (Ornstein-Uhlenbeck)",
        "method='euler' SDE",
        "StateMonitor(dt=1*ms, record=True)",
    ),
)
def ou_noise(b):
    """OU process dv = (mu - v)/tau dt + sigma*sqrt(2/tau) dW, 200 neurons, Euler-Maruyama.

    Starts at v = mu; samples every 1 ms.  The stationary mean is mu and the
    stationary variance is sigma**2 (times 1/(1 - dt/(2 tau)) for Euler).
    """
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    tau = 10 * b.ms
    mu = 5 * b.mV
    sigma = 2 * b.mV
    G = b.NeuronGroup(200, "dv/dt = (mu - v)/tau + sigma*sqrt(2/tau)*xi : volt", method="euler")
    G.v = mu
    mon = b.StateMonitor(G, "v", record=True, dt=1 * b.ms)
    b.run(200 * b.ms)
    return {"t_ms": f64(mon.t / b.ms), "v_mV": f64(mon.v / b.mV)}


# ---------------------------------------------------------------------------
# 13. doors Brian2 scripts walk through (issue: scripts from the wild run unchanged)
# ---------------------------------------------------------------------------
@register(features=("N as an integral float", "Subgroup.run_regularly",
                    "integer variables truncate", "Quantity under NumPy"))
def script_doors(b):
    """``NeuronGroup(6.0, ...)``, ``run_regularly`` on a subgroup (``i`` counts from the
    slice), integer variables set from float values and expressions (Brian2 truncates),
    quantities through NumPy (``np.linspace`` of quantities, ``float(0.5*b.Hz)``)."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    rate = float(0.5 * b.Hz)  # Brian2: the SI value
    G = b.NeuronGroup(6.0, """v : 1
                             k : integer
                             I : amp""")
    G[2:4].run_regularly("v += i + 1 + rate", dt=1 * b.ms)
    G.k = "i*0.7 - 1.2"
    G.I = np.linspace(0 * b.nA, 1 * b.nA, 6)
    H = b.NeuronGroup(4, "k : integer")
    H.k = [1.9, -1.9, 2.5, 3.0]
    b.run(3.05 * b.ms)
    return {"v": f64(G.v[:]), "G_k_n": f64(G.k[:]), "H_k_n": f64(H.k[:]),
            "I_nA": f64(G.I[:] / b.nA), "asarray_mV": f64([np.asarray(3 * b.mV) * 1e3])}


@register(features=("method='exponential_euler' on conditionally linear equations",))
def morris_lecar_exponential_euler(b):
    """Morris & Lecar (1981) with exponential Euler: ``dV/dt`` is linear in V only after
    freezing ``tanh(V...)``, which Brian2 accepts ("conditionally linear")."""
    b.start_scope()
    b.defaultclock.dt = 0.01 * b.ms
    g_L, g_Ca, g_K = 2 * b.msiemens, 4 * b.msiemens, 8 * b.msiemens
    V_L, V_Ca, V_K = -50 * b.mV, 100 * b.mV, -70 * b.mV
    lambda_n__max = 1.0 / (15 * b.ms)
    V_1, V_2, V_3, V_4 = 10 * b.mV, 15 * b.mV, -1 * b.mV, 14.5 * b.mV
    C = 20 * b.ufarad
    eqs = """
    dV/dt = (-g_L*(V - V_L) - g_Ca*m_inf*(V - V_Ca) - g_K*n*(V - V_K) + I)/C : volt
    dn/dt = lambda_n*(n_inf - n) : 1
    m_inf = 0.5*(1 + tanh((V - V_1)/V_2)) : 1
    n_inf = 0.5*(1 + tanh((V - V_3)/V_4)) : 1
    lambda_n = lambda_n__max*cosh((V - V_3)/(2*V_4)) : Hz
    I : amp
    """
    neuron = b.NeuronGroup(4, eqs, method="exponential_euler")
    neuron.I = (np.arange(4) * 100 + 100) * b.uA
    neuron.V = V_L
    neuron.n = "n_inf"
    mon = b.StateMonitor(neuron, ["V", "n"], record=True, dt=1 * b.ms)
    b.run(60 * b.ms)
    return {"V_mV": f64(mon.V / b.mV), "n": f64(mon.n)}


@register(features=("Hodgkin-Huxley with exprel, exponential Euler (model analysis < 1 s)",))
def wang_buzsaki_exponential_euler(b):
    """Wang & Buzsaki (1996) single interneuron, Brian2's equations and exponential Euler."""
    b.start_scope()
    b.defaultclock.dt = 0.01 * b.ms
    Cm, Iapp = 1 * b.ufarad, 2 * b.uA
    gL, EL, ENa, EK = 0.1 * b.msiemens, -65 * b.mV, 55 * b.mV, -90 * b.mV
    gNa, gK = 35 * b.msiemens, 9 * b.msiemens
    eqs = """
    dv/dt = (-gNa*m**3*h*(v-ENa)-gK*n**4*(v-EK)-gL*(v-EL)+Iapp)/Cm : volt
    m = alpha_m/(alpha_m+beta_m) : 1
    alpha_m = 0.1/mV*10*mV/exprel(-(v+35*mV)/(10*mV))/ms : Hz
    beta_m = 4*exp(-(v+60*mV)/(18*mV))/ms : Hz
    dh/dt = 5*(alpha_h*(1-h)-beta_h*h) : 1
    alpha_h = 0.07*exp(-(v+58*mV)/(20*mV))/ms : Hz
    beta_h = 1./(exp(-0.1/mV*(v+28*mV))+1)/ms : Hz
    dn/dt = 5*(alpha_n*(1-n)-beta_n*n) : 1
    alpha_n = 0.01/mV*10*mV/exprel(-(v+34*mV)/(10*mV))/ms : Hz
    beta_n = 0.125*exp(-(v+44*mV)/(80*mV))/ms : Hz
    """
    mV, ms = b.mV, b.ms
    neuron = b.NeuronGroup(1, eqs, method="exponential_euler", threshold="v > -20*mV",
                           refractory="v > -20*mV")
    neuron.v = -70 * b.mV
    neuron.h = 1
    mon = b.StateMonitor(neuron, "v", record=0, dt=0.5 * b.ms)
    spikes = b.SpikeMonitor(neuron)
    b.run(40 * b.ms)
    return {"v_mV": f64(mon.v[0] / b.mV), "spike_t_ms": f64(spikes.t / b.ms)}


@register(features=("network_operation (dt, when='start'/'end', t argument)", "stop()",
                    "connect generator with a parenthesised condition"))
def network_operations(b):
    """Python code between steps: a 'start' operation every 1 ms changes v, an 'end' one
    every 2 ms records it, a third calls ``stop()`` at 7 ms (the run ends after that step).
    Also ``connect(j='k for k in range(i-3, i+4) if (k % 2) == (i % 2)', skip_if_invalid)``."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    G = b.NeuronGroup(2, "dv/dt = (1 + i)/second : 1")
    seen_t, seen_v, late_t, late_v = [], [], [], []

    @b.network_operation(dt=1 * b.ms)
    def kick(t):
        seen_t.append(float(t / b.ms))
        seen_v.append(float(G.v[0]))
        G.v += 1

    @b.network_operation(dt=2 * b.ms, when="end")
    def look(t):
        late_t.append(float(t / b.ms))
        late_v.append(float(G.v[1]))

    @b.network_operation(dt=0.5 * b.ms)
    def halt(t):
        if t >= 7 * b.ms:
            b.stop()

    P = b.NeuronGroup(10, "x : 1")
    S = b.Synapses(P, P)
    S.connect(j="k for k in range(i-3, i+4) if (k % 2) == (i % 2) and k != i",
              skip_if_invalid=True)
    b.run(20 * b.ms)
    return {"kick_t_ms": f64(seen_t), "kick_v": f64(seen_v), "look_t_ms": f64(late_t),
            "look_v": f64(late_v), "v": f64(G.v[:]), "t_end_ms": f64([float(G.t / b.ms)]),
            "syn_i": f64(S.i[:]), "syn_j": f64(S.j[:])}


@register(features=("(linked) variables and linked_var", "Synapses.indices, S[i, :]",
                    "N_incoming_post/N_outgoing_pre"))
def linked_and_synapse_indexing(b):
    """A group reading another's variable through ``(linked)`` (same size and size 1, as in
    Brian2's reliability and Brette-Guigon examples), a synapse model reading a linked
    global factor; ``S.indices[i, :]``, ``S[i, :]`` as a StateMonitor record, the per-neuron
    synapse counts."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    # explicit names: objects of one slot update in name order (in Brian2 and here), and the
    # target reads the drive after its update only if the drive comes first
    drive = b.NeuronGroup(1, "dx/dt = (2 - x)/(5*ms) : 1", method="exact", name="a_drive")
    levels = b.NeuronGroup(4, "z : 1", name="b_levels")
    levels.z = "0.5*i"
    G = b.NeuronGroup(4, """dv/dt = (I + y - v)/(10*ms) : 1
                           I : 1 (linked)
                           y : 1 (linked)""", threshold="v > 1.2", reset="v = 0",
                      method="euler", name="c_target")
    G.I = b.linked_var(drive, "x")
    G.y = b.linked_var(levels.z)
    factor = b.NeuronGroup(1, "F : 1")
    factor.F = 0.25
    S = b.Synapses(G, G, """w : 1
                          F : 1 (linked)""", on_pre="w += F")
    S.connect("i != j")
    S.F = b.linked_var(factor, "F")
    S.w[S.indices[1, :]] = 1.0
    record = b.StateMonitor(S, "w", record=S[2, :])
    trace = b.StateMonitor(G, ["v", "I", "y"], record=True)
    spikes = b.SpikeMonitor(G)
    b.run(30 * b.ms)
    return {"v": f64(trace.v), "I": f64(trace.I), "y": f64(trace.y), "w": f64(S.w[:]),
            "w_rec": f64(record.w), "spike_i": f64(spikes.i), "spike_t_ms": f64(spikes.t / b.ms),
            "indices_idx": f64(S.indices[1, :]), "in_count": f64(S.N_incoming_post),
            "out_count": f64(S.N_outgoing_pre), "sel_len": f64([len(S[2, :])])}


@register(features=("custom events (events=, run_on_event, set_event_schedule)",
                    "Synapses on_event (a pathway per event)", "EventMonitor with variables"))
def custom_events(b):
    """Brian2's custom-events example made deterministic: spikes at fixed times raise g;
    'gspike' fires when g crosses 1 (once, re-armed by 'end_gspike'), a pathway per event
    feeds another group; a second group tests its event after the resets."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    inp = b.SpikeGeneratorGroup(1, [0] * 12, np.arange(12) * 4 * b.ms + 1 * b.ms)
    G = b.NeuronGroup(2, """dv/dt = (g - v)/(8*ms) : 1
                           dg/dt = -g/(10*ms) : 1
                           allow_gspike : boolean
                           level : 1""",
                      threshold="v > 0.95", reset="v = 0; g = 0; allow_gspike = True",
                      events={"gspike": "g > 1 and allow_gspike",
                              "end_gspike": "g < 1 and not allow_gspike"},
                      method="exact", name="g_group")
    G.allow_gspike = True
    G.level = [0.9, 1.0]
    G.run_on_event("gspike", "allow_gspike = False")
    G.run_on_event("end_gspike", "allow_gspike = True")
    H = b.NeuronGroup(2, """dx/dt = -x/(10*ms) : 1
                           dy/dt = -y/(10*ms) : 1
                           high = x > 0.5 : boolean""",
                      events={"high_after_reset": "high"}, method="exact", name="h_group")
    H.set_event_schedule("high_after_reset", when="after_resets")
    H.run_on_event("high_after_reset", "x = x/2", when="end")
    Sin = b.Synapses(inp, G, on_pre="g += 0.45*level_post")
    Sin.connect()
    S = b.Synapses(G, H, on_pre={"pre": "x += 1", "gpath": "y += 1"},
                   on_event={"pre": "spike", "gpath": "gspike"}, delay=0.5 * b.ms)
    S.connect(j="i")
    M_g = b.EventMonitor(G, "gspike", "g")
    M_end = b.EventMonitor(G, "end_gspike")
    M_h = b.EventMonitor(H, "high_after_reset", variables="x")
    spikes = b.SpikeMonitor(G)
    states = b.StateMonitor(H, ("x", "y"), record=True)
    b.run(60 * b.ms)
    return {"gspike_t": f64(M_g.t[:] / b.ms), "gspike_i": f64(M_g.i[:]),
            "gspike_g": f64(M_g.g[:]), "end_t": f64(M_end.t[:] / b.ms),
            "high_t": f64(M_h.t[:] / b.ms), "high_x": f64(M_h.x[:]),
            "spike_t": f64(spikes.t[:] / b.ms), "x": f64(states.x[:]),
            "y": f64(states.y[:]), "num_events": f64([M_g.num_events])}


@register(features=("Synapses onto Synapses: on_pre writing the target synapses' variables",
                    "a Synapses as source of a (summed) variable", "(summed) into synapses",
                    "connect(j='i if cond')"))
def synapses_onto_synapses(b):
    """The patterns of Brian2's Izhikevich (2007) and Stimberg et al. (2018) examples: a
    reward group's spikes raise a trace of each synapse of another Synapses; synapses
    release a transmitter summed into 'astrocytes'; astrocytes feed a (summed) gain back
    into the synapses (one astrocyte per synapse, 'j = i if i < N_post')."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    pre = b.SpikeGeneratorGroup(3, [0, 1, 2, 0, 1, 2], [1, 2, 3, 11, 12, 13] * b.ms)
    post = b.NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", method="exact", name="n_post")
    S = b.Synapses(pre, post, """dd/dt = -d/(5*ms) : 1 (clock-driven)
                                 dY/dt = -Y/(2*ms) : 1 (clock-driven)
                                 gain : 1""",
                   on_pre="v_post += (1 + d)*(1 + gain); Y += 1", method="exact",
                   name="s_main")
    S.connect(i=[0, 1, 2, 2], j=[0, 0, 1, 0])
    reward = b.SpikeGeneratorGroup(1, [0, 0], [5, 8] * b.ms)
    R = b.Synapses(reward, S, on_pre="d_post += 0.5", name="s_reward")
    R.connect()
    astro = b.NeuronGroup(3, """dG/dt = (Y_in - G)/(4*ms) : 1
                               Y_in : 1""", method="exact", name="n_astro")
    to_astro = b.Synapses(S, astro, "Y_in_post = Y_pre : 1 (summed)", name="s_to_astro")
    to_astro.connect(j="i if i < N_post")
    to_syn = b.Synapses(astro, S, "gain_post = 0.2*G_pre : 1 (summed)", name="s_to_syn")
    to_syn.connect(j="i")
    states = b.StateMonitor(S, ["d", "Y", "gain"], record=True)
    volts = b.StateMonitor(post, "v", record=True)
    b.run(20 * b.ms)
    return {"d": f64(states.d[:]), "Y": f64(states.Y[:]), "gain": f64(states.gain[:]),
            "v": f64(volts.v[:]), "G": f64(astro.G[:]), "n_to_astro": f64([len(to_astro)])}


@register(features=("TimedArray in method='exact' and in the automatic choice (held over the "
                    "step, Brian2's is_locally_constant)", "a TimedArray on a coarser grid",
                    "StateMonitor of neuron and synapse subexpressions"))
def timed_array_exact(b):
    """Brian2 integrates ``dv/dt = (I(t) - v)/tau`` exactly when the TimedArray's dt is a
    multiple of the group's: I is held over each step; rk4 evaluates it at its stages."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    stimulus = b.TimedArray([0, 1, 2, 0.5, -1] * b.mV, dt=1 * b.ms)
    coarse = b.TimedArray([0.2, 1.0, 0.4] * b.nA, dt=2 * b.ms)
    G = b.NeuronGroup(2, """dv/dt = (stimulus(t) - v)/(5*ms) : volt
                           dw/dt = (coarse(t)*100*Mohm - w)/(3*ms) : volt
                           x = 2*v + w : volt""", method="exact", name="ta_exact")
    H = b.NeuronGroup(1, "du/dt = (stimulus(t) - u)/(4*ms) : volt", name="ta_auto")
    K = b.NeuronGroup(1, "dz/dt = (stimulus(t) - z)/(4*ms) : volt", method="rk4",
                      name="ta_rk4")
    S = b.Synapses(G, G, "w_syn : 1\ny = w_syn*2 : 1", name="ta_syn")
    S.connect()
    S.w_syn = "i + 2*j"
    M = b.StateMonitor(G, ["v", "w", "x"], record=True)
    MH = b.StateMonitor(H, "u", record=True)
    MK = b.StateMonitor(K, "z", record=True)
    MS = b.StateMonitor(S, "y", record=True)
    b.run(5.05 * b.ms)
    return {"v": f64(M.v[:] / b.mV), "w": f64(M.w[:] / b.mV), "x": f64(M.x[:] / b.mV),
            "u": f64(MH.u[:] / b.mV), "z": f64(MK.z[:] / b.mV), "y": f64(MS.y[:])}


@register(deterministic=False, features=("PoissonInput (exact and normal regimes)",))
def poisson_input(b):
    """1000 neurons, each with two PoissonInputs for 20 ms (200 steps): 50 sources at 20 Hz
    into ``k`` (p = 0.002, N*p = 0.1: Brian2's exact binomial) and 100000 sources at 20 Hz
    into ``v`` with weight 0.01 mV (N*p = 200: its normal approximation)."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    G = b.NeuronGroup(1000, """k : 1
                              v : volt""")
    few = b.PoissonInput(G, "k", 50, 20 * b.Hz, 1.0)
    many = b.PoissonInput(G, "v", 100000, 20 * b.Hz, 0.01 * b.mV)
    b.run(20 * b.ms)
    return {"k": f64(G.k[:]), "v_mV": f64(G.v[:] / b.mV)}


@register(features=("linked_var(..., index=array)", "linked_var(..., index='name') read at "
                    "every step", "linked_var to a subgroup", "linked_var to a subexpression",
                    "a string expression reading linked variables"))
def linked_var_index(b):
    """Brian2's ``index=`` of ``linked_var``: an index array, the name of an integer variable
    of the target (changed every 5 ms by ``run_regularly``), a subgroup source (indices
    relative to the subgroup) and a subexpression source."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    src = b.NeuronGroup(3, """dx/dt = (x0 - x)/(5*ms) : 1
                             x0 : 1
                             xs = 2*x + x0 : 1""", threshold="x > 1.5", reset="x = 0",
                        method="exact", name="a_src")
    src.x0 = [1.0, 2.0, 3.0]
    G = b.NeuronGroup(5, """dv/dt = (I + y - v)/(10*ms) : 1
                           I : 1 (linked)
                           y : 1 (linked)
                           s : 1 (linked)
                           z : 1 (linked)
                           k : integer""", method="euler", name="b_target")
    G.I = b.linked_var(src, "x", index=np.array([2, 0, 1, 1, 2]))
    G.k = [0, 0, 1, 2, 2]
    G.y = b.linked_var(src.x0, index="k")
    G.s = b.linked_var(src[1:3], "x0", index=[1, 0, 0, 1, 1])
    G.z = b.linked_var(src, "xs", index=[1, 1, 2, 0, 0])
    G.run_regularly("k = (k + 1) % 3", dt=5 * b.ms)
    G.v = "y + 2*s"  # evaluated in Python, through the links
    v_start = f64(G.v[:])
    kick = b.Synapses(src, G, on_pre="v_post += 0.1")
    kick.connect()
    M = b.StateMonitor(G, ["v", "I", "y", "s", "z"], record=True)
    b.run(30 * b.ms)
    return {"v_start": v_start, "v": f64(M.v), "I": f64(M.I), "y": f64(M.y), "s": f64(M.s),
            "z": f64(M.z), "I_end": f64(G.I[:]), "y_end": f64(G.y[:]), "s_end": f64(G.s[:]),
            "z_end": f64(G.z[:]), "k_idx": f64(G.k[:])}


def _event_monitor(b, group):
    return b.EventMonitor(group, "up", variables="v")


@register(features=("EventMonitor of a custom event with a variable, count and N",))
def custom_event_monitor(b, monitor=_event_monitor):
    """A custom event 'up' (v above 0.5 while armed; re-armed below 0.3 by a second event)
    recorded with ``monitor(b, G)``: Brian2's ``EventMonitor(G, 'up', variables='v')``;
    tests/core/test_brian2_gaps.py passes spikeloom's ``SpikeMonitor(G, event='up')``."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    G = b.NeuronGroup(3, """dv/dt = (drive - v)/(10*ms) : 1
                           drive : 1
                           armed : boolean""", threshold="v > 0.9", reset="v = 0",
                      events={"up": "v > 0.5 and armed", "rearm": "v < 0.3 and not armed"},
                      method="exact", name="ev_group")
    G.run_on_event("up", "armed = False")
    G.run_on_event("rearm", "armed = True")
    G.drive = [0.45, 0.8, 1.5]
    G.armed = True
    M = monitor(b, G)
    b.run(60 * b.ms)
    return {"ev_i": f64(M.i[:]), "ev_t_ms": f64(M.t[:] / b.ms), "ev_v": f64(M.v[:]),
            "ev_count": f64(M.count[:]), "ev_n": f64([len(M.t[:])]),
            "N_n": f64(M.get_states()["N"]).reshape(1)}


#: Names a get_states() dictionary may hold, in a fixed order (membership is compared).
STATE_KEYS = ("N", "i", "j", "t", "dt", "t_in_timesteps", "v", "v0", "lastspike",
              "not_refractory", "count", "rate", "x")


def _key_flags(states: dict) -> np.ndarray:
    unknown = set(states) - set(STATE_KEYS)
    if unknown:
        raise KeyError(f"get_states() returned unexpected keys {sorted(unknown)}")
    return f64([name in states for name in STATE_KEYS])


@register(features=("Network.get_states (units, read_only_variables) of groups and monitors",
                    "Network.set_states, then a second run"))
def network_states(b):
    """``Network.get_states`` after a run (which keys each object reports, the values, a
    StateMonitor's (time, neuron) layout), ``set_states`` of the group, a second run."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    G = b.NeuronGroup(3, """dv/dt = (v0 - v)/(10*ms) : volt
                           v0 : volt""", threshold="v > 10*mV", reset="v = 0*mV",
                      refractory=2 * b.ms, method="exact", name="grp")
    G.v0 = [5, 15, 30] * b.mV
    spk = b.SpikeMonitor(G, name="spk")
    st = b.StateMonitor(G, "v", record=[0, 2], dt=1 * b.ms, name="st")
    pop = b.PopulationRateMonitor(G, name="pop")
    net = b.Network(G, spk, st, pop)
    net.run(20 * b.ms)
    raw = net.get_states(units=False)
    writable = net.get_states(read_only_variables=False)
    net.set_states({"grp": {"v": writable["grp"]["v"] * 0.5, "v0": [20, 12, 25] * b.mV}})
    net.run(10 * b.ms)
    out = {f"keys_{name}": _key_flags(raw[name]) for name in ("grp", "spk", "st", "pop")}
    out.update({f"rw_keys_{name}": _key_flags(writable[name])
                for name in ("grp", "spk", "st", "pop")})
    g, m, s = raw["grp"], raw["spk"], raw["st"]
    out.update({
        "grp_N_n": f64(g["N"]).reshape(1), "grp_i": f64(g["i"]), "grp_t_ms": f64([g["t"] * 1e3]),
        "grp_dt_ms": f64([g["dt"] * 1e3]), "grp_t_in_timesteps_steps": f64([g["t_in_timesteps"]]),
        "grp_v_mV": f64(g["v"] * 1e3), "grp_v0_mV": f64(g["v0"] * 1e3),
        "grp_lastspike_ms": f64(g["lastspike"] * 1e3),
        "grp_not_refractory": f64(g["not_refractory"]),
        "spk_i": f64(m["i"]), "spk_t_ms": f64(m["t"] * 1e3), "spk_count": f64(m["count"]),
        "spk_N_n": f64(m["N"]).reshape(1), "st_t_ms": f64(s["t"] * 1e3),
        "st_v_mV": f64(s["v"] * 1e3), "st_N_n": f64(s["N"]).reshape(1),
        "pop_N_n": f64(raw["pop"]["N"]).reshape(1),
        "pop_rate_Hz": f64(raw["pop"]["rate"]),
        "v_end_mV": f64(G.v[:] / b.mV), "spk_i_after": f64(spk.i[:]),
        "spk_t_ms_after": f64(spk.t[:] / b.ms)})
    return out


#: Brian2's schedule slots, in their order.
SCHEDULE_SLOTS = ("start", "groups", "thresholds", "synapses", "resets", "end")
#: The operations the scheduling_summary model may list.
SCHEDULE_NAMES = ("grp_regular", "st", "grp_stateupdater", "other_stateupdater",
                  "grp_spike_thresholder", "spk", "syn_pre", "grp_spike_resetter", "late")


@register(features=("Network.scheduling_summary: order, dt, slot and order of the operations",
                    "its table's columns 'Clock dt', 'when', 'order', 'active' as text"))
def scheduling_summary(b):
    """``repr(net.scheduling_summary())`` parsed: which operation runs in which position,
    with which clock (steps of the smallest dt), slot and order; the text of the last four
    columns (their alignment), as code points, one line after another (newline = 10).
    The text shows the dt values themselves, so ``--check-robustness`` (which scales ms by
    1 +- 1e-10) reports it as fragile; nothing here is a numerical near-tie."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    G = b.NeuronGroup(3, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                      refractory=2 * b.ms, method="exact", name="grp")
    H = b.NeuronGroup(2, "dx/dt = -x/(10*ms) : 1", method="exact", name="other",
                      dt=0.2 * b.ms)
    S = b.Synapses(G, H, "w : 1", on_pre="x_post += w", name="syn")
    S.connect()
    spk = b.SpikeMonitor(G, name="spk")
    st = b.StateMonitor(G, "v", record=True, name="st")
    late = b.StateMonitor(H, "x", record=0, when="end", order=-3, name="late")
    G.run_regularly("v = v*0.9", dt=1 * b.ms, name="grp_regular")
    net = b.Network(b.collect())
    lines = repr(net.scheduling_summary()).splitlines()
    cells = [[c.strip() for c in line.split("|")] for line in lines[2:]]
    tail = "\n".join("|".join(line.split("|")[2:]) for line in lines)
    every = [1 if "every step" in c[2] else int(c[2].split("every ")[1].split()[0])
             for c in cells]
    return {"name_idx": f64([SCHEDULE_NAMES.index(c[0].split()[0]) for c in cells]),
            "when_idx": f64([SCHEDULE_SLOTS.index(c[3]) for c in cells]),
            "order_idx": f64([int(c[4]) for c in cells]), "every_steps": f64(every),
            "active_n": f64([c[5] == "yes" for c in cells]),
            "tail_text": f64([ord(ch) for ch in tail])}


@register(features=("Network.scheduling_summary: the whole table, object classes and owners",
                    "custom events after the threshold, PoissonInput and post pathway orders"))
def scheduling_summary_text(b):
    """``repr(net.scheduling_summary())``, every character (code points, newline = 10), of a
    network with a custom event and its EventMonitor, a summed variable, a PoissonInput, a
    run_regularly on synapses and both pathways: the classes Brian2 names, the group each
    operation is part of, the slots (custom events 'after_thresholds') and orders (post
    pathway +1, after a PoissonInput at 0)."""
    b.start_scope()
    b.defaultclock.dt = 0.1 * b.ms
    G = b.NeuronGroup(2, "dv/dt = -v/(10*ms) : 1\nI : 1", threshold="v > 1", reset="v = 0",
                      events={"ev": "v > 0.5"}, method="exact", name="g")
    G.run_on_event("ev", "v += 0.01")
    P = b.PoissonGroup(3, 10 * b.Hz, name="p")
    S = b.Synapses(P, G, "w : 1\nI_post = w : 1 (summed)", on_pre="v += w",
                   on_post="w += 0", name="s")
    S.connect()
    S.run_regularly("w += 0", dt=1 * b.ms)
    sm = b.StateMonitor(G, "v", record=0, name="sm")
    rate = b.PopulationRateMonitor(G, name="r")
    inp = b.PoissonInput(G, "v", 5, 10 * b.Hz, weight=0.1)
    em = b.EventMonitor(G, "ev", name="em")
    net = b.Network(G, P, S, sm, rate, inp, em)
    return {"text": f64([ord(ch) for ch in repr(net.scheduling_summary())])}


@register(features=("Synapses.N (number of synapses) for several connect() patterns",))
def synapses_N(b):
    """``S.N`` after connect(): a condition, the generator syntax with skip_if_invalid into a
    subgroup, explicit i/j with n=2, a probability 1 over a condition, two connect calls."""
    b.start_scope()
    G = b.NeuronGroup(6, "v : 1", name="sn_group")
    patterns = []
    S1 = b.Synapses(G, G, "w : 1")
    S1.connect("abs(i - j) <= 2 and i != j")
    S2 = b.Synapses(G, G[2:5])
    S2.connect(j="k for k in range(i-1, i+2) if k != i", skip_if_invalid=True)
    S3 = b.Synapses(G, G)
    S3.connect(i=[0, 1, 1], j=[2, 3, 3], n=2)
    S4 = b.Synapses(G, G)
    S4.connect(condition="i < j", p=1.0)
    S4.connect(i=0, j=0)
    for S in (S1, S2, S3, S4):
        patterns.append(float(np.asarray(S.N)))
    return {"N_n": f64(patterns), "len_n": f64([len(S) for S in (S1, S2, S3, S4)])}


def deterministic_models() -> list[str]:
    return [k for k, s in REGISTRY.items() if s.deterministic]


def random_models() -> list[str]:
    return [k for k, s in REGISTRY.items() if not s.deterministic]
