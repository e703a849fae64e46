"""Memristor presets: the NC/PPX devices of the memristive-STDP papers and aihwkit's presets.

References:

* IBM aihwkit's preset values (``src/aihwkit/simulator/presets/devices.py``), copied below as
  data, and its per-pulse update rules as its C++ devices apply them (noise off, no spread),
  written here as formulas on its weight w in [w_min, w_max], D = w_max - w_min:
  constant step ``Δw = ±scale``; soft bounds ``+scale_up(1 - w/w_max)``,
  ``-scale_down(1 - w/w_min)``; linear step ``+(scale_up - γ_up·scale_up·w/w_max)``,
  ``-(scale_down - γ_down·scale_down·w/w_min)``; exp step ``±scale·max(1 - A e^{±γ z}, 0)``,
  ``z = 2a·w/D + b``; ``scale_up = dw_min(1 + min(up_down, 0))``,
  ``scale_down = dw_min(1 - max(up_down, 0))``. A spikeloom preset's step at x must be that
  Δw/D (for a curve model: the slope s·f(x) of its curve, the first-order step).
* The rules of Sboev et al. 2021 (``NanocompositeSTDP``: Δw ∝ w; ``ParyleneSTDP``:
  Δw ∝ exp(-β·distance/d)): their weight dependence is the NC/PPX presets' step law.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from spikeloom import ms, second, uS
from spikeloom.models.devices import PRESETS, Memristor, from_aihwkit
from spikeloom.models.plasticity import NanocompositeSTDP, PairSTDP, ParyleneSTDP, stdp_window

DOCS = Path(__file__).resolve().parents[2] / "docs" / "devices.md"

#: aihwkit preset class -> (spikeloom name, update rule, parameters as aihwkit publishes them)
AIHWKIT = {
    "ReRamESPresetDevice": ("reram_es", "exp", dict(
        dw_min=0.00135, up_down=0.259359, w_max=1.0, w_min=-1.0, a=-0.5, b=-0.5,
        gamma_up=5.0, gamma_down=5.0, A_up=-1.18445, A_down=-0.081404, dw_min_dtod=0.2,
        up_down_dtod=0.05, dw_min_std=5.0, mult_noise=True)),
    "ReRamSBPresetDevice": ("reram_sb", "soft", dict(
        dw_min=0.002, up_down=0.0, w_max=1.25, w_min=-0.75, mult_noise=False,
        dw_min_dtod=0.3, up_down_dtod=0.01, dw_min_std=3.75)),
    "ReRamArrayOMPresetDevice": ("reram_array_om", "soft", dict(
        dw_min=0.0949, up_down=0.0, w_max=1.0, w_min=-1.0, mult_noise=False,
        dw_min_dtod=0.7829, log_normal=True, up_down_dtod=0.01, dw_min_std=0.4158)),
    "ReRamArrayHfO2PresetDevice": ("reram_array_hfo2", "soft", dict(
        dw_min=0.4622, up_down=0.0, w_max=1.0, w_min=-1.0, mult_noise=False,
        dw_min_dtod=0.7125, log_normal=True, up_down_dtod=0.01, dw_min_std=0.2174)),
    "CapacitorPresetDevice": ("capacitor", "linear", dict(
        dw_min=0.005, up_down=0.0, w_max=1.0, w_min=-1.0, mult_noise=False, gamma_up=0.05,
        gamma_down=0.05, dw_min_dtod=0.1, up_down_dtod=0.06, dw_min_std=0.3)),
    "EcRamPresetDevice": ("ecram", "linear", dict(
        dw_min=0.002, up_down=0.0, w_max=1.1724, w_min=-0.8276, mult_noise=True,
        gamma_up=0.1153, gamma_down=0.5085, dw_min_dtod=0.1, up_down_dtod=0.01,
        dw_min_std=0.3)),
    "EcRamMOPresetDevice": ("ecram_mo", "linear", dict(
        dw_min=2.8214e-4, up_down=0.0, w_max=1.1714, w_min=-0.8286, mult_noise=True,
        gamma_up=0.4152, gamma_down=0.7342, dw_min_dtod=0.1, up_down_dtod=0.01,
        dw_min_std=2.0)),
    "IdealizedPresetDevice": ("idealized", "constant", dict(
        dw_min=0.0002, dw_min_dtod=0.3, dw_min_std=0.3, up_down=0.0, up_down_dtod=0.0,
        w_max=1.0, w_min=-1.0, mult_noise=True)),
    "GokmenVlasovPresetDevice": ("gokmen_vlasov", "constant", dict(
        dw_min=0.0016, dw_min_dtod=0.3, dw_min_std=0.3, up_down=0.0, up_down_dtod=0.01,
        w_max=1.0, w_min=-1.0, mult_noise=True)),
    "PCMPresetDevice": ("pcm", "exp", dict(
        dw_min=0.01, up_down=0.0, w_max=2.0, w_min=0.0, a=-1.0, b=0.0, gamma_up=2.5,
        gamma_down=2.5, A_up=-27.235, A_down=-2.235, dw_min_dtod=0.2, up_down_dtod=0.05,
        dw_min_std=0.6, mult_noise=True)),
}


def aihwkit_step(rule: str, p: dict, w, up: bool):
    """aihwkit's weight change of one pulse (noise off, nominal device), weight units."""
    ud = p["up_down"]
    scale = p["dw_min"] * (1 + min(ud, 0)) if up else p["dw_min"] * (1 - max(ud, 0))
    if rule == "constant":
        return scale * np.ones_like(w)
    if rule == "soft":
        return scale * (1 - w / (p["w_max"] if up else p["w_min"]))
    if rule == "linear":
        ref = p["w_max"] if up else p["w_min"]
        gamma = p["gamma_up"] if up else p["gamma_down"]
        return scale - gamma * scale / ref * w
    z = 2 * w / (p["w_max"] - p["w_min"]) * p["a"] + p["b"]
    if up:
        return scale * np.maximum(1 - p["A_up"] * np.exp(p["gamma_up"] * z), 0)
    return scale * np.maximum(1 - p["A_down"] * np.exp(-p["gamma_down"] * z), 0)


def spikeloom_step(dev: Memristor, x, up: bool):
    """The device's step of one pulse at x to first order: s_dir·f_dir(x)."""
    s = dev.dw_min * (1 + min(dev.up_down, 0)) if up else dev.dw_min * (1 - max(dev.up_down, 0))
    if dev.step_model is not None:
        return s * dev.step_model.rate(x, up)
    if dev.soft_bounds:
        return s * (1 - x if up else x)
    return s * np.ones_like(x)


@pytest.mark.parametrize("cls", sorted(AIHWKIT))
def test_aihwkit_presets_step_as_aihwkit_does(cls):
    """Noise off, nominal device: the preset's step at every x equals aihwkit's one-pulse
    change at w = w_min + x·D, divided by D (1e-12; with a log-normal spread the nominal
    aihwkit device is the median one, spikeloom's dw_min the mean). Noise and spread convert as
    ``from_aihwkit`` documents: multiplicative σ unchanged; an additive kick of
    σ·dw_min·g weight units (g the mean device gain); dtod as d2d['dw_min'] (log-normal
    draws: the same distribution), up_down_dtod as d2d['up_down']."""
    name, rule, p = AIHWKIT[cls]
    dev = Memristor.preset(name)
    span = p["w_max"] - p["w_min"]
    x = np.linspace(0, 1, 101)
    w = p["w_min"] + x * span
    sd = p["dw_min_dtod"]
    # aihwkit's log-normal gain exp(sd*xi) has median 1 and mean exp(sd^2/2); spikeloom's
    # dw_min is the mean step
    gain = math.exp(sd**2 / 2) if p.get("log_normal") else 1.0
    for up in (True, False):
        np.testing.assert_allclose(spikeloom_step(dev, x, up) / gain,
                                   aihwkit_step(rule, p, w, up) / span, rtol=1e-12,
                                   atol=1e-15, err_msg=f"{name} up={up}")
    if p["mult_noise"]:
        assert dev.dw_min_std_mode == "multiplicative" and dev.dw_min_std == p["dw_min_std"]
    else:
        assert dev.dw_min_std_mode == "additive"
        kick = dev.dw_min_std * dev.dw_min  # spikeloom: dw_min_std*dw_min of the range
        assert math.isclose(kick, p["dw_min_std"] * p["dw_min"] * gain / span, rel_tol=1e-12)
    # spikeloom draws dw_min*exp(s*xi - s^2/2) with s^2 = ln(1 + d2d^2)
    s = math.sqrt(math.log1p(dev.d2d["dw_min"] ** 2))
    if p.get("log_normal"):  # aihwkit: step*exp(sd*xi): same s, same median
        assert math.isclose(s, sd, rel_tol=1e-12)
        assert math.isclose(dev.dw_min * math.exp(-s**2 / 2), dev.dw_min / gain, rel_tol=1e-12)
    else:  # same mean and standard deviation as aihwkit's normal draw
        assert dev.d2d["dw_min"] == sd
    assert dev.d2d.get("up_down", 0.0) == p["up_down_dtod"]


def test_pcm_preset_carries_aihwkit_pcm_drift():
    """pcm: 0-25 µS, power-law drift with t0 = 20 s and aihwkit's PCMLikeNoiseModel drift
    exponents ν(g) (0.049 ± 0.008 at g >= 0.33 g_max: the nominal drift_nu, which drift
    compensation undoes), programming and 1/f read noise at scale 1, t_read = 250 ns;
    PCMPresetDevice's reset 0.01 ± 0.02 on [0, 2]. ``drift=None`` also drops what needs
    drift (see test_devices_readside.py for the models themselves)."""
    dev = Memristor.preset("pcm")
    assert dev.drift == "power-law" and dev.drift_nu == 0.049 and dev.drift_nu_model == "pcm"
    assert float(dev.drift_t0 / second) == 20 and float(dev.G_max / uS) == 25
    assert dev.prog_noise_scale == 1.0 and dev.read_noise_scale == 1.0
    assert math.isclose(float(dev.t_read / second), 250e-9)
    assert dev.reset == 0.005 and dev.d2d["reset"] == 0.01 and "drift_nu" not in dev.d2d
    off = Memristor.preset("pcm", drift=None)
    assert off.drift is None and off.drift_nu_model is None


# The unbounded NC rule is the fitted law itself (clipping would hide the weight dependence).
@pytest.mark.filterwarnings("ignore::spikeloom.models.plasticity.UnboundedWeightWarning")
def test_nc_and_ppx_presets_carry_the_weight_dependence_of_their_fits():
    """The NC and PPX presets' step laws are the weight factors of the rules fitted to those
    devices (Sboev et al. 2021): NanocompositeSTDP's Δw ∝ w and ParyleneSTDP's
    Δw ∝ exp(-β+(w_max - w)/d) (potentiation), exp(-β-(w - w_min)/d) (depression).

    Reference: the rules' delta_w at five weights divided by their value at w = 0.5 equals
    f(w)/f(0.5) (1e-12; pairs at ±1 ms for PPX, whose changes stay inside [0, 1]); the laws
    are 1 at the bound they move away from; an analog NC device potentiated by a request
    Δp goes to x·e^{Δp}.
    """
    w = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    nc, ppx = Memristor.preset("nc").step_model, Memristor.preset("ppx").step_model
    for model, rule, dts in ((nc, NanocompositeSTDP(clip=False), (10 * ms, -10 * ms)),
                             (ppx, ParyleneSTDP(), (1 * ms, -1 * ms))):
        for dt, up in zip(dts, (True, False)):
            ratio = rule.delta_w(dt, w) / rule.delta_w(dt, 0.5)
            np.testing.assert_allclose(model.rate(w, up) / model.rate(0.5, up), ratio,
                                       rtol=1e-12, err_msg=f"{model} up={up}")
    np.testing.assert_allclose(ppx.rate(1.0, True), 1.0)
    np.testing.assert_allclose(ppx.rate(0.0, False), 1.0)
    res = stdp_window(PairSTDP(A_plus=0.2, A_minus=-0.2, device=Memristor.preset("nc")),
                      [5.0] * ms, w0=0.4)
    dp = 0.2 * np.exp(-5 / 20)
    np.testing.assert_allclose(res.w[0, 0], 0.4 * np.exp(dp), rtol=1e-12)


def test_preset_names_overrides_and_errors():
    """Unknown names list the allowed ones; overrides replace the preset's arguments and are
    validated; an unknown argument is named with the allowed ones."""
    with pytest.raises(ValueError, match=r"Memristor.preset: name must be one of 'nc', 'ppx', "
                       r"'reram_es', .*'pcm', got 'rram'$"):
        Memristor.preset("rram")
    with pytest.raises(ValueError, match="got None"):
        Memristor.preset(None)
    dev = Memristor.preset("reram_es", dw_min_std=0.0, d2d=None, rounding="stochastic")
    assert dev.dw_min_std == 0 and dev.d2d == {} and dev.rounding == "stochastic"
    assert dev.step_model == Memristor.preset("reram_es").step_model
    with pytest.raises(TypeError, match=r"unknown argument 'dw_minn'; Memristor arguments: "
                       r"G_min, G_max"):
        Memristor.preset("ecram", dw_minn=0.1)
    with pytest.raises(ValueError, match=r"dw_min .*must be in \(0.0, 1.0\], got -0.1"):
        Memristor.preset("ecram", dw_min=-0.1)


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_documented_and_runs(name):
    """Each preset is listed in ``Memristor.preset``'s docstring and in the presets table of
    docs/devices.md, with its source (paper or aihwkit class), and runs: 200 devices, three
    pairings at four Δt, finite weights in [0, 1] that move."""
    assert f"``'{name}'``" in Memristor.preset.__doc__
    table = [line for line in DOCS.read_text().splitlines() if line.startswith(f"| `{name}` |")]
    assert len(table) == 1, f"{name}: no row in the presets table of docs/devices.md"
    source = {"nc": "Sboev et al. 2021", "ppx": "Sboev et al. 2021"}.get(name) or next(
        cls for cls, (preset, _, _) in AIHWKIT.items() if preset == name)
    assert source in table[0] and source in PRESETS[name].source
    dev = Memristor.preset(name)
    amp = 3 * (dev.dw_min or 0.02)  # a few pulses per pairing
    rule = PairSTDP(A_plus=amp, A_minus=-amp, device=dev)
    res = stdp_window(rule, [-20.0, -5.0, 5.0, 20.0] * ms, w0=0.5, n_pairs=3, period=50 * ms,
                      n_devices=200, seed=1)
    assert np.all(np.isfinite(res.w)) and np.all((res.w >= 0) & (res.w <= 1))
    assert np.mean(res.w != 0.5) > 0.5


def test_from_aihwkit_asymmetric_soft_bounds():
    """Soft bounds on [-0.75, 1.25]: aihwkit's up step dw_min(1 - w/1.25) is
    (dw_min/1.25)(1 - x) of the range, its down step (dw_min/0.75)x; spikeloom's dw_min is
    the larger, up_down = 0.6 - 1 gives the smaller one."""
    kw = from_aihwkit(w_min=-0.75, w_max=1.25, dw_min=0.002, soft_bounds=True)
    assert math.isclose(kw["dw_min"], 0.002 / 0.75) and math.isclose(kw["up_down"], -0.4)
    assert kw["soft_bounds"] is True and "d2d" not in kw and "dw_min_std" not in kw
