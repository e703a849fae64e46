"""Spike-pairing schemes: which pre/post spike pairs a rule sees, written as Brian2 code.

A pair rule is two :class:`Branch` objects: potentiation for Δt = t_post - t_pre > 0 and
depression for Δt < 0, each ``Δw = factor(w) * kernel(Δt)``. :func:`pairing_code` turns them
into synaptic state variables and ``on_pre``/``on_post`` statements for one scheme:

``'all-to-all'``
    every pre spike pairs with every earlier post spike and vice versa (NEST ``stdp_synapse``).
    Exponential kernels use traces (exact); other kernels sum over the ``n_history`` latest
    spikes of the other side (exact while no more than ``n_history`` spikes fall inside the
    kernel's support).
``'nn_symm'``
    a pre spike pairs with the nearest earlier post spike (depression), a post spike with the
    nearest earlier pre spike (potentiation) (NEST ``stdp_nn_symm_synapse``).
``'nn_pre_centered'``
    depression as ``nn_symm``; a post spike pairs with every pre spike not earlier than the
    previous post spike (NEST ``stdp_nn_pre_centered_synapse``).
``'nn_restr'``
    as ``nn_symm``, but a pair counts only if the partner is not earlier than the previous
    spike of the same side, so no spike is in two depression or two potentiation pairs
    (NEST ``stdp_nn_restr_synapse``).

Common rules (the NEST documentation's): a spike with no earlier partner changes nothing;
exactly coinciding pairs (Δt = 0) are discarded and the spike is paired with the next-latest
partner instead (``coincident='discard'``; ``coincident='potentiate'`` gives Brian2's trace
idiom instead, where a pre and a post spike of the same step are a Δt = 0 potentiation pair);
Δt includes the synaptic delay as in NEST when the delays are set with
:func:`set_pairing_delay` (pre pathway ``d``, post pathway ``2d``).

Within one time step Brian2's schedule runs the presynaptic pathway before the postsynaptic
one, so the depression of a pre spike is applied before the potentiation of a coinciding
post spike; NEST applies the facilitation first. The pairs are the same; the order matters
only for weight-dependent or clipped rules, and only for spikes in the same step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: Pairing schemes, by name.
PAIRINGS = ("all-to-all", "nn_symm", "nn_pre_centered", "nn_restr")
#: What a pre and a post spike in the same time step are.
COINCIDENT = ("discard", "potentiate")
#: Accepted alternative spellings.
ALIASES = {"all_to_all": "all-to-all", "nearest": "nn_symm", "nearest-spike": "nn_symm",
           "nn_symmetric": "nn_symm"}


@dataclass(frozen=True)
class Branch:
    """One side of a pair rule: ``Δw = factor * kernel``.

    Parameters
    ----------
    factor : str
        Weight dependence, Brian2 expression with ``{w}`` standing for the weight.
    kernel : str
        Time dependence, Brian2 expression with ``{dt}`` standing for Δt = t_post - t_pre
        (a time, negative for depression).
    tau : str, optional
        Name of a time constant if the kernel is exactly ``exp(-abs({dt})/tau)``; then the
        all-to-all and pre-centred schemes use a trace instead of a spike history.
    """

    factor: str
    kernel: str
    tau: str | None = None

    def increment(self, w: str, dt: str) -> str:
        return f"({self.factor.format(w=w)})*({self.kernel.format(dt=dt)})"


@dataclass
class PairingCode:
    """Model lines and statements of one scheme (lists of Brian2 lines)."""

    model: list[str] = field(default_factory=list)
    on_pre: list[str] = field(default_factory=list)
    on_post: list[str] = field(default_factory=list)


def canonical_pairing(owner: str, pairing: str) -> str:
    """The canonical scheme name for ``pairing`` (aliases allowed), or a ValueError."""
    if isinstance(pairing, str):
        pairing = ALIASES.get(pairing, pairing)
    if pairing not in PAIRINGS:
        allowed = ", ".join(repr(p) for p in PAIRINGS)
        raise ValueError(f"{owner}: pairing must be one of {allowed} (or 'nearest' for "
                         f"'nn_symm'), got {pairing!r}")
    return pairing


def pairing_code(scheme: str, ltp: Branch, ltd: Branch, weight: str,
                 apply: Callable[[str], list[str]], n_history: int = 8,
                 coincident: str = "discard") -> PairingCode:
    """Brian2 code for ``scheme`` with the two branches.

    Parameters
    ----------
    scheme : str
        One of :data:`PAIRINGS`.
    ltp, ltd : Branch
        Potentiation (Δt > 0) and depression (Δt < 0).
    weight : str
        Name under which the code reads the current weight.
    apply : callable
        ``apply(name)`` returns the statements that add the increment held in the
        temporary ``name`` to the weight (bounds, device model).
    n_history : int
        Spikes remembered per side for all-to-all/pre-centred pairing with a kernel that is
        not a single exponential.
    coincident : {'discard', 'potentiate'}
        A pre and a post spike in the same time step: NEST's rule (the pair is discarded and
        the post spike pairs with the next-latest pre spike) or Brian2's trace idiom (the
        presynaptic pathway runs first, so the post spike sees the pair as Δt = 0
        potentiation, as in Brian2's Song et al. 2000 example).
    """
    code = PairingCode()
    code.model += ["lastpre : second", "npre : 1", "lastpost : second", "npost : 1"]
    uses_prev = scheme in ("nn_symm", "nn_restr")
    if uses_prev:
        code.model.append("prevpre : second")

    # -- depression, on a presynaptic spike ------------------------------------------------
    if scheme in ("nn_symm", "nn_pre_centered", "nn_restr"):
        cond = "npost > 0"
        if scheme == "nn_restr":
            cond = "npost > 0 and (npre == 0 or lastpost >= lastpre)"
        code.on_pre += ["stdp_dtd = lastpost - t",
                        f"stdp_dwd = int({cond})*{ltd.increment(weight, 'stdp_dtd')}"]
    elif ltd.tau is not None:  # all-to-all, exponential kernel: trace of post spikes
        code.model.append(f"dkpost/dt = -kpost/{ltd.tau} : 1 (event-driven)")
        code.on_pre.append(f"stdp_dwd = ({ltd.factor.format(w=weight)})*kpost")
    else:  # all-to-all, history of the latest post spikes
        code.model += _history_model("hpost", "nhpost", n_history)
        terms = []
        for k in range(n_history):
            code.on_pre.append(f"stdp_dtd{k} = hpost{k} - t")
            terms.append(f"int(nhpost > {k})*({ltd.kernel.format(dt=f'stdp_dtd{k}')})")
        code.on_pre.append(f"stdp_dwd = ({ltd.factor.format(w=weight)})*({' + '.join(terms)})")
    code.on_pre += apply("stdp_dwd")

    # -- potentiation, on a postsynaptic spike -------------------------------------------------
    discard = coincident == "discard"
    if discard and (uses_prev or ltp.tau is not None):
        code.on_post.append("stdp_c = int(npre > 0 and lastpre == t)")
    if uses_prev:
        cond = "npre > stdp_c" if discard else "npre > 0"
        if scheme == "nn_restr":  # a same-step pre already paired with the previous post
            cond += f" and (npost == 0 or stdp_tp {'>=' if discard else '>'} lastpost)"
        if discard:
            code.on_post.append("stdp_tp = stdp_c*prevpre + (1 - stdp_c)*lastpre")
        else:
            code.on_post.append("stdp_tp = lastpre")
        code.on_post += ["stdp_dtp = t - stdp_tp",
                         f"stdp_dwp = int({cond})*{ltp.increment(weight, 'stdp_dtp')}"]
        code.on_post += apply("stdp_dwp")
    elif ltp.tau is not None:  # all-to-all or pre-centred, trace of pre spikes
        code.model.append(f"dkpre/dt = -kpre/{ltp.tau} : 1 (event-driven)")
        trace = "(kpre - stdp_c)" if discard else "kpre"
        code.on_post.append(f"stdp_dwp = ({ltp.factor.format(w=weight)})*{trace}")
        code.on_post += apply("stdp_dwp")
        if scheme == "nn_pre_centered":  # the post spike erases the earlier pre spikes
            code.on_post.append("kpre = stdp_c" if discard else "kpre = 0")
    else:  # history of the latest pre spikes
        code.model += _history_model("hpre", "nhpre", n_history)
        extra = ""
        if scheme == "nn_pre_centered":
            extra = " and (npost == 0 or hpre{k} " + (">=" if discard else ">") + " lastpost)"
        terms = []
        for k in range(n_history):
            code.on_post.append(f"stdp_dtp{k} = t - hpre{k}")
            cond = f"nhpre > {k}" + (f" and hpre{k} < t" if discard else "") + extra.format(k=k)
            terms.append(f"int({cond})*({ltp.kernel.format(dt=f'stdp_dtp{k}')})")
        code.on_post.append(f"stdp_dwp = ({ltp.factor.format(w=weight)})*({' + '.join(terms)})")
        code.on_post += apply("stdp_dwp")

    # -- bookkeeping: remember the spike ----------------------------------------------------
    if uses_prev:
        code.on_pre.append("prevpre = lastpre")
    code.on_pre += ["lastpre = t", "npre = clip(npre + 1, 0, 2)"]
    if ltp.tau is not None and scheme in ("all-to-all", "nn_pre_centered"):
        code.on_pre.append("kpre += 1")
    elif scheme in ("all-to-all", "nn_pre_centered"):
        code.on_pre += _history_push("hpre", "nhpre", n_history)
    code.on_post += ["lastpost = t", "npost = clip(npost + 1, 0, 2)"]
    if scheme == "all-to-all":
        if ltd.tau is not None:
            code.on_post.append("kpost += 1")
        else:
            code.on_post += _history_push("hpost", "nhpost", n_history)
    return code


def _history_model(prefix: str, count: str, n: int) -> list[str]:
    return [f"{prefix}{k} : second" for k in range(n)] + [f"{count} : 1"]


def _history_push(prefix: str, count: str, n: int) -> list[str]:
    lines = [f"{prefix}{k} = {prefix}{k - 1}" for k in range(n - 1, 0, -1)]
    return lines + [f"{prefix}0 = t", f"{count} = clip({count} + 1, 0, {n})"]
