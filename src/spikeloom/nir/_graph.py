"""Reading a NIR graph: nested graphs flattened, linear chains folded, units ordered.

A NIR graph is split into *units* (nodes with a state or a nonlinearity, each becoming a
spikeloom group: ``Input``, ``Output``, ``LIF``, ``CubaLIF``, ``IF``, ``I``, ``LI``,
``CubaLI``, ``Threshold``, ``Delay``) and *linear* nodes (``Affine``, ``Linear``,
``Scale``, ``Flatten``, ``Conv1d``, ``Conv2d``, ``SumPool2d``, ``AvgPool2d`` and the
``Input``/``Output`` nodes of nested graphs), which are folded into the weights and biases
of the connections between units.

Signals are flattened in C order (so ``Flatten`` is the identity). A convolution or a
pooling is unrolled into the dense matrix it applies to its flattened ``(C, H, W)`` input
(PyTorch's cross-correlation, as NIR defines it: stride, zero padding -- a number, a pair,
``'valid'`` or ``'same'`` -- dilation and groups; pooling without ``ceil_mode``, an average
dividing by the kernel area, padding included). Matrices above ``MAX_DENSE_ENTRIES``
entries are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: node types that become a spikeloom group
UNIT_TYPES = ("Input", "Output", "LIF", "CubaLIF", "IF", "I", "LI", "CubaLI", "Threshold",
              "Delay")
#: node types folded into connection weights
LINEAR_TYPES = ("Affine", "Linear", "Scale", "Flatten", "Conv1d", "Conv2d", "SumPool2d",
                "AvgPool2d", "_Pass")
#: what to use instead of a node type that is refused (type name -> advice); every node
#: type of NIR 1.0 is imported today, other types get the list of supported ones
ALTERNATIVES: dict[str, str] = {}
#: the largest dense matrix (entries) a convolution or pooling is unrolled into
MAX_DENSE_ENTRIES = 200_000_000


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


def linear_map(name: str, node, n_in: int,
               upstream: dict | None = None) -> tuple[np.ndarray | None, np.ndarray]:
    """``(W, b)`` of a linear node: its output is ``W @ x + b`` for an input of size n_in
    (``W`` None: the identity, never built as a matrix).

    ``upstream`` maps the names of the nodes that feed ``name`` to the nodes: a pooling
    node without a declared ``input_type`` takes its input's ``(C, H, W)`` from them.
    """
    kind = node_type(node)
    if kind in ("Conv1d", "Conv2d"):
        return _conv_map(name, node, kind, n_in)
    if kind in ("SumPool2d", "AvgPool2d"):
        return _pool_map(name, node, kind, n_in, upstream or {})
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
    return None, np.zeros(n_in)  # Flatten and _Pass: the identity (C order)


def _conv_map(name: str, node, kind: str, n_in: int) -> tuple[np.ndarray, np.ndarray]:
    """The dense ``(W, b)`` of a ``Conv1d``/``Conv2d`` node (a Conv1d is a Conv2d of height 1)."""
    weight, groups, spatial, geometry = _conv_geometry(name, node, kind)
    c_out, c_in = weight.shape[0], weight.shape[1] * groups
    if n_in != c_in * spatial[0] * spatial[1]:
        raise ValueError(f"from_nir: node {name!r} ({kind}) expects an input of {c_in} "
                         f"channel(s) x {spatial[0] * spatial[1]} positions = "
                         f"{c_in * spatial[0] * spatial[1]} elements but its input has {n_in}")
    matrix, out_hw = _unroll(name, kind, weight, groups, spatial, *geometry)
    bias = np.zeros(c_out) if node.bias is None else \
        np.broadcast_to(np.asarray(node.bias, dtype=float).reshape(-1), (c_out,))
    return matrix, np.repeat(bias, out_hw[0] * out_hw[1])


def _conv_geometry(name: str, node, kind: str) -> tuple:
    """``(weight, groups, (H, W), (stride, dilation, padding before, padding after))`` of a
    convolution node, each a pair (a Conv1d as a Conv2d of height 1), checked."""
    ndim = 1 if kind == "Conv1d" else 2
    weight = np.asarray(node.weight, dtype=float)
    if weight.ndim != ndim + 2:
        raise ValueError(f"from_nir: node {name!r} ({kind}) has a weight of shape "
                         f"{weight.shape}; expected (C_out, C_in/groups, "
                         f"{'K' if ndim == 1 else 'K_h, K_w'})")
    if node.input_shape is None:
        raise ValueError(f"from_nir: node {name!r} ({kind}) has no input_shape, so the size "
                         "of its output is unknown; give the node its input_shape (the "
                         f"{'length' if ndim == 1 else '(H, W)'} of its input) or call "
                         "graph.infer_types() before from_nir (nir.read does so by default)")
    spatial = _ints(name, kind, "input_shape", node.input_shape, ndim, minimum=1)
    groups = _ints(name, kind, "groups", 1 if node.groups is None else node.groups, 1,
                   minimum=1)[0]
    if weight.shape[0] % groups:
        raise ValueError(f"from_nir: node {name!r} ({kind}) has {weight.shape[0]} output "
                         f"channels, which {groups} groups do not divide")
    kernel = weight.shape[2:]
    stride = _ints(name, kind, "stride", node.stride, ndim, minimum=1)
    dilation = _ints(name, kind, "dilation", node.dilation, ndim, minimum=1)
    padding = node.padding.decode() if isinstance(node.padding, bytes) else node.padding
    if isinstance(padding, str):
        if padding == "valid":
            before = after = (0,) * ndim
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"from_nir: node {name!r} ({kind}) has padding='same' with "
                                 f"stride {stride}; 'same' needs stride 1 (as in PyTorch)")
            total = [d * (k - 1) for d, k in zip(dilation, kernel)]
            before = tuple(t // 2 for t in total)  # PyTorch puts an odd extra at the end
            after = tuple(t - b for t, b in zip(total, before))
        else:
            raise ValueError(f"from_nir: node {name!r} ({kind}) has padding={padding!r}; "
                             "expected a number, one per dimension, 'same' or 'valid'")
    else:
        before = after = _ints(name, kind, "padding", padding, ndim)
    if ndim == 1:  # a row of height 1
        weight, spatial = weight[:, :, None, :], (1,) + spatial
        stride, dilation = (1,) + stride, (1,) + dilation
        before, after = (0,) + before, (0,) + after
    return weight, groups, spatial, (stride, dilation, before, after)


def _output_hw(spatial, kernel, stride, dilation, before, after) -> list:
    """The (H, W) of a 2-D cross-correlation's output (PyTorch's formula, floor)."""
    return [(n + b + a - d * (k - 1) - 1) // s + 1 for n, k, s, d, b, a in
            zip(spatial, kernel, stride, dilation, before, after)]


def _output_shape(name: str, node):
    """The ``(C, H, W)`` output shape declared by (or, for a Conv2d, computed from) a node
    feeding a pooling, or ``None``. NIR 1.0.8's own shape inference reads a Conv2d's
    kernel as square, so a convolution's shape is computed here."""
    if node_type(node) == "Conv2d" and node.input_shape is not None:
        weight, _, spatial, geometry = _conv_geometry(name, node, "Conv2d")
        return (weight.shape[0], *_output_hw(spatial, weight.shape[2:], *geometry))
    return _declared_shape(getattr(node, "output_type", None), "output")


def _pool_map(name: str, node, kind: str, n_in: int, upstream) -> tuple[np.ndarray, np.ndarray]:
    """The dense ``(W, 0)`` of a ``SumPool2d``/``AvgPool2d`` node, channel by channel."""
    shape = _declared_shape(getattr(node, "input_type", None), "input")
    if shape is None:
        shapes = {_output_shape(src, u) for src, u in upstream.items()}
        shapes.discard(None)
        shape = shapes.pop() if len(shapes) == 1 else None
    if shape is None or len(shape) != 3:
        found = "none is declared" if shape is None else f"found {shape}"
        raise ValueError(f"from_nir: node {name!r} ({kind}) needs the (C, H, W) shape of its "
                         f"input and {found}: set its input_type ({{'input': [C, H, W]}}) or "
                         "call graph.infer_types() before from_nir (nir.read does so by default)")
    if n_in != int(np.prod(shape)):
        raise ValueError(f"from_nir: node {name!r} ({kind}) reads an input of shape {shape} "
                         f"({int(np.prod(shape))} elements) but its input has {n_in}")
    kernel = _ints(name, kind, "kernel_size", node.kernel_size, 2, minimum=1)
    stride = kernel if node.stride is None else \
        _ints(name, kind, "stride", node.stride, 2, minimum=1)
    padding = (0, 0) if node.padding is None else _ints(name, kind, "padding", node.padding, 2)
    channels = shape[0]
    weight = np.ones((channels, 1) + kernel)
    if kind == "AvgPool2d":
        weight /= kernel[0] * kernel[1]  # the kernel area, zero padding included
    matrix, _ = _unroll(name, kind, weight, channels, shape[1:], stride, (1, 1), padding,
                        padding)
    return matrix, np.zeros(matrix.shape[0])


def _unroll(name, kind, weight, groups, spatial, stride, dilation, before, after) -> tuple:
    """The dense matrix of a 2-D cross-correlation with zero padding, and its output (H, W).

    Row ``(o, i, j)`` (C order) and column ``(c, y, x)`` hold ``weight[o, c', p, q]`` where
    ``y = i*stride_h - before_h + p*dilation_h``, ``x`` alike and ``c = g*C_in/groups + c'``
    for the group ``g`` of output channel ``o``.
    """
    c_out, c_in_group, k_h, k_w = weight.shape
    (h, w), c_in = spatial, c_in_group * groups
    out = _output_hw(spatial, (k_h, k_w), stride, dilation, before, after)
    if min(out) < 1:
        raise ValueError(f"from_nir: node {name!r} ({kind}) gives an output of size {out} "
                         f"for an input of size {tuple(spatial)} (stride {stride}, dilation "
                         f"{dilation}, padding {before}/{after})")
    n_rows, n_cols = c_out * out[0] * out[1], c_in * h * w
    if n_rows * n_cols > MAX_DENSE_ENTRIES:
        raise ValueError(f"from_nir: node {name!r} ({kind}) would unroll into a dense "
                         f"{n_rows} x {n_cols} matrix ({n_rows * n_cols:.3g} entries, more than "
                         f"MAX_DENSE_ENTRIES = {MAX_DENSE_ENTRIES:.3g}); spikeloom imports "
                         "convolutions as dense weights only")
    matrix = np.zeros((n_rows, n_cols))
    out_channel = np.arange(c_out)[:, None, None]
    in_channel = (out_channel // (c_out // groups)) * c_in_group + \
        np.arange(c_in_group)[None, :, None]
    for p in range(k_h):
        y = np.arange(out[0]) * stride[0] - before[0] + p * dilation[0]
        for q in range(k_w):
            x = np.arange(out[1]) * stride[1] - before[1] + q * dilation[1]
            i, j = np.nonzero(((y >= 0) & (y < h))[:, None] & ((x >= 0) & (x < w))[None, :])
            if i.size == 0:
                continue
            rows = out_channel * (out[0] * out[1]) + i * out[1] + j
            cols = in_channel * (h * w) + y[i] * w + x[j]
            matrix[rows, cols] += weight[:, :, p, q][:, :, None]  # each (row, col) once
    return matrix, out


def _ints(name: str, kind: str, what: str, value, ndim: int, minimum: int = 0) -> tuple:
    """``value`` (a number or one per dimension) as a tuple of ``ndim`` integers."""
    flat = np.asarray(value).reshape(-1)
    if flat.size == 1:
        flat = np.repeat(flat, ndim)
    try:
        ok = flat.size == ndim and bool(np.all(flat.astype(float) % 1 == 0)) and \
            bool(np.all(flat.astype(float) >= minimum))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"from_nir: node {name!r} ({kind}) has {what}={value!r}; expected "
                         f"a whole number >= {minimum} or {ndim} of them")
    return tuple(int(v) for v in flat)


def _declared_shape(types, key: str):
    """The shape in a node's ``input_type``/``output_type`` dict, or ``None`` if unset."""
    if not isinstance(types, dict) or types.get(key) is None:
        return None
    shape = np.asarray(types[key]).reshape(-1)
    return tuple(int(v) for v in shape) if shape.size else None


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
        # a unit fed straight by another (no linear node between) gets the identity here
        unit.inputs = [(src, np.eye(len(b)) if w is None else w, b)
                       for src, w, b in unit.inputs]
        _check_input_sizes(unit)
    unused = sorted(set(nodes) - used)
    if unused:
        raise ValueError(f"from_nir: the node(s) {unused} lead to no neuron or Output node; "
                         "nothing is dropped silently: connect or remove them")
    return [units[name] for name in _update_order(units, edges)]


def _contributions(name, nodes, predecessors, units, used, path) -> list:
    """``[(source unit, W, b)]`` of the signal leaving node ``name`` (``W`` None: the
    identity; unrolled convolutions make these matrices large, so it is never built)."""
    if name in units:
        return [(name, None, np.zeros(units[name].size))]
    if name in path:
        raise ValueError(f"from_nir: the linear nodes {list(path)} form a cycle without a "
                         "neuron; such an algebraic loop has no step-by-step solution")
    used.add(name)
    upstream = []
    for src in predecessors[name]:
        upstream.extend(_contributions(src, nodes, predecessors, units, used, path + (name,)))
    if not upstream:
        raise ValueError(f"from_nir: the node {name!r} ({node_type(nodes[name])}) has no input")
    n_in = len(upstream[0][2])
    weight, bias = linear_map(name, nodes[name], n_in,
                              {src: nodes[src] for src in predecessors[name]})
    expected = len(bias) if weight is None else weight.shape[1]
    out = []
    for k, (src, w, b) in enumerate(upstream):
        if expected != len(b):
            raise ValueError(f"from_nir: node {name!r} expects {expected} inputs but "
                             f"{src!r} gives {len(b)}")
        if weight is None:
            composed, shifted = w, b
        else:
            composed, shifted = (weight if w is None else weight @ w), weight @ b
        out.append((src, composed, shifted + (bias if k == 0 else 0.0)))
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
