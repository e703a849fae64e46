"""Reading a NIR graph: nested graphs flattened, linear chains folded, units ordered.

A NIR graph is split into *units* (nodes with a state or a nonlinearity, each becoming a
spikeloom group: ``Input``, ``Output``, ``LIF``, ``CubaLIF``, ``IF``, ``I``, ``LI``,
``CubaLI``, ``Threshold``, ``Delay``) and *linear* nodes (``Affine``, ``Linear``,
``Scale``, ``Flatten`` and the ``Input``/``Output`` nodes of nested graphs), which are
folded into the weights and biases of the connections between units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: node types that become a spikeloom group
UNIT_TYPES = ("Input", "Output", "LIF", "CubaLIF", "IF", "I", "LI", "CubaLI", "Threshold",
              "Delay")
#: node types folded into connection weights
LINEAR_TYPES = ("Affine", "Linear", "Scale", "Flatten", "_Pass")
#: what to use instead of a node type that is refused
ALTERNATIVES = {
    "Conv1d": "unroll the convolution into an Affine/Linear node (a dense weight matrix)",
    "Conv2d": "unroll the convolution into an Affine/Linear node (a dense weight matrix)",
    "SumPool2d": "write the pooling as a Linear node (a 0/1 weight matrix)",
    "AvgPool2d": "write the pooling as a Linear node (a weight matrix of 1/k entries)",
}


class _Pass:
    """The ``Input``/``Output`` node of a nested graph: the identity on its signal."""

    def __init__(self, size: int) -> None:
        self.size = size


@dataclass
class Unit:
    """One group to build: a NIR node and its inputs ``[(source unit, W, b)]``."""

    name: str
    kind: str
    node: object
    size: int
    inputs: list = field(default_factory=list)

    @property
    def bias(self) -> np.ndarray:
        """The summed bias of all input paths (zeros without inputs)."""
        total = np.zeros(self.size)
        for _, _, b in self.inputs:
            total = total + b
        return total


def node_type(node) -> str:
    """The NIR type name of ``node`` (``'_Pass'`` for a nested graph's Input/Output)."""
    return "_Pass" if isinstance(node, _Pass) else type(node).__name__


def refuse(name: str, kind: str) -> NotImplementedError:
    """The error for a node type that spikeloom does not import."""
    alternative = ALTERNATIVES.get(kind, "one of the supported types")
    return NotImplementedError(
        f"from_nir: node {name!r} has type {kind}, which spikeloom does not import; "
        f"{alternative}. Supported: {', '.join(UNIT_TYPES + LINEAR_TYPES[:-1])}")


def flatten(graph, prefix: str = "") -> tuple[dict, list]:
    """Nodes and edges of ``graph`` with nested ``NIRGraph`` nodes inlined (``'g.n'``)."""
    nodes, edges, entry, exit_ = {}, [], {}, {}
    for name, node in graph.nodes.items():
        full = prefix + name
        if type(node).__name__ == "NIRGraph":
            inner_nodes, inner_edges = _inline(node, full + ".")
            nodes.update(inner_nodes)
            edges.extend(inner_edges)
            entry[name] = _single(node.inputs, full, "Input")
            exit_[name] = _single(node.outputs, full, "Output")
        else:
            nodes[full] = node
    for src, dst in graph.edges:
        edges.append((prefix + exit_.get(src, src), prefix + entry.get(dst, dst)))
    return nodes, edges


def _inline(subgraph, prefix: str) -> tuple[dict, list]:
    nodes, edges = flatten(subgraph, prefix)
    for name, node in list(nodes.items()):
        if node_type(node) in ("Input", "Output") and name.count(".") == prefix.count("."):
            nodes[name] = _Pass(_size_of_io(node))
    return nodes, edges


def _single(io: dict, where: str, kind: str) -> str:
    if len(io) != 1:
        raise NotImplementedError(f"from_nir: nested graph {where!r} has {len(io)} {kind} "
                                  f"nodes; only nested graphs with one {kind} are supported")
    return f"{where.rsplit('.', 1)[-1]}.{next(iter(io))}"


def _size_of_io(node) -> int:
    types = node.input_type if node_type(node) == "Input" else node.output_type
    shape = next(iter(types.values()))
    return int(np.prod(shape))


def node_size(name: str, node) -> int:
    """Number of elements of a unit's output (NIR shapes are flattened in C order)."""
    kind = node_type(node)
    if kind in ("Input", "Output"):
        return _size_of_io(node)
    attribute = {"LIF": "tau", "LI": "tau", "CubaLIF": "tau_mem", "CubaLI": "tau_mem",
                 "IF": "r", "I": "r", "Threshold": "threshold", "Delay": "delay"}[kind]
    return int(np.asarray(getattr(node, attribute)).size)


def linear_map(name: str, node, n_in: int) -> tuple[np.ndarray, np.ndarray]:
    """``(W, b)`` of a linear node: its output is ``W @ x + b`` for an input of size n_in."""
    kind = node_type(node)
    if kind in ("Affine", "Linear"):
        weight = np.asarray(node.weight, dtype=float)
        if weight.ndim != 2:
            raise NotImplementedError(f"from_nir: node {name!r} ({kind}) has a weight of shape "
                                      f"{weight.shape}; only 2-D weights are supported")
        bias = np.asarray(node.bias, float).reshape(-1) if kind == "Affine" else \
            np.zeros(weight.shape[0])
        return weight, bias
    if kind == "Scale":
        scale = np.asarray(node.scale, dtype=float).reshape(-1)
        return np.diag(scale), np.zeros(scale.size)
    return np.eye(n_in), np.zeros(n_in)  # Flatten and _Pass: the identity (C order)


def read_units(graph) -> list[Unit]:
    """The units of ``graph`` in update order, each with its folded inputs.

    Raises
    ------
    NotImplementedError
        For a node type that is not supported (named, with the nearest alternative).
    ValueError
        For an edge to or from an unknown node, a node that reaches no unit, or a cycle of
        linear nodes only.
    """
    nodes, edges = flatten(graph)
    for name, node in nodes.items():
        if node_type(node) not in UNIT_TYPES + LINEAR_TYPES:
            raise refuse(name, node_type(node))
    predecessors = {name: [] for name in nodes}
    for src, dst in edges:
        for end in (src, dst):
            if end not in nodes:
                raise ValueError(f"from_nir: the edge ({src!r}, {dst!r}) refers to the node "
                                 f"{end!r}, which is not in the graph; nodes: {sorted(nodes)}")
        predecessors[dst].append(src)
    units = {name: Unit(name, node_type(node), node, node_size(name, node))
             for name, node in nodes.items() if node_type(node) in UNIT_TYPES}
    used = set(units)
    for unit in units.values():
        for src in predecessors[unit.name]:
            unit.inputs.extend(_contributions(src, nodes, predecessors, units, used, ()))
        _check_input_sizes(unit)
    unused = sorted(set(nodes) - used)
    if unused:
        raise ValueError(f"from_nir: the node(s) {unused} lead to no neuron or Output node; "
                         "nothing is dropped silently: connect or remove them")
    return [units[name] for name in _update_order(units, edges)]


def _contributions(name, nodes, predecessors, units, used, path) -> list:
    """``[(source unit, W, b)]`` of the signal leaving node ``name``."""
    if name in units:
        size = units[name].size
        return [(name, np.eye(size), np.zeros(size))]
    if name in path:
        raise ValueError(f"from_nir: the linear nodes {list(path)} form a cycle without a "
                         "neuron; such an algebraic loop has no step-by-step solution")
    used.add(name)
    upstream = []
    for src in predecessors[name]:
        upstream.extend(_contributions(src, nodes, predecessors, units, used, path + (name,)))
    if not upstream:
        raise ValueError(f"from_nir: the node {name!r} ({node_type(nodes[name])}) has no input")
    n_in = upstream[0][1].shape[0]
    weight, bias = linear_map(name, nodes[name], n_in)
    out = []
    for k, (src, w, b) in enumerate(upstream):
        if weight.shape[1] != w.shape[0]:
            raise ValueError(f"from_nir: node {name!r} expects {weight.shape[1]} inputs but "
                             f"{src!r} gives {w.shape[0]}")
        out.append((src, weight @ w, weight @ b + (bias if k == 0 else 0.0)))
    return out


def _check_input_sizes(unit: Unit) -> None:
    for src, weight, _ in unit.inputs:
        if weight.shape[0] != unit.size:
            raise ValueError(f"from_nir: node {unit.name!r} ({unit.kind}) has {unit.size} "
                             f"elements but its input from {src!r} has {weight.shape[0]}")


def _update_order(units: dict, edges: list) -> list[str]:
    """Units in a depth-first topological order from the inputs; a cycle's closing edge
    then carries the previous step's signal (as snnTorch's recurrent layers)."""
    successors = {name: [] for name in units}
    for unit in units.values():
        for src, _, _ in unit.inputs:
            if unit.name not in successors[src]:
                successors[src].append(unit.name)
    seen, post = set(), []

    def visit(name):
        seen.add(name)
        for nxt in successors[name]:
            if nxt not in seen:
                visit(nxt)
        post.append(name)

    starts = [n for n, u in units.items() if u.kind == "Input"] + list(units)
    for name in starts:
        if name not in seen:
            visit(name)
    return post[::-1]
