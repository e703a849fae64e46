"""Named device configurations for :meth:`Memristor.preset`: the memristors of the Kurchatov
group's memristive-STDP work and IBM aihwkit's published device presets.

Every preset is a dict of :class:`~spikeloom.models.devices.Memristor` arguments plus its
source. aihwkit presets are converted from aihwkit's weight units (its range
[w_min, w_max], its ``dw_min`` in weight units) to spikeloom's normalised state (the range is
1) by :func:`from_aihwkit`; what spikeloom cannot carry is listed in ``omitted``. The
conductances of the aihwkit presets are spikeloom's defaults (aihwkit's training presets have
no conductance), except ``pcm`` (aihwkit's PCM inference model, 0-25 µS).

Sources (values copied from them, never code):

* aihwkit, ``src/aihwkit/simulator/presets/devices.py`` (preset classes) and
  ``src/aihwkit/inference/noise/pcm.py`` (``PCMLikeNoiseModel``), IBM, MIT licence;
* Sboev, Vlasov, Rybka, Davydov, Serenko & Demin 2021, *Mathematics* 9:3237, and the group's
  NEST models (``stdp_tanh_synapse``; the PPX synapse), whose fits come from Demin et al.
  2021, *Neural Networks* 134:64 (NC) and Minnekhanov et al. 2019, *Sci. Rep.* 9:10800 (PPX
  devices); see ``NanocompositeSTDP`` and ``ParyleneSTDP``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ... import units
from . import _pcm
from ._steps import ExpStep, PiecewiseStep

#: PPX fit (the group's NEST PPX synapse, ParyleneSTDP defaults): β+ and β- of the
#: exponential weight dependence exp(-β·distance/d).
PPX_BETA_PLUS = 2.213043
PPX_BETA_MINUS = -5.969397


@dataclass(frozen=True)
class Preset:
    """One named configuration."""

    name: str
    title: str
    source: str
    model: str
    make: Callable[[], dict]
    omitted: str = ""


def from_aihwkit(*, w_min: float, w_max: float, dw_min: float, up_down: float = 0.0,
                 dw_min_std: float = 0.0, mult_noise: bool = True, dw_min_dtod: float = 0.0,
                 dw_min_dtod_log_normal: bool = False, up_down_dtod: float = 0.0,
                 soft_bounds: bool = False, step_model=None) -> dict:
    """Memristor arguments of an aihwkit pulsed device (aihwkit's parameter names).

    * The pulse: aihwkit steps by ``scale_up = dw_min(1 + min(up_down, 0))`` and
      ``scale_down = dw_min(1 - max(up_down, 0))`` weight units. For a law in the normalised
      state (constant, exp, pow, table steps) that is ``scale/(w_max - w_min)`` of the range;
      for soft bounds, whose step ``scale(1 - w/w_max)`` is ``(scale/w_max)(1 - x)`` of the
      range, ``scale_up/w_max`` up and ``scale_down/|w_min|`` down. spikeloom's ``dw_min`` is
      the larger of the two, ``up_down`` gives the other (same convention as aihwkit).
    * Noise: ``mult_noise=True`` (each pulse times ``1 + dw_min_std·ξ``) is spikeloom's
      'multiplicative' with the same ``dw_min_std``; additive noise (a kick of
      ``dw_min_std·dw_min`` weight units per pulse) is 'additive' with the kick expressed in
      units of spikeloom's ``dw_min``.
    * Device spread: ``dw_min_dtod`` becomes ``d2d['dw_min']`` (spikeloom draws a log-normal
      with that mean and standard deviation; aihwkit a normal one). With
      ``dw_min_dtod_log_normal`` aihwkit's gain is ``exp(σξ)``: the same log-normal is
      spikeloom's with ``dw_min`` times ``exp(σ²/2)`` and ``d2d['dw_min'] =
      sqrt(exp(σ²) - 1)``. ``up_down_dtod`` is ``d2d['up_down']`` (both absolute, in units
      of the step).

    Parameters
    ----------
    w_min, w_max : float
        aihwkit's weight bounds (dimensionless weight units; ``w_min < 0 < w_max`` for soft
        bounds).
    dw_min : float
        aihwkit's mean step of one pulse, in weight units.
    up_down : float
        Asymmetry of the up and down steps (aihwkit's convention; default 0).
    dw_min_std : float
        Pulse-to-pulse noise, relative (``mult_noise``) or in units of ``dw_min``
        (default 0).
    mult_noise : bool
        Multiplicative (True, default) or additive pulse noise.
    dw_min_dtod : float
        Device-to-device spread of the step (default 0).
    dw_min_dtod_log_normal : bool
        Whether that spread is log-normal (aihwkit's option; default False).
    up_down_dtod : float
        Device-to-device spread of the asymmetry (default 0).
    soft_bounds : bool
        aihwkit's soft-bounds device (the step shrinks towards the bound; default False).
    step_model : optional
        spikeloom's step law of the state (``ExpStep``, ``PowStep``, ``PiecewiseStep``);
        default: a constant step.

    Returns
    -------
    dict
        Keyword arguments of :class:`Memristor`.
    """
    span = w_max - w_min
    scale_up = dw_min * (1.0 + min(up_down, 0.0))
    scale_dn = dw_min * (1.0 - max(up_down, 0.0))
    if soft_bounds:
        s_up, s_dn = scale_up / w_max, scale_dn / -w_min
    else:
        s_up, s_dn = scale_up / span, scale_dn / span
    step = max(s_up, s_dn)
    ud = 1.0 - s_dn / s_up if s_up >= s_dn else s_up / s_dn - 1.0
    gain = math.exp(dw_min_dtod**2 / 2) if dw_min_dtod_log_normal else 1.0
    kwargs = {"dw_min": step * gain, "up_down": ud}
    if dw_min_std:
        if mult_noise:
            kwargs["dw_min_std"] = dw_min_std
        else:
            # the kick dw_min_std*dw_min/span of the range, in units of the (mean) step
            kwargs.update(dw_min_std=dw_min_std * dw_min / span / step,
                          dw_min_std_mode="additive")
    d2d = {}
    if dw_min_dtod:
        d2d["dw_min"] = (math.sqrt(math.expm1(dw_min_dtod**2)) if dw_min_dtod_log_normal
                         else dw_min_dtod)
    if up_down_dtod:
        d2d["up_down"] = up_down_dtod
    if d2d:
        kwargs["d2d"] = d2d
    if soft_bounds:
        kwargs["soft_bounds"] = True
    if step_model is not None:
        kwargs["step_model"] = step_model
    return kwargs


def aihwkit_exp_step(*, A_up: float, A_down: float, gamma_up: float, gamma_down: float,
                     a: float, b: float, w_min: float, w_max: float) -> ExpStep:
    """aihwkit's ``ExpStepDevice`` law on its range [w_min, w_max] as an :class:`ExpStep`
    (z = 2a·w/(w_max - w_min) + b = a(2x - 1) + b', b' = b + a(1 + 2w_min/(w_max - w_min)))."""
    return ExpStep(A_up=A_up, A_down=A_down, gamma_up=gamma_up, gamma_down=gamma_down, a=a,
                   b=b + a * (1.0 + 2.0 * w_min / (w_max - w_min)))


def aihwkit_linear_step(*, gamma_up: float, gamma_down: float, w_min: float,
                        w_max: float) -> PiecewiseStep:
    """aihwkit's ``LinearStepDevice`` law (``mean_bound_reference=True``, no reverse) as a
    two-value :class:`PiecewiseStep`: up steps ``1 - gamma_up·w/w_max``, down steps
    ``1 - gamma_down·w/w_min``, evaluated at w_min (x = 0) and w_max (x = 1)."""
    return PiecewiseStep(up=(1.0 - gamma_up * w_min / w_max, 1.0 - gamma_up),
                         down=(1.0 - gamma_down, 1.0 - gamma_down * w_max / w_min))


def _nc() -> dict:
    return {"G_min": 0.0 * units.siemens, "step_model": PiecewiseStep(up=(0.0, 1.0),
                                                                       down=(0.0, 1.0))}


def _ppx() -> dict:
    law = ExpStep(base=0.0, A_up=-1.0, A_down=-math.exp(-PPX_BETA_MINUS),
                  gamma_up=PPX_BETA_PLUS, gamma_down=PPX_BETA_MINUS, a=0.5, b=-0.5)
    return {"G_min": 0.0 * units.siemens, "step_model": law}


def _reram_es() -> dict:
    rng = dict(w_min=-1.0, w_max=1.0)
    return from_aihwkit(**rng, dw_min=0.00135, up_down=0.259359, dw_min_std=5.0,
                        dw_min_dtod=0.2, up_down_dtod=0.05,
                        step_model=aihwkit_exp_step(A_up=-1.18445, A_down=-0.081404,
                                                    gamma_up=5.0, gamma_down=5.0, a=-0.5,
                                                    b=-0.5, **rng))


def _reram_sb() -> dict:
    return from_aihwkit(w_min=-0.75, w_max=1.25, dw_min=0.002, dw_min_std=3.75,
                        mult_noise=False, dw_min_dtod=0.3, up_down_dtod=0.01,
                        soft_bounds=True)


def _reram_array_om() -> dict:
    return from_aihwkit(w_min=-1.0, w_max=1.0, dw_min=0.0949, dw_min_std=0.4158,
                        mult_noise=False, dw_min_dtod=0.7829, dw_min_dtod_log_normal=True,
                        up_down_dtod=0.01, soft_bounds=True)


def _reram_array_hfo2() -> dict:
    return from_aihwkit(w_min=-1.0, w_max=1.0, dw_min=0.4622, dw_min_std=0.2174,
                        mult_noise=False, dw_min_dtod=0.7125, dw_min_dtod_log_normal=True,
                        up_down_dtod=0.01, soft_bounds=True)


def _capacitor() -> dict:
    rng = dict(w_min=-1.0, w_max=1.0)
    return from_aihwkit(**rng, dw_min=0.005, dw_min_std=0.3, mult_noise=False,
                        dw_min_dtod=0.1, up_down_dtod=0.06,
                        step_model=aihwkit_linear_step(gamma_up=0.05, gamma_down=0.05, **rng))


def _ecram() -> dict:
    rng = dict(w_min=-0.8276, w_max=1.1724)
    return from_aihwkit(**rng, dw_min=0.002, dw_min_std=0.3, dw_min_dtod=0.1,
                        up_down_dtod=0.01,
                        step_model=aihwkit_linear_step(gamma_up=0.1153, gamma_down=0.5085,
                                                       **rng))


def _ecram_mo() -> dict:
    rng = dict(w_min=-0.8286, w_max=1.1714)
    return from_aihwkit(**rng, dw_min=2.8214e-4, dw_min_std=2.0, dw_min_dtod=0.1,
                        up_down_dtod=0.01,
                        step_model=aihwkit_linear_step(gamma_up=0.4152, gamma_down=0.7342,
                                                       **rng))


def _idealized() -> dict:
    return from_aihwkit(w_min=-1.0, w_max=1.0, dw_min=0.0002, dw_min_std=0.3,
                        dw_min_dtod=0.3)


def _gokmen_vlasov() -> dict:
    return from_aihwkit(w_min=-1.0, w_max=1.0, dw_min=0.0016, dw_min_std=0.3,
                        dw_min_dtod=0.3, up_down_dtod=0.01)


def _pcm_preset() -> dict:
    rng = dict(w_min=0.0, w_max=2.0)
    kwargs = from_aihwkit(**rng, dw_min=0.01, dw_min_std=0.6, dw_min_dtod=0.2,
                          up_down_dtod=0.05,
                          step_model=aihwkit_exp_step(A_up=-27.235, A_down=-2.235,
                                                      gamma_up=2.5, gamma_down=2.5, a=-1.0,
                                                      b=0.0, **rng))
    # PCMLikeNoiseModel: g_max = 25 µS, t_0 = 20 s, t_read = 250 ns; drift exponents,
    # programming noise and 1/f read noise of its fits (drift_nu_model, prog_noise_scale,
    # read_noise_scale). drift_nu = 0.049 (mu_drift at its lower clamp, g >= 0.33 g_max) is
    # the nominal exponent that drift_compensation undoes
    kwargs.update(G_min=0.0 * units.uS, G_max=25.0 * units.uS, drift="power-law",
                  drift_nu=0.049, drift_t0=_pcm.T_0 * units.second, drift_nu_model="pcm",
                  prog_noise_scale=1.0, read_noise_scale=1.0,
                  t_read=_pcm.T_READ * units.second)
    # PCMPresetDevice: reset 0.01, reset_dtod 0.02 on its range [0, 2]
    kwargs.update(reset=0.01 / 2.0)
    kwargs["d2d"] = {**kwargs["d2d"], "reset": 0.02 / 2.0}
    return kwargs


_AIHWKIT = ("IBM aihwkit, src/aihwkit/simulator/presets/devices.py, ")
PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("nc", "(CoFeB)x(LiNbO3)1-x nanocomposite memristor",
           "Sboev et al. 2021, Mathematics 9:3237 (NC rule; fit of Demin et al. 2021, Neural "
           "Networks 134:64): dw = A*w*(...), w = G/G_max in [0, 1], clipped",
           "PiecewiseStep(up=(0, 1), down=(0, 1)): steps proportional to x both ways",
           _nc, "no pulse size, noise or spread is published: analog, G_max is "
           "spikeloom's default"),
    Preset("ppx", "poly-p-xylylene (parylene) memristor",
           "Sboev et al. 2021, Mathematics 9:3237 (PPX rule; the group's NEST PPX synapse, "
           "beta+ = 2.213043, beta- = -5.969397, devices of Minnekhanov et al. 2019, Sci. "
           "Rep. 9:10800): dw ~ exp(-beta*distance/d), w in [0, 1], clipped",
           "ExpStep(base=0): f_up = exp(beta+*(x - 1)), f_down = exp(-beta-*x)",
           _ppx, "no pulse size, noise or spread is published: analog, G_max is "
           "spikeloom's default"),
    Preset("reram_es", "ReRAM, exponential-step fit",
           _AIHWKIT + "ReRamESPresetDevice (fit to Gong et al. 2018, Nat. Commun. 9:2102)",
           "ExpStep", _reram_es, "w_min/w_max_dtod 0.3, write_noise_std 75"),
    Preset("reram_sb", "ReRAM, soft-bounds fit",
           _AIHWKIT + "ReRamSBPresetDevice (loose fit to Gong et al. 2018, Nat. Commun. "
           "9:2102)", "soft bounds", _reram_sb,
           "w_min/w_max_dtod 0.3, write_noise_std 56, the reference device"),
    Preset("reram_array_om", "ReRAM array, optimised material",
           _AIHWKIT + "ReRamArrayOMPresetDevice (Gong, Rasch et al. 2022, IEDM)",
           "soft bounds", _reram_array_om,
           "w_min_dtod 0.5695, w_max_dtod 0.3499, write_noise_std 1.4113, the reference "
           "device and symmetry-point subtraction"),
    Preset("reram_array_hfo2", "ReRAM array, baseline HfO2",
           _AIHWKIT + "ReRamArrayHfO2PresetDevice (Gong, Rasch et al. 2022, IEDM)",
           "soft bounds", _reram_array_hfo2,
           "w_min_dtod 0.5990, w_max_dtod 0.4295, write_noise_std 0.5841, the reference "
           "device and symmetry-point subtraction"),
    Preset("capacitor", "capacitor-based cell",
           _AIHWKIT + "CapacitorPresetDevice (Li et al. 2018, VLSI Technology)",
           "PiecewiseStep, 2 values (LinearStep)", _capacitor,
           "w_min/w_max_dtod 0.07, gamma_up/down_dtod 0.01, leakage (lifetime 1e6 "
           "mini-batches)"),
    Preset("ecram", "Li-based ECRAM",
           _AIHWKIT + "EcRamPresetDevice (Tang et al. 2018, IEDM)",
           "PiecewiseStep, 2 values (LinearStep)", _ecram,
           "w_min/w_max_dtod 0.05, gamma_up/down_dtod 0.05"),
    Preset("ecram_mo", "metal-oxide ECRAM",
           _AIHWKIT + "EcRamMOPresetDevice (Kim et al. 2019, IEDM)",
           "PiecewiseStep, 2 values (LinearStep)", _ecram_mo,
           "w_min/w_max_dtod 0.05, gamma_up/down_dtod 0.05"),
    Preset("idealized", "idealised device, 10 000 states",
           _AIHWKIT + "IdealizedPresetDevice (Gokmen & Vlasov 2016, Front. Neurosci. 10:333; "
           "Rasch, Gokmen & Haensch 2019)", "constant step", _idealized,
           "w_min/w_max_dtod 0.3"),
    Preset("gokmen_vlasov", "RPU device specification",
           _AIHWKIT + "GokmenVlasovPresetDevice (Gokmen & Vlasov 2016, Front. Neurosci. "
           "10:333)", "constant step", _gokmen_vlasov, "w_min/w_max_dtod 0.3"),
    Preset("pcm", "phase-change memory (GST)",
           _AIHWKIT + "PCMPresetDevice (Nandakumar et al. 2020, Front. Neurosci. 14:406); "
           "drift, programming and 1/f read noise from src/aihwkit/inference/noise/pcm.py, "
           "PCMLikeNoiseModel (g_max 25 uS, t_0 20 s, t_read 250 ns, nu(g) and its spread, "
           "sigma_prog(g), Q_s(g)); reset 0.01 +- 0.02 (dtod) on aihwkit's [0, 2]",
           "ExpStep + power-law drift with PCM drift exponents, programming noise, 1/f read "
           "noise", _pcm_preset, "dw_min_std_add 0.042 and dw_min_std_slope 0.108, "
           "w_max_dtod 0.1; PCM is one-directional (aihwkit pairs two devices, "
           "differential=True here does not carry the PCM noise models), here one device "
           "uses both branches of the fit"),
)}
