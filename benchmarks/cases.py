"""Benchmark models written only against Brian2's API, so one code path runs on both simulators.

``build(b, case, n, seed)`` takes the simulator *module* ``b`` (``brian2`` or ``spikeloom``)
and returns the objects of one model, ready to run. Every object lives in an explicit
``b.Network`` and carries a fixed ``name=``: Brian2's cython cache and spikeloom's disk cache
key compiled code on names, so a fixed name lets fresh processes reuse what an earlier one
compiled. Every group gets an explicit ``namespace``, because ``Network.run`` is called by the
runner, whose frame does not hold this module's constants.

Cases (``n`` is the size of the population the case scales):

``coba``
    The network of ``spikeloom.demo.build_coba`` (Brette et al. 2007, the COBA benchmark of
    Brian2 and BrainPy): LIF with exponential conductances, ``n`` neurons, 80 % excitatory.
``cuba``
    Brian2's CUBA example: LIF with exponential currents, 80 % excitatory.
``cobahh``
    Brian2's COBAHH example: Traub-Miles Hodgkin-Huxley neurons with exponential conductances.
``song``
    Song, Miller & Abbott (2000) as in Brian2's STDP example: ``n`` Poisson inputs at 15 Hz
    onto one LIF neuron through additive pair STDP (the model of
    ``tests/reference/song2000/song_model.py``).
``memristor``
    The seed's memristive (NC, tanh-window) STDP rule on an ``n`` x 100 all-to-all layer:
    ``n`` Poisson inputs at 20 Hz onto 100 LIF neurons.
``microcircuit``
    The Potjans & Diesmann (2014) cortical microcircuit (``benchmarks/microcircuit.py``):
    eight populations of current-based LIF neurons, ``n`` per cent of its 77 169 neurons with
    every neuron's in-degree kept (about 3 900 synapses each), per-synapse weights and delays,
    a Poisson background through ``PoissonInput``. The network is drawn with NumPy, so every
    simulator runs the same one for a seed.
``hhaxon``
    Brian2's ``hodgkin_huxley_1952`` example: a Hodgkin-Huxley squid axon (``SpatialNeuron``,
    a 10 cm cylinder of ``n`` compartments), dt = 0.01 ms, driven at one end by a constant
    current so that action potentials travel along it one after another.

The three recurrent networks connect every ordered pair with probability ``p = 80/n``, so a
neuron receives about 80 synapses at every size (``p = 0.02`` at ``n = 4000``, the examples'
value); excitatory and inhibitory projections start from the two subgroups of the population
(the excitatory neurons are the first 80 %).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Mean number of synapses a neuron of the recurrent cases receives (p = IN_DEGREE/n).
IN_DEGREE = 80.0
#: Fraction of excitatory neurons in the recurrent cases.
EXC_FRACTION = 0.8
#: Number of output neurons of the memristor layer.
MEMRISTOR_OUTPUTS = 100
CASES = ("coba", "cuba", "cobahh", "song", "memristor", "microcircuit", "hhaxon")


def build(b: Any, case: str, n: int, seed: int) -> dict:
    """Build one benchmark model with the simulator module ``b``.

    Parameters
    ----------
    b : module
        ``brian2`` or ``spikeloom``; only Brian2's public API is used. For Brian2's standalone
        mode, ``b.set_device`` must be called before this function.
    case : str
        One of :data:`CASES`.
    n : int
        Size of the scaled population: neurons of the recurrent cases, Poisson inputs of
        ``song`` and ``memristor``.
    seed : int
        Seed of the simulator's random numbers (connectivity, initial values, Poisson input).

    Returns
    -------
    dict
        ``network`` (``b.Network``), ``spikes`` (``SpikeMonitor`` of the main population: the
        whole network for the recurrent cases, the output neuron(s) for ``song`` and
        ``memristor``), ``n_neurons`` (size of that population, for the mean rate in Hz),
        ``synapses`` (callable returning the number of synapses; in Brian2's standalone mode
        only valid after the binary has run) and the case's extra entries (``song``:
        ``weights_over_gmax``, a callable returning the weights in units of gmax;
        ``microcircuit``: ``population_rates``, a callable of the run's duration in s
        returning the rate of each population in Hz after the start transient).
    """
    try:
        builder = _BUILDERS[case]
    except KeyError:
        raise ValueError(f"unknown case {case!r}; expected one of {CASES}") from None
    b.seed(seed)
    b.defaultclock.dt = 0.1 * b.ms
    # the seed also goes to the builders that draw their network with NumPy (microcircuit)
    return builder(b, int(n), seed)


def _recurrent(b: Any, prefix: str, n: int, eqs: str, ns: dict, *, threshold: str,
               reset: str | None, refractory: Any, method: str, on_exc: str,
               on_inh: str) -> tuple:
    """Population of ``n`` neurons with excitatory and inhibitory projections at p = 80/n.

    Returns the group and the two ``Synapses`` (connected, not yet in a network).
    """
    p = min(1.0, IN_DEGREE / n)
    n_exc = int(EXC_FRACTION * n)
    group = b.NeuronGroup(n, eqs, threshold=threshold, reset=reset, refractory=refractory,
                          method=method, namespace=ns, name=f"{prefix}_neurons")
    exc = b.Synapses(group[:n_exc], group, on_pre=on_exc, namespace=ns, name=f"{prefix}_exc")
    inh = b.Synapses(group[n_exc:], group, on_pre=on_inh, namespace=ns, name=f"{prefix}_inh")
    exc.connect(p=p)
    inh.connect(p=p)
    return group, exc, inh


def _recurrent_result(b: Any, prefix: str, group: Any, exc: Any, inh: Any) -> dict:
    spikes = b.SpikeMonitor(group, name=f"{prefix}_spikes")
    rate = b.PopulationRateMonitor(group, name=f"{prefix}_rate")
    network = b.Network(group, exc, inh, spikes, rate, name=f"{prefix}_network")
    return {"network": network, "spikes": spikes, "rate": rate, "n_neurons": len(group),
            "synapses": _counter(exc, inh)}


def _counter(*synapses: Any) -> Callable[[], int]:
    # A callable, because Brian2's standalone mode knows the count only after its binary ran.
    return lambda: int(sum(len(s) for s in synapses))


def _coba(b: Any, n: int, seed: int) -> dict:
    """COBA network of ``spikeloom.demo``: conductances in units of the leak conductance."""
    ms, mV = b.ms, b.mV
    ns = {"taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms, "Vt": -50 * mV, "Vr": -60 * mV,
          "El": -60 * mV, "Erev_exc": 0.0 * mV, "Erev_inh": -80.0 * mV, "I": 20.0 * mV,
          "we": 0.6, "wi": 6.7}
    eqs = """
    dv/dt = (ge*(Erev_exc - v) + gi*(Erev_inh - v) - (v - El) + I)*(1./taum) : volt (unless refractory)
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1
    """  # noqa: E501 (one equation per line, as in the demo)
    group, exc, inh = _recurrent(b, "coba", n, eqs, ns, threshold="v > Vt", reset="v = Vr",
                                 refractory=5 * ms, method="euler", on_exc="ge += we",
                                 on_inh="gi += wi")
    group.v = "Vr + rand()*(Vt - Vr)"
    return _recurrent_result(b, "coba", group, exc, inh)


def _cuba(b: Any, n: int, seed: int) -> dict:
    """CUBA network: synaptic currents expressed as voltages, integrated exactly."""
    ms, mV = b.ms, b.mV
    ns = {"taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms, "Vt": -50 * mV, "Vr": -60 * mV,
          "El": -49 * mV, "we": (60 * 0.27 / 10) * mV, "wi": (-20 * 4.5 / 10) * mV}
    eqs = """
    dv/dt = (ge + gi - (v - El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    # Brian2's example connects P to P with conditions 'i<3200' / 'i>=3200'; starting the two
    # projections from the subgroups is the same random graph without evaluating n**2 pairs.
    group, exc, inh = _recurrent(b, "cuba", n, eqs, ns, threshold="v > Vt", reset="v = Vr",
                                 refractory=5 * ms, method="exact", on_exc="ge += we",
                                 on_inh="gi += wi")
    group.v = "Vr + rand()*(Vt - Vr)"
    group.ge = 0 * mV
    group.gi = 0 * mV
    return _recurrent_result(b, "cuba", group, exc, inh)


#: The COBAHH neuron: Traub & Miles (1991) rate functions with VT = -63 mV; a*x/(exp(x) - 1)
#: is written a/exprel(x), which stays finite at x = 0.
COBAHH_EQUATIONS = """
dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v) - g_na*m**3*h*(v - ENa) - g_kd*n**4*(v - EK))/Cm : volt
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
dge/dt = -ge/taue : siemens
dgi/dt = -gi/taui : siemens
alpha_m = 1.28/exprel((13*mV - v + VT)/(4*mV))/ms : Hz
beta_m = 1.4/exprel((v - VT - 40*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17*mV - v + VT)/(18*mV))/ms : Hz
beta_h = 4/(1 + exp((40*mV - v + VT)/(5*mV)))/ms : Hz
alpha_n = 0.16/exprel((15*mV - v + VT)/(5*mV))/ms : Hz
beta_n = 0.5*exp((10*mV - v + VT)/(40*mV))/ms : Hz
"""  # noqa: E501 (one equation per line)


def cobahh_namespace(b: Any) -> dict:
    """The constants of :data:`COBAHH_EQUATIONS` and the synaptic weights ``we``, ``wi``,
    in the units of the simulator module ``b``."""
    ms, mV, nS, cm = b.ms, b.mV, b.nS, b.cm
    area = 20000 * b.umetre**2
    return {"Cm": (1 * b.ufarad * cm**-2) * area, "gl": (5e-5 * b.siemens * cm**-2) * area,
            "El": -60 * mV, "EK": -90 * mV, "ENa": 50 * mV,
            "g_na": (100 * b.msiemens * cm**-2) * area,
            "g_kd": (30 * b.msiemens * cm**-2) * area,
            "VT": -63 * mV, "taue": 5 * ms, "taui": 10 * ms, "Ee": 0 * mV, "Ei": -80 * mV,
            "we": 6 * nS, "wi": 67 * nS}


def _cobahh(b: Any, n: int, seed: int) -> dict:
    """COBAHH network: Traub-Miles HH neurons (no reset; spikes are upward crossings)."""
    ms = b.ms
    eqs, ns = COBAHH_EQUATIONS, cobahh_namespace(b)
    group, exc, inh = _recurrent(b, "cobahh", n, eqs, ns, threshold="v > -20*mV", reset=None,
                                 refractory=3 * ms, method="exponential_euler",
                                 on_exc="ge += we", on_inh="gi += wi")
    group.v = "El + (randn()*5 - 5)*mV"
    group.ge = "(randn()*1.5 + 4)*10*nS"
    group.gi = "(randn()*12 + 20)*10*nS"
    return _recurrent_result(b, "cobahh", group, exc, inh)


def _song(b: Any, n: int, seed: int) -> dict:
    """Song, Miller & Abbott (2000): ``n`` Poisson inputs, one neuron, additive pair STDP."""
    ms, mV = b.ms, b.mV
    gmax = 0.01
    taupre = 20 * ms
    taupost = taupre
    dApre = 0.01 * gmax
    dApost = -0.01 * taupre / taupost * 1.05 * gmax
    ns = {"taum": 10 * ms, "taupre": taupre, "taupost": taupost, "Ee": 0 * mV,
          "vt": -54 * mV, "vr": -60 * mV, "El": -74 * mV, "taue": 5 * ms, "gmax": gmax,
          "dApre": dApre, "dApost": dApost}
    inputs = b.PoissonGroup(n, rates=15 * b.Hz, name="song_input")
    neuron = b.NeuronGroup(1, """
    dv/dt = (ge*(Ee - v) + El - v)/taum : volt
    dge/dt = -ge/taue : 1
    """, threshold="v > vt", reset="v = vr", method="euler", namespace=ns,
                           name="song_neuron")
    syn = b.Synapses(inputs, neuron, """
    w : 1
    dApre/dt = -Apre/taupre : 1 (event-driven)
    dApost/dt = -Apost/taupost : 1 (event-driven)
    """, on_pre="""
    ge += w
    Apre += dApre
    w = clip(w + Apost, 0, gmax)
    """, on_post="""
    Apost += dApost
    w = clip(w + Apre, 0, gmax)
    """, namespace=ns, name="song_synapses")
    syn.connect()
    syn.w = "rand()*gmax"
    spikes = b.SpikeMonitor(neuron, name="song_spikes")
    network = b.Network(inputs, neuron, syn, spikes, name="song_network")
    return {"network": network, "spikes": spikes, "n_neurons": 1, "synapses": _counter(syn),
            "weights_over_gmax": lambda: _as_float_array(syn.w[:]) / gmax}


def _memristor(b: Any, n: int, seed: int) -> dict:
    """The seed's NC-memristor STDP rule on ``n`` Poisson inputs x 100 LIF outputs.

    Inputs fire at 20 Hz. The outputs are ``dv/dt = -v/taum`` (taum 20 ms, threshold 1,
    reset 0, refractory 2 ms, initial v uniform in [0, 1)) with jumps ``w*scale``,
    ``scale = 5/n``: with the initial weights (uniform in [0.25, 0.75], mean 0.5) the mean
    drive n*20 Hz*0.5*scale*taum is 1, the threshold, so the outputs fire at a few to tens of
    Hz at every ``n`` (largely in synchrony: they all see the same inputs).
    Weights are normalised conductances, clipped into [0, 1] after every update (the group's
    NEST model clips at Wmax = 1; the forum code does not clip).
    """
    ms, second = b.ms, b.second
    ns = {"A_plus": 0.074, "A_minus": -0.047, "mu_plus": 26.7 * ms, "mu_minus": -22.3 * ms,
          "tau_plus": 9.3 * ms, "tau_minus": 10.8 * ms, "rate_in": 20 * b.Hz,
          "taum": 20 * ms, "scale": 5.0 / n}
    # Brian2's PoissonGroup has no ``lastspike`` (spikeloom's has), so lastspike_pre would not
    # resolve under Brian2. The inputs are therefore a NeuronGroup with the Poisson threshold
    # Brian2's PoissonGroup itself uses, ``rand() < rates*dt``, and an explicit ``lastspike``
    # as in the seed, set by the rule's ``lastspike_pre = t``.
    inputs = b.NeuronGroup(n, "lastspike : second", threshold="rand() < rate_in*dt",
                           namespace=ns, name="mem_input")
    inputs.lastspike = -1e9 * second  # "never spiked": the tanh window gives exactly 0
    # refractory gives the outputs the ``lastspike`` the rule reads and writes.
    outputs = b.NeuronGroup(MEMRISTOR_OUTPUTS, "dv/dt = -v/taum : 1 (unless refractory)",
                            threshold="v > 1", reset="v = 0", refractory=2 * ms,
                            method="exact", namespace=ns, name="mem_output")
    # The seed's strings (depression on pre, potentiation on post, nearest-neighbour pairing
    # through lastspike), with the clip into [0, 1]; the pre spike transmits the weight after
    # its depression, as in the group's NEST synapse.
    syn = b.Synapses(inputs, outputs, "w : 1", on_pre="""
    lastspike_pre = t
    delta_t = (lastspike_post - lastspike_pre)
    w = clip(w + A_minus * w * (1 + tanh((delta_t - mu_minus)/tau_minus)), 0, 1)
    v_post += w*scale
    """, on_post="""
    lastspike_post = t
    delta_t = (lastspike_post - lastspike_pre)
    w = clip(w + A_plus * w * (1 + tanh(-(delta_t - mu_plus)/tau_plus)), 0, 1)
    """, namespace=ns, name="mem_synapses")
    syn.connect()
    syn.w = "0.25 + 0.5*rand()"
    # All outputs see the same inputs; random initial potentials keep them from all reaching
    # threshold together at the start.
    outputs.v = "rand()"
    spikes = b.SpikeMonitor(outputs, name="mem_spikes")
    network = b.Network(inputs, outputs, syn, spikes, name="mem_network")
    return {"network": network, "spikes": spikes, "n_neurons": MEMRISTOR_OUTPUTS,
            "synapses": _counter(syn), "weights": lambda: _as_float_array(syn.w[:])}


def _hhaxon(b: Any, n: int, seed: int) -> dict:
    """Hodgkin & Huxley's (1952) squid giant axon, as in Brian2's example: a cylinder of
    ``n`` compartments (10 cm, 476 µm), Ri = 35.4 Ω·cm, 1 µA injected at one end. Spikes
    are counted in every compartment (threshold 50 mV above rest, refractory while above
    20 mV), so the rate is the frequency of the travelling action potentials."""
    ms, mV, cm = b.ms, b.mV, b.cm
    b.defaultclock.dt = 0.01 * ms  # the example's step: the cable resolves 0.1 mm
    ns = {"El": 10.613 * mV, "ENa": 115 * mV, "EK": -12 * mV,
          "gl": 0.3 * b.msiemens / cm**2, "gNa": 120 * b.msiemens / cm**2,
          "gK": 36 * b.msiemens / cm**2}
    eqs = """
    Im = gl * (El-v) + gNa * m**3 * h * (ENa-v) + gK * n**4 * (EK-v) : amp/meter**2
    I : amp (point current)
    dm/dt = alpham * (1-m) - betam * m : 1
    dn/dt = alphan * (1-n) - betan * n : 1
    dh/dt = alphah * (1-h) - betah * h : 1
    alpham = (0.1/mV) * 10*mV/exprel((-v+25*mV)/(10*mV))/ms : Hz
    betam = 4 * exp(-v/(18*mV))/ms : Hz
    alphah = 0.07 * exp(-v/(20*mV))/ms : Hz
    betah = 1/(exp((-v+30*mV) / (10*mV)) + 1)/ms : Hz
    alphan = (0.01/mV) * 10*mV/exprel((-v+10*mV)/(10*mV))/ms : Hz
    betan = 0.125*exp(-v/(80*mV))/ms : Hz
    """
    morpho = b.Cylinder(length=10 * cm, diameter=2 * 238 * b.um, n=n, type="axon")
    neuron = b.SpatialNeuron(morphology=morpho, model=eqs, Cm=1 * b.uF / cm**2,
                             Ri=35.4 * b.ohm * cm, method="exponential_euler",
                             threshold="v > 50*mV", refractory="v > 20*mV",
                             namespace=ns, name="hhaxon_neuron")
    neuron.v = 0 * mV
    neuron.h = 1
    neuron.m = 0
    neuron.n = 0.5
    neuron.I[0] = 1 * b.uA
    spikes = b.SpikeMonitor(neuron, name="hhaxon_spikes")
    network = b.Network(neuron, spikes, name="hhaxon_network")
    return {"network": network, "spikes": spikes, "n_neurons": n, "synapses": lambda: 0}


def _microcircuit(b: Any, n: int, seed: int) -> dict:
    """Potjans & Diesmann (2014) at ``n`` per cent of the neurons, in-degrees kept.

    One group holds all neurons, population after population; one ``Synapses`` object holds
    every recurrent synapse with its own weight (pA) and delay; one ``PoissonInput`` per
    population gives the background (``K_ext`` sources at 8 Hz, each a current jump of
    87.8 pA). A delay of k steps is the delay of k steps in NEST (``microcircuit.py``).
    """
    mc = _microcircuit_module()
    if not 0 < n <= 100:
        raise ValueError(f"microcircuit: n is the scale in per cent, in (0, 100]; got {n}")
    tables = mc.build_tables(n / 100.0, seed)
    ms, mV, pA = b.ms, b.mV, b.pA
    p = mc.NEURON
    ns = {"tau_m": p["tau_m_ms"] * ms, "tau_syn": p["tau_syn_ms"] * ms,
          "C_m": p["C_m_pF"] * b.pF, "E_L": p["E_L_mV"] * mV, "V_th": p["V_th_mV"] * mV,
          "V_reset": p["V_reset_mV"] * mV}
    eqs = """
    dv/dt = (E_L - v)/tau_m + I/C_m : volt (unless refractory)
    dI/dt = -I/tau_syn : amp
    """
    neurons = b.NeuronGroup(int(tables["sizes"].sum()), eqs, threshold="v > V_th",
                            reset="v = V_reset", refractory=p["t_ref_ms"] * ms,
                            method="exact", namespace=ns, name="mc_neurons")
    neurons.v = tables["v0_mv"] * mV
    syn = b.Synapses(neurons, neurons, "w : amp", on_pre="I_post += w", namespace=ns,
                     name="mc_synapses")
    syn.connect(i=tables["i"], j=tables["j"])
    syn.w = tables["weight_pa"] * pA
    syn.delay = tables["delay_steps"] * (mc.DT_MS * ms)
    inputs = []
    for k, (start, size) in enumerate(zip(tables["offsets"], tables["sizes"])):
        inputs.append(b.PoissonInput(neurons[int(start):int(start + size)], "I",
                                     N=int(tables["k_ext"][k]), rate=mc.BG_RATE_HZ * b.Hz,
                                     weight=tables["w_ext_pa"] * pA))
    spikes = b.SpikeMonitor(neurons, name="mc_spikes")
    network = b.Network(neurons, syn, *inputs, spikes, name="mc_network")

    def rates(duration_s: float) -> list[float]:
        return mc.population_rates(_as_int_array(spikes.i[:]),
                                   _as_float_array(spikes.t[:] / b.second),
                                   tables["sizes"], duration_s)

    return {"network": network, "spikes": spikes, "n_neurons": len(neurons),
            "synapses": _counter(syn), "population_rates": rates}


def _microcircuit_module():
    """``benchmarks/microcircuit.py``, whether this file is imported as part of the
    ``benchmarks`` package or by path (``run_case.py`` puts its directory on sys.path)."""
    try:
        from . import microcircuit
    except ImportError:
        import microcircuit
    return microcircuit


def _as_int_array(values: Any):
    import numpy as np

    return np.asarray(values, dtype=np.int64)


def _as_float_array(values: Any):
    import numpy as np

    return np.asarray(values, dtype=np.float64)


_BUILDERS: dict[str, Callable[[Any, int, int], dict]] = {
    "coba": _coba, "cuba": _cuba, "cobahh": _cobahh, "song": _song, "memristor": _memristor,
    "microcircuit": _microcircuit, "hhaxon": _hhaxon,
}
