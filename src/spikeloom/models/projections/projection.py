"""``Projection``: synapse kinetics + connectivity + weight + output, placed explicitly.

Where the kinetics' state lives is the projection's *alignment*:

``'post'``
    one state per postsynaptic neuron, in the neuron's own equations (``g_<name>``); each
    spike adds its weight (``on_pre: g_<name>_post += weight``). Exact only for kinetics
    linear in their input (``Expon``, ``DualExpon``, ``Alpha``; ``Delta``). Cheapest: the
    per-step work is O(N_post), spikes cost O(their synapses).
``'pre'``
    one state per presynaptic neuron, in a NeuronGroup ``<name>_state``; the output
    ``G_<name> = sum_syn weight*g_pre`` is a ``(summed)`` variable of an output Synapses
    (O(N_syn) per step). Exact for kinetics driven only by the presynaptic spike train
    (``AMPA``, ``GABAa``, ``NMDA``, ``STP``, and the linear ones), with one delay for all
    synapses. BrainPy's ``AlignPre``.
``'synapse'``
    one state per synapse, clock-driven equations of a Synapses (always valid).

The default is the cheapest valid one ('post', else 'pre', else 'synapse'), logged at INFO;
asking for an invalid one is an error that says why.

Order within a step: per-pre and per-synapse states are advanced before every neuron
(schedule order :data:`STATE_ORDER`), so a neuron integrates with the conductance of the
current step (BrainPy's order). Per-post state is integrated together with the neuron, so
the neuron sees the conductance at the start of the step (Brian2's order, as in equations
written by hand). Either way the current ``I_<name>`` enters the neuron through ``I_syn``,
held constant over the step.
"""

from __future__ import annotations

import logging

import numpy as np

from ... import units
from ...core import SimObject
from ...equations import Equations
from ...units import Quantity, dim_string, get_dim, si_value
from ..neurons._base import NeuronModel, NeuronSlice
from ..neurons._params import as_float64, rename, unit_dim, unit_text
from ..synapses._base import ALIGNMENTS, Kinetics
from ..synapses.delta import Delta
from ..synapses.outputs import Output
from ._placement import Placement, _self_offset
from .connectivity import ConnectContext, as_connectivity

logger = logging.getLogger("spikeloom.models")

class Projection(Placement, SimObject):
    """Connect two populations through synapse kinetics, a weight and an output.

    Parameters
    ----------
    pre : group
        Presynaptic spike source: a library neuron (or a slice of one), a NeuronGroup with a
        threshold, a Subgroup, or an input group (SpikeTimeGroup, PoissonGroup...).
    post : NeuronModel
        Postsynaptic library neuron (LIF, LifRef, ..., iaf_cond_exp). Its group must not be
        built yet: create the projections before using the neuron elsewhere.
    synapse : Kinetics or None
        Kinetics (``Expon()``, ``AMPA()``, ``STP(synapse=Expon())``, ``Delta('V')``...).
        None uses the neuron's built-in receptors (NEST models: the weight's sign chooses
        the excitatory or inhibitory receptor).
    connectivity : Connectivity, (i, j) arrays or sparse matrix
        Which pairs are connected (``FixedProb(0.02)``, ``FixedPreNum(80)``, ...).
    weight : Quantity, array or str
        Weight of each synapse (BrainPy's ``g_max``): one value, one per synapse (in the
        order of the connectivity), or an expression evaluated per synapse. Its unit
        follows from the output and the neuron (siemens for COBA into a current-input neuron,
        amp for CUBA).
    output : Output or None
        ``COBA(E)``, ``CUBA()``, ``MgBlock(...)``; None for ``Delta`` and ``synapse=None``.
    delay : Quantity (time) or array
        Transmission delay (default 0 ms): one value or one per synapse.
    alignment : {'post', 'pre', 'synapse'} or None
        Where the kinetics' state lives (see the module docstring); None picks the cheapest
        valid one.
    share : bool
        With alignment 'pre', reuse the state of an earlier projection from the same
        presynaptic group with the same kinetics, parameters and delay (each projection
        keeps its own weights, connectivity and output). Never implicit.
    name : str, optional
        Also names the neuron's variables (``I_<name>``, ``g_<name>``, ``G_<name>``).

    Attributes
    ----------
    alignment : str
        The alignment in use.
    synapses : Synapses
        The core object holding the connectivity and ``weight`` (after the build).

    Examples
    --------
    >>> from spikeloom import ms, mV, uS
    >>> from spikeloom.models import (AMPA, COBA, FixedProb, LifRef, Projection,
    ...                               SpikeTimeGroup)
    >>> pre = SpikeTimeGroup(1, [0, 0], [10, 30]*ms)
    >>> post = LifRef(1, V_rest=-60*mV, V_th=-50*mV, V_reset=-60*mV, tau=20*ms)
    >>> proj = Projection(pre, post, AMPA(), FixedProb(1.0), weight=1*uS,
    ...                   output=COBA(E=0*mV), name='ampa')
    >>> proj.alignment
    'pre'
    """

    _default_name = "projection"

    def __init__(self, pre, post, synapse: Kinetics | None = None, connectivity=None,
                 weight=None, output: Output | None = None, delay=0 * units.ms,
                 alignment: str | None = None, share: bool = False,
                 name: str | None = None) -> None:
        super().__init__(name=name, when="groups", order=0)
        owner = self.owner = f"Projection {self.name!r}"
        if not isinstance(post, NeuronModel):
            raise TypeError(f"{owner}: post must be a library neuron (LIF, LifRef, ExpIF, AdEx, "
                            f"Izhikevich, HH, or a NEST model: iaf_psc_exp, ...), got "
                            f"{type(post).__name__}; for a NeuronGroup written with equations "
                            "use Synapses directly")
        _check_source(owner, pre)
        self.pre, self.post = pre, post
        self.synapse = synapse
        self.native = synapse is None
        if self.native and post.NATIVE_ON_SPIKE is None:
            raise ValueError(f"{owner}: synapse=None needs a neuron with built-in receptors "
                             "(the NEST models iaf_psc_exp, iaf_psc_alpha, iaf_cond_exp, "
                             "iaf_cond_alpha, aeif_cond_exp, aeif_cond_alpha, izhikevich, "
                             "hh_psc_alpha); "
                             f"{type(post).__name__} has none. "
                             "Give synapse kinetics, e.g. synapse=Expon(tau=5*ms)")
        if not self.native and not isinstance(synapse, Kinetics):
            raise TypeError(f"{owner}: synapse must be a Kinetics (Expon(), AMPA(), ...) or "
                            f"None, got {synapse!r}")
        self.direct = self.native or isinstance(synapse, Delta)
        if self.direct and output is not None:
            raise ValueError(f"{owner}: output must be None when the spike acts directly on "
                             f"the neuron (synapse={synapse!r}); got output={output!r}")
        if not self.direct and not isinstance(output, Output):
            raise TypeError(f"{owner}: output must be COBA(E), CUBA() or MgBlock(...), got "
                            f"{output!r}")
        self.output = output
        if connectivity is None:
            raise ValueError(f"{owner}: connectivity is required, e.g. FixedProb(0.02), "
                             "OneToOne() or an (i, j) pair of arrays")
        self.connectivity = as_connectivity(connectivity)
        self.weight = as_float64(weight)
        self.weight_dim = self._expected_weight_dim()
        self._check_weight()
        self.delay = delay = as_float64(delay)
        self._delay_values = _check_delay(owner, delay)
        self.alignment = self._choose_alignment(alignment)
        self.share = bool(share)
        if self.share and self.alignment != "pre":
            raise ValueError(f"{owner}: share=True shares per-presynaptic-neuron state, so it "
                             f"needs alignment='pre' (the alignment is {self.alignment!r})")
        self._objects = None
        self._register_input()

    # -- validation ------------------------------------------------------------------------
    def _expected_weight_dim(self):
        post = self.post
        if self.native:
            return unit_dim(post.NATIVE_WEIGHT_UNIT)
        if isinstance(self.synapse, Delta):
            target = self.synapse.target
            eqs = Equations(post.equations)
            if target not in eqs:
                raise ValueError(f"{self.owner}: Delta target {target!r} is not a variable of "
                                 f"{type(post).__name__}; its variables are "
                                 f"{', '.join(eqs.names)}")
            return eqs[target].dim
        return self.output.weight_dim(post.input_dim)

    def _check_weight(self) -> None:
        w = self.weight
        if w is None:
            raise ValueError(f"{self.owner}: weight is required (unit "
                             f"{dim_string(self.weight_dim)}), e.g. weight=1*{_example(self)}")
        if isinstance(w, str):
            return
        got = get_dim(w)
        if got != self.weight_dim:
            why = "" if self.direct else (
                f" ({type(self.post).__name__}'s input is in {self.post.INPUT_UNIT}; "
                f"{type(self.output).__name__} gives weight*g"
                f"{'*(E - V)' if self.output.PER_VOLT else ''})")
            raise ValueError(f"{self.owner}: weight={w} has unit {dim_string(got)}, expected "
                             f"{dim_string(self.weight_dim)}{why}")

    def _choose_alignment(self, requested):
        owner, kin = self.owner, self.synapse
        valid = ("post",) if self.native else kin.valid_alignments
        homogeneous = np.size(self._delay_values) == 1
        name = "synapse=None" if self.native else type(kin).__name__
        if requested is None:
            for candidate in ALIGNMENTS:
                if candidate in valid and (candidate != "pre" or homogeneous):
                    logger.info("%s: alignment %r (the cheapest valid one for %s)", owner,
                                candidate, name)
                    return candidate
            raise AssertionError("unreachable: 'synapse' is always valid")
        if requested not in ALIGNMENTS:
            raise ValueError(f"{owner}: alignment={requested!r} is not one of "
                             f"{', '.join(map(repr, ALIGNMENTS))}")
        if requested not in valid:
            reason = ("the spike acts directly on the neuron, there is no synaptic state"
                      if self.native else kin.why_invalid(requested))
            raise ValueError(f"{owner}: alignment={requested!r} is invalid for {name}: "
                             f"{reason}. Valid alignments: {', '.join(map(repr, valid))}")
        if requested == "pre" and not homogeneous:
            raise ValueError(f"{owner}: alignment='pre' keeps one state per presynaptic "
                             "neuron, so every synapse must have the same delay; got one delay "
                             "per synapse. Use alignment='synapse'")
        return requested

    # -- the neuron's side ------------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.name

    def _register_input(self) -> None:
        if self.direct:
            self.post.add_feeder(self)
            return
        label, post, kin = self.label, self.post, self.synapse
        wunit = unit_text(self.weight_dim)
        if self.alignment == "post":
            mapping = self._post_names()
            lines = rename(kin.equations(wunit), mapping)
            G = mapping[kin.OUTPUT]
            ns = {mapping[k]: v for k, v in kin.namespace().items()}
        else:
            G = f"G_{label}"
            lines = f"{G} : {wunit}"
            ns = {}
        current, out_ns = self.output.current(G, post.POTENTIAL, label)
        post.add_input(label, lines, current, {**ns, **out_ns}, owner=self)

    def _post_names(self) -> dict:
        kin, label = self.synapse, self.label
        names = {s: f"{s}_{label}" for s in kin.STATE}
        names.update({p: f"{p}_{label}" for p in kin.namespace()})
        return names

    # -- building -----------------------------------------------------------------------------
    @property
    def contained_objects(self) -> list:
        return list(self.build())

    def build(self) -> list:
        """Create the core objects (done when the network is assembled); returns them."""
        if self._objects is not None:
            return self._objects
        pre = _resolve(self.pre)
        post = self.post.build(f"Projection {self.name!r} was built")
        ctx = ConnectContext(len(pre), len(post), _self_offset(self.pre, self.post))
        dt = post.clock.dt_
        steps = np.floor(np.asarray(self._delay_values) / dt + 0.5).astype(np.int64)
        if self.alignment == "post":
            objects = self._build_post(pre, post, ctx, steps, dt)
        elif self.alignment == "pre":
            objects = self._build_pre(pre, post, ctx, steps, dt)
        else:
            objects = self._build_synapse(pre, post, ctx, steps, dt)
        self._objects = objects
        return objects

    # -- reading -----------------------------------------------------------------------------
    def variable(self, name: str) -> tuple[object, str]:
        """Where a quantity of this projection is stored: ``(group, variable name)``.

        ``name`` is a kinetics state (``'g'``, ``'h'``, ``'x'``...), ``'G'`` (weighted
        conductance onto each postsynaptic neuron), ``'I'`` (the current into each
        postsynaptic neuron, evaluated when recorded) or ``'weight'``.
        """
        self.build()
        label = self.label
        if name == "I" and not self.direct:
            return self.post, f"I_{label}"
        if name == "G" and not self.direct:
            if self.alignment == "post":
                return self.post, self._state_names[self.synapse.OUTPUT]
            return self.post, f"G_{label}"
        if name == "weight" and "weight" in self.synapses.variables:
            return self.synapses, "weight"
        if name in self._state_names:
            return self.state, self._state_names[name]
        allowed = sorted(self._state_names) + ([] if self.direct else ["G", "I"])
        if "weight" in self.synapses.variables:
            allowed.append("weight")
        raise KeyError(f"{self.owner}: no quantity {name!r}; available: "
                       f"{', '.join(allowed) or 'none'}")

    @property
    def i(self) -> np.ndarray:
        """Presynaptic index of each synapse (builds the projection)."""
        self.build()
        return self.synapses.i

    @property
    def j(self) -> np.ndarray:
        """Postsynaptic index of each synapse (builds the projection)."""
        self.build()
        return self.synapses.j

    def __repr__(self) -> str:
        syn = "native" if self.native else repr(self.synapse)
        return (f"Projection({self.name!r}, synapse={syn}, connectivity={self.connectivity!r}, "
                f"alignment={self.alignment!r})")


def _check_source(owner: str, pre) -> None:
    if isinstance(pre, NeuronSlice):
        pre = pre.model
    if isinstance(pre, NeuronModel):
        if pre.THRESHOLD is None:
            raise ValueError(f"{owner}: pre ({type(pre).__name__}) has no threshold, so it "
                             "never spikes")
        return
    if not hasattr(pre, "spike_source") or not hasattr(pre, "N"):
        raise TypeError(f"{owner}: pre must be a group that spikes (a library neuron, a "
                        "NeuronGroup with a threshold, SpikeTimeGroup, PoissonGroup...), got "
                        f"{type(pre).__name__}")
    if getattr(pre.spike_source, "threshold", "") is None:
        raise ValueError(f"{owner}: pre ({pre.spike_source.owner}) has no threshold, so it "
                         "never spikes")


def _resolve(pre):
    if isinstance(pre, NeuronSlice):
        return pre.resolve()
    if isinstance(pre, NeuronModel):
        return pre.build("used as the presynaptic group of a Projection")
    return pre


def _check_delay(owner: str, delay):
    if not isinstance(delay, Quantity) or get_dim(delay) != get_dim(units.second):
        raise ValueError(f"{owner}: delay must be a time (e.g. 1*ms) or an array of times, "
                         f"got {delay!r}")
    values = np.asarray(si_value(delay), dtype=np.float64)
    if values.ndim > 1 or np.any(values < 0) or not np.all(np.isfinite(values)):
        raise ValueError(f"{owner}: delay must be >= 0 and finite (one value or one per "
                         f"synapse), got {delay!r}")
    return values


def _example(proj) -> str:
    dim = proj.weight_dim
    for unit in ("nS", "uS", "pA", "nA", "mV"):
        if get_dim(getattr(units, unit)) == dim:
            return unit
    return unit_text(dim)
