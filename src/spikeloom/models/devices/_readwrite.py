"""Synaptic code of a Memristor's read-side, write-side and pair non-idealities.

What :class:`~spikeloom.models.devices.Memristor` adds around its update model (the pulses of
``_memristor.py``), all in closed form and evaluated only at a synaptic event:

* the **read chain** (subexpression ``w_now``): decay toward the reset value (``lifetime``),
  then drift, then the diffusion offset ``mem_dif`` and the write-noise offset ``mem_wn``;
* the **transmission read** (``on_pre``): relative read noise, PCM 1/f read noise, global
  drift compensation;
* the **write side** (around :meth:`Memristor.apply`): the update starts from the true state
  ``mem_wt`` (the read minus the write noise); after a programming event come the PCM drift
  exponent of the new state, the programming noise and a new write-noise offset;
* a **differential pair** ``G+ - G-`` (``mem_gp``, ``mem_gm``): potentiation programs G+,
  depression G-, and a refresh resets both and writes their difference onto one.

Weights here are in the rule's units: a device's state ``v`` in [w_lo, w_hi] has the
conductance ``G = (v - mem_wzero)*G_per_w`` and ``mem_wgm`` is the weight span of ``G_max``,
so ``(v - mem_wzero)/mem_wgm`` is aihwkit's ``g/g_max``. See ``docs/devices.md``.
"""

from __future__ import annotations

from ... import units
from ...units import si_value
from . import _pcm

#: Names of the true state under which the wrapped :meth:`Memristor.apply` runs its core
#: statements (one device; one side of a pair).
CORE_WEIGHTS = ("mem_wt", "mem_g")


# -- constants and per-device variables ------------------------------------------------------
def reset_variable(dev) -> bool:
    """True if each synapse stores its device's reset weight ``mem_wrst`` (a spread of the
    reset value, or a read that needs it on a device whose range varies)."""
    ranged = dev._per_synapse("G_min") or dev._per_synapse("G_max")
    return dev._per_synapse("reset") or (dev._reset_stored and ranged)


def declare(dev, code, ns: dict, w_min: float, w_max: float, scale: float,
            w_zero: float) -> None:
    """Model lines (per-device variables, states) and constants of the new features."""
    g_hi = float(si_value(dev.G_max))
    if reset_variable(dev):
        code.model.append("mem_wrst : 1 (constant)")
    elif dev._reset_stored:
        ns["mem_wrst"] = float(w_min + dev.reset * (w_max - w_min))
    for name, var, unit in (("lifetime", "mem_life", "second"),
                            ("diffusion", "mem_diff", "1")):
        if dev._enabled(name):
            if dev._per_synapse(name):
                code.model.append(f"{var} : {unit} (constant)")
            else:
                ns[var] = getattr(dev, name)
    if dev.diffusion:
        ns["mem_tunit"] = 1 * units.second
        code.model += ["mem_dif : 1", "mem_tdif : second"]
    if dev.write_noise_std:
        ns["mem_wns"] = dev.write_noise_std * dev.step
        code.model.append("mem_wn : 1")
    if dev.prog_noise_scale or dev.read_noise_scale or dev.drift_nu_model:
        ns["mem_wgm"] = g_hi * scale
    if dev.prog_noise_scale:
        ns["mem_pns"] = dev.prog_noise_scale
        ns.update({f"mem_pc{k}": float(c) for k, c in enumerate(dev.prog_coeff)})
    if dev.read_noise_scale:
        ns.update(mem_rns=dev.read_noise_scale, mem_tread=dev.t_read, mem_t0=dev.drift_t0)
    if dev.drift_nu_model:
        code.model.append("mem_nu : 1")
    if dev.drift_compensation:
        ns.update(mem_nuc=dev.drift_nu, mem_t0=dev.drift_t0)
    if dev.differential:
        ns["mem_wmid"] = float((w_min + w_max) / 2)
        if dev.refresh_upper_thres is not None:
            ns.update(mem_rup=dev.refresh_upper_thres, mem_rlo=dev.refresh_lower_thres,
                      mem_rstd=dev.reset_std)


# -- the read chain ---------------------------------------------------------------------------
def state_now(dev, var: str, tvar: str, ns: dict, scale: float, w_zero: float) -> str:
    """The state a device programmed to ``var`` at ``tvar`` has now: decay, then drift."""
    expr = var
    if dev.lifetime is not None:
        # aihwkit's decay w <- b + (w - b)(1 - 1/lifetime) per step, in closed form in time
        expr = f"mem_wrst + ({expr} - mem_wrst)*exp(-(t - {tvar})/mem_life)"
    if dev.drift == "exponential":
        if dev.drift_G_rest is None:
            rest = "mem_wlo"
        else:
            rest = "mem_wrest"
            ns["mem_wrest"] = float(w_zero + scale * float(si_value(dev.drift_G_rest)))
        expr = f"{rest} + ({expr} - {rest})*exp(-(t - {tvar})/mem_tau)"
    elif dev.drift == "power-law":
        ns["mem_t0"] = dev.drift_t0
        expr = (f"mem_wzero + ({expr} - mem_wzero)*clip((t - {tvar})/mem_t0, 1, inf)"
                "**(-mem_nu)")
    return expr


def read_side(dev, code, ns: dict, scale: float, w_zero: float) -> None:
    """``w_now``, the prologue, the name the rule reads and the transmission read."""
    if dev.differential:
        _pair_read(dev, code, ns, scale, w_zero)
    elif dev._stateful:
        _single_read(dev, code, ns, scale, w_zero)
    else:
        code.model[0] = code.model[0].replace("WNOW", "w")
    code.read, code.read_name = _transmission(dev, code.weight)


def _single_read(dev, code, ns: dict, scale: float, w_zero: float) -> None:
    base = state_now(dev, "w", "mem_tprog", ns, scale, w_zero)
    if dev.stuck and base != "w":
        base = f"mem_ok*({base}) + (1 - mem_ok)*w"
    offsets = (" + mem_dif" if dev.diffusion else "") + (" + mem_wn" if dev.write_noise_std
                                                          else "")
    code.model.append("mem_tprog : second")
    if dev.diffusion:
        code.model += [f"w_dev = {base} : 1", f"w_now = w_dev{offsets} : 1"]
    else:
        code.model.append(f"w_now = {base}{offsets} : 1")
    code.model[0] = code.model[0].replace("WNOW", "w_now")
    code.prologue = (_diffusion(dev.stuck) if dev.diffusion else []) + ["mem_w = w_now"]
    code.weight = "mem_w"


def _diffusion(stuck: bool) -> list[str]:
    """One random-walk step over the time since the synapse's last event (a pathway run).

    The walk's variance grows as diffusion²·Δt/second (a fraction of the range squared);
    the state it moves (``w_dev + mem_dif``) stays inside the device's range; a stuck or
    corrupt device does not move.
    """
    ok = "mem_ok*" if stuck else ""
    return [f"mem_dif = clip(w_dev + mem_dif + {ok}mem_diff*sqrt((t - mem_tdif)/mem_tunit)"
            "*(mem_whi - mem_wlo)*randn(), mem_wlo, mem_whi) - w_dev",
            "mem_tdif = t"]


def _pair_read(dev, code, ns: dict, scale: float, w_zero: float) -> None:
    timed = dev._timed
    plus = state_now(dev, "mem_gp", "mem_tpp", ns, scale, w_zero) if timed else "mem_gp"
    minus = state_now(dev, "mem_gm", "mem_tpm", ns, scale, w_zero) if timed else "mem_gm"
    code.model += ["mem_gp : 1", "mem_gm : 1"]
    if timed:
        code.model += ["mem_tpp : second", "mem_tpm : second"]
    code.model += [f"w_now = mem_wmid + (({plus}) - ({minus}))/2 : 1",
                   f"G_plus = mem_G_min + ({plus} - mem_w_min)*mem_G_per_w : siemens",
                   f"G_minus = mem_G_min + ({minus} - mem_w_min)*mem_G_per_w : siemens"]
    code.model[0] = "G_mem = (w_now - mem_wmid)*2*mem_G_per_w : siemens"
    code.prologue = [f"mem_gpn = {plus}", f"mem_gmn = {minus}",
                     "mem_w = mem_wmid + (mem_gpn - mem_gmn)/2"]
    code.weight = "mem_w"


def _transmission(dev, weight: str) -> tuple[list[str], str]:
    """Statements of the weight a transmission reads, and its name."""
    if dev.differential:
        return _pair_transmission(dev, weight)
    lines, name = [], weight
    if dev.read_noise:
        lines.append(f"mem_wr = {weight} + mem_read*randn()*({weight} - mem_wzero)")
        name = "mem_wr"
    if dev.read_noise_scale:
        # aihwkit: g_drift + |g_drift|*Q_s(g_prog)*sqrt(ln((t + t_read)/(2 t_read)))*xi,
        # clamped at G = 0, with t the time since programming (not before t_0)
        q_s = _pcm.q_s_expr("(w - mem_wzero)/mem_wgm")
        age = "mem_t0*clip((t - mem_tprog)/mem_t0, 1, inf)"
        lines.append(f"mem_wr = clip({name} + mem_rns*abs({weight} - mem_wzero)*{q_s}"
                     f"*sqrt(log(({age} + mem_tread)/(2*mem_tread)))*randn(), mem_wzero, inf)")
        name = "mem_wr"
    if dev.drift_compensation:
        lines.append(f"mem_wr = mem_wzero + ({name} - mem_wzero)*{_compensation('mem_tprog')}")
        name = "mem_wr"
    return lines, name


def _compensation(tvar: str) -> str:
    """The factor that undoes the nominal power-law drift since ``tvar``."""
    return f"clip((t - {tvar})/mem_t0, 1, inf)**mem_nuc"


def _pair_transmission(dev, weight: str) -> tuple[list[str], str]:
    if not (dev.read_noise or dev.drift_compensation):
        return [], weight
    sides = []
    for state, tvar in (("mem_gpn", "mem_tpp"), ("mem_gmn", "mem_tpm")):
        term = f"({state} - mem_wzero)"
        if dev.read_noise:  # each device reads with its own noise
            term += "*(1 + mem_read*randn())"
        if dev.drift_compensation:
            term += f"*{_compensation(tvar)}"
        sides.append(term)
    return [f"mem_wr = mem_wmid + ({sides[0]} - {sides[1]})/2"], "mem_wr"


# -- the write side ---------------------------------------------------------------------------
def guarded(lines: list[str], condition: str) -> list[str]:
    """``lines`` computed only where ``condition`` holds (spikeloom; Brian2 reads a comment)."""
    return [f"{line}  # spikeloom: if {condition}" for line in lines]


def wrapped_apply(dev, weight: str, dw: str) -> list[str]:
    """:meth:`Memristor.apply` around its core: the true state in, the read state out.

    The rule reads (and asks its update for) the apparent weight ``weight``; the device is
    programmed from its true state ``mem_wt`` (without the write-noise offset, as aihwkit
    updates its persistent weight), and a programming event (``mem_chg``) then draws, in
    this order, the drift exponent of the new state, the programming noise and a new
    write-noise offset.
    """
    if dev.differential:
        return _pair_apply(dev, weight, dw)
    lines = [f"mem_wt = {weight} - mem_wn" if dev.write_noise_std else f"mem_wt = {weight}"]
    lines += dev.apply("mem_wt", dw)
    g = "(mem_wt - mem_wzero)/mem_wgm"
    # the draws and logs of a programming event are made only for one (most STDP requests
    # are not one): guarded temporaries, then selects by mem_chg, which also keep the code
    # right where it runs unconditionally (the Brian2 printout)
    if dev.drift_nu_model:
        # aihwkit draws nu from the target conductance, before the programming noise
        lines += guarded([f"mem_nun = {_pcm.nu_expr(g)}"], "mem_chg != 0")
        lines.append("mem_nu = mem_chg*mem_nun + (1 - mem_chg)*mem_nu")
    if dev.prog_noise_scale:
        names = [f"mem_pc{k}" for k in range(len(dev.prog_coeff))]
        sigma = _pcm.prog_sigma_expr("mem_gr", names)
        lines += guarded([f"mem_gr = {g}",
                          f"mem_wp = clip(mem_wt + mem_pns*mem_wgm*({sigma})*randn(), mem_wlo, "
                          "mem_whi)"], "mem_chg != 0")
        lines.append("mem_wt = mem_chg*mem_wp + (1 - mem_chg)*mem_wt")
    if dev.write_noise_std:
        lines += guarded(["mem_wnn = mem_wns*(mem_whi - mem_wlo)*randn()"], "mem_chg != 0")
        lines.append("mem_wn = mem_chg*mem_wnn + (1 - mem_chg)*mem_wn")
    lines.append(f"{weight} = mem_wt + mem_wn" if dev.write_noise_std else f"{weight} = mem_wt")
    return lines


def _pair_apply(dev, weight: str, dw: str) -> list[str]:
    """A request programs one device of the pair: G+ up for Δw > 0, G- up for Δw < 0.

    The pair's read ``mem_wmid + (G+ - G-)/2`` (weight units) moves by Δw when one device
    moves by 2Δw, so the device's request is ``2|Δw|``, always in its own up direction.
    """
    lines = [f"mem_side = int({dw} > 0)",
             "mem_g = mem_side*mem_gpn + (1 - mem_side)*mem_gmn",
             f"mem_dd = 2*abs({dw})"]
    lines += dev.apply("mem_g", "mem_dd")
    lines += ["mem_pp = mem_chg*mem_side",
              "mem_pm = mem_chg*(1 - mem_side)",
              "mem_gpn = mem_pp*mem_g + (1 - mem_pp)*mem_gpn",
              "mem_gmn = mem_pm*mem_g + (1 - mem_pm)*mem_gmn"]
    if dev.refresh_upper_thres is not None:
        lines += _refresh(dev)
    lines += ["mem_gp = mem_pp*mem_gpn + (1 - mem_pp)*mem_gp",
              "mem_gm = mem_pm*mem_gmn + (1 - mem_pm)*mem_gm"]
    if dev._timed:
        lines += ["mem_tpp = mem_pp*t + (1 - mem_pp)*mem_tpp",
                  "mem_tpm = mem_pm*t + (1 - mem_pm)*mem_tpm"]
    lines += ["w = mem_wmid + (mem_gp - mem_gm)/2",
              f"{weight} = mem_wmid + (mem_gpn - mem_gmn)/2"]
    return lines


def _refresh(dev) -> list[str]:
    """aihwkit's ``OneSidedUnitCell`` refresh, checked after each programming event.

    With x+ and x- the states (fractions of the range) of the two devices, the pair is
    refreshed if the larger is above ``refresh_upper_thres`` and the smaller above
    ``refresh_lower_thres``: both are reset (``reset`` with the spread ``reset_std``) and
    the difference x+ - x- is written onto the reset state of the larger one (exactly; then
    clipped to the range and, with levels, put on the nearest level). Both devices count as
    programmed.
    """
    noise = " + mem_rstd*randn()" if dev.reset_std else ""
    span = "(mem_whi - mem_wlo)"
    lines = [f"mem_xp = (mem_gpn - mem_wlo)/{span}",
             f"mem_xm = (mem_gmn - mem_wlo)/{span}",
             "mem_big = int(mem_xp > mem_xm)",
             "mem_rf = mem_chg*int((mem_xp > mem_xm and mem_xp > mem_rup and mem_xm > mem_rlo)"
             " or (mem_xp <= mem_xm and mem_xp > mem_rlo and mem_xm > mem_rup))",
             f"mem_xr = (mem_wrst - mem_wlo)/{span}",
             f"mem_r1 = clip(mem_xr{noise}, 0, 1)",
             f"mem_r2 = clip(mem_xr{noise}, 0, 1)",
             "mem_r1 = mem_big*clip(mem_r1 + mem_xp - mem_xm, 0, 1) + (1 - mem_big)*mem_r1",
             "mem_r2 = (1 - mem_big)*clip(mem_r2 + mem_xm - mem_xp, 0, 1) + mem_big*mem_r2"]
    if dev.n_levels:
        lines += ["mem_r1 = floor(mem_r1*mem_nlev + 0.5)/mem_nlev",
                  "mem_r2 = floor(mem_r2*mem_nlev + 0.5)/mem_nlev"]
    lines += [f"mem_gpn = mem_rf*(mem_wlo + mem_r1*{span}) + (1 - mem_rf)*mem_gpn",
              f"mem_gmn = mem_rf*(mem_wlo + mem_r2*{span}) + (1 - mem_rf)*mem_gmn",
              "mem_pp = int(mem_pp > 0 or mem_rf > 0)",
              "mem_pm = int(mem_pm > 0 or mem_rf > 0)"]
    return lines


def epilogue(dev, dw: str) -> list[str]:
    """Store the programmed weight and restart the clocks after a programming event."""
    if dev.differential or not dev._stateful:
        return []
    event = "mem_chg" if dev.update_path else f"int({dw} != 0)"
    # the true state: the read minus the write-noise offset, which the event redrew
    programmed = "mem_wt" if dev.write_noise_std else "mem_w"
    lines = [f"mem_p = {event}",
             f"w = mem_p*{programmed} + (1 - mem_p)*w",
             "mem_tprog = mem_p*t + (1 - mem_p)*mem_tprog"]
    if dev.diffusion:  # the walk so far is part of the new programmed state
        lines.append("mem_dif = (1 - mem_p)*mem_dif")
    return lines
