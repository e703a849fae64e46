"""The contract between the equations layer and the integrators.

An integrator turns an :class:`ODESystem` (right-hand sides as sympy expressions, in SI
values, subexpressions already substituted) into a list of :class:`Statement` that advance
the state by one step ``dt``. The statements are backend-neutral: a backend renders them.

Conventions every integrator follows
------------------------------------
* State variables, parameters, ``t`` and ``dt`` are :class:`sympy.Symbol` with ``real=True``
  named exactly as in the model (``v``, ``ge``, ``t``, ``dt``). Use :func:`sym` to make one.
* The step length is the symbol passed as ``dt`` (``ODESystem.dt``); event-driven synaptic
  equations pass ``t - lastupdate`` instead, so never hard-code ``Symbol('dt')``.
* Temporaries are named ``_<stage>_<var>`` (e.g. ``_k1_v``) and are declared by
  assigning them (``Statement(target, expr, declare=True)``).
* All new values are computed from the old ones before any state variable is written:
  the list ends with one ``Statement(var, Symbol('_new_' + var))`` per state variable.
* Noise: each noise symbol (``xi``, ``xi_1``...) of dimension ``second**-0.5`` stands for
  white noise. A standard-normal draw for noise ``xi`` is the symbol ``_randn_xi``
  (see :func:`randn_symbol`); the lowering layer turns it into one N(0, 1) draw per element
  and step, shared by every equation that uses that noise symbol. The Wiener increment is
  ``dW = sqrt(dt) * _randn_xi``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy


def sym(name: str) -> sympy.Symbol:
    """Return the real sympy symbol that stands for the model name ``name``.

    Parameters
    ----------
    name : str
        A name of the model (variable, parameter, function argument).
    """
    return sympy.Symbol(name, real=True)


def randn_symbol(noise_name: str) -> sympy.Symbol:
    """Return the symbol of the N(0, 1) draw for the noise symbol ``noise_name``.

    Parameters
    ----------
    noise_name : str
        The noise symbol of the equations (``xi``, ``xi_1``...).
    """
    return sym("_randn_" + noise_name)


@dataclass(frozen=True)
class Statement:
    """One assignment ``target op expr`` in abstract code.

    Parameters
    ----------
    target : str
        Name assigned to (a state variable, a temporary, or any model variable).
    expr : sympy.Expr
        Right-hand side, in SI values.
    op : str
        ``'='`` or an augmented operator (``'+='``, ``'-='``, ``'*='``, ``'/='``).
    declare : bool
        True when this statement introduces a new temporary (a local of the loop body).
    guard : sympy.Basic, optional
        Condition (over locals) under which the statement runs; where it is false the
        temporary keeps its value, 0 if the statement declares it. Only temporaries are
        guarded, so a backend may skip the work (Numba) or select it (JAX).
    """

    target: str
    expr: sympy.Expr
    op: str = "="
    declare: bool = False
    guard: sympy.Basic | None = None

    def __str__(self) -> str:
        text = f"{self.target} {self.op} {sympy.sstr(self.expr)}"
        return text if self.guard is None else f"{text}  (if {sympy.sstr(self.guard)})"


@dataclass(frozen=True)
class ODESystem:
    """A system ``dx/dt = f(x, t) + sum_k g_k(x, t) * xi_k`` ready for integration.

    Parameters
    ----------
    variables : tuple of str
        State variable names in declaration order.
    drift : dict of str to sympy.Expr
        ``f`` for every state variable (SI values, subexpressions substituted).
    diffusion : dict of str to dict of str to sympy.Expr
        ``{var: {noise_name: g}}``; empty for deterministic systems.
    dt : sympy.Expr
        The step length symbol (normally ``sym('dt')``).
    t : sympy.Symbol
        The time symbol.
    """

    variables: tuple[str, ...]
    drift: dict[str, sympy.Expr]
    diffusion: dict[str, dict[str, sympy.Expr]] = field(default_factory=dict)
    dt: sympy.Expr = field(default_factory=lambda: sym("dt"))
    t: sympy.Symbol = field(default_factory=lambda: sym("t"))

    @property
    def is_stochastic(self) -> bool:
        return any(bool(g) for g in self.diffusion.values())

    @property
    def noise_names(self) -> tuple[str, ...]:
        names: list[str] = []
        for var in self.variables:
            for name in self.diffusion.get(var, {}):
                if name not in names:
                    names.append(name)
        return tuple(names)

    def symbols(self) -> dict[str, sympy.Symbol]:
        """The state-variable symbols, by name."""
        return {v: sym(v) for v in self.variables}
