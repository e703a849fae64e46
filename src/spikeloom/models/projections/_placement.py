"""How each alignment is made of core objects (the build half of :class:`Projection`).

``'post'``
    the kinetics' equations are added to the neuron (``g_<name>``...) and one Synapses
    (pre -> post) runs ``on_pre: g_<name>_post += weight``.
``'pre'``
    a NeuronGroup ``<name>_state`` over the presynaptic neurons holds the state; a
    one-to-one Synapses ``<name>_feed`` brings the spikes to it (``on_pre``, or for
    transmitter pulses a ``(summed)`` copy of ``lastspike``); an output Synapses
    ``<name>_output`` (state -> post, the connectivity) sums ``G_<name>_post =
    weight*g_pre`` ``(summed)``.
``'synapse'``
    one Synapses (pre -> post) with the kinetics as ``(clock-driven)`` equations, the
    spike statements as ``on_pre`` and the same ``(summed)`` output.

States outside the neuron are advanced at schedule order :data:`STATE_ORDER` of the
``groups`` slot, before every neuron, so their output is summed (at the neuron's order
- 1, Brian2's rule) from the state of the current step.

Transmitter pulses need the arrival time of the latest spike, ``t_arrival``: for a source
that fires before the state update (``SpikeTimeGroup``: slot ``before_groups``) and no
delay it is ``lastspike_pre``, so the pulse starts with the spike's own step; otherwise an
``on_pre`` sets ``t_arrival = t + dt`` (the next step) after a pathway delay shortened by
one step for early sources, so that a delay always shifts the pulse by whole steps.
"""

from __future__ import annotations

import logging
import numbers
import weakref

import numpy as np

from ... import units
from ...core import NeuronGroup, Synapses
from ...equations import DIFF, Equations
from ...units import Quantity
from ..neurons._base import NeuronSlice
from ..neurons._params import rename, unit_text
from ..synapses.delta import Delta

logger = logging.getLogger("spikeloom.models")

#: schedule order (within the ``groups`` slot) of per-pre and per-synapse states
STATE_ORDER = -100
_EARLY_SLOTS = frozenset({"before_start", "start", "after_start", "before_groups"})
NEVER = -1e4  # seconds, as ``lastspike`` before any spike
#: presynaptic root group -> {(start, size, kinetics key, delay steps, early): _PreState}
_SHARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _PreState:
    """The objects of one per-presynaptic-neuron state (shareable between projections)."""

    def __init__(self, group, feed) -> None:
        self.group = group
        self.feed = feed


class Placement:
    """Mixin of :class:`Projection`: builds the core objects of its alignment."""

    def _weight_model(self) -> tuple[str, dict]:
        w = self.weight
        if isinstance(w, str) or not _is_scalar(w):
            return f"weight : {unit_text(self.weight_dim)} (constant)", {}
        return "", {"weight": w}

    def _finish(self, synapses, ctx, steps, dt, shift: int = 0) -> None:
        """Connect, then set per-synapse weights and delays."""
        self.connectivity.connect(synapses, ctx)
        n = synapses.N
        w = self.weight
        if isinstance(w, str) or not _is_scalar(w):
            if not isinstance(w, str) and np.size(_mantissa(w)) != n:
                raise ValueError(f"{self.owner}: weight has {np.size(_mantissa(w))} values "
                                 f"but the connectivity made {n} synapses")
            synapses.weight = w
        delays = steps + shift
        if np.size(delays) > 1 and np.size(delays) != n:
            raise ValueError(f"{self.owner}: delay has {np.size(delays)} values but the "
                             f"connectivity made {n} synapses")
        if np.any(delays < 0):
            raise ValueError(f"{self.owner}: a pulse kinetics from a source that fires before "
                             "the state update cannot mix zero and non-zero delays; use one "
                             "delay, or delays of at least one step")
        if np.any(delays != 0):
            synapses.delay = np.broadcast_to(delays * dt, (n,)).copy() * units.second

    def _build_post(self, pre, post, ctx, steps, dt) -> list:
        label = self.label
        model, ns = self._weight_model()
        if self.native:
            code = post.NATIVE_ON_SPIKE
        elif isinstance(self.synapse, Delta):
            code = self.synapse.on_spike("weight")
        else:
            mapping = self._post_names()
            code = rename(self.synapse.on_spike("weight"), mapping)
            code = rename(code, {mapping[s]: f"{mapping[s]}_post" for s in self.synapse.STATE})
            ns.update({mapping[k]: v for k, v in self.synapse.namespace().items()})
        syn = Synapses(pre, post, on_pre=code, name=f"{label}_synapses",
                       **_model_kwargs(model, ns))
        self._finish(syn, ctx, steps, dt)
        self.synapses = syn
        self.state = post
        self._state_names = {} if self.direct else {
            s: f"{s}_{label}" for s in self.synapse.STATE}
        return [syn]

    def _arrival(self, pre, steps) -> tuple[str, int, bool]:
        """How a pulse kinetics learns the spike's arrival: (route, shift, early)."""
        early = _fires_early(pre)
        offset = 0 if early else 1
        if early and np.all(steps == 0):
            return "lastspike", 0, early
        return "on_pre", offset - 1, early

    def _kinetics_text(self) -> tuple[str, dict, str | None]:
        kin = self.synapse
        pmap = {p: f"{p}_{self.label}" for p in kin.namespace()}
        eqs = rename(kin.equations("1"), pmap)
        ns = {pmap[k]: v for k, v in kin.namespace().items()}
        spike = kin.on_spike("1")
        return eqs, ns, (rename(spike, pmap) if spike else None)

    def _build_synapse(self, pre, post, ctx, steps, dt) -> list:
        kin, label = self.synapse, self.label
        eqs, ns, spike = self._kinetics_text()
        lines = [_flag_clock_driven(eqs)]
        shift, on_pre = 0, spike
        if kin.PULSE:
            route, shift, _ = self._arrival(pre, steps)
            if route == "lastspike":
                lines.append("t_arrival = lastspike_pre : second")
                on_pre = None
            else:
                lines.append("t_arrival : second")
                on_pre = "t_arrival = t + dt"
        wmodel, wns = self._weight_model()
        if wmodel:
            lines.append(wmodel)
        lines.append(f"G_{label}_post = weight*{kin.OUTPUT} : {unit_text(self.weight_dim)} "
                     "(summed)")
        syn = Synapses(pre, post, model=Equations("\n".join(lines), **ns, **wns),
                       on_pre=on_pre, method=kin.METHOD, order=_state_order(post),
                       name=f"{label}_synapses")
        self._finish(syn, ctx, steps, dt, shift)
        for var, value in kin.INITIAL.items():
            setattr(syn, var, value)
        if kin.PULSE and "t_arrival" in syn.variables and \
                not syn.variables["t_arrival"].is_subexpression:
            syn.t_arrival = NEVER * units.second
        self.synapses = syn
        self.state = syn
        self._state_names = {s: s for s in (*kin.STATE, kin.OUTPUT)}
        return [syn]

    def _build_pre(self, pre, post, ctx, steps, dt) -> list:
        kin, label = self.synapse, self.label
        delay_steps = int(np.asarray(steps).reshape(-1)[0])
        registry, key = None, None
        if self.share:
            root, start = _root(self.pre)
            registry = _SHARED.setdefault(root, {})
            key = (start, len(pre), kin.key(), delay_steps, _fires_early(pre))
        shared = registry.get(key) if registry is not None else None
        if shared is None:
            shared = self._pre_state(pre, post, kin, delay_steps, dt)
            if registry is not None:
                registry[key] = shared
        else:
            logger.info("%s: sharing the presynaptic state %r", self.owner, shared.group.name)
        self._shared = shared  # keeps the shared state alive
        wmodel, wns = self._weight_model()
        lines = ([wmodel] if wmodel else []) + [
            f"G_{label}_post = weight*{kin.OUTPUT}_pre : {unit_text(self.weight_dim)} (summed)"]
        out = Synapses(shared.group, post, model=Equations("\n".join(lines), **wns),
                       name=f"{label}_output")
        self._finish(out, ctx, np.zeros((), np.int64), dt)
        self.synapses = out
        self.state = shared.group
        self._state_names = {s: s for s in (*kin.STATE, kin.OUTPUT)}
        return [shared.group, shared.feed, out]

    def _pre_state(self, pre, post, kin, delay_steps, dt) -> _PreState:
        label = self.label
        eqs, ns, spike = self._kinetics_text()
        feed_model, on_pre, shift = "", None, 0
        if kin.PULSE:
            eqs += "\nt_arrival : second"
            route, shift, _ = self._arrival(pre, np.array([delay_steps]))
            if route == "lastspike":
                feed_model = "t_arrival_post = lastspike_pre : second (summed)"
            else:
                on_pre = "t_arrival_post = t + dt"
        else:
            on_pre = rename(spike, {s: f"{s}_post" for s in kin.STATE})
        group = NeuronGroup(len(pre), Equations(eqs, **ns), method=kin.METHOD,
                            order=_state_order(post), name=f"{label}_state")
        for var, value in kin.INITIAL.items():
            setattr(group, var, value)
        if kin.PULSE:
            group.t_arrival = NEVER * units.second
        feed = Synapses(pre, group, on_pre=on_pre, name=f"{label}_feed",
                        **_model_kwargs(feed_model, ns))
        feed.connect(j="i")
        if delay_steps + shift > 0:
            feed.delay = (delay_steps + shift) * dt * units.second
        return _PreState(group, feed)


def _model_kwargs(model: str, namespace: dict) -> dict:
    """Keyword arguments giving a Synapses its model and constants.

    Constants travel in the Equations' namespace so that the run's namespace stays visible
    (a weight expression may use the user's names). An empty model cannot carry them:
    ``Synapses`` replaces a model that is falsy (an ``Equations`` without lines) by ``""``,
    dropping its namespace, so the constants then go to ``namespace=``.
    """
    if model.strip():
        return {"model": Equations(model, **namespace)}
    return {"namespace": dict(namespace)}


def _root(group) -> tuple[object, int]:
    if isinstance(group, NeuronSlice):
        return group.model, group.start
    parent = group.__dict__.get("parent") if hasattr(group, "__dict__") else None
    if parent is not None:
        return parent, group.start
    return group, 0


def _self_offset(pre, post) -> int | None:
    root, start = _root(pre)
    return start if root is post else None


def _fires_early(pre) -> bool:
    """Does the source emit its spikes before the ``groups`` slot of the step?"""
    source = pre.spike_source if hasattr(pre, "spike_source") else pre
    if isinstance(source, NeuronGroup):
        return False  # threshold slot, after the state updates
    return getattr(source, "when", "thresholds") in _EARLY_SLOTS


def _state_order(post) -> int:
    return min(STATE_ORDER, post.order - 3)


def _flag_clock_driven(eqs: str) -> str:
    out = []
    for line in eqs.splitlines():
        if line.strip() and Equations(line).equations[0].kind == DIFF:
            line = f"{line} (clock-driven)"
        out.append(line)
    return "\n".join(out)


def _mantissa(value):
    """The plain values of a quantity (SI), or ``value`` itself."""
    return np.asarray(value) if isinstance(value, Quantity) else value


def _is_scalar(value) -> bool:
    return np.size(_mantissa(value)) == 1 and isinstance(
        np.asarray(_mantissa(value)).reshape(-1)[0].item(), numbers.Number)
