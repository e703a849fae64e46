"""Multicompartment neurons (``SpatialNeuron``) against cable theory and against Brian2.

The acceptance tests of spikeloom's ``SpatialNeuron``, written against Brian2's public API
(``Soma``, ``Cylinder``, ``Section``, point currents ``I : amp (point current)``). Two kinds
of check:

* closed forms of cable theory -- the charging of an isopotential soma, the steady state of a
  finite sealed cable and of a long (almost infinite) one, Rall's equivalent cylinder -- each
  with a tolerance derived from the discretisation (stated in the test's docstring);
* Brian2's own runs of the same models (``make_reference.py`` beside this file: Brian2 2.9,
  numpy target, stored in ``reference.json``): voltage traces of three small models and the
  conduction speed of a Hodgkin-Huxley action potential.

Two networks are simulated, each once per module (a network is one compiled loop): the passive
one (five neurons of the same equations) and the Hodgkin-Huxley one (three neurons). Each took
about 8 s in spikeloom, compilation included (Brian2's numpy target: 4 s and 50 s), so none is
marked slow. The tests skip while ``spikeloom.SpatialNeuron`` raises NotImplementedError.
``make_reference.py --validate`` runs this file under Brian2 itself
(``import brian2 as sl``): every test must pass there too, which checks the tests and their
tolerances.

Brian2's discretisation, which the tolerances use: a cable of diameter d cut into compartments
of length h carries its voltages at the compartments' centres x_k = (k + 1/2) h; neighbours
are coupled by the axial conductance a = π d² / (4 Ri h), each compartment has the membrane
conductance gL π d h, the ends are sealed; time steps are backward Euler (implicit). With
ε = gL π d h / a = (h/λ)², λ = sqrt(d / (4 Ri gL)), the steady state of a sealed cable of
n = L/h compartments with a current I injected into compartment 0 is exactly::

    v_k = I r_a λ cosh((L - x_k)/λ') / sinh(L/λ'),   λ' = h / (2 asinh(h / 2λ))

(r_a = 4 Ri / (π d²); substitute v_k = B cosh(μ (n - 1/2 - k)) with 2 sinh(μ/2) = h/λ), i.e.
the continuum solution with λ' = λ (1 + (h/λ)²/24 + ...) inside cosh and sinh.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import spikeloom as sl

REFERENCE = Path(__file__).resolve().with_name("reference.json")

# --- passive membrane and cable: Brian2's examples/compartmental/infinite_cable.py (SI) ---
CM = 1e-2  # F/m² (1 µF/cm²)
GL = 1.0  # S/m² (1e-4 S/cm²): Rm = 1/GL = 1 Ω m², τ = CM/GL = 10 ms
RI = 1.0  # Ω m (100 Ω cm)
E_LEAK = -70e-3  # V
TAU = CM / GL  # s
D_CABLE = 1e-6  # m: λ = 500 µm
D_DAUGHTER = 0.5e-6  # m: one daughter of Rall's tree (the other from the 3/2 rule)
D_SOMA = 30e-6  # m
N_CABLE = 500  # compartments of the finite cable (2λ long: h/λ = 0.004)
N_LONG = 1001  # compartments of the long cable (10λ: the middle one is 5λ from both ends)
LONG_LENGTH = 10  # in units of λ
N_TAPER = 20  # compartments of the tapered Section (10 µm each, 4 µm -> 1 µm)
I_CABLE = 20e-12  # A
I_LONG = 100e-12  # A
I_SOMA = 100e-12  # A
PASSIVE_DT = 50e-6  # s
#: 20 τ: the slowest mode has decayed by (1 + dt/τ)^-4000 = e^-20 = 2e-9
PASSIVE_DURATION = 0.2  # s
CABLE_RECORD = (0, 125, 250, 375, 499)
TAPER_RECORD = (0, 10, 19)
#: round-off and the e^-20 left of the transient, relative to the response
STEADY_STATE = 1e-8

PASSIVE_EQS = """
Im = gL * (EL - v) : amp/meter**2
I : amp (point current)
"""

# --- Hodgkin-Huxley: Brian2's examples/compartmental/hodgkin_huxley_1952.py (SI) ---
HH_EQS = """
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
gNa : siemens/meter**2
"""
HH_CM = 1e-2  # F/m²
HH_RI = 0.354  # Ω m (35.4 Ω cm)
HH_NAMESPACE_SI = {"El": 10.613e-3, "ENa": 115e-3, "EK": -12e-3,  # V (rest at v = 0)
                   "gl": 3.0, "gK": 360.0}  # S/m² (0.3 and 36 mS/cm²)
GNA = 1200.0  # S/m² (120 mS/cm²)
D_AXON = 476e-6  # m (2 x 238 µm)
L_AXON = 0.04  # m: the example's 10 cm shortened to 4 cm, same compartment length (100 µm)
N_AXON = 400
AXON_RECORD = (100, 300)  # 1 cm and 3 cm: away from the stimulus and from the sealed end
I_AXON = 1e-6  # A, for PULSE, as in the example
PULSE = 3e-3  # s
#: the second axon's diameter, relative: its length scales by sqrt, its current by ^(3/2)
AXON_SCALE = 0.25
I_CELL = 1e-9  # A into the soma of the soma-and-dendrites cell
HH_DT = 10e-6  # s
HH_DURATION = 25e-3  # s
SPIKE_THRESHOLD = 50e-3  # V: an action potential peaks near 100 mV above rest
TRACE_SAMPLES = 200


# --------------------------------------------------------------------------------------
# cable theory
# --------------------------------------------------------------------------------------
def space_constant(diameter: float) -> float:
    """λ = sqrt(d Rm / (4 Ri)) of a passive cable of this diameter, in m."""
    return math.sqrt(diameter / (4 * RI * GL))


def axial_resistance(diameter: float) -> float:
    """r_a = 4 Ri / (π d²): axial resistance per unit length, in Ω/m."""
    return 4 * RI / (math.pi * diameter**2)


def sealed_cable_voltage(x, length: float, diameter: float, current: float) -> np.ndarray:
    """Steady state of a sealed passive cable with a constant current into its end x = 0.

    V(x) - EL = I R_in cosh((L - x)/λ) / cosh(L/λ), R_in = r_a λ coth(L/λ).

    Parameters
    ----------
    x : array_like
        Distances from the injected end, in m.
    length, diameter : float
        The cable's length L and diameter d, in m.
    current : float
        The injected current I, in A.

    Returns
    -------
    numpy.ndarray
        V(x) - EL, in V.
    """
    lam = space_constant(diameter)
    r_in = axial_resistance(diameter) * lam / math.tanh(length / lam)
    return current * r_in * np.cosh((length - np.asarray(x)) / lam) / math.cosh(length / lam)


def discretisation_error(length: float, h: float, lam: float) -> float:
    """Bound on the relative steady-state error of the discretised sealed cable.

    Parameters
    ----------
    length, h, lam : float
        The cable's length L, its compartments' length h and its space constant λ, in m.

    Returns
    -------
    float
        Twice the leading-order error, (L/λ) coth(L/λ) (h/λ)² / 12.

    Notes
    -----
    The discrete steady state is the continuum one with λ' = λ (1 + (h/λ)²/24) inside the
    hyperbolic functions (module docstring); d ln V / d(1/λ) = (L-x) tanh((L-x)/λ) -
    L coth(L/λ) lies in [-L coth(L/λ), 0], so the relative error is at most
    (L/λ) coth(L/λ) (h/λ)²/24. The next order is (h/λ)² smaller: twice the leading order
    leaves ample room.
    """
    return 2 * (length / lam) / math.tanh(length / lam) * (h / lam) ** 2 / 24


def rall_daughters() -> tuple[float, float]:
    """Diameters of Rall's two daughters: d1 fixed, d2 from d_p^{3/2} = d1^{3/2} + d2^{3/2}."""
    return D_DAUGHTER, (D_CABLE**1.5 - D_DAUGHTER**1.5) ** (2 / 3)


# --------------------------------------------------------------------------------------
# models (built with the simulator ``sl``; make_reference.py runs them under Brian2)
# --------------------------------------------------------------------------------------
def _passive_neuron(morphology):
    neuron = sl.SpatialNeuron(morphology=morphology, model=PASSIVE_EQS,
                              Cm=CM * sl.farad / sl.meter**2, Ri=RI * sl.ohm * sl.meter,
                              method="exponential_euler",
                              namespace={"gL": GL * sl.siemens / sl.meter**2,
                                         "EL": E_LEAK * sl.volt})
    neuron.v = E_LEAK * sl.volt
    return neuron


def _cylinder(diameter: float, length: float, n: int):
    return sl.Cylinder(diameter=diameter * sl.meter, length=length * sl.meter, n=n)


def rall_tree_morphology():
    """A parent λ_p long with two daughters L and R, each one own λ long; every branch has
    N_CABLE/2 compartments, so all compartments have the same electrotonic length h/λ."""
    half = N_CABLE // 2
    tree = _cylinder(D_CABLE, space_constant(D_CABLE), half)
    d1, d2 = rall_daughters()
    tree.L = _cylinder(d1, space_constant(d1), half)
    tree.R = _cylinder(d2, space_constant(d2), half)
    return tree


def tapered_morphology():
    """A Section of N_TAPER compartments of 10 µm, its diameter falling from 4 µm to 1 µm."""
    return sl.Section(diameter=np.linspace(4e-6, 1e-6, N_TAPER + 1) * sl.meter,
                      length=np.full(N_TAPER, 10e-6) * sl.meter, n=N_TAPER)


def simulate_passive() -> dict:
    """Run the passive network once: five neurons with constant point currents from t = 0.

    Returns
    -------
    dict
        ``neurons`` and ``monitors`` (of v, every step), by name: ``soma`` (a Soma),
        ``cable`` (a sealed cylinder 2λ long), ``tree`` (Rall's tree, whose equivalent
        cylinder is ``cable``), ``long`` (10λ, injected in the middle; not monitored),
        ``taper`` (a Section).
    """
    sl.defaultclock.dt = PASSIVE_DT * sl.second
    neurons = {"soma": _passive_neuron(sl.Soma(diameter=D_SOMA * sl.meter)),
               "cable": _passive_neuron(_cylinder(D_CABLE, 2 * space_constant(D_CABLE),
                                                  N_CABLE)),
               "tree": _passive_neuron(rall_tree_morphology()),
               "long": _passive_neuron(_cylinder(D_CABLE,
                                                 LONG_LENGTH * space_constant(D_CABLE),
                                                 N_LONG)),
               "taper": _passive_neuron(tapered_morphology())}
    injected = {"soma": (0, I_SOMA), "cable": (0, I_CABLE), "tree": (0, I_CABLE),
                "long": (N_LONG // 2, I_LONG), "taper": (0, I_CABLE)}
    for name, (index, current) in injected.items():
        neurons[name].I[index] = current * sl.amp
    records = {"soma": [0], "cable": list(CABLE_RECORD), "tree": [0],
               "taper": list(TAPER_RECORD)}
    monitors = {name: sl.StateMonitor(neurons[name], "v", record=record)
                for name, record in records.items()}
    sl.Network(*neurons.values(), *monitors.values()).run(PASSIVE_DURATION * sl.second)
    return {"neurons": neurons, "monitors": monitors}


def hh_rest_gates() -> dict[str, float]:
    """m, n, h at rest (v = 0 in this model): α/(α + β) of HH_EQS's rate functions at v = 0."""
    def exprel(x):
        return math.expm1(x) / x

    rates = {"m": (1 / exprel(2.5), 4.0), "n": (0.1 / exprel(1.0), 0.125),
             "h": (0.07, 1 / (math.exp(3.0) + 1))}
    return {gate: alpha / (alpha + beta) for gate, (alpha, beta) in rates.items()}


def _hh_neuron(morphology):
    namespace = {name: value * (sl.volt if name.startswith("E") else
                                sl.siemens / sl.meter**2)
                 for name, value in HH_NAMESPACE_SI.items()}
    neuron = sl.SpatialNeuron(morphology=morphology, model=HH_EQS,
                              Cm=HH_CM * sl.farad / sl.meter**2, Ri=HH_RI * sl.ohm * sl.meter,
                              method="exponential_euler", namespace=namespace)
    neuron.v = 0 * sl.volt
    for gate, value in hh_rest_gates().items():
        setattr(neuron, gate, value)
    neuron.gNa = GNA * sl.siemens / sl.meter**2
    return neuron


def axon_morphology(scale: float):
    """The axon with its diameter scaled by ``scale`` and its length by sqrt(scale)."""
    return _cylinder(D_AXON * scale, L_AXON * math.sqrt(scale), N_AXON)


def soma_dendrites_morphology():
    """A soma of 30 µm with two dendrites: dend1 (2 µm, 200 µm) and dend2 (1 µm, 100 µm)."""
    cell = sl.Soma(diameter=D_SOMA * sl.meter)
    cell.dend1 = _cylinder(2e-6, 200e-6, 20)
    cell.dend2 = _cylinder(1e-6, 100e-6, 10)
    return cell


def cell_record(cell) -> list[int]:
    """Recorded compartments of the soma-and-dendrites cell: the soma, the middle and the end
    of dend1, the end of dend2."""
    dend1 = range(cell.dend1.start, cell.dend1.stop)  # a dendrite's compartments
    return [0, dend1[len(dend1) // 2], dend1[-1], cell.dend2.stop - 1]


def simulate_hh() -> dict:
    """Run the Hodgkin-Huxley network once, from rest.

    Two axons (diameter 476 µm and AXON_SCALE times that) get a current pulse of PULSE at
    one end, I_AXON x scale^{3/2}; the soma of the soma-and-dendrites cell gets I_CELL all
    along.

    Returns
    -------
    dict
        ``axons`` (by scale), ``cell`` and ``monitors`` of v, every step (by scale, and
        ``cell``).
    """
    sl.defaultclock.dt = HH_DT * sl.second
    axons = {scale: _hh_neuron(axon_morphology(scale)) for scale in (1.0, AXON_SCALE)}
    cell = _hh_neuron(soma_dendrites_morphology())
    for scale, axon in axons.items():
        axon.I[0] = I_AXON * scale**1.5 * sl.amp
    cell.I[0] = I_CELL * sl.amp
    monitors = {scale: sl.StateMonitor(axon, "v", record=list(AXON_RECORD))
                for scale, axon in axons.items()}
    monitors["cell"] = sl.StateMonitor(cell, "v", record=cell_record(cell))
    network = sl.Network(*axons.values(), cell, *monitors.values())
    network.run(PULSE * sl.second)
    for axon in axons.values():
        axon.I = 0 * sl.amp
    network.run((HH_DURATION - PULSE) * sl.second)
    return {"axons": axons, "cell": cell, "monitors": monitors}


# --------------------------------------------------------------------------------------
# measurements (shared with make_reference.py)
# --------------------------------------------------------------------------------------
def _si(values) -> np.ndarray:
    """SI values of a quantity (Brian2's and spikeloom's are NumPy arrays) as floats."""
    return np.asarray(values, dtype=float)


def crossings(t: np.ndarray, v: np.ndarray, threshold: float = SPIKE_THRESHOLD) -> np.ndarray:
    """Threshold crossings of one recorded voltage.

    Parameters
    ----------
    t, v : numpy.ndarray
        Recorded times (s) and voltages (V).
    threshold : float
        In V.

    Returns
    -------
    numpy.ndarray
        The times of the samples at which v reaches ``threshold`` from below.
    """
    above = v >= threshold
    return t[1:][above[1:] & ~above[:-1]]


def peak_time(t: np.ndarray, v: np.ndarray) -> float:
    """Time of the first action potential's peak in one recorded voltage.

    Parameters
    ----------
    t, v : numpy.ndarray
        Recorded times (s, evenly spaced) and voltages (V).

    Returns
    -------
    float
        The time of the largest sample within 2 ms after the first threshold crossing,
        refined by the parabola through it and its two neighbours (a fraction of dt), in s.
    """
    dt = t[1] - t[0]
    if not np.any(v >= SPIKE_THRESHOLD):
        raise AssertionError("no action potential reached the recorded point")
    start = int(np.argmax(v >= SPIKE_THRESHOLD))
    k = start + int(np.argmax(v[start:start + round(2e-3 / dt)]))
    before, peak, after = v[k - 1], v[k], v[k + 1]
    return float(t[k] + 0.5 * dt * (before - after) / (before - 2 * peak + after))


def axon_speed(result: dict, scale: float) -> float:
    """Conduction speed of the action potential along one axon of :func:`simulate_hh`.

    Parameters
    ----------
    result : dict
        What :func:`simulate_hh` returned.
    scale : float
        Which axon: 1.0 or AXON_SCALE.

    Returns
    -------
    float
        The distance between the two recorded points over the difference of the times of the
        spike's peak there (:func:`peak_time`), in m/s.
    """
    monitor, axon = result["monitors"][scale], result["axons"][scale]
    t, v = _si(monitor.t), _si(monitor.v)
    distance = _si(axon.distance)[list(AXON_RECORD)]
    return float((distance[1] - distance[0]) / (peak_time(t, v[1]) - peak_time(t, v[0])))


def _samples(n: int) -> np.ndarray:
    """At most TRACE_SAMPLES evenly spaced indices of n recorded times, the first included."""
    return np.arange(0, n, math.ceil(n / TRACE_SAMPLES))


def trace(monitor, record) -> dict:
    """A sub-sampled voltage trace, as stored in ``reference.json``.

    Parameters
    ----------
    monitor : StateMonitor
        A monitor of v.
    record : sequence of int
        The compartments it records, in order.

    Returns
    -------
    dict
        ``t`` (at most TRACE_SAMPLES evenly spaced recorded times, s), ``compartments`` and
        ``v`` (V, one row per compartment).
    """
    t, v = _si(monitor.t), _si(monitor.v)
    keep = _samples(t.size)
    return {"t": t[keep].tolist(), "compartments": [int(i) for i in record],
            "v": v[:, keep].tolist()}


def spiking_trace(monitor, record) -> dict:
    """:func:`trace`, plus each compartment's threshold crossings (at full resolution) and its
    largest change of v in one step."""
    t, v = _si(monitor.t), _si(monitor.v)
    summary = trace(monitor, record)
    summary["crossings"] = [crossings(t, row).tolist() for row in v]
    summary["max_step"] = np.abs(np.diff(v, axis=1)).max(axis=1).tolist()
    return summary


def passive_traces(result: dict) -> dict:
    """The traces pinned to Brian2's: the cylinder with a point current, the tapered Section."""
    monitors = result["monitors"]
    return {"cable": trace(monitors["cable"], CABLE_RECORD),
            "taper": trace(monitors["taper"], TAPER_RECORD)}


def hh_summary(result: dict) -> dict:
    """What is pinned to Brian2's run of the Hodgkin-Huxley network."""
    cell = result["monitors"]["cell"]
    return {"axon_speed": axon_speed(result, 1.0),
            "cell": spiking_trace(cell, cell_record(result["cell"]))}


# --------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module", autouse=True)
def _spatial_neuron_available():
    """Skip the module while spikeloom has no SpatialNeuron (it raises NotImplementedError)."""
    try:
        _passive_neuron(sl.Soma(diameter=D_SOMA * sl.meter))
    except NotImplementedError as error:
        pytest.skip(f"SpatialNeuron is not implemented yet: {error}")


@pytest.fixture(scope="module")
def passive():
    return simulate_passive()


@pytest.fixture(scope="module")
def hh():
    return simulate_hh()


@pytest.fixture(scope="module")
def reference() -> dict:
    if not REFERENCE.exists():
        pytest.fail(f"{REFERENCE} is missing: run tests/multicompartment/make_reference.py "
                    "with Brian2's interpreter")
    return json.loads(REFERENCE.read_text())


# --------------------------------------------------------------------------------------
# closed forms: passive membrane and cables
# --------------------------------------------------------------------------------------
def _soma_response(passive) -> tuple[np.ndarray, np.ndarray, float]:
    """Times, v - EL of the soma, and its final value V_inf = I R = I / (gL π d²)."""
    monitor = passive["monitors"]["soma"]
    v_inf = I_SOMA / (GL * math.pi * D_SOMA**2)
    return _si(monitor.t), _si(monitor.v)[0] - E_LEAK, v_inf


def soma_roundoff(v_inf: float) -> float:
    """Bound on the round-off of the soma's voltage (V) over the run.

    Brian2 joins a Soma to its (sealed) ends through a fixed "length" of 1 m (its
    ``r_length_1`` and ``r_length_2``), i.e. the conductance 1 m / Ri: a step's linear system
    holds terms (1 m / (Ri π d²)) |v| that cancel down to (Cm/dt) |v|, so it loses
    κ = 1 m · dt / (Ri Cm π d²) = 1.8e6 in precision: ε κ |v| per step (ε = 2.2e-16). Each
    step is a contraction by 1/(1 + dt/τ), so errors add up to at most (1 + τ/dt) steps'
    worth: ε κ (1 + τ/dt) max|v| = 8e-9 V (2.3e-7 of V_inf; Brian2's own error is 3.3e-10 V).
    A well-conditioned solver stays near ε (1 + τ/dt) max|v| = 5e-15 V.
    """
    kappa = 1.0 * PASSIVE_DT / (RI * CM * math.pi * D_SOMA**2)
    return np.finfo(float).eps * kappa * (1 + TAU / PASSIVE_DT) * (abs(E_LEAK) + v_inf)


def test_soma_charging_is_exactly_backward_euler(passive):
    """A passive soma (area π d², R = 1/(gL π d²)) under a current step I.

    Backward Euler on C dV/dt = -V/R + I gives, after k steps of dt exactly,
    V_k = I R (1 - (1 + dt/τ)^-k), τ = Cm/gL. Tolerance: round-off only,
    :func:`soma_roundoff` -- far below the first-order error of any other scheme
    (dt/τ = 0.005 of V_inf for forward Euler, the next test's bound for the exact solution).
    """
    t, v, v_inf = _soma_response(passive)
    steps = np.round(t / PASSIVE_DT)
    exact = v_inf * (1 - (1 + PASSIVE_DT / TAU) ** -steps)
    np.testing.assert_allclose(v, exact, rtol=0, atol=soma_roundoff(v_inf))


def test_soma_charging_follows_membrane_time_constant(passive):
    """The same soma against the continuous charging curve V(t) = I R (1 - exp(-t/τ)).

    With η = dt/τ, (1 + η)^-k - e^-kη <= e^{-kη(1 - η/2)} (kη) η/2 <= η / (2e (1 - η/2)):
    backward Euler's error is at most V_inf η / (2e (1 - η/2)) (0.09 % here).
    """
    t, v, v_inf = _soma_response(passive)
    eta = PASSIVE_DT / TAU
    continuous = v_inf * (1 - np.exp(-t / TAU))
    bound = v_inf * eta / (2 * math.e * (1 - eta / 2))
    np.testing.assert_allclose(v, continuous, rtol=0, atol=bound)
    assert v[-1] == pytest.approx(v_inf, rel=STEADY_STATE, abs=soma_roundoff(v_inf))


def test_finite_sealed_cable_steady_state(passive):
    """A sealed cylinder of length L = 2λ (n = 500) with a constant current I into its first
    compartment.

    V(x) - EL = I R_in cosh((L - x)/λ) / cosh(L/λ), λ = sqrt(d Rm / (4 Ri)),
    R_in = (4 Ri λ / (π d²)) coth(L/λ), at the compartments' centres. Relative tolerance:
    :func:`discretisation_error` (2.8e-6 here) plus STEADY_STATE.
    """
    neuron = passive["neurons"]["cable"]
    lam = space_constant(D_CABLE)
    length = 2 * lam
    x = _si(neuron.distance)
    expected = sealed_cable_voltage(x, length, D_CABLE, I_CABLE)
    rtol = discretisation_error(length, length / N_CABLE, lam) + STEADY_STATE
    np.testing.assert_allclose(_si(neuron.v) - E_LEAK, expected, rtol=rtol, atol=0)


def test_finite_sealed_cable_input_resistance(passive):
    """R_in = V(0)/I = (4 Ri λ / (π d²)) coth(L/λ) of the same cable.

    The injection compartment's voltage is the cable's at its centre x = h/2:
    V(h/2)/I = R_in cosh((L - h/2)/λ)/cosh(L/λ) (0.19 % below R_in here). Relative tolerance
    :func:`discretisation_error` plus STEADY_STATE.
    """
    neuron = passive["neurons"]["cable"]
    lam = space_constant(D_CABLE)
    length, h = 2 * lam, 2 * lam / N_CABLE
    r_in = axial_resistance(D_CABLE) * lam / math.tanh(length / lam)
    at_centre = math.cosh((length - h / 2) / lam) / math.cosh(length / lam)
    measured = (_si(neuron.v)[0] - E_LEAK) / I_CABLE
    rtol = discretisation_error(length, h, lam) + STEADY_STATE
    assert measured == pytest.approx(r_in * at_centre, rel=rtol)


def test_long_cable_approximates_infinite_cable(passive):
    """A cable of 10λ (n = 1001) with a current I into its middle compartment.

    Infinite cable: V(x) - EL = V0 exp(-|x|/λ), V0 = I R_in, R_in = (1/2)(4 Ri λ/(π d²)) (two
    semi-infinite halves in parallel); compared for |x| <= 2λ. Relative tolerance at x: the
    sealed ends at H = 5λ raise V by the factor (1 + e^{-2(H-|x|)/λ}) / (1 - e^{-2H/λ}), and
    the discrete infinite cable gives v_k = V0 e^{-μ|k|} / sqrt(1 + (h/2λ)²),
    μ = 2 asinh(h/2λ) = (h/λ)(1 - (h/λ)²/24 + ...): twice (h/λ)² (1/8 + |x|/(24λ)).
    """
    neuron = passive["neurons"]["long"]
    lam = space_constant(D_CABLE)
    h, half = LONG_LENGTH * lam / N_LONG, LONG_LENGTH * lam / 2
    distance = _si(neuron.distance)
    x = np.abs(distance - distance[N_LONG // 2])
    near = x <= 2 * lam
    r_in = axial_resistance(D_CABLE) * lam / 2
    expected = I_LONG * r_in * np.exp(-x[near] / lam)
    ends = (1 + np.exp(-2 * (half - x[near]) / lam)) / (1 - math.exp(-2 * half / lam)) - 1
    grid = 2 * (h / lam) ** 2 * (1 / 8 + x[near] / (24 * lam))
    error = np.abs(_si(neuron.v)[near] - E_LEAK - expected)
    assert np.all(error <= (ends + grid + STEADY_STATE) * expected)
    assert (_si(neuron.v)[N_LONG // 2] - E_LEAK) / I_LONG == pytest.approx(
        r_in, rel=ends[np.argmin(x[near])] + grid.min() + STEADY_STATE)


def _equivalent_cylinder_voltage(neuron) -> tuple[np.ndarray, np.ndarray]:
    """Closed form of Rall's tree at every compartment, with its simulated v - EL.

    The equivalent cylinder (diameter d_p, electrotonic length l = L_p/λ_p + L_d/λ_d = 2) at
    electrotonic distance X: V = I r_a λ_p cosh(l - X)/sinh(l); in the parent X = x/λ_p, in
    daughter j X = L_p/λ_p + (x - L_p)/λ_j.
    """
    lam_p = space_constant(D_CABLE)
    parent_x = _si(neuron.main.distance)
    expected = [sealed_cable_voltage(parent_x, 2 * lam_p, D_CABLE, I_CABLE)]
    simulated = [_si(neuron.main.v) - E_LEAK]
    for branch, diameter in zip((neuron.L, neuron.R), rall_daughters()):
        electrotonic = 1 + (_si(branch.distance) - lam_p) / space_constant(diameter)
        expected.append(sealed_cable_voltage(electrotonic * lam_p, 2 * lam_p, D_CABLE,
                                             I_CABLE))
        simulated.append(_si(branch.v) - E_LEAK)
    return np.concatenate(simulated), np.concatenate(expected)


def test_rall_tree_steady_state_is_the_equivalent_cylinders(passive):
    """Rall's equivalent cylinder: a parent (d_p, L_p = λ_p) with two daughters,
    d_p^{3/2} = d1^{3/2} + d2^{3/2}, each L_j = λ_j, injected at the parent's free end.

    Its steady state everywhere (the branch point included) is the sealed cylinder's of
    diameter d_p and electrotonic length 2, see :func:`_equivalent_cylinder_voltage`. Every
    compartment has h/λ = 1/250, so the discretised tree is the discretised equivalent
    cylinder (see the next test): the tolerance of the finite cable applies.
    """
    simulated, expected = _equivalent_cylinder_voltage(passive["neurons"]["tree"])
    lam = space_constant(D_CABLE)
    rtol = discretisation_error(2 * lam, 2 * lam / N_CABLE, lam) + STEADY_STATE
    np.testing.assert_allclose(simulated, expected, rtol=rtol, atol=0)


def test_rall_tree_transient_is_the_equivalent_cylinders(passive):
    """The voltage at the injection point of Rall's tree, from rest, is the equivalent
    cylinder's (``cable``: d_p, 2λ_p, 500 compartments of the tree's h/λ) at all times.

    The discretised systems are the same: every branch's conductances and capacitances are
    ∝ d^{3/2} at equal h/λ, so two daughters with equal voltages act as one branch of
    d1^{3/2} + d2^{3/2} = d_p^{3/2}; at the branch point the half-compartment conductances
    2a_p and 2(a_1 + a_2) = 2a_p in series give a_p, the coupling of two compartments of the
    cylinder. Only round-off differs: tolerance 1e-9 of the response.
    """
    tree = _si(passive["monitors"]["tree"].v)[0] - E_LEAK
    cylinder = _si(passive["monitors"]["cable"].v)[0] - E_LEAK
    np.testing.assert_allclose(tree, cylinder, rtol=0, atol=1e-9 * np.abs(cylinder).max())
    # a transient, not a constant: at t = τ/10 the response is still under half its final value
    assert cylinder[round(TAU / 10 / PASSIVE_DT)] < 0.5 * cylinder[-1]


# --------------------------------------------------------------------------------------
# Brian2's runs
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["cable", "taper"])
def test_passive_trace_matches_brian2(passive, reference, model):
    """Traces of the cylinder with a point current and of the tapered Section, against
    Brian2's (numpy target, sub-sampled to 200 times).

    Both simulators solve the same backward-Euler linear system by direct elimination, and
    every step is a contraction: they differ by round-off, ~1e-16 |v| per step and at most
    τ/dt = 200 steps' worth, i.e. ~1e-13 of the response. Tolerance 1e-9 of the response
    (max |v - EL| of Brian2's trace).
    """
    expected = reference["traces"][model]
    ours = passive_traces(passive)[model]
    assert ours["compartments"] == expected["compartments"]
    np.testing.assert_allclose(ours["t"], expected["t"], rtol=1e-12)
    response = np.abs(np.asarray(expected["v"]) - E_LEAK).max()
    np.testing.assert_allclose(ours["v"], expected["v"], rtol=0, atol=1e-9 * response)


def test_hh_conduction_speed_matches_brian2(hh, reference):
    """Speed of the Hodgkin-Huxley action potential along the 476 µm axon, measured from the
    times its peak passes 1 cm and 3 cm, against the same measurement on Brian2's run.

    Tolerance 2 %: the peak times are interpolated to a small fraction of dt, so identical
    dynamics give identical speeds; 2 % leaves room for a different but consistent rounding
    of the gating updates.
    """
    assert axon_speed(hh, 1.0) == pytest.approx(reference["hh"]["axon_speed"], rel=0.02)


def test_hh_conduction_speed_scales_with_sqrt_diameter(hh):
    """θ ∝ sqrt(d): the axon of diameter d/4 conducts at half the speed.

    In the cable equation (d/4Ri) V'' = Cm dV/dt + I_ion(V, gates), x = sqrt(d) ξ removes d.
    The second axon is that rescaling exactly, discretisation included: length x sqrt(1/4),
    the same 400 compartments, current x (1/4)^{3/2}. Then every compartment's axial
    conductance (∝ d²/h), membrane area (∝ d h) and current scale by d^{3/2}: the two
    discrete systems are identical, spike times included, and the recorded points are at
    distances in the ratio sqrt(1/4). Only round-off differs: tolerance 1e-6.
    """
    ratio = axon_speed(hh, 1.0) / axon_speed(hh, AXON_SCALE)
    assert ratio == pytest.approx(math.sqrt(1 / AXON_SCALE), rel=1e-6)


def test_hh_soma_dendrite_spikes_match_brian2(hh, reference):
    """A soma with two HH dendrites under a current step: every recorded compartment's
    threshold crossings (v reaching 50 mV above rest) match Brian2's, within one dt."""
    expected = reference["hh"]["cell"]
    ours = hh_summary(hh)["cell"]
    assert ours["compartments"] == expected["compartments"]  # the same flattened order
    for got, want in zip(ours["crossings"], expected["crossings"]):
        assert len(want) >= 2 and len(got) == len(want)
        np.testing.assert_allclose(got, want, rtol=0, atol=HH_DT * (1 + 1e-9))


def test_hh_soma_dendrite_traces_match_brian2(hh, reference):
    """The same cell's voltage traces (200 samples) against Brian2's.

    A spike shifted by up to one dt moves v by at most the largest change of Brian2's v in
    one step (stored per compartment, ``max_step``): that is the tolerance.
    """
    expected = reference["hh"]["cell"]
    ours = hh_summary(hh)["cell"]
    assert ours["compartments"] == expected["compartments"]
    np.testing.assert_allclose(ours["t"], expected["t"], rtol=1e-12)
    for got, want, step in zip(ours["v"], expected["v"], expected["max_step"]):
        np.testing.assert_allclose(got, want, rtol=0, atol=step)
