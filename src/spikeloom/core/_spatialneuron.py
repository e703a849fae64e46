"""SpatialNeuron: one neuron of many compartments on a morphology (Brian2's ``SpatialNeuron``).

The membrane of each compartment follows the model's channel equations; the compartments
are coupled by axial currents along the morphology (the cable equation). Each time step,
as in Brian2,

1. the channel variables (gates...) advance with the chosen method, ``v`` held;
2. the membrane current ``Im`` is linearised around the present ``v`` — ``Im = I0 - gtot·v``
   with ``gtot = -∂Im/∂v`` — and ``v`` advances by one backward-Euler step of the whole
   cable at once::

       area_k·Cm_k·(v'_k - v_k)/dt = area_k·(I0_k - gtot_k·v'_k)
                                     + Σ_neighbours g_kj·(v'_j - v'_k)

   which is stable for any ``dt`` (the axial coupling of short compartments is stiff);
3. ``Ic = Cm·(v' - v)/dt``, the capacitive current.

The axial conductances follow Brian2's discretisation: between the midpoints of two
compartments of a section ``1/(Ri·(1/r_length_2[k] + 1/r_length_1[k+1]))``; at a branch
point a node without capacitance joins the parent section's last compartment (conductance
``r_length_2/Ri``) to each child's first (``r_length_1/Ri``). Compartments and branch
nodes form a tree, so the linear system is solved in O(compartments) per step by the
plan's :class:`~spikeloom.ir.TreeSolve` (Hines' elimination), inside the compiled loop.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import sympy
from sympy.printing.str import StrPrinter

from .. import ir, units
from ..equations import (
    PARAM,
    SUB,
    Equations,
    SingleEquation,
    functions_in,
    make_counter,
    parse_ast,
    parse_statements,
    to_sympy,
)
from ..equations._expressions import BUILTIN_FUNCTIONS
from ..exceptions import EquationError, UnitError
from ..units import Quantity, get_dim
from ._codegen import KernelBuilder
from ._group import Subgroup, as_indices, has_compartments
from ._morphology import Morphology, flatten
from ._neurongroup import NeuronGroup

AMP = get_dim(units.amp)
CURRENT_DENSITY = get_dim(units.amp / units.meter ** 2)
#: Brian2's default integration methods of the channel equations, tried in this order
DEFAULT_METHODS = ("exact", "exponential_euler", "rk2", "heun")

#: the geometry of every compartment, and the cable's derived constants (Brian2's names)
_GEOMETRY = """
length : meter (constant)
distance : meter (constant)
area : meter**2 (constant)
volume : meter**3
Ic : amp/meter**2
diameter : meter (constant)
Cm : farad/meter**2 (constant)
Ri : ohm*meter (constant, shared)
r_length_1 : meter (constant)
r_length_2 : meter (constant)
time_constant = Cm/gtot__private : second
space_constant = (2/pi)**(1.0/3.0) * (area/(1/r_length_1 + 1/r_length_2))**(1.0/6.0)
                 / (2*(Ri*gtot__private)**(1.0/2.0)) : meter
"""
_COORDINATES = """
x : meter (constant)
y : meter (constant)
z : meter (constant)
"""


class _ModelPrinter(StrPrinter):
    """sympy → model-string syntax: floats at full precision, ``abs`` and ``ceil``."""

    def _print_Float(self, expr) -> str:
        return repr(float(expr))

    def _print_Abs(self, expr) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_ceiling(self, expr) -> str:
        return f"ceil({self._print(expr.args[0])})"


class SpatialNeuron(NeuronGroup):
    """A neuron of many compartments on a morphology (Brian2's ``SpatialNeuron``).

    Parameters
    ----------
    morphology : Morphology
        The neuron's shape (``Soma``, ``Cylinder``, ``Section`` and their children); its
        compartments are the group's elements, numbered as in Brian2.
    model : str or Equations
        The channels, with the transmembrane current density ``Im`` (amp/meter**2, positive
        inwards) as a subexpression. ``v`` (volt) is added. A current flagged
        ``(point current)`` (amp) is injected into its compartment: it enters ``Im`` divided
        by the compartment's ``area``.
    threshold, reset, refractory, events
        As for :class:`NeuronGroup`; the threshold is tested in every compartment, or only in
        ``threshold_location``.
    threshold_location : int or morphology item, optional
        The one compartment where the threshold is tested (e.g. ``morpho.axon[30*um]``).
    Cm : Quantity (farad/meter**2)
        Specific membrane capacitance (default 0.9 µF/cm²); a variable per compartment.
    Ri : Quantity (ohm*meter)
        Intracellular resistivity (default 150 Ω·cm), shared by all compartments.
    method : str or sequence of str
        Integration method of the channel equations (default: the first of 'exact',
        'exponential_euler', 'rk2', 'heun' that applies). ``v`` is always advanced by the
        implicit cable step.
    dt, clock, order, name, namespace, dtype, method_options
        As for :class:`NeuronGroup`.

    Notes
    -----
    ``neuron.main`` is the root section, ``neuron.dend`` (any child's name) the subtree
    of that child, ``neuron[10*um:50*um]`` the compartments between those distances
    along the root section, and ``neuron.v[morpho.dend[20*um]]`` one compartment's value.
    """

    _default_name = "spatialneuron"
    _allowed_flags = NeuronGroup._allowed_flags

    def __init__(self, morphology=None, model=None, threshold=None, refractory=False,
                 reset=None, events=None, threshold_location=None, dt=None, clock=None,
                 order=0, Cm=0.9 * units.uF / units.cm ** 2, Ri=150 * units.ohm * units.cm,
                 name=None, dtype=None, namespace=None, method=DEFAULT_METHODS,
                 method_options=None) -> None:
        if not isinstance(morphology, Morphology):
            raise TypeError(f"SpatialNeuron: morphology must be a Morphology (Soma, Cylinder, "
                            f"Section...), got {type(morphology).__name__}")
        if threshold_location is not None:
            threshold = _located_threshold(threshold, threshold_location,
                                           morphology.total_compartments)
        # a copy, as Brian2 keeps: children added to ``morphology`` later are not compartments
        # of this neuron, so its selections must not see them
        self.__dict__["morphology"] = morphology = copy.deepcopy(morphology)
        self.__dict__["flat_morphology"] = flat = flatten(morphology)
        self.__dict__["user_equations"] = user = _as_equations(model)
        full = _cable_model(user) + Equations(_GEOMETRY)
        if flat.x is not None:
            full = full + Equations(_COORDINATES)
        super().__init__(flat.n_compartments, full, method=method, threshold=threshold,
                         reset=reset, refractory=refractory, events=events,
                         namespace=namespace, dtype=dtype, dt=dt, clock=clock, order=order,
                         name=name, method_options=method_options)
        self._eq_namespace.update(user.namespace)
        # the elements' terms of the cable's linear system, written by the cable step only
        for name_, unit in (("_cable_diag", units.siemens), ("_cable_rhs", units.amp),
                            ("_v_previous", units.volt)):
            self.add_array(name_, get_dim(unit))
        self._set_geometry(flat, Cm, Ri)

    def _set_geometry(self, flat, Cm, Ri) -> None:
        for name_ in ("length", "distance", "area", "diameter", "volume", "r_length_1",
                      "r_length_2"):
            self.variables[name_].values[:] = getattr(flat, name_)
        if flat.x is not None:
            for name_ in ("x", "y", "z"):
                self.variables[name_].values[:] = getattr(flat, name_)
        self.Cm = Cm
        self.Ri = Ri

    # -- selection: subtrees, sections, distances ------------------------------------------
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        found = _subtree(self, self.__dict__.get("morphology"), name)
        return found if found is not None else NeuronGroup.__getattr__(self, name)

    def __getitem__(self, item):
        return _segment(self, self.morphology, item)

    # -- lowering --------------------------------------------------------------------------
    def _lower_state_update(self, lctx, every, dt_name, n_name, ns) -> None:
        super()._lower_state_update(lctx, every, dt_name, n_name, ns)
        self._lower_cable(lctx, every, dt_name, n_name, ns)

    def _lower_cable(self, lctx, every, dt_name, n_name, ns) -> None:
        """Three blocks after the channel update (Brian2's slot 'groups', order 1): the
        elements' terms of the linear system, its solution into ``v``, and ``Ic``."""
        stem = f"{self.name}_spatialstateupdater"
        terms = ("_cable_diag = area*(Cm/dt + gtot__private)\n"
                 "_cable_rhs = area*(Cm/dt*v + I0__private)\n"
                 "_v_previous = v")
        current = "Ic = Cm*(v - _v_previous)/dt"
        for suffix, code in (("a_terms", terms), ("c_current", current)):
            builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
            where = f"{self.owner}: cable equation"
            builder.add_code(parse_statements(code, where), where)
            lctx.add_block(self, ir.ElementLoop(f"{stem}_{suffix}", every, dt_name, start=0,
                                                stop=n_name, kernel=builder.build()),
                           when="groups", order=1)
        lctx.add_block(self, self._tree_solve(lctx, f"{stem}_b_solve", every, dt_name),
                       when="groups", order=1)
        lctx.check_nan.append(self.array_name(self.variables["v"]))

    def _tree_solve(self, lctx, name: str, every: int, dt_name: str) -> ir.TreeSolve:
        tree = cable_tree(self.flat_morphology, float(self.variables["Ri"].values[0]))
        arrays = {key: lctx.array(f"_cable_{key}_{self.name}", value)
                  for key, value in tree.items()}
        size = len(tree["parent"])
        work = {key: lctx.array(f"_cable_work_{key}_{self.name}", np.zeros(size))
                for key in ("diagonal", "rhs")}
        return ir.TreeSolve(
            name, every, dt_name, size=size, parent=arrays["parent"],
            coupling=arrays["coupling"], diagonal=arrays["diagonal"],
            element=arrays["element"],
            element_diagonal=self.array_name(self.variables["_cable_diag"]),
            element_rhs=self.array_name(self.variables["_cable_rhs"]),
            solution=self.array_name(self.variables["v"]),
            work_diagonal=work["diagonal"], work_rhs=work["rhs"])


class SpatialSubgroup(Subgroup):
    """The compartments of a subtree of a :class:`SpatialNeuron` (``neuron.dend``), or of
    its root section (``neuron.main``); selects further like the neuron itself."""

    def __init__(self, neuron: SpatialNeuron, start: int, stop: int, morphology) -> None:
        super().__init__(neuron, start, stop)
        object.__setattr__(self, "morphology", morphology)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        found = _subtree(self.parent, self.__dict__.get("morphology"), name)
        return found if found is not None else Subgroup.__getattr__(self, name)

    def __getitem__(self, item):
        return _segment(self, self.morphology, item)


def _subtree(neuron: SpatialNeuron, morphology, name: str):
    """``neuron.main`` or ``neuron.<child>``, or None when ``name`` is neither."""
    if morphology is None or name == "morphology":
        return None
    if name == "main":
        indices = morphology.indices[:]
        return SpatialSubgroup(neuron, int(indices[0]), int(indices[-1]) + 1, morphology)
    children = getattr(morphology, "children", None)
    if children is None or not (name in children or (name and set(name) <= set(
            "LR123456789"))):
        return None
    try:
        sub = morphology[name]
    except (KeyError, AttributeError, IndexError):
        return None
    return SpatialSubgroup(neuron, int(sub.indices[0]), _subtree_end(sub) + 1, sub)


def _subtree_end(morphology) -> int:
    """The highest compartment index of ``morphology`` and all its descendants."""
    last = int(morphology.indices[-1])
    for child in morphology.children:
        last = max(last, _subtree_end(child))
    return last


def _segment(group, morphology, item):
    """``group[item]``: compartments by index, by distance along ``morphology``
    (``[10*um:50*um]``), or those of a morphology item (``group[morpho.dend[5*um]]``)."""
    neuron = getattr(group, "parent", group)
    offset = getattr(group, "start", 0)
    if isinstance(item, slice) and isinstance(item.start, Quantity):
        if item.step is not None:
            raise ValueError(f"{group.owner}: a slice by distance takes no step, got "
                             f"{item.step!r}")
        indices = np.atleast_1d(morphology.indices[item])
        start, stop = int(indices[0]), int(indices[-1]) + 1
    elif has_compartments(item):
        indices = as_indices(item)
        start, stop = int(indices[0]), int(indices[-1]) + 1
    else:
        if isinstance(item, int | np.integer):
            item = slice(item, item + 1)
        if not isinstance(item, slice):
            raise TypeError(f"{group.owner}: select compartments with a slice of indices or "
                            f"distances, or a morphology item; got {item!r}")
        start, stop, step = item.indices(group.N)
        if step != 1:
            raise IndexError(f"{group.owner}: compartment slice {item} must have step 1")
        start, stop = start + offset, stop + offset
    if start >= stop:
        raise IndexError(f"{group.owner}: the selection {item!r} holds no compartment "
                         f"(start {start} >= stop {stop})")
    return Subgroup(neuron, start, stop)


def _located_threshold(threshold, location, n_compartments: int) -> str:
    """Brian2's ``threshold_location``: the condition, tested in that compartment only."""
    if threshold is None:
        raise ValueError("SpatialNeuron: threshold_location was given without a threshold")
    location = as_indices(location)
    indices = np.atleast_1d(np.asarray(location))
    if indices.size != 1 or not np.issubdtype(indices.dtype, np.integer):
        raise TypeError(f"SpatialNeuron: threshold_location={location!r}; allowed: one "
                        "compartment (an int, or a morphology item such as morpho[10*um])")
    index = int(indices[0])
    if not 0 <= index < n_compartments:
        raise IndexError(f"SpatialNeuron: threshold_location={index} outside the "
                         f"{n_compartments} compartments (allowed 0..{n_compartments - 1})")
    return f"({threshold}) and (i == {index})"


def _as_equations(model) -> Equations:
    if isinstance(model, str):
        model = Equations(model)
    if not isinstance(model, Equations):
        raise TypeError(f"SpatialNeuron: model must be a string or Equations, got "
                        f"{type(model).__name__}")
    return model


def _cable_model(model: Equations) -> Equations:
    """The user's model with point currents moved into ``Im``, ``v`` added, and ``Im``
    split into ``gtot__private = -∂Im/∂v`` and ``I0__private = Im + gtot·v`` (Brian2)."""
    if "Im" not in model:
        raise EquationError("SpatialNeuron: the model must define the transmembrane current "
                            "density 'Im' (amp/meter**2), e.g. 'Im = gL*(EL - v) : amp/meter**2'")
    im = model["Im"]
    if im.kind != SUB or im.flags:
        raise EquationError(f"SpatialNeuron: {im.where}: Im must be a subexpression without "
                            "flags")
    if im.dim != CURRENT_DENSITY:
        raise UnitError(f"SpatialNeuron: {im.where}: Im must be a current density "
                        "(amp/meter**2)")
    if "v" in model:
        raise EquationError(f"SpatialNeuron: {model['v'].where}: v is the membrane potential "
                            "of the cable; SpatialNeuron defines it (do not declare it)")
    membrane = f"({im.expr})"
    equations = []
    for eq in model:
        if eq.name == "Im":
            continue
        if "point current" in eq.flags:
            if eq.dim != AMP:
                raise UnitError(f"SpatialNeuron: {eq.where}: a point current must be in amp")
            membrane += f" + {eq.name}/area"
            eq = dataclasses.replace(eq, flags=eq.flags - {"point current"})
        equations.append(eq)
    equations.append(dataclasses.replace(im, expr=membrane, line=f"Im = {membrane}"))
    equations.append(SingleEquation(PARAM, "v", get_dim(units.volt), "float", None,
                                    frozenset(), "v : volt"))
    split = Equations(equations)
    gtot, i0 = _linearised(split)
    split = split + Equations(f"gtot__private = {gtot} : siemens/meter**2\n"
                              f"I0__private = {i0} : amp/meter**2")
    split.namespace.update(model.namespace)
    return split


def _linearised(model: Equations) -> tuple[str, str]:
    """``(-∂Im/∂v, Im - ∂Im/∂v·v)`` as model strings, subexpressions substituted."""
    im = _substituted(model, "Im", set())
    v = sympy.Symbol("v", real=True)
    slope = sympy.diff(im, v)
    if slope.atoms(sympy.Derivative):
        raise EquationError(f"SpatialNeuron: cannot differentiate Im = {im} with respect to v")
    printer = _ModelPrinter()
    gtot = sympy.simplify(-slope)
    i0 = sympy.simplify(im - slope * v)
    gtot_text = printer.doprint(gtot) if gtot != 0 else "0"
    i0_text = printer.doprint(i0) if i0 != 0 else "0"
    return (f"{gtot_text}*siemens/meter**2" if gtot == 0 else gtot_text,
            f"{i0_text}*amp/meter**2" if i0 == 0 else i0_text)


def _substituted(model: Equations, name: str, seen: set) -> sympy.Expr:
    """The expression of subexpression ``name`` with every subexpression it uses (except
    those constant over dt, which are stored per step) written out."""
    if name in seen:
        raise EquationError(f"SpatialNeuron: subexpressions refer to each other in a cycle "
                            f"through {name!r}")
    eq = model[name]
    node = parse_ast(eq.expr, eq.where)
    calls = frozenset(functions_in(node) - BUILTIN_FUNCTIONS)  # user functions stay calls
    expr = to_sympy(node, make_counter(), calls)
    mapping = {}
    for symbol in expr.free_symbols:
        if symbol.name not in model:
            continue
        inner = model[symbol.name]
        if inner.kind == SUB and "constant over dt" not in inner.flags:
            mapping[symbol] = _substituted(model, symbol.name, seen | {name})
    return expr.xreplace(mapping) if mapping else expr


def cable_tree(flat, Ri: float) -> dict[str, np.ndarray]:
    """The tree of the cable's linear system: compartments and branch-point nodes.

    Parameters
    ----------
    flat : FlatMorphology
        The morphology's compartments (``r_length_1``, ``r_length_2`` in meter) and
        sections (``starts``, ``ends``, ``parent``), parents before children.
    Ri : float
        Intracellular resistivity, ohm·meter.

    Returns
    -------
    dict
        ``parent`` (int32, the parent vertex, -1 for the root), ``coupling`` (float64,
        siemens: the conductance to the parent), ``diagonal`` (float64, siemens: the sum of
        a vertex's conductances), ``element`` (int32: the compartment of a vertex, -1 for a
        branch node), vertices numbered parents first. A node joins a section's last
        compartment to its children's first; sealed ends (the root section's start, the end
        of a section without children) carry no current and need no node.
    """
    r1, r2 = np.asarray(flat.r_length_1, float), np.asarray(flat.r_length_2, float)
    has_children = np.zeros(flat.n_sections, bool)
    has_children[[p for p in flat.parent if p >= 0]] = True
    parent, coupling, element = [], [], []
    end_node = np.full(flat.n_sections, -1)

    def vertex(up: int, g: float, compartment: int) -> int:
        parent.append(up)
        coupling.append(g)
        element.append(compartment)
        return len(parent) - 1

    for s in range(flat.n_sections):
        first, last = int(flat.starts[s]), int(flat.ends[s]) - 1
        above = int(end_node[flat.parent[s]]) if flat.parent[s] >= 0 else -1
        g_in = r1[first] / Ri if above >= 0 else 0.0
        previous = vertex(above, g_in, first)
        for k in range(first + 1, last + 1):
            previous = vertex(previous, 1.0 / (Ri * (1.0 / r2[k - 1] + 1.0 / r1[k])), k)
        if has_children[s]:
            end_node[s] = vertex(previous, r2[last] / Ri, -1)
    parent_a = np.asarray(parent, np.int32)
    coupling_a = np.asarray(coupling, np.float64)
    diagonal = coupling_a.copy()  # each edge counts at its lower end...
    np.add.at(diagonal, parent_a[parent_a >= 0], coupling_a[parent_a >= 0])  # ...and upper
    return {"parent": parent_a, "coupling": coupling_a, "diagonal": diagonal,
            "element": np.asarray(element, np.int32)}
