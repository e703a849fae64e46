"""``to_nir``: a spikeloom network of LIF neurons and static synapses as a NIR graph.

What is expressible (everything else raises, naming the object):

* spike sources: ``SpikeGeneratorGroup`` (and the library's ``SpikeTimeGroup``) → ``Input``;
* neurons: the library's :class:`~spikeloom.models.LIF` (and ``LifRef`` with ``tau_ref = 0``)
  at rest (``V = V_rest``), with a numeric ``I_ext`` and no ``Projection`` onto it →
  ``LIF`` (``tau``, ``r = R``, ``v_leak = V_rest``, ``v_threshold = V_th``,
  ``v_reset = V_reset``, all in SI units);
* synapses: ``Synapses`` between those with one ``on_pre`` of the form ``V_post += w``
  (``w`` a synaptic variable), no delay, no ``on_post`` → ``Linear`` (``Affine`` carrying
  the target's ``I_ext`` as bias), whose weight is the impulse ``w*tau/R`` that makes the
  jump ``w`` (read back with ``from_nir(..., spikes='dirac')``).

Monitors are skipped. ``Output`` nodes are written for ``outputs`` (default: the neuron
groups without outgoing synapses).
"""

from __future__ import annotations

import re

import numpy as np

from ..core import (
    Network,
    PopulationRateMonitor,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
)
from ..models import LIF, LifRef
from ..units import si_value

MONITORS = (SpikeMonitor, StateMonitor, PopulationRateMonitor)
_ON_PRE = re.compile(r"^\s*(\w+)_post\s*\+=\s*(\w+)\s*$")


def to_nir(network, *, outputs=None):
    """Write a spikeloom network as a NIR graph (``nir.NIRGraph``).

    Parameters
    ----------
    network : Network or iterable of objects
        The groups and synapses to write (monitors are skipped).
    outputs : iterable of groups, optional
        The neuron groups that get an ``Output`` node (default: those without outgoing
        synapses).

    Returns
    -------
    nir.NIRGraph
        Nodes are named after the spikeloom objects; run it back with
        ``from_nir(graph, dt, spikes='dirac')``.

    Raises
    ------
    ValueError
        Naming the group, synapse or model that NIR cannot express, and why.

    Examples
    --------
    >>> from spikeloom import SpikeGeneratorGroup, Synapses, ms, mV
    >>> from spikeloom.models import LIF
    >>> from spikeloom.nir import to_nir
    >>> inp = SpikeGeneratorGroup(2, [0, 1], [1, 2]*ms)
    >>> lif = LIF(3)
    >>> syn = Synapses(inp, lif, 'w : volt', on_pre='V_post += w')
    >>> syn.connect()
    >>> syn.w = 5*mV
    >>> graph = to_nir([inp, lif, syn])
    >>> sorted(type(n).__name__ for n in graph.nodes.values())
    ['Input', 'LIF', 'Linear', 'Output']
    """
    import nir

    objects = list(network.objects if isinstance(network, Network) else network)
    sources, neurons, synapses = _classify(objects)
    nodes, edges = {}, []
    for group in sources:
        nodes[group.name] = nir.Input(input_type=np.array([group.N]))
    params = {g.name: _lif_parameters(g) for g in neurons}
    for group in neurons:
        p = params[group.name]
        nodes[group.name] = nir.LIF(tau=p["tau"], r=p["R"], v_leak=p["V_rest"],
                                    v_threshold=p["V_th"], v_reset=p["V_reset"])
    with_bias = set()
    for syn in synapses:
        _check_ends(syn, sources + neurons, neurons)
        target = params[syn.target.name]
        weight = _weight_matrix(syn) * (target["tau"] / target["R"])[:, None]
        bias = target["I_ext"]
        if bias.any() and syn.target.name not in with_bias:
            with_bias.add(syn.target.name)
            nodes[syn.name] = nir.Affine(weight=weight, bias=bias)
        else:
            nodes[syn.name] = nir.Linear(weight=weight)
        edges += [(syn.source.name, syn.name), (syn.name, syn.target.name)]
    for group in neurons:
        if params[group.name]["I_ext"].any() and group.name not in with_bias:
            raise ValueError(f"to_nir: {group.owner} has a nonzero I_ext but no incoming "
                             "Synapses; NIR can only carry a constant current as the bias of "
                             "an Affine node into the neuron")
    for group in _outputs(outputs, neurons, synapses):
        nodes[f"{group.name}_output"] = nir.Output(output_type=np.array([group.N]))
        edges.append((group.name, f"{group.name}_output"))
    return nir.NIRGraph(nodes=nodes, edges=edges)


def _classify(objects) -> tuple[list, list, list]:
    sources, neurons, synapses = [], [], []
    for obj in objects:
        if isinstance(obj, MONITORS):
            continue
        if isinstance(obj, SpikeGeneratorGroup):
            sources.append(obj)
        elif isinstance(obj, LIF | LifRef):
            neurons.append(obj)
        elif isinstance(obj, Synapses):
            synapses.append(obj)
        else:
            name = getattr(obj, "name", repr(obj))
            raise ValueError(
                f"to_nir: {type(obj).__name__} {name!r} is not expressible in NIR; "
                "expressible are SpikeGeneratorGroup inputs, spikeloom.models.LIF (or LifRef "
                "with tau_ref=0) neurons and Synapses with on_pre='V_post += w'")
    return sources, neurons, synapses


def _lif_parameters(group) -> dict:
    """The group's parameters as SI arrays of its size, after the expressibility checks."""
    owner = group.owner
    d = group.__dict__
    if d["_inputs"]:
        raise ValueError(f"to_nir: {owner} has Projection inputs "
                         f"({', '.join(label for label, *_ in d['_inputs'])}); their synapse "
                         "kinetics are not expressible: connect it with Synapses and "
                         "on_pre='V_post += w' instead")
    if isinstance(d["parameters"]["I_ext"], str):
        raise ValueError(f"to_nir: {owner} has I_ext={d['parameters']['I_ext']!r}; only a "
                         "constant current (a number per neuron) is expressible")
    out = {}
    for name in ("tau", "R", "V_rest", "V_th", "V_reset", "I_ext"):
        value = getattr(group, name) if name == "I_ext" else group.parameters[name]
        out[name] = np.broadcast_to(np.asarray(si_value(value), float).reshape(-1),
                                    (group.N,)).copy()
    if isinstance(group, LifRef) and np.any(si_value(group.parameters["tau_ref"]) != 0):
        raise ValueError(f"to_nir: {owner} has tau_ref={group.parameters['tau_ref']}; NIR's "
                         "LIF has no refractory period (use tau_ref=0 or LIF)")
    if not np.array_equal(np.asarray(si_value(group.V)), out["V_rest"]):
        raise ValueError(f"to_nir: {owner} does not start at rest (V != V_rest); NIR has no "
                         "initial state and from_nir starts v at v_leak")
    return out


def _check_ends(syn, sources: list, neurons: list) -> None:
    names = {g.name for g in sources}, {g.name for g in neurons}
    if syn.source.name not in names[0] | names[1] or syn.target.name not in names[1]:
        raise ValueError(f"to_nir: {syn.owner} connects {syn.source.name!r} to "
                         f"{syn.target.name!r}; both must be written too (an input or LIF "
                         "source, a LIF target): pass them to to_nir")


def _weight_matrix(syn) -> np.ndarray:
    """The summed jumps (SI) of ``syn`` as a (n_target, n_source) matrix."""
    pathways = [p for p in syn.pathways]
    where = f"to_nir: {syn.owner}"
    if len(pathways) != 1 or pathways[0].prepost != "pre" or pathways[0].event != "spike":
        raise ValueError(f"{where}: only one on_pre pathway is expressible, got "
                         f"{[p.name for p in pathways]}")
    match = _ON_PRE.match(pathways[0].code.strip())
    potential = syn.target.POTENTIAL
    if not match or match.group(1) != potential or match.group(2) not in syn.variables:
        raise ValueError(f"{where}: on_pre={pathways[0].code!r} is not expressible; only "
                         f"'{potential}_post += w' with w a synaptic variable is (a jump of "
                         "the potential, NIR's impulse through Linear)")
    if np.any(np.asarray(pathways[0].delay_var.values) != 0):
        raise ValueError(f"{where}: has synaptic delays; not expressible (use delay 0)")
    weight = np.zeros((syn.target.N, syn.source.N))
    values = np.asarray(si_value(getattr(syn, match.group(2))), float)
    np.add.at(weight, (np.asarray(syn.j), np.asarray(syn.i)), values)
    return weight


def _outputs(outputs, neurons: list, synapses: list) -> list:
    if outputs is not None:
        outputs = list(outputs)
        names = {g.name for g in neurons}
        for group in outputs:
            if getattr(group, "name", None) not in names:
                raise ValueError(f"to_nir: outputs contains {group!r}, which is not one of "
                                 f"the LIF groups written: {sorted(names)}")
        return outputs
    with_out = {syn.source.name for syn in synapses}
    return [g for g in neurons if g.name not in with_out]
