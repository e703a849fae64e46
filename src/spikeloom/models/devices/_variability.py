"""Device-to-device variability and faults: what is drawn once per synapse, and how.

Positive parameters are log-normal with the nominal value as mean and the given relative
standard deviation; the nonlinearities (which may be 0) are normal with an absolute standard
deviation. Draws come from one :class:`numpy.random.Generator`, in a fixed order, so that a
seed gives the same devices every time.
"""

from __future__ import annotations

import numpy as np

from ... import units
from ...units import si_value
from . import _pcm
from ._readwrite import reset_variable

#: Parameters that may vary from device to device, in the order they are drawn (new ones are
#: appended, so that a seed keeps giving the same draws of the older ones).
D2D_PARAMETERS = ("G_min", "G_max", "nl_ltp", "nl_ltd", "c2c", "drift_tau", "drift_nu",
                  "read_noise", "dw_min", "up_down", "reset", "lifetime", "diffusion")
#: Their spread is absolute (they may be 0 or negative); the others' is relative.
ADDITIVE_D2D = ("nl_ltp", "nl_ltd", "up_down", "reset")


def draw_parameters(device, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One value per device of every parameter listed in ``device.d2d`` (SI units).

    ``p_i = p·exp(s·ξ - s²/2)`` with ``s² = ln(1 + std²)`` (mean p, relative std ``std``), or
    ``p_i = p + std·ξ`` for :data:`ADDITIVE_D2D`; ξ ~ N(0, 1).
    """
    drawn = {}
    for name in D2D_PARAMETERS:
        if name not in device.d2d:
            continue
        std = device.d2d[name]
        # dw_min is the nominal pulse (one level when n_levels sets it)
        nominal = device.step if name == "dw_min" else float(si_value(getattr(device, name)))
        if name in ADDITIVE_D2D:
            drawn[name] = nominal + std * rng.standard_normal(n)
        else:
            s = np.sqrt(np.log1p(std ** 2))
            drawn[name] = nominal * np.exp(s * rng.standard_normal(n) - s ** 2 / 2)
    return drawn


def initialize_devices(device, synapses, w_min: float, w_max: float,
                       rng: np.random.Generator) -> None:
    """Draw the per-device parameters and faults of ``synapses`` and place the weights.

    Draws, in this order and only where enabled: the d2d parameters (in the order of
    :data:`D2D_PARAMETERS`), then one uniform number per synapse for stuck faults, two for
    corrupt devices (whether, and where), then the programming of the initial weights (one
    normal number per synapse each: drift exponent, programming noise, write noise; see
    :func:`_program_initial`). The per-device pulse steps ``mem_sup``/``mem_sdn`` follow
    from the drawn ``dw_min`` and ``up_down`` (:meth:`Memristor.pulse_steps`). Weights are
    clipped to each device's range; with ``n_levels`` they are rounded to the nearest level;
    stuck devices are set to their bound, corrupt ones to a uniform random state in
    ``[0.5 - corrupt_devices_range, 0.5 + corrupt_devices_range]`` of their range
    (``mem_ok = 0`` for both). A pair splits each weight onto its two devices
    (:func:`_split_pair`).
    """
    n = synapses.N
    scale, w_zero = device._map(w_min, w_max)
    drawn = draw_parameters(device, n, rng)
    if device.is_ideal:
        return
    g_lo = drawn.get("G_min", np.full(n, float(si_value(device.G_min))))
    g_hi = drawn.get("G_max", np.full(n, float(si_value(device.G_max))))
    if np.any(g_hi <= g_lo):
        k = int(np.flatnonzero(g_hi <= g_lo)[0])
        raise ValueError(f"Memristor: device {k} of {synapses.name!r} drew G_max <= G_min "
                         f"({g_hi[k]:.3g} S <= {g_lo[k]:.3g} S); reduce d2d['G_min'] or "
                         "d2d['G_max']")
    # exact bounds where they do not vary (the code uses w_min/w_max as constants then)
    w_lo = w_zero + scale * g_lo if "G_min" in drawn else np.full(n, float(w_min))
    w_hi = w_zero + scale * g_hi if "G_max" in drawn else np.full(n, float(w_max))
    if "G_min" in drawn or "G_max" in drawn:
        synapses.mem_wlo = w_lo
        synapses.mem_whi = w_hi
    for name, var in (("nl_ltp", "mem_nlp"), ("nl_ltd", "mem_nld"), ("c2c", "mem_c2c"),
                      ("drift_nu", "mem_nu"), ("read_noise", "mem_read")):
        if name in drawn:
            setattr(synapses, var, drawn[name])
    if "drift_tau" in drawn:
        synapses.mem_tau = drawn["drift_tau"] * units.second
    if "lifetime" in drawn:
        synapses.mem_life = drawn["lifetime"] * units.second
    if "diffusion" in drawn:
        synapses.mem_diff = drawn["diffusion"]
    # a device's reset state (aihwkit's reset bias), a fraction of its range
    x_reset = np.clip(drawn.get("reset", np.full(n, device.reset)), 0.0, 1.0)
    if reset_variable(device):
        synapses.mem_wrst = w_lo + x_reset * (w_hi - w_lo)
    if "dw_min" in drawn or "up_down" in drawn:
        gain = drawn["dw_min"] / device.step if "dw_min" in drawn else 1.0
        s_up, s_dn = device.pulse_steps(gain, drawn.get("up_down", device.up_down))
        s_up, s_dn = np.broadcast_to(s_up, (n,)), np.broadcast_to(s_dn, (n,))
        bad = (s_up <= 0) | (s_dn <= 0)
        if np.any(bad):
            k = int(np.flatnonzero(bad)[0])
            raise ValueError(f"Memristor: device {k} of {synapses.name!r} drew a pulse step "
                             f"<= 0 (up {s_up[k]:.3g}, down {s_dn[k]:.3g}); reduce "
                             "d2d['up_down'] or make up_down smaller in magnitude")
        synapses.mem_sup = s_up
        synapses.mem_sdn = s_dn
    w = np.asarray(synapses.w[:], dtype=np.float64).copy()
    if device.differential:
        w = _split_pair(device, synapses, w, w_lo, w_hi, x_reset, w_min, w_max)
    elif device.update_path:
        x = _on_levels(device, np.clip((w - w_lo) / (w_hi - w_lo), 0.0, 1.0))
        w = w_lo + x * (w_hi - w_lo)
    ok = np.ones(n, dtype=bool)
    if device.p_stuck_min or device.p_stuck_max:
        u = rng.random(n)
        at_min = u < device.p_stuck_min
        at_max = (u >= device.p_stuck_min) & (u < device.p_stuck_min + device.p_stuck_max)
        w[at_min], w[at_max] = w_lo[at_min], w_hi[at_max]
        ok = ~(at_min | at_max)
    if device.corrupt_devices_prob:
        ok = _corrupt(device, w, w_lo, w_hi, ok, rng)
    if device.stuck:
        synapses.mem_ok = ok.astype(np.float64)
    if not device.differential:
        w = _program_initial(device, synapses, w, ok, w_lo, w_hi, scale, w_zero, rng)
    synapses.w = w


def _on_levels(device, x):
    """States ``x`` rounded to the nearest level (unchanged without ``n_levels``)."""
    if not device.n_levels:
        return x
    return np.floor(x * (device.n_levels - 1) + 0.5) / (device.n_levels - 1)


def _corrupt(device, w, w_lo, w_hi, ok, rng: np.random.Generator) -> np.ndarray:
    """aihwkit's corrupt devices: a working device is corrupt with probability
    ``corrupt_devices_prob``, fixed at a uniform state in [0.5 - r, 0.5 + r] ∩ [0, 1] of its
    range (r = ``corrupt_devices_range``). Sets ``w`` in place; returns the working mask."""
    u, v = rng.random(w.size), rng.random(w.size)
    corrupt = ok & (u < device.corrupt_devices_prob)
    lo = max(0.0, 0.5 - device.corrupt_devices_range)
    hi = min(1.0, 0.5 + device.corrupt_devices_range)
    x = lo + (hi - lo) * v
    w[corrupt] = (w_lo + x * (w_hi - w_lo))[corrupt]
    return ok & ~corrupt


def _split_pair(device, synapses, w, w_lo, w_hi, x_reset, w_min: float,
                w_max: float) -> np.ndarray:
    """Both devices of a pair at their reset state, the weight's difference on one side.

    ``w = (w_min + w_max)/2 + (G+ - G-)/2`` in weight units, so ``d = 2(w - mid)`` goes onto
    G+ (d > 0) or G- (d < 0), as aihwkit's ``OneSidedUnitCell`` sets its weights (there from
    0); each device is clipped to its range and put on its nearest level. Returns the
    weight the pair reads.
    """
    mid = (w_min + w_max) / 2
    d = 2 * (w - mid)
    rest = w_lo + x_reset * (w_hi - w_lo)
    sides = []
    for part in (np.maximum(d, 0.0), np.maximum(-d, 0.0)):
        x = _on_levels(device, np.clip((rest + part - w_lo) / (w_hi - w_lo), 0.0, 1.0))
        sides.append(w_lo + x * (w_hi - w_lo))
    synapses.mem_gp, synapses.mem_gm = sides
    return mid + (sides[0] - sides[1]) / 2


def _program_initial(device, synapses, w, ok, w_lo, w_hi, scale: float, w_zero: float,
                     rng: np.random.Generator) -> np.ndarray:
    """The initial weights as a programming event at t = 0 (working devices only).

    In the order of the synaptic code: the PCM drift exponent from the target conductance,
    the programming noise (clipped to the range), a write-noise offset (0 for stuck and
    corrupt devices). Returns the programmed weights.
    """
    n = w.size
    g_max_w = float(si_value(device.G_max)) * scale  # weight span of G_max
    g = (w - w_zero) / g_max_w
    if device.drift_nu_model:
        mean, std = _pcm.nu_moments(g)
        synapses.mem_nu = np.abs(mean + std * rng.standard_normal(n))
    if device.prog_noise_scale:
        sigma = device.prog_noise_scale * g_max_w * _pcm.prog_sigma(g, device.prog_coeff)
        noisy = np.clip(w + sigma * rng.standard_normal(n), w_lo, w_hi)
        w = np.where(ok, noisy, w)
    if device.write_noise_std:
        kick = device.write_noise_std * device.step * (w_hi - w_lo) * rng.standard_normal(n)
        synapses.mem_wn = np.where(ok, kick, 0.0)
    return w


def reset_devices(device, synapses, rng: np.random.Generator, indices, now: float) -> None:
    """Reset the selected working devices of ``synapses`` at ``now`` (seconds); see
    :meth:`Memristor.reset_devices`.

    Draws, in this order: one normal number per synapse for the reset spread (two for a pair:
    G+ then G-), then a write-noise offset and a drift exponent per synapse where enabled.
    """
    n = synapses.N
    sel = np.ones(n, dtype=bool)
    if indices is not None:
        sel = np.zeros(n, dtype=bool)
        sel[np.asarray(indices)] = True
    if device.stuck:
        sel &= np.asarray(synapses.mem_ok[:]) > 0
    w_lo, w_hi = _ranges(device, synapses)
    span = w_hi - w_lo
    if reset_variable(device):
        x_reset = (np.asarray(synapses.mem_wrst[:], dtype=np.float64) - w_lo) / span
    else:
        x_reset = np.full(n, device.reset)

    def reset_state():
        x = x_reset
        if device.reset_std:
            x = np.clip(x + device.reset_std * rng.standard_normal(n), 0.0, 1.0)
        return w_lo + _on_levels(device, x) * span

    w = np.asarray(synapses.w[:], dtype=np.float64).copy()
    if device.differential:
        for var in ("mem_gp", "mem_gm"):
            old = np.asarray(getattr(synapses, var)[:], dtype=np.float64)
            setattr(synapses, var, np.where(sel, reset_state(), old))
        if device._timed:
            _restart(synapses, ("mem_tpp", "mem_tpm"), sel, now)
        mid = float(synapses.mem_wmid)
        synapses.w = mid + (synapses.mem_gp[:] - synapses.mem_gm[:]) / 2
        return
    w = np.where(sel, reset_state(), w)
    if device._stateful:
        _restart(synapses, ("mem_tprog",), sel, now)
    if device.diffusion:
        synapses.mem_dif = np.where(sel, 0.0, synapses.mem_dif[:])
        _restart(synapses, ("mem_tdif",), sel, now)
    if device.write_noise_std:
        kick = device.write_noise_std * device.step * span * rng.standard_normal(n)
        synapses.mem_wn = np.where(sel, kick, synapses.mem_wn[:])
    if device.drift_nu_model:
        scale, w_zero = _weight_map(synapses)
        mean, std = _pcm.nu_moments((w - w_zero) / (float(si_value(device.G_max)) * scale))
        nu = np.abs(mean + std * rng.standard_normal(n))
        synapses.mem_nu = np.where(sel, nu, synapses.mem_nu[:])
    synapses.w = w


def _restart(synapses, names, sel, now: float) -> None:
    """Set the clocks ``names`` of the selected synapses to ``now`` (seconds)."""
    for name in names:
        old = np.asarray(si_value(getattr(synapses, name)[:]), dtype=np.float64)
        setattr(synapses, name, np.where(sel, now, old) * units.second)


def _weight_map(synapses) -> tuple[float, float]:
    """(weight per siemens, weight at G = 0) of the synapses' nominal map."""
    per_w = float(si_value(synapses.mem_G_per_w))
    w_min, g_min = float(synapses.mem_w_min), float(si_value(synapses.mem_G_min))
    return 1.0 / per_w, w_min - g_min / per_w


def _ranges(device, synapses) -> tuple[np.ndarray, np.ndarray]:
    """Each device's weight range [w_lo, w_hi] (per synapse, or the nominal one)."""
    n = synapses.N
    if device._per_synapse("G_min") or device._per_synapse("G_max"):
        return (np.asarray(synapses.mem_wlo[:], dtype=np.float64),
                np.asarray(synapses.mem_whi[:], dtype=np.float64))
    if device.is_ideal:  # the code has no range constants: the nominal map's ends
        scale, w_zero = _weight_map(synapses)
        lo = w_zero + scale * float(si_value(device.G_min))
        hi = w_zero + scale * float(si_value(device.G_max))
    else:
        lo, hi = float(synapses.mem_wlo), float(synapses.mem_whi)
    return np.full(n, lo), np.full(n, hi)
