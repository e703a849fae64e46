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

#: Parameters that may vary from device to device, in the order they are drawn (new ones are
#: appended, so that a seed keeps giving the same draws of the older ones).
D2D_PARAMETERS = ("G_min", "G_max", "nl_ltp", "nl_ltd", "c2c", "drift_tau", "drift_nu",
                  "read_noise", "dw_min", "up_down")
#: Their spread is absolute (they may be 0 or negative); the others' is relative.
ADDITIVE_D2D = ("nl_ltp", "nl_ltd", "up_down")


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
    :data:`D2D_PARAMETERS`), then one uniform number per synapse for stuck faults. The
    per-device pulse steps ``mem_sup``/``mem_sdn`` follow from the drawn ``dw_min`` and
    ``up_down`` (:meth:`Memristor.pulse_steps`). Weights are clipped to each device's range;
    with ``n_levels`` they are rounded to the nearest level; stuck devices are set to their
    bound (``mem_ok = 0``).
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
    if device.update_path:
        x = np.clip((w - w_lo) / (w_hi - w_lo), 0.0, 1.0)
        if device.n_levels:
            x = np.floor(x * (device.n_levels - 1) + 0.5) / (device.n_levels - 1)
        w = w_lo + x * (w_hi - w_lo)
    if device.stuck:
        u = rng.random(n)
        at_min = u < device.p_stuck_min
        at_max = (u >= device.p_stuck_min) & (u < device.p_stuck_min + device.p_stuck_max)
        w[at_min], w[at_max] = w_lo[at_min], w_hi[at_max]
        synapses.mem_ok = (~(at_min | at_max)).astype(np.float64)
    synapses.w = w
