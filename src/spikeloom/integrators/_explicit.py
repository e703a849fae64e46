"""Helpers shared by the explicit methods: evaluating f and g at shifted states."""

from __future__ import annotations

import sympy

from ._base import ODESystem, Statement, randn_symbol, sym


def drift_at(system: ODESystem, state: dict[str, sympy.Expr], t_shift=0) -> dict:
    """f(x, t) with each state variable replaced by ``state[var]`` and t by t + t_shift."""
    mapping = {sym(v): state[v] for v in system.variables}
    if t_shift != 0:
        mapping[system.t] = system.t + t_shift
    return {v: system.drift[v].xreplace(mapping) for v in system.variables}


def diffusion_at(system: ODESystem, state: dict[str, sympy.Expr], t_shift=0) -> dict:
    """g_k(x, t) per variable and noise, at a shifted state."""
    mapping = {sym(v): state[v] for v in system.variables}
    if t_shift != 0:
        mapping[system.t] = system.t + t_shift
    return {v: {n: g.xreplace(mapping) for n, g in system.diffusion.get(v, {}).items()}
            for v in system.variables}


def wiener_increments(system: ODESystem) -> tuple[list[Statement], dict[str, sympy.Symbol]]:
    """Statements ``_dW_xi = sqrt(dt)*_randn_xi`` and the symbols they define."""
    statements, symbols = [], {}
    for noise in system.noise_names:
        name = f"_dW_{noise}"
        statements.append(Statement(name, sympy.sqrt(system.dt) * randn_symbol(noise),
                                    declare=True))
        symbols[noise] = sym(name)
    return statements, symbols


def finish(system: ODESystem, new_values: dict[str, sympy.Expr]) -> list[Statement]:
    """``_new_v = ...`` for every variable, then ``v = _new_v`` (old values read first)."""
    out = [Statement(f"_new_{v}", new_values[v], declare=True) for v in system.variables]
    out += [Statement(v, sym(f"_new_{v}")) for v in system.variables]
    return out


def temporaries(prefix: str, system: ODESystem, values: dict) -> tuple[list[Statement], dict]:
    """Declare ``_<prefix>_<var> = values[var]`` and return the symbols."""
    statements = [Statement(f"_{prefix}_{v}", values[v], declare=True) for v in system.variables]
    return statements, {v: sym(f"_{prefix}_{v}") for v in system.variables}


def deterministic_only(system: ODESystem, name: str) -> str | None:
    if system.is_stochastic:
        return f"'{name}' cannot integrate stochastic equations (they contain xi)"
    return None


def additive_noise_only(system: ODESystem, name: str) -> str | None:
    state = {sym(v) for v in system.variables}
    for var, terms in system.diffusion.items():
        for noise, g in terms.items():
            if g.free_symbols & state:
                return (f"'{name}' only integrates additive noise, but the noise term of "
                        f"{var} depends on a state variable ({g} * {noise}); use 'heun' or "
                        "'milstein'")
    return None
