# ruff: noqa: F403, F405, F841 - a Brian2 script: its names come from the star import
"""Brian2 models that call user functions (``Function``, ``@implementation``, ``@check_units``).

Written as a Brian2 script: ``make_brian2_user_functions.py`` imports it under Brian2, and
``tests/core/test_user_functions.py`` runs this very text with the first import line
swapped for ``from spikeloom import *``. Every model is deterministic; each returns a dict
of float64/int arrays in SI units (values divided by the base unit, which is exact).
"""

from brian2 import *  # swapped for spikeloom's star import by the test

# -- functions --------------------------------------------------------------------------------
# Brian2's documentation example: a piecewise-linear f-I curve, written for arrays (clip)


@implementation('numpy', discard_units=True)
@check_units(I=amp, result=Hz)
def piecewise_linear(I):
    return clip((I - 1*nA) * 50*Hz/nA, 0*Hz, 100*Hz)


@implementation('numpy', discard_units=True)
@check_units(k=1, result=1)
def start_phase(k):
    return (k % 3) / 4.0


gL = 10*nS
EL = -70.6*mV
VT = -50.4*mV
DeltaT = 2*mV
C = 281*pF


# no implementation decorator: Brian2 calls it with quantities (discard_units=False)
@check_units(v=volt, result=amp)
def exp_current(v):
    return gL * DeltaT * exp((v - VT) / DeltaT)


E_exc = 0*mV


@implementation('numpy', discard_units=True)
@check_units(w=siemens, v=volt, result=volt)
def psp_jump(w, v):
    return w / (10*nS) * (E_exc - v) * 0.05


def _weight(i, j):
    return (1 + i + 2*j) * nS


weight_of = Function(_weight, arg_units=[1, 1], return_unit=siemens)


# -- models -----------------------------------------------------------------------------------
def fi_threshold():
    """f-I function in the ODE and in the threshold; a function of i in a string assignment."""
    start_scope()
    defaultclock.dt = 0.1*ms
    G = NeuronGroup(8, '''dphase/dt = piecewise_linear(I) : 1
                          I : amp''',
                    # not 1: 100 steps of 0.01 sum to 1 within round-off, a near-tie
                    threshold='phase >= 0.999 and piecewise_linear(I) > 0*Hz',
                    reset='phase -= 1', method='euler')
    G.I = linspace(0, 4, 8)*nA
    G.phase = 'start_phase(i)'
    S = SpikeMonitor(G)
    M = StateMonitor(G, 'phase', record=[0, 3, 7])
    run(200*ms)
    return {"spk_i": asarray(S.i[:]), "spk_t": asarray(S.t[:] / second),
            "phase": asarray(M.phase[:]), "count": asarray(S.count[:])}


def ode_function():
    """AdEx neurons whose exponential current is a user function of v (with units)."""
    start_scope()
    defaultclock.dt = 0.1*ms
    tau_w = 144*ms
    a = 4*nS
    b = 0.0805*nA
    Vr = -70.6*mV
    Vcut = VT + 5*DeltaT
    G = NeuronGroup(4, '''dv/dt = (gL*(EL - v) + exp_current(v) + I - w)/C : volt
                          dw/dt = (a*(v - EL) - w)/tau_w : amp
                          I : amp''',
                    threshold='v > Vcut', reset='v = Vr; w += b', method='euler')
    G.v = EL
    G.I = [0.5, 0.7, 0.9, 1.2]*nA
    S = SpikeMonitor(G)
    M = StateMonitor(G, ['v', 'w'], record=True)
    run(100*ms)
    return {"spk_i": asarray(S.i[:]), "spk_t": asarray(S.t[:] / second),
            "v": asarray(M.v[:] / volt), "w": asarray(M.w[:] / amp)}


def on_pre_two_args():
    """A function of two arguments in on_pre, given with namespace=; weights from a
    Function of i and j in a string assignment."""
    start_scope()
    defaultclock.dt = 0.1*ms
    tau = 10*ms
    P = SpikeGeneratorGroup(3, [0, 1, 2, 0, 2, 1, 0], [2, 5, 5, 9, 13, 20, 21]*ms)
    G = NeuronGroup(2, 'dv/dt = (EL - v)/tau : volt', method='exact')
    G.v = EL
    S = Synapses(P, G, 'w : siemens', on_pre='v_post += psp_jump(w, v_post)',
                 namespace={'psp_jump': psp_jump, 'weight_of': weight_of})
    S.connect()
    S.w = 'weight_of(i, j)'
    M = StateMonitor(G, 'v', record=True)
    run(30*ms)
    return {"v": asarray(M.v[:] / volt), "w": asarray(S.w[:] / siemens),
            "syn_i": asarray(S.i[:]), "syn_j": asarray(S.j[:])}


MODELS = {"fi_threshold": fi_threshold, "ode_function": ode_function,
          "on_pre_two_args": on_pre_two_args}
