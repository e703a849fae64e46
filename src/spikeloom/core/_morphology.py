"""Neuron morphologies as Brian2 has them: a tree of unbranched sections of compartments.

A :class:`Soma` is one spherical compartment, a :class:`Cylinder` a section of ``n`` equal
cylinders and a :class:`Section` a section of ``n`` truncated cones. Sections are joined into a
tree by naming them as children (``morpho.axon = Cylinder(...)``), or read from points
(:meth:`Morphology.from_points`) or an SWC file (:meth:`Morphology.from_swc_file`).

Every attribute gives the numbers Brian2 gives (same formulas, same numbering of compartments
and sections), in metres as :class:`~spikeloom.units.Quantity`. :func:`flatten` turns a tree
into the plain SI arrays a simulator needs, in Brian2's depth-first order.

Internally each section keeps plain float64 arrays in SI units; quantities are made only at
the public attributes.
"""

from __future__ import annotations

import abc
import dataclasses
import numbers
import os
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from .. import units
from ..units import DimensionMismatchError, Quantity, get_dim
from ._logging import get_logger

__all__ = ["Children", "Cylinder", "FlatMorphology", "Morphology", "MorphologyIndexWrapper",
           "Section", "Soma", "SubMorphology", "Topology", "flatten"]

logger = get_logger(__name__)

_METRE = get_dim(units.metre)
_SQUARE_METRE = get_dim(units.metre ** 2)
_CUBIC_METRE = get_dim(units.metre ** 3)
#: One micrometre in metres: points and SWC files give their numbers in micrometres.
_UM = float(units.um)
#: Section names that can be chained without dots (``morpho.LR1`` is ``morpho.L.R['1']``).
_SHORT_NAMES = "LR123456789"
#: Relative distance below which a position on a section counts as being on a node between
#: two compartments (Brian2's rule, against rounding surprises such as 3*um landing in the
#: third instead of the fourth 1 um compartment).
_NODE_TOLERANCE = 1e-12
#: SWC type codes that name sections (Brian2's choice); other codes leave sections unnamed.
_SWC_TYPES = {"1": "soma", "2": "axon", "3": "dend", "4": "apic"}


class MissingChildError(AttributeError, KeyError):
    """No subtree of that name: an AttributeError (so ``hasattr`` works, as in Brian2) that
    ``except KeyError`` also catches, for ``morpho['name']``."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


# -- unit conversion and checks ---------------------------------------------------------------

def _metres(value, what: str, owner: str) -> np.ndarray:
    """A length (Quantity, or a list of them) as a float64 array of metres (a copy).

    Plain zeros are accepted without a unit, as Brian2's ``check_units`` accepts them.
    """
    if isinstance(value, list | tuple):
        value = Quantity(value)
    values = np.array(value, dtype=np.float64)
    if get_dim(value) is not _METRE and not np.all(values == 0):
        raise DimensionMismatchError(
            f"{owner}: {what} must be a length (e.g. 10*um), got {value!r}", get_dim(value))
    return values


def _in_um(value: float) -> str:
    return f"{value / _UM:g} um"


def _check_lengths(values: np.ndarray, what: str, owner: str, allow_zero: bool = False) -> None:
    """Raise ValueError naming the first entry of ``values`` (metres) that is NaN, infinite,
    negative or (unless ``allow_zero``) zero."""
    flat = np.atleast_1d(values)
    bad = ~np.isfinite(flat) | (flat < 0) | ((flat == 0) & (not allow_zero))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        allowed = "finite and >= 0" if allow_zero else "finite and > 0"
        where = f" (value {k} of {flat.size})" if flat.size > 1 else ""
        raise ValueError(f"{owner}: {what} must be {allowed}, got {_in_um(flat[k])}{where}")


def _check_finite(values: np.ndarray, what: str, owner: str) -> None:
    flat = np.atleast_1d(values)
    if not np.all(np.isfinite(flat)):
        k = int(np.flatnonzero(~np.isfinite(flat))[0])
        raise ValueError(f"{owner}: coordinate {what} must be finite, got {flat[k]} "
                         f"(value {k} of {flat.size})")


def _compartment_count(n, owner: str) -> int:
    """``n`` as an int >= 1 (TypeError for strings and non-integers, ValueError for n < 1)."""
    if isinstance(n, str):
        raise TypeError(f"{owner}: n must be the number of compartments, not a string "
                        f"({n!r}); to load a morphology from a file use "
                        "Morphology.from_file")
    if get_dim(n) is not get_dim(1):
        raise DimensionMismatchError(f"{owner}: n must be a plain integer, got {n!r}",
                                     get_dim(n))
    is_real = isinstance(n, numbers.Real) or (isinstance(n, np.ndarray) and n.ndim == 0
                                              and n.dtype.kind in "iuf")
    if not is_real or not np.isfinite(n) or int(n) != n:
        raise TypeError(f"{owner}: n (the number of compartments) must be an integer, "
                        f"got {n!r}")
    if n < 1:
        raise ValueError(f"{owner}: n (the number of compartments) must be at least 1, "
                         f"got {int(n)}")
    return int(n)


def _as_length_quantity(values):
    return None if values is None else Quantity(values, dim=_METRE)


# -- the children of a section ----------------------------------------------------------------

class Children:
    """The subtrees attached to the end of one section, by name.

    Used like a dictionary from names to :class:`Morphology` objects, but iterating over the
    subtrees (in the order they were added), as Brian2's ``Children``. Each subtree has the
    name it was given and an automatic number (``'1'``, ``'2'``...) in order of addition;
    further names (aliases) can be added for the same subtree.
    """

    def __init__(self, owner: Morphology) -> None:
        self._owner = owner
        self._counter = 0
        self._subtrees: list[Morphology] = []
        self._by_name: dict[str, Morphology] = {}
        # the name each subtree was given on adding (parallel to _subtrees; a list rather
        # than a dict by id so that copies and pickles keep it)
        self._given_names: list[str | None] = []

    def __iter__(self) -> Iterator[Morphology]:
        return iter(list(self._subtrees))

    def __len__(self) -> int:
        return len(self._subtrees)

    def __contains__(self, item) -> bool:
        if isinstance(item, Morphology):
            return any(item is subtree for subtree in self._subtrees)
        return item in self._by_name

    def name(self, child: Morphology) -> str | None:
        """The name ``child`` was given when it was added (not an automatic number)."""
        for subtree, given in zip(self._subtrees, self._given_names):
            if subtree is child:
                return given
        return None

    def names(self) -> list[str]:
        """Every name (given names, aliases and automatic numbers), sorted."""
        return sorted(self._by_name)

    def __getitem__(self, name) -> Morphology:
        if not isinstance(name, str):
            raise TypeError(f"A subtree is looked up by its name (a string), got {name!r}")
        if name not in self._by_name:
            raise MissingChildError(f"The subtree {name!r} does not exist; "
                                    f"{self._describe_names()}")
        return self._by_name[name]

    def _describe_names(self) -> str:
        if not self._by_name:
            return "this section has no subtrees"
        return "existing subtrees: " + ", ".join(repr(name) for name in self.names())

    def add(self, name: str | None, subtree: Morphology, automatic_name: bool = False) -> None:
        """Attach ``subtree`` to the end of the owning section under ``name``.

        Parameters
        ----------
        name : str or None
            The name of the subtree (``'axon'``); None gives only the automatic number.
        subtree : Morphology
            The section (with its own subtrees) to attach.
        automatic_name : bool, optional
            If ``name`` is taken by another subtree, use ``name2``, ``name3``... instead of
            raising (used when reading points, where many sections are called ``'dend'``).

        Raises
        ------
        TypeError
            ``subtree`` is not a :class:`Morphology`.
        AttributeError
            ``name`` is already used for another subtree (Brian2's error type).
        ValueError
            ``subtree`` is attached elsewhere already, or adding it would make a cycle.
        """
        self._check_attachable(subtree)
        if name is not None:
            name = str(name)
            taken = self._by_name.get(name)
            if taken is not None and taken is not subtree:
                if not automatic_name:
                    raise AttributeError(f"The name {name!r} is already used for a subtree "
                                         f"({taken!r}); {self._describe_names()}")
                name = self._free_name(name)
        if subtree not in self:
            self._counter += 1
            self._subtrees.append(subtree)
            self._given_names.append(name)
            self._by_name.setdefault(str(self._counter), subtree)
        if name is not None:
            self._by_name[name] = subtree
        subtree._parent = self._owner

    def _free_name(self, base: str) -> str:
        counter = 2
        while f"{base}{counter}" in self._by_name:
            counter += 1
        return f"{base}{counter}"

    def _check_attachable(self, subtree) -> None:
        if not isinstance(subtree, Morphology):
            raise TypeError("A subtree must be a Soma, Cylinder or Section, got "
                            f"{type(subtree).__name__} {subtree!r}")
        if subtree._parent is not None and subtree._parent is not self._owner:
            raise ValueError(f"{subtree!r} is already attached to another section; attach "
                             "a copy (copy_section()) or remove it there first")
        ancestor = self._owner
        while ancestor is not None:
            if ancestor is subtree:
                raise ValueError(f"Cannot attach {subtree!r} below itself")
            ancestor = ancestor._parent

    def remove(self, name: str) -> None:
        """Detach the subtree called ``name`` (with all its names).

        Raises
        ------
        AttributeError
            No subtree has that name.
        """
        subtree = self[str(name)]
        kept = [k for k, s in enumerate(self._subtrees) if s is not subtree]
        self._subtrees = [self._subtrees[k] for k in kept]
        self._given_names = [self._given_names[k] for k in kept]
        self._by_name = {key: s for key, s in self._by_name.items() if s is not subtree}
        subtree._parent = None

    def _aliases(self, subtree: Morphology) -> list[str]:
        return [name for name, s in self._by_name.items() if s is subtree]

    def __repr__(self) -> str:
        text = f"<{len(self._subtrees)} children"
        if self._subtrees:
            named = {self.name(s): s for s in self._subtrees}
            text += f": {named!r}"
        return text + ">"


class MorphologyIndexWrapper:
    """``morpho.indices[...]``: the absolute compartment indices of a part of a section.

    Indices count compartments over the whole tree in Brian2's (and :func:`flatten`'s) order.
    One compartment gives an int, a slice an array.
    """

    def __init__(self, morphology) -> None:
        self.morphology = morphology

    def __getitem__(self, item):
        if isinstance(item, str):
            raise NotImplementedError("Morphologies have no string indices; pick a subtree "
                                      f"first (morpho[{item!r}].indices[:])")
        return self.morphology._indices(item)


# -- positions along a section ----------------------------------------------------------------

def _is_length(value) -> bool:
    return isinstance(value, Quantity) and get_dim(value) is _METRE and value.ndim == 0


def _is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _node_index_near(position: float, nodes: np.ndarray) -> int | None:
    """The node at ``position`` (within Brian2's tolerance), or None."""
    distances = np.abs(position - nodes)
    if distances.min() < _NODE_TOLERANCE * nodes[-1]:
        return int(np.argmin(distances))
    return None


def _check_position(position: float, total: float, item) -> None:
    if not (0 <= position <= (1 + _NODE_TOLERANCE) * total):
        raise IndexError(f"Position {item} is outside the section, which spans "
                         f"[0 um, {_in_um(total)}]")


def _compartment_at(lengths: np.ndarray, item) -> tuple[int, int]:
    """The compartment (as a range i, i+1) that contains the length ``item``; a position on
    a node between two compartments selects the second one."""
    nodes = np.concatenate([[0.0], np.cumsum(lengths)])
    position = float(item)
    _check_position(position, nodes[-1], item)
    node = _node_index_near(position, nodes)
    i = node if node is not None else int(np.searchsorted(nodes, position)) - 1
    i = min(i, len(lengths) - 1)  # the far end of the section belongs to its last compartment
    return i, i + 1


def _compartments_between(lengths: np.ndarray, start, stop) -> tuple[int, int]:
    """The compartments (range i, j) covering positions ``start`` to ``stop``, Brian2's rules."""
    ends = np.cumsum(lengths)  # position of the end of each compartment
    i, j = 0, len(ends)
    if start is not None:
        _check_position(float(start), ends[-1], start)
        node = _node_index_near(float(start), ends)
        i = node + 1 if node is not None else int(np.searchsorted(ends, float(start)))
    if stop is not None:
        _check_position(float(stop), ends[-1], stop)
        node = _node_index_near(float(stop), ends)
        j = node + 1 if node is not None else int(np.searchsorted(ends, float(stop))) + 1
    return i, min(j, len(ends))


def _compartment_range(section: Morphology, item) -> tuple[int, int]:
    """The compartment range [i, j) that ``section[item]`` selects (ints or lengths)."""
    n = section.n
    if isinstance(item, slice):
        bounds = [b for b in (item.start, item.stop) if b is not None]
        if all(_is_length(b) for b in bounds):
            if item.step is not None:
                raise TypeError(f"A slice by length takes no step, got {item}")
            i, j = _compartments_between(section._lengths_si(), item.start, item.stop)
        elif all(_is_integer(b) for b in bounds):
            i, j, step = item.indices(n)
            if step != 1:
                raise TypeError(f"Only contiguous compartments can be selected, got step "
                                f"{item.step}")
        else:
            raise TypeError("A slice of a section takes either compartment indices (ints) or "
                            f"positions (lengths such as 10*um) at both ends, got {item}")
    elif _is_length(item):
        i, j = _compartment_at(section._lengths_si(), item)
    elif _is_integer(item):
        i = int(item) + n if item < 0 else int(item)
        if not 0 <= i < n:
            raise IndexError(f"Compartment index {item} is out of range for a section of "
                             f"{n} compartments (valid: {-n} to {n - 1})")
        j = i + 1
    else:
        raise TypeError(f"A section is indexed by a subtree name, a compartment index, a "
                        f"length or a slice of these, got {type(item).__name__} {item!r}")
    if j <= i:
        raise IndexError(f"{item} selects no compartment of a section of {n} compartments")
    return i, j


# -- the tree ---------------------------------------------------------------------------------

def _iter_sections(root: Morphology) -> Iterator[Morphology]:
    """``root`` and every section below it, depth first, children in the order added."""
    stack = [root]
    while stack:
        section = stack.pop()
        yield section
        stack.extend(reversed(list(section.children)))


def _root_of(section: Morphology) -> Morphology:
    while section._parent is not None:
        section = section._parent
    return section


def _start_index(section: Morphology) -> int:
    """Absolute index of the first compartment of ``section`` in its whole tree."""
    index = 0
    for other in _iter_sections(_root_of(section)):
        if other is section:
            return index
        index += other.n
    raise AssertionError("a section is always found in its own tree")


def _ancestors(section: Morphology) -> list[Morphology]:
    """The sections above ``section``, from the root down to its parent."""
    chain = []
    parent = section._parent
    while parent is not None:
        chain.append(parent)
        parent = parent._parent
    return chain[::-1]


@dataclasses.dataclass(frozen=True)
class _Attachment:
    """What a section takes from the section it hangs from, all in SI units."""

    end_distance: float = 0.0        # distance to the root at the end of the parent (m)
    last_distance: float = 0.0       # distance to the root at the parent's last midpoint (m)
    end_point: np.ndarray | None = None  # absolute end point of the parent (m), if known

    def below(self, section: Morphology) -> _Attachment:
        """What a child of ``section`` (attached as ``self``) takes from it."""
        distances, end_distance = section._distance_profile(self)
        nodes = section._absolute_nodes(self)
        return _Attachment(end_distance, float(distances[-1]),
                           None if nodes is None else nodes[-1])


def _attachment_of(section: Morphology) -> _Attachment:
    attachment = _Attachment()
    for ancestor in _ancestors(section):
        attachment = attachment.below(ancestor)
    return attachment


def _coordinate(where: str, axis: int, with_unit: bool = True, doc: str = ""):
    """A property giving one coordinate ('start', 'mid' or 'end' point of each compartment)."""
    def getter(self):
        points = self._points(where)
        if points is None:
            return None
        values = points[:, axis]
        return Quantity(values, dim=_METRE) if with_unit else values
    return property(getter, doc=doc)


def _coordinate_docs(where: str, axis: str, with_unit: bool) -> str:
    point = {"start": "start", "mid": "midpoint", "end": "end"}[where]
    kind = "Quantity, metres" if with_unit else "float64 array, metres, no unit"
    return (f"The {axis} coordinate of the {point} of each compartment ({kind}, shape "
            "(n,)); None if the section has no coordinates.")


class Morphology(metaclass=abc.ABCMeta):
    """A neuron's morphology: a tree of unbranched sections, each of ``n`` compartments.

    Not created directly: make a :class:`Soma`, :class:`Cylinder` or :class:`Section` and
    attach subtrees to it (``morpho.axon = Cylinder(...)``, ``morpho['dend'] = ...``), or read
    one with :meth:`from_points`, :meth:`from_swc_file` or :meth:`from_file`.

    A ``Morphology`` object is the section at the top of its subtree: per-compartment
    attributes (``area``, ``length``...) describe that section only; ``total_compartments``
    and ``total_sections`` count the whole subtree.

    Indexing: ``morpho['axon']`` / ``morpho.axon`` is the subtree called ``axon``; names made
    of ``L``, ``R`` and ``1``-``9`` chain (``morpho.LR2`` is ``morpho.L.R['2']``).
    ``morpho[3]``, ``morpho[2:5]``, ``morpho[10*um]`` and ``morpho[10*um:50*um]`` are views
    on compartments of this section (:class:`SubMorphology`); ``morpho.indices[...]`` gives
    their absolute compartment indices.

    Parameters
    ----------
    n : int
        Number of compartments in the section (at least 1).
    type : str, optional
        What the section is (``'soma'``, ``'axon'``, ``'dend'``...); informative only.
    """

    def __init__(self, n, type=None) -> None:
        self._n = _compartment_count(n, self.__class__.__name__)
        self.type = type
        self._children = Children(self)
        self._parent = None
        self.indices = MorphologyIndexWrapper(self)

    # -- tree navigation ----------------------------------------------------------------------
    def __getitem__(self, item):
        if isinstance(item, str):
            return self._subtree_at(item)
        i, j = _compartment_range(self, item)
        return SubMorphology(self, i, j)

    def _subtree_at(self, path: str) -> Morphology:
        if len(path) > 1 and all(c in _SHORT_NAMES for c in path):
            return self.children[path[0]]._subtree_at(path[1:])
        return self.children[path]

    def _parent_of_path(self, path: str) -> tuple[Morphology, str]:
        """The section that holds the last name of ``path``, and that name."""
        if len(path) > 1 and all(c in _SHORT_NAMES for c in path):
            return self._subtree_at(path[:-1]), path[-1]
        return self, path

    def __setitem__(self, name, subtree) -> None:
        owner, last = self._parent_of_path(str(name))
        owner.children.add(last, subtree)

    def __delitem__(self, name) -> None:
        owner, last = self._parent_of_path(str(name))
        owner.children.remove(last)

    def __getattr__(self, name: str):
        # only reached when normal lookup fails: a child's name
        if name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return self._subtree_at(name)

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, Morphology) and not name.startswith("_"):
            self[name] = value
        else:
            object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name.startswith("_"):
            object.__delattr__(self, name)
        else:
            del self[name]

    def __len__(self) -> int:
        raise TypeError("The 'length' of a Morphology is ambiguous: use its 'n' attribute for "
                        "the number of compartments in this section or 'total_compartments' "
                        "for the whole subtree")

    def _indices(self, item=None):
        """Absolute compartment indices: an int for one compartment, else an array."""
        if item is None or (isinstance(item, slice) and item == slice(None)):
            start = _start_index(self)
            if self.n == 1 and item is None:
                return start
            return np.arange(start, start + self.n)
        if isinstance(item, slice):
            return self[item]._indices(slice(None))
        return self[item]._indices(None)

    # -- sizes and relations ------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of compartments in this section."""
        return self._n

    @property
    def total_compartments(self) -> int:
        """Number of compartments in this section and all sections below it."""
        return sum(section.n for section in _iter_sections(self))

    @property
    def total_sections(self) -> int:
        """Number of sections in this subtree, this one included."""
        return sum(1 for _ in _iter_sections(self))

    @property
    def parent(self) -> Morphology | None:
        """The section this one is attached to (None for the root)."""
        return self._parent

    @property
    def children(self) -> Children:
        """The subtrees attached to the end of this section (a :class:`Children`)."""
        return self._children

    # -- geometry, SI floats, implemented by each kind of section -----------------------------
    @abc.abstractmethod
    def _lengths_si(self) -> np.ndarray:
        """Length of each compartment (m)."""

    @abc.abstractmethod
    def _diameters_si(self) -> np.ndarray:
        """Diameter at the midpoint of each compartment (m)."""

    @abc.abstractmethod
    def _start_diameters_si(self) -> np.ndarray:
        """Diameter at the start of each compartment (m)."""

    @abc.abstractmethod
    def _end_diameters_si(self) -> np.ndarray:
        """Diameter at the end of each compartment (m)."""

    @abc.abstractmethod
    def _areas_si(self) -> np.ndarray:
        """Membrane area of each compartment (m^2)."""

    @abc.abstractmethod
    def _volumes_si(self) -> np.ndarray:
        """Volume of each compartment (m^3)."""

    @abc.abstractmethod
    def _r_lengths_si(self) -> tuple[np.ndarray, np.ndarray]:
        """Brian2's r_length_1 and r_length_2 of each compartment (m)."""

    @abc.abstractmethod
    def _distance_profile(self, attachment: _Attachment) -> tuple[np.ndarray, float]:
        """Distance to the root at each midpoint (m) and at the end of the section (m)."""

    @abc.abstractmethod
    def _absolute_nodes(self, attachment: _Attachment) -> np.ndarray | None:
        """Absolute coordinates (m) of the n+1 nodes (start of each compartment, end of the
        last), shape (n+1, 3); None without coordinates."""

    @abc.abstractmethod
    def copy_section(self) -> Morphology:
        """A copy of this section alone (no parent, no children).

        Returns
        -------
        Morphology
            Same kind, geometry, coordinates and ``type``.
        """

    # -- public per-compartment attributes ----------------------------------------------------
    @property
    def length(self) -> Quantity:
        """Length of each compartment (metres, shape (n,)); a soma's is its diameter."""
        return Quantity(self._lengths_si(), dim=_METRE)

    @property
    def diameter(self) -> Quantity:
        """Diameter at the midpoint of each compartment (metres, shape (n,))."""
        return Quantity(self._diameters_si(), dim=_METRE)

    @property
    def start_diameter(self) -> Quantity:
        """Diameter at the start of each compartment (metres, shape (n,))."""
        return Quantity(self._start_diameters_si(), dim=_METRE)

    @property
    def end_diameter(self) -> Quantity:
        """Diameter at the end of each compartment (metres, shape (n,))."""
        return Quantity(self._end_diameters_si(), dim=_METRE)

    @property
    def area(self) -> Quantity:
        """Membrane area of each compartment (square metres, shape (n,))."""
        return Quantity(self._areas_si(), dim=_SQUARE_METRE)

    @property
    def volume(self) -> Quantity:
        """Volume of each compartment (cubic metres, shape (n,))."""
        return Quantity(self._volumes_si(), dim=_CUBIC_METRE)

    @property
    def r_length_1(self) -> Quantity:
        """Geometric factor of the axial conductance between the start and the midpoint of
        each compartment (metres, shape (n,)): the conductance is ``r_length_1 / Ri``."""
        return Quantity(self._r_lengths_si()[0], dim=_METRE)

    @property
    def r_length_2(self) -> Quantity:
        """Geometric factor of the axial conductance between the midpoint and the end of
        each compartment (metres, shape (n,)): the conductance is ``r_length_2 / Ri``."""
        return Quantity(self._r_lengths_si()[1], dim=_METRE)

    @property
    def distance(self) -> Quantity:
        """Distance from the root of the tree to the midpoint of each compartment, along the
        tree (metres, shape (n,)). A soma adds no distance."""
        return Quantity(self._distance_profile(_attachment_of(self))[0], dim=_METRE)

    @property
    def end_distance(self) -> Quantity:
        """Distance from the root of the tree to the end of this section (metres, scalar)."""
        return Quantity(self._distance_profile(_attachment_of(self))[1], dim=_METRE)

    # -- coordinates ----------------------------------------------------------------------------
    def _points(self, where: str) -> np.ndarray | None:
        """Absolute start, mid or end points (m) of the compartments, shape (n, 3), or None."""
        nodes = self._absolute_nodes(_attachment_of(self))
        if nodes is None:
            return None
        start, end = nodes[:-1], nodes[1:]
        return {"start": start, "end": end, "mid": start + 0.5 * (end - start)}[where]

    start_x_ = _coordinate("start", 0, False, _coordinate_docs("start", "x", False))
    start_y_ = _coordinate("start", 1, False, _coordinate_docs("start", "y", False))
    start_z_ = _coordinate("start", 2, False, _coordinate_docs("start", "z", False))
    x_ = _coordinate("mid", 0, False, _coordinate_docs("mid", "x", False))
    y_ = _coordinate("mid", 1, False, _coordinate_docs("mid", "y", False))
    z_ = _coordinate("mid", 2, False, _coordinate_docs("mid", "z", False))
    end_x_ = _coordinate("end", 0, False, _coordinate_docs("end", "x", False))
    end_y_ = _coordinate("end", 1, False, _coordinate_docs("end", "y", False))
    end_z_ = _coordinate("end", 2, False, _coordinate_docs("end", "z", False))
    start_x = _coordinate("start", 0, True, _coordinate_docs("start", "x", True))
    start_y = _coordinate("start", 1, True, _coordinate_docs("start", "y", True))
    start_z = _coordinate("start", 2, True, _coordinate_docs("start", "z", True))
    x = _coordinate("mid", 0, True, _coordinate_docs("mid", "x", True))
    y = _coordinate("mid", 1, True, _coordinate_docs("mid", "y", True))
    z = _coordinate("mid", 2, True, _coordinate_docs("mid", "z", True))
    end_x = _coordinate("end", 0, True, _coordinate_docs("end", "x", True))
    end_y = _coordinate("end", 1, True, _coordinate_docs("end", "y", True))
    end_z = _coordinate("end", 2, True, _coordinate_docs("end", "z", True))

    @property
    def coordinates_(self) -> np.ndarray | None:
        """Absolute coordinates of the n+1 nodes (float64 metres, shape (n+1, 3): start of the
        first compartment, then the end of each); None without coordinates."""
        return self._absolute_nodes(_attachment_of(self))

    @property
    def coordinates(self) -> Quantity | None:
        """:attr:`coordinates_` as a Quantity in metres; None without coordinates."""
        return _as_length_quantity(self.coordinates_)

    # -- whole-tree operations ------------------------------------------------------------------
    def topology(self) -> Topology:
        """The tree drawn as text (print it), as NEURON's ``topology()``.

        Returns
        -------
        Topology
            One line per section: ``( )`` for a soma, one ``-`` per compartment and ``|``
            for other sections, followed by the section's path of names.
        """
        return Topology(self)

    def generate_coordinates(self, section_randomness: float = 0.0,
                             compartment_randomness: float = 0.0,
                             overwrite_existing: bool = False) -> Morphology:
        """A copy of this tree with coordinates for the sections that have none (for plots;
        lengths, diameters and the electrical properties are unchanged).

        Parameters
        ----------
        section_randomness : float, optional
            Mean (degrees) of the exponentially distributed angle by which each section turns
            away from its parent's direction; 0 (default): a deterministic 2-D layout.
        compartment_randomness : float, optional
            Mean (degrees) of the random turn of each compartment away from its section's
            direction; 0 (default): straight sections.
        overwrite_existing : bool, optional
            Give new coordinates to sections that have some as well (default False: keep
            them, so that e.g. a reconstructed tree with an added axon gets only the axon's).

        Returns
        -------
        Morphology
            The new tree (this one is not changed). Randomness draws from ``numpy.random``,
            so :func:`~spikeloom.seed` makes it reproducible.
        """
        return _with_coordinates(self, np.deg2rad(section_randomness),
                                np.deg2rad(compartment_randomness), overwrite_existing)

    # -- reading points and files -----------------------------------------------------------
    @staticmethod
    def from_points(points: Sequence[Sequence], spherical_soma: bool = True) -> Morphology:
        """A morphology from points ``(index, name, x, y, z, diameter, parent)``.

        Parameters
        ----------
        points : sequence of 7-tuples
            ``index`` (int), ``name`` (str such as ``'soma'``, ``'dend'``, or None), the
            coordinates ``x, y, z`` and the ``diameter``, all plain numbers in micrometres,
            and the ``parent`` index (-1 for the first point, the root). Parents must come
            before their children.
        spherical_soma : bool, optional
            Model a single ``'soma'`` point (or a 3-point soma, see
            :meth:`from_swc_file`) as a spherical :class:`Soma` (default True).

        Returns
        -------
        Morphology
            The root section. Unbranched runs of points of one name become one
            :class:`Section`; sections are named after their points (``dend``, ``dend2``...)
            and also ``L``/``R`` (one or two children) or ``1``, ``2``... (more).

        Raises
        ------
        ValueError
            A point without 7 values, a repeated index, a missing or later-listed parent,
            a negative or non-finite diameter, a zero-length compartment, or an
            inconsistent 3-point soma.
        """
        points = list(points)
        return _morphology_from_points(points, spherical_soma,
                                       lambda k: f"points[{k}] = {points[k]!r}")

    @staticmethod
    def from_swc_file(filename: str | os.PathLike, spherical_soma: bool = True) -> Morphology:
        """A morphology from an SWC file (the format of https://neuromorpho.org).

        Each non-comment line is ``index type x y z radius parent`` (micrometres; ``parent``
        -1 for the root). Types 1, 2, 3 and 4 name sections ``soma``, ``axon``, ``dend`` and
        ``apic``; other types leave them unnamed. A soma given as three points (the centre
        and two points one radius away, neuromorpho's convention) becomes one spherical
        :class:`Soma` when ``spherical_soma`` is True.

        Parameters
        ----------
        filename : str or path
        spherical_soma : bool, optional
            See :meth:`from_points`.

        Returns
        -------
        Morphology
            The root section (see :meth:`from_points` for the naming).

        Raises
        ------
        ValueError
            A malformed line (the message names the file, the line number and the line), a
            parent that is not listed before, or the errors of :meth:`from_points`.
        """
        points, locations = _read_swc(filename)
        return _morphology_from_points(points, spherical_soma, locations.__getitem__)

    @staticmethod
    def from_file(filename: str | os.PathLike, spherical_soma: bool = True) -> Morphology:
        """A morphology from a file; only SWC files (``.swc``) are supported, as in Brian2.

        Parameters
        ----------
        filename : str or path
        spherical_soma : bool, optional
            See :meth:`from_points`.

        Returns
        -------
        Morphology
        """
        extension = os.path.splitext(os.fspath(filename))[1]
        if extension.lower() != ".swc":
            raise NotImplementedError(f"Cannot read {os.fspath(filename)!r}: SWC (.swc) is "
                                      "the only supported morphology file format")
        return Morphology.from_swc_file(filename, spherical_soma=spherical_soma)

    def __str__(self) -> str:
        return repr(self)


class SubMorphology:
    """A view on the compartments ``i`` to ``j - 1`` of one section (``morpho.axon[2:5]``,
    ``morpho.axon[10*um:50*um]``, ``morpho.axon[10*um]``).

    Its attributes are those of the section, restricted to the selected compartments;
    ``indices[:]`` gives their absolute compartment indices.
    """

    def __init__(self, morphology: Morphology, i: int, j: int) -> None:
        self._morphology = morphology
        self._i = i
        self._j = j
        self.indices = MorphologyIndexWrapper(self)

    def _indices(self, item=None):
        if not (item is None or (isinstance(item, slice) and item == slice(None))):
            raise IndexError("A view on part of a section cannot be indexed further; index "
                             "the section instead")
        start = _start_index(self._morphology)
        if item is None and self.n == 1:
            return start + self._i
        return np.arange(start + self._i, start + self._j)

    @property
    def n(self) -> int:
        """Number of compartments in the view."""
        return self._j - self._i

    def __len__(self) -> int:
        return self.n

    @property
    def n_sections(self) -> int:
        """Number of sections in the view (always 1)."""
        return 1

    def __repr__(self) -> str:
        return (f"<compartments {self._i} to {self._j - 1} of "
                f"{self._morphology.__class__.__name__} with {self._morphology.n} "
                "compartments>")


def _view_of(name: str):
    def getter(self):
        values = getattr(self._morphology, name)
        return None if values is None else values[self._i:self._j]
    doc = getattr(Morphology, name).__doc__ or ""
    return property(getter, doc=f"{doc} Restricted to the compartments of the view.")


for _name in ("area", "volume", "length", "r_length_1", "r_length_2", "diameter",
              "start_diameter", "end_diameter", "distance",
              "start_x", "start_y", "start_z", "x", "y", "z", "end_x", "end_y", "end_z",
              "start_x_", "start_y_", "start_z_", "x_", "y_", "z_", "end_x_", "end_y_",
              "end_z_"):
    setattr(SubMorphology, _name, _view_of(_name))
del _name


# -- the kinds of sections ----------------------------------------------------------------------

def _optional_scalar_coordinate(value, axis: str) -> float | None:
    if value is None:
        return None
    metres = _metres(value, axis, "Soma")
    if metres.size != 1:
        raise TypeError(f"Soma: {axis} must be a single value, got {metres.size} values")
    _check_finite(metres, axis, "Soma")
    return float(metres.reshape(-1)[0])


class Soma(Morphology):
    """A spherical, iso-potential soma: one compartment.

    Its area is that of the sphere, pi d^2, its volume pi d^3 / 6, its ``length`` is its
    diameter, and its axial factors ``r_length_1``/``r_length_2`` are 1 m (negligible axial
    resistance). It adds nothing to the distance of the sections attached to it.

    Parameters
    ----------
    diameter : Quantity
        Diameter of the sphere (a length > 0).
    x, y, z : Quantity, optional
        Position of the centre (absolute, not relative to a parent); the ones not given are
        0 m when any is given.
    type : str, optional
        Default ``'soma'``.
    """

    def __init__(self, diameter, x=None, y=None, z=None, type="soma") -> None:
        super().__init__(n=1, type=type)
        diameters = _metres(diameter, "diameter", "Soma")
        if diameters.size != 1:
            raise TypeError(f"Soma: diameter must be a single value, got {diameters.size} "
                            "values")
        _check_lengths(diameters, "diameter", "Soma")
        self._diameter = diameters.reshape(1)
        position = [_optional_scalar_coordinate(value, axis)
                    for value, axis in ((x, "x"), (y, "y"), (z, "z"))]
        self._position = (None if all(p is None for p in position)
                          else np.array([0.0 if p is None else p for p in position]))

    def __repr__(self) -> str:
        text = f"Soma(diameter={Quantity(self._diameter[0], dim=_METRE)!r}"
        if self._position is not None:
            x, y, z = (Quantity(p, dim=_METRE) for p in self._position)
            text += f", x={x!r}, y={y!r}, z={z!r}"
        if self.type != "soma":
            text += f", type={self.type!r}"
        return text + ")"

    def copy_section(self) -> Soma:
        position = (None, None, None) if self._position is None else (
            Quantity(p, dim=_METRE) for p in self._position)
        return Soma(Quantity(self._diameter[0], dim=_METRE), *position, type=self.type)

    def _lengths_si(self) -> np.ndarray:
        return self._diameter.copy()

    def _diameters_si(self) -> np.ndarray:
        return self._diameter.copy()

    _start_diameters_si = _end_diameters_si = _diameters_si

    def _areas_si(self) -> np.ndarray:
        return np.pi * self._diameter ** 2

    def _volumes_si(self) -> np.ndarray:
        return (np.pi * self._diameter ** 3) / 6

    def _r_lengths_si(self) -> tuple[np.ndarray, np.ndarray]:
        # Brian2's fixed 1 m: a large conductance factor, i.e. no axial resistance
        return np.ones(1), np.ones(1)

    def _distance_profile(self, attachment: _Attachment) -> tuple[np.ndarray, float]:
        # a soma is a point on the tree: it sits at its parent's last midpoint (Brian2)
        return np.array([attachment.last_distance]), attachment.end_distance

    def _absolute_nodes(self, attachment: _Attachment) -> np.ndarray | None:
        # a soma's position is absolute; start, middle and end are the same point
        if self._position is None:
            return None
        return np.vstack([self._position, self._position])


def _node_coordinates(owner: str, n: int, x, y, z, values_per_axis: int) -> np.ndarray:
    """Relative node coordinates (m, shape (n+1, 3)) from ``x``, ``y``, ``z`` given at either
    the n+1 nodes (Section) or the 2 ends (Cylinder, then spread evenly)."""
    columns = []
    for value, axis in ((x, "x"), (y, "y"), (z, "z")):
        if value is None:
            columns.append(np.zeros(n + 1))
            continue
        metres = _metres(value, axis, owner)
        if metres.ndim != 1 or metres.size != values_per_axis:
            what = "start and end point" if values_per_axis == 2 else "n+1 node positions"
            raise TypeError(f"{owner}: {axis} must be a 1-D array of {values_per_axis} values "
                            f"({what}), got shape {metres.shape}")
        _check_finite(metres, axis, owner)
        columns.append(metres if values_per_axis == n + 1
                       else np.linspace(metres[0], metres[1], n + 1))
    return np.column_stack(columns)


def _lengths_from_nodes(nodes: np.ndarray, owner: str) -> np.ndarray:
    steps = nodes[1:] - nodes[:-1]
    lengths = np.sqrt(steps[:, 0] ** 2 + steps[:, 1] ** 2 + steps[:, 2] ** 2)
    if np.any(lengths == 0):
        k = int(np.flatnonzero(lengths == 0)[0])
        raise ValueError(f"{owner}: compartment {k} has length 0 um (its start and end "
                         f"points are both at {nodes[k] / _UM} um); every compartment needs a "
                         "length > 0")
    return lengths


def _check_geometry_arguments(owner: str, length, x, y, z) -> bool:
    """True if coordinates define the geometry, False if ``length`` does."""
    has_coordinates = any(value is not None for value in (x, y, z))
    if has_coordinates and length is not None:
        raise TypeError(f"{owner}: give either length or coordinates (x, y, z), not both")
    if not has_coordinates and length is None:
        raise TypeError(f"{owner}: no length given; give length or at least one of x, y, z")
    return has_coordinates


class Section(Morphology):
    """An unbranched section of ``n`` truncated cones (compartments).

    The diameter changes linearly within each compartment. A compartment of length l and end
    diameters d1, d2 has area pi/2 (d1+d2) sqrt((d1-d2)^2/4 + l^2) (the cone's side, without
    the end discs) and volume pi l (d1^2 + d1 d2 + d2^2) / 12.

    Parameters
    ----------
    diameter : Quantity
        n+1 diameters: at the start of each compartment and at the end of the last (lengths
        >= 0; a tapering end may be 0, but no compartment may have 0 at both ends).
    n : int, optional
        Number of compartments (default 1).
    length : Quantity, optional
        n lengths, one per compartment (> 0). Not together with coordinates.
    x, y, z : Quantity, optional
        n+1 node positions per axis (axes not given are 0), relative to the end of the parent
        section; compartment lengths are the distances between nodes.
    type : str, optional
        What the section is (``'axon'``, ``'dend'``...).
    """

    def __init__(self, diameter, n=1, length=None, x=None, y=None, z=None,
                 type=None) -> None:
        super().__init__(n=n, type=type)
        owner = self.__class__.__name__
        self._node_diameters = self._read_diameters(diameter, owner)
        if _check_geometry_arguments(owner, length, x, y, z):
            self._nodes = _node_coordinates(owner, self.n, x, y, z, self._values_per_axis())
            self._lengths = _lengths_from_nodes(self._nodes, owner)
        else:
            self._nodes = None
            self._lengths = self._read_lengths(length, owner)

    # Section and Cylinder differ in how diameters, lengths and coordinates are given
    def _values_per_axis(self) -> int:
        return self.n + 1

    def _read_diameters(self, diameter, owner: str) -> np.ndarray:
        diameters = _metres(diameter, "diameter", owner)
        if diameters.ndim != 1 or diameters.size != self.n + 1:
            raise TypeError(f"{owner}: diameter must be a 1-D array of n+1 = {self.n + 1} "
                            "values (at the start of each compartment and at the end of the "
                            f"last), got shape {diameters.shape}")
        _check_lengths(diameters, "diameter", owner, allow_zero=True)
        both_zero = (diameters[:-1] == 0) & (diameters[1:] == 0)
        if both_zero.any():
            k = int(np.flatnonzero(both_zero)[0])
            raise ValueError(f"{owner}: compartment {k} has diameter 0 um at both ends (no "
                             "membrane); diameters must be > 0 at one end at least")
        return diameters

    def _read_lengths(self, length, owner: str) -> np.ndarray:
        lengths = _metres(length, "length", owner)
        if lengths.ndim > 1 or lengths.size != self.n:
            raise TypeError(f"{owner}: length must be a 1-D array of n = {self.n} values "
                            f"(one per compartment), got shape {lengths.shape}")
        _check_lengths(lengths, "length", owner)
        return lengths.reshape(self.n)

    def _constructor_arguments(self) -> dict:
        """Keyword arguments that rebuild this section (used by copy_section and repr)."""
        arguments = {"diameter": Quantity(self._node_diameters, dim=_METRE), "n": self.n}
        if self._nodes is None:
            arguments["length"] = Quantity(self._lengths, dim=_METRE)
        else:
            for axis, column in zip("xyz", self._nodes.T):
                arguments[axis] = Quantity(column, dim=_METRE)
        return arguments

    def copy_section(self) -> Section:
        copy = type(self)(type=self.type, **self._constructor_arguments())
        copy._lengths = self._lengths.copy()  # exact (a Cylinder's total / n can round)
        return copy

    def __repr__(self) -> str:
        # the arguments that rebuild the section (Brian2 shows a total length instead)
        arguments = self._constructor_arguments()
        if self.n == 1:
            del arguments["n"]
        if self.type is not None:
            arguments["type"] = self.type
        text = ", ".join(f"{key}={value!r}" for key, value in arguments.items())
        return f"{self.__class__.__name__}({text})"

    def _lengths_si(self) -> np.ndarray:
        return self._lengths.copy()

    def _start_diameters_si(self) -> np.ndarray:
        return self._node_diameters[:-1].copy()

    def _end_diameters_si(self) -> np.ndarray:
        return self._node_diameters[1:].copy()

    def _diameters_si(self) -> np.ndarray:
        return 0.5 * (self._start_diameters_si() + self._end_diameters_si())

    def _areas_si(self) -> np.ndarray:
        d1, d2 = self._start_diameters_si(), self._end_diameters_si()
        return np.pi / 2 * (d1 + d2) * np.sqrt(((d1 - d2) ** 2) / 4 + self._lengths ** 2)

    def _volumes_si(self) -> np.ndarray:
        d1, d2 = self._start_diameters_si(), self._end_diameters_si()
        return np.pi * self._lengths * (d1 ** 2 + d1 * d2 + d2 ** 2) / 12

    def _r_lengths_si(self) -> tuple[np.ndarray, np.ndarray]:
        # each half compartment as a cone: from the start (or middle) diameter to the middle
        # (or end) one
        d1, d2 = self._start_diameters_si(), self._end_diameters_si()
        middle = (d1 + d2) * 0.5
        return (np.pi / 2 * (d1 * middle) / self._lengths,
                np.pi / 2 * (middle * d2) / self._lengths)

    def _distance_profile(self, attachment: _Attachment) -> tuple[np.ndarray, float]:
        distances = attachment.end_distance + np.cumsum(self._lengths) - 0.5 * self._lengths
        return distances, float(distances[-1] + 0.5 * self._lengths[-1])

    def _absolute_nodes(self, attachment: _Attachment) -> np.ndarray | None:
        if self._nodes is None:
            return None
        if attachment.end_point is None:  # no parent coordinates: ours count as absolute
            return self._nodes.copy()
        return attachment.end_point + self._nodes


class Cylinder(Section):
    """An unbranched section of ``n`` equal cylinders.

    Each compartment has area pi d l (without the end discs), volume pi (d/2)^2 l and
    ``r_length_1 = r_length_2 = pi d^2 / (2 l)``.

    Parameters
    ----------
    diameter : Quantity
        The diameter (one length > 0).
    n : int, optional
        Number of compartments (default 1).
    length : Quantity, optional
        Total length of the cylinder (> 0), split into ``n`` equal compartments. Not together
        with coordinates.
    x, y, z : Quantity, optional
        Start and end point per axis (2 values; axes not given are 0), relative to the end of
        the parent section.
    type : str, optional
        What the section is (``'axon'``, ``'dend'``...).
    """

    def _values_per_axis(self) -> int:
        return 2

    def _read_diameters(self, diameter, owner: str) -> np.ndarray:
        diameters = _metres(diameter, "diameter", owner)
        if diameters.size != 1 or diameters.ndim > 1:
            raise TypeError(f"{owner}: diameter must be a single value, got shape "
                            f"{diameters.shape} (use Section for varying diameters)")
        _check_lengths(diameters, "diameter", owner)
        return np.full(self.n + 1, float(diameters.reshape(-1)[0]))

    def _read_lengths(self, length, owner: str) -> np.ndarray:
        total = _metres(length, "length", owner)
        if total.size != 1 or total.ndim > 1:
            raise TypeError(f"{owner}: length must be a single value (the total length), got "
                            f"shape {total.shape} (use Section for varying lengths)")
        _check_lengths(total, "length", owner)
        return np.ones(self.n) * (float(total.reshape(-1)[0]) / self.n)

    def _constructor_arguments(self) -> dict:
        arguments = {"diameter": Quantity(self._node_diameters[0], dim=_METRE), "n": self.n}
        if self._nodes is None:
            arguments["length"] = Quantity(np.sum(self._lengths), dim=_METRE)
        else:
            for axis, column in zip("xyz", self._nodes.T):
                arguments[axis] = Quantity(column[[0, -1]], dim=_METRE)
        return arguments

    def _diameters_si(self) -> np.ndarray:
        return self._node_diameters[:-1].copy()

    def _areas_si(self) -> np.ndarray:
        return np.pi * self._diameters_si() * self._lengths

    def _volumes_si(self) -> np.ndarray:
        return np.pi * (self._diameters_si() / 2) ** 2 * self._lengths

    def _r_lengths_si(self) -> tuple[np.ndarray, np.ndarray]:
        r_length = np.pi / 2 * (self._diameters_si() ** 2) / self._lengths
        return r_length, r_length.copy()


# -- text drawing of the tree ----------------------------------------------------------------

def _display_name(parent: Morphology, child: Morphology) -> str:
    given = parent.children.name(child)
    if given is not None:
        return given
    return parent.children._aliases(child)[0]


class Topology:
    """The tree of a morphology drawn as text; ``print(morpho.topology())`` shows it."""

    def __init__(self, morphology: Morphology) -> None:
        self.morphology = morphology

    def __str__(self) -> str:
        lines = []
        # (section, indent, path of names, is the root)
        stack = [(self.morphology, 0, "", True)]
        while stack:
            section, indent, path, is_root = stack.pop()
            width = max(1, section.n)
            drawing = "( )" if isinstance(section, Soma) else "-" * width + "|"
            prefix = " " * indent + ("" if is_root else "`")
            lines.append(f"{prefix}{drawing}  {path if path else '[root]'}")
            children = list(section.children)
            for child in reversed(children):
                child_path = f"{path}.{_display_name(section, child)}"
                stack.append((child, indent + 2 + width, child_path, False))
        return "\n".join(lines) + "\n"

    __repr__ = __str__


# -- the flat representation ------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, eq=False)
class FlatMorphology:
    """A morphology as plain SI arrays, in Brian2's order of compartments and sections.

    Sections are numbered depth first: a section, then the subtree of each of its children
    in the order they were added; compartments are numbered in the same order, those of one
    section being consecutive. This is exactly Brian2's ``FlatMorphology`` numbering, the
    one of ``morpho.indices``. All arrays are read-only.

    Attributes
    ----------
    length : ndarray of float64, shape (n_compartments,)
        Compartment lengths (m); a soma's is its diameter.
    distance : ndarray of float64, shape (n_compartments,)
        Distance from the root to each compartment's midpoint along the tree (m).
    area : ndarray of float64, shape (n_compartments,)
        Membrane areas (m^2).
    diameter : ndarray of float64, shape (n_compartments,)
        Diameters at the compartment midpoints (m).
    volume : ndarray of float64, shape (n_compartments,)
        Volumes (m^3).
    r_length_1, r_length_2 : ndarray of float64, shape (n_compartments,)
        Geometric factors of the axial conductance from the start to the midpoint and from
        the midpoint to the end of each compartment (m); conductance = r_length / Ri.
    x, y, z : ndarray of float64, shape (n_compartments,), or None
        Absolute midpoint coordinates (m); None when no section has coordinates, NaN for the
        compartments of sections without coordinates when others have them.
    starts, ends : ndarray of int32, shape (n_sections,)
        Each section's compartments are ``starts[s]`` to ``ends[s] - 1``.
    parent : ndarray of int32, shape (n_sections,)
        Index of each section's parent section; -1 for the root (section 0).
    n_compartments : int
        Total number of compartments.
    n_sections : int
        Total number of sections.
    """

    length: np.ndarray
    distance: np.ndarray
    area: np.ndarray
    diameter: np.ndarray
    volume: np.ndarray
    r_length_1: np.ndarray
    r_length_2: np.ndarray
    x: np.ndarray | None
    y: np.ndarray | None
    z: np.ndarray | None
    starts: np.ndarray
    ends: np.ndarray
    parent: np.ndarray
    n_compartments: int
    n_sections: int


def _read_only(values: np.ndarray | None, dtype) -> np.ndarray | None:
    if values is None:
        return None
    array = np.ascontiguousarray(values, dtype=dtype)
    array.flags.writeable = False
    return array


def flatten(morphology: Morphology) -> FlatMorphology:
    """Per-compartment and per-section arrays of a morphology, in plain SI units.

    Parameters
    ----------
    morphology : Morphology
        The tree to flatten, usually its root. For a subtree, distances and coordinates are
        still measured from the root of the whole tree (as Brian2 does).

    Returns
    -------
    FlatMorphology
        float64 arrays in metres (areas m^2, volumes m^3) and int32 section tables, in
        Brian2's depth-first order; see :class:`FlatMorphology`.

    Raises
    ------
    TypeError
        ``morphology`` is not a :class:`Morphology` (e.g. a view ``morpho.axon[2:5]``).

    Examples
    --------
    >>> from spikeloom.units import um
    >>> morpho = Soma(diameter=30*um)
    >>> morpho.axon = Cylinder(diameter=1*um, length=100*um, n=10)
    >>> flat = flatten(morpho)
    >>> flat.n_compartments, flat.starts.tolist(), flat.ends.tolist(), flat.parent.tolist()
    (11, [0, 1], [1, 11], [-1, 0])
    """
    if not isinstance(morphology, Morphology):
        raise TypeError("flatten needs a Morphology (Soma, Cylinder or Section), got "
                        f"{type(morphology).__name__}")
    columns: dict[str, list[np.ndarray]] = {name: [] for name in (
        "length", "distance", "area", "diameter", "volume", "r_length_1", "r_length_2",
        "x", "y", "z")}
    starts, ends, parents = [], [], []
    any_coordinates = False
    offset = 0
    # depth first, children in order: (section, parent section index, attachment)
    stack = [(morphology, -1, _attachment_of(morphology))]
    while stack:
        section, parent_index, attachment = stack.pop()
        index = len(starts)
        starts.append(offset)
        offset += section.n
        ends.append(offset)
        parents.append(parent_index)
        midpoints = _append_section(columns, section, attachment)
        any_coordinates = any_coordinates or midpoints
        below = attachment.below(section)
        stack.extend((child, index, below) for child in reversed(list(section.children)))
    arrays = {name: _read_only(np.concatenate(parts), np.float64)
              for name, parts in columns.items()}
    if not any_coordinates:
        arrays.update(x=None, y=None, z=None)
    return FlatMorphology(**arrays, starts=_read_only(starts, np.int32),
                          ends=_read_only(ends, np.int32), parent=_read_only(parents, np.int32),
                          n_compartments=offset, n_sections=len(starts))


def _append_section(columns: dict, section: Morphology, attachment: _Attachment) -> bool:
    """Append one section's values to ``columns``; True if it has coordinates."""
    r_length_1, r_length_2 = section._r_lengths_si()
    columns["length"].append(section._lengths_si())
    columns["distance"].append(section._distance_profile(attachment)[0])
    columns["area"].append(section._areas_si())
    columns["diameter"].append(section._diameters_si())
    columns["volume"].append(section._volumes_si())
    columns["r_length_1"].append(r_length_1)
    columns["r_length_2"].append(r_length_2)
    nodes = section._absolute_nodes(attachment)
    if nodes is None:
        midpoints = np.full((section.n, 3), np.nan)
    else:
        start, end = nodes[:-1], nodes[1:]
        midpoints = start + 0.5 * (end - start)
    for axis, name in enumerate("xyz"):
        columns[name].append(midpoints[:, axis])
    return nodes is not None


# -- morphologies from points and SWC files -------------------------------------------------------

@dataclasses.dataclass(eq=False)
class _Point:
    """One point of a reconstruction (micrometres), linked to its parent and children."""

    index: int
    name: str | None
    x: float
    y: float
    z: float
    diameter: float
    parent: _Point | None
    location: str  # where the point came from, for error messages
    children: list[_Point] = dataclasses.field(default_factory=list)


def _integer_field(value, what: str, location: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = np.nan
    if not (np.isfinite(number) and number == int(number)):
        raise ValueError(f"{location}: the {what} must be an integer, got {value!r}")
    return int(number)


def _number_field(value, what: str, location: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = np.nan
    if not np.isfinite(number):
        raise ValueError(f"{location}: the {what} must be a finite number, got {value!r}")
    return number


def _parse_point(point, location: str) -> tuple:
    if len(point) != 7:
        raise ValueError(f"{location}: a point needs 7 values (index, name, x, y, z, diameter, "
                         f"parent), got {len(point)}")
    index, name, x, y, z, diameter, parent = point
    diameter = _number_field(diameter, "diameter", location)
    if diameter < 0:
        raise ValueError(f"{location}: the diameter must be >= 0, got {diameter}")
    return (_integer_field(index, "index", location), name,
            *(_number_field(value, axis, location) for value, axis in ((x, "x"), (y, "y"),
                                                                        (z, "z"))),
            diameter, _integer_field(parent, "parent index", location))


def _link_points(points: Sequence, where: Callable[[int], str]) -> dict[int, _Point]:
    """The points by index, each linked to its parent (which must come before it)."""
    table: dict[int, _Point] = {}
    for k, point in enumerate(points):
        location = where(k)
        index, name, x, y, z, diameter, parent_index = _parse_point(point, location)
        if index in table:
            raise ValueError(f"{location}: index {index} is used twice (first at "
                             f"{table[index].location})")
        if parent_index == index:
            raise ValueError(f"{location}: point {index} lists itself as its parent")
        if parent_index == -1 and k > 0:
            raise ValueError(f"{location}: only the first point can be the root (parent -1); "
                             "a morphology is a single tree")
        if parent_index != -1 and parent_index not in table:
            raise ValueError(f"{location}: the parent {parent_index} of point {index} does "
                             "not exist before it; parents must be listed before their "
                             "children")
        parent = table.get(parent_index)
        table[index] = _Point(index, name, x, y, z, diameter, parent, location)
        if parent is not None:
            parent.children.append(table[index])
    if not table:
        raise ValueError("A morphology needs at least one point, got none")
    return table


def _merge_three_point_soma(root: _Point, table: dict[int, _Point]) -> None:
    """Replace neuromorpho's 3-point soma (a centre with two 'soma' points one radius away
    and nothing attached to them) by the centre alone, which becomes a spherical soma."""
    soma_children = [child for child in root.children if child.name == "soma"]
    if not (root.name == "soma" and len(soma_children) == 2
            and all(not child.children for child in soma_children)):
        somata = sum(point.name == "soma" for point in table.values())
        if somata > 1:
            logger.warning(f"Found {somata} soma points; a 3-point soma must be the first "
                           "point and two soma points attached to it")
        return
    three = [root, *soma_children]
    lines = ", ".join(point.location for point in three)
    if not all(abs(point.diameter - root.diameter) < 1e-15 for point in three):
        raise ValueError(f"Found a '3-point-soma' ({lines}), but not all the diameters are "
                         "identical")
    for point in soma_children:
        distance = np.sqrt((point.x - root.x) ** 2 + (point.y - root.y) ** 2
                           + (point.z - root.z) ** 2)
        if abs(distance - root.diameter / 2) > 0.1:  # micrometres
            raise ValueError(f"Cannot replace the '3-point-soma' ({lines}) by a sphere: the "
                             "second and third points must be one radius away from the first, "
                             f"but one is {distance:.3f}um away while the radius is "
                             f"{root.diameter / 2:.3f}um")
    root.children = [child for child in root.children if child not in soma_children]
    for point in soma_children:
        del table[point.index]


def _unbranched_run(first: _Point) -> list[_Point]:
    """``first`` and the points after it up to a branch, a leaf or a change of name."""
    run = [first]
    while len(run[-1].children) == 1 and run[-1].children[0].name == run[-1].name:
        run.append(run[-1].children[0])
    return run


def _section_from_run(run: list[_Point], spherical_soma: bool) -> Morphology:
    """One section from an unbranched run of points (a Soma for a lone soma point)."""
    first = run[0]
    if len(run) == 1 and first.parent is None and not (spherical_soma
                                                        and first.name == "soma"):
        raise ValueError(f"{first.location}: a root point that is not a spherical soma needs "
                         "more points of the same name after it to make a section")
    try:
        if spherical_soma and len(run) == 1 and first.name == "soma":
            return Soma(diameter=first.diameter * units.um, x=first.x * units.um,
                        y=first.y * units.um, z=first.z * units.um)
        diameters, nodes = _section_nodes(run)
        return Section(n=len(nodes) - 1, diameter=diameters * units.um,
                       x=nodes[:, 0] * units.um, y=nodes[:, 1] * units.um,
                       z=nodes[:, 2] * units.um, type=first.name)
    except ValueError as error:
        raise ValueError(f"the section from {first.location} to {run[-1].location}: "
                         f"{error}") from None


def _section_nodes(run: list[_Point]) -> tuple[np.ndarray, np.ndarray]:
    """Node diameters and coordinates (micrometres) of a section, as Brian2 builds them.

    A run hanging from a parent point starts at that point, with coordinates relative to
    it; a root run starts at its own first point. A section leaving a soma point starts with
    its own first diameter rather than the soma's.
    """
    parent = run[0].parent
    diameters = np.array([point.diameter for point in run])
    nodes = np.array([[point.x, point.y, point.z] for point in run])
    if parent is None:
        return diameters, nodes
    leaves_soma = isinstance(parent.name, str) and parent.name.lower() == "soma"
    diameters = np.hstack([diameters[0] if leaves_soma else parent.diameter, diameters])
    nodes = np.vstack([np.zeros(3), nodes - np.array([parent.x, parent.y, parent.z])])
    return diameters, nodes


def _sections_from_points(root: _Point, spherical_soma: bool) -> list[Morphology]:
    """Sections for every unbranched run, attached to each other, in Brian2's order (depth
    first, children in the order of their points)."""
    section_ending_at: dict[int, Morphology] = {}
    sections = []
    pending = [root]
    while pending:
        run = _unbranched_run(pending.pop())
        section = _section_from_run(run, spherical_soma)
        if run[0].parent is not None:
            section_ending_at[run[0].parent.index].children.add(run[-1].name, section,
                                                                automatic_name=True)
        section_ending_at[run[-1].index] = section
        sections.append(section)
        pending.extend(reversed(run[-1].children))
    return sections


def _add_standard_names(sections: list[Morphology]) -> None:
    """Also name children ``L``/``R`` (one or two children) or ``1``, ``2``... (more), as
    Brian2 does, unless the name is already another child's."""
    seen: dict[int, int] = {}
    for section in sections:
        parent = section.parent
        if parent is None:
            continue
        nth = seen[id(parent)] = seen.get(id(parent), 0) + 1
        name = ("L" if nth == 1 else "R") if len(parent.children) <= 2 else str(nth)
        if name not in parent.children:
            parent.children.add(name, section)


def _morphology_from_points(points: Sequence, spherical_soma: bool,
                            where: Callable[[int], str]) -> Morphology:
    table = _link_points(points, where)
    root = next(iter(table.values()))
    if spherical_soma:
        _merge_three_point_soma(root, table)
    sections = _sections_from_points(root, spherical_soma)
    _add_standard_names(sections)
    return sections[0]


def _read_swc(filename) -> tuple[list[tuple], list[str]]:
    """The points of an SWC file (diameter = 2 radius) and where each one is in the file."""
    points, locations = [], []
    with open(filename) as file:
        for line_number, line in enumerate(file, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            location = f"{os.fspath(filename)}, line {line_number} ({text!r})"
            fields = text.split()
            if len(fields) != 7:
                raise ValueError(f"{location}: an SWC line has 7 space-separated values "
                                 f"(index type x y z radius parent), this one has "
                                 f"{len(fields)}")
            index, swc_type, x, y, z, radius, parent = fields
            diameter = 2 * _number_field(radius, "radius", location)
            points.append((index, _SWC_TYPES.get(swc_type), x, y, z, diameter, parent))
            locations.append(location)
    if not points:
        raise ValueError(f"{os.fspath(filename)}: no points (an SWC file has one line "
                         "'index type x y z radius parent' per point)")
    return points, locations


# -- coordinates for schematic morphologies --------------------------------------------------

def _unit_vector(vector: np.ndarray) -> np.ndarray:
    return vector / np.sqrt(np.sum(vector ** 2))


def _rotate(vector: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """``vector`` rotated by ``angle`` (radians) around the unit vector ``axis`` (Rodrigues)."""
    return (vector * np.cos(angle) + np.cross(axis, vector) * np.sin(angle)
            + axis * np.dot(axis, vector) * (1 - np.cos(angle)))


def _perpendicular(direction: np.ndarray) -> np.ndarray:
    if direction[0] == 0 and direction[1] == 0:
        return np.array([1.0, 0.0, 0.0])
    return _unit_vector(np.array([-direction[1], direction[0], 0.0]))


def _perturbed(direction: np.ndarray, mean_angle: float) -> np.ndarray:
    """``direction`` turned by an exponentially distributed angle (mean ``mean_angle``,
    radians) around a random axis perpendicular to it."""
    if mean_angle == 0:
        return direction
    axis = _rotate(_perpendicular(direction), direction, np.random.rand() * 2 * np.pi)
    return _unit_vector(_rotate(direction, axis, np.random.exponential(mean_angle)))


def _section_direction(section: Morphology) -> np.ndarray | None:
    """Unit vector from the start to the end of a section with coordinates; None for a
    soma (a point)."""
    nodes = section.coordinates_
    step = nodes[-1] - nodes[0]
    return None if not np.any(step) else _unit_vector(step)


def _child_direction(parent_direction: np.ndarray | None, nth: int, siblings: int,
                     section_randomness: float) -> np.ndarray:
    """Direction of the ``nth`` of ``siblings`` children. Deterministically: around a soma
    (or at the root) spread over the circle in the x-y plane, after a section fanned out
    over +-90 degrees from its direction; with randomness: the parent's direction turned
    randomly."""
    if parent_direction is None:
        angle = np.pi / 2 + 2 * np.pi / max(siblings, 1) * nth
        direction = _rotate(np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]), angle)
    elif section_randomness == 0:
        in_plane = parent_direction[2] == 0  # a planar layout stays planar
        axis = (np.array([0.0, 0.0, 1.0]) if in_plane
                else _unit_vector(np.cross(parent_direction, _perpendicular(parent_direction))))
        angle = -np.pi / 2 + np.pi / (siblings + 1) * (nth + 1)
        direction = _rotate(parent_direction, axis, angle)
    else:
        direction = parent_direction
    return _unit_vector(_perturbed(_unit_vector(direction), section_randomness))


def _laid_out(original: Morphology, parent_copy: Morphology | None, direction: np.ndarray,
              compartment_randomness: float) -> Morphology:
    """A copy of ``original`` (one section) with coordinates along ``direction``."""
    if isinstance(original, Soma):
        centre = np.zeros(3) if parent_copy is None else parent_copy.coordinates_[-1]
        return Soma(original.diameter[0], *(c * units.metre for c in centre),
                    type=original.type)
    # sections leaving a soma start on its surface
    origin = (parent_copy._diameter[0] / 2 * direction if isinstance(parent_copy, Soma)
              else np.zeros(3))
    steps = [length * _perturbed(direction, compartment_randomness)
             for length in original._lengths_si()]
    nodes = np.vstack([origin, origin + np.cumsum(steps, axis=0)]) * units.metre
    if isinstance(original, Cylinder) and compartment_randomness == 0:
        return Cylinder(original.diameter[0], n=original.n, x=nodes[[0, -1], 0],
                        y=nodes[[0, -1], 1], z=nodes[[0, -1], 2], type=original.type)
    return Section(Quantity(original._node_diameters, dim=_METRE), n=original.n,
                   x=nodes[:, 0], y=nodes[:, 1], z=nodes[:, 2], type=original.type)


def _attach_like(original_parent: Morphology, original: Morphology,
                 parent_copy: Morphology, copy: Morphology) -> None:
    """Attach ``copy`` under ``parent_copy`` with the names ``original`` has."""
    parent_copy.children.add(original_parent.children.name(original), copy)
    for alias in original_parent.children._aliases(original):
        if alias not in parent_copy.children:
            parent_copy.children.add(alias, copy)


def _with_coordinates(root: Morphology, section_randomness: float,
                      compartment_randomness: float, overwrite_existing: bool) -> Morphology:
    def copy_of(original, parent_copy, nth, siblings):
        if not overwrite_existing and original.coordinates_ is not None:
            return original.copy_section()
        parent_direction = None if parent_copy is None else _section_direction(parent_copy)
        direction = _child_direction(parent_direction, nth, siblings, section_randomness)
        return _laid_out(original, parent_copy, direction, compartment_randomness)

    # the root is laid out alone: its coordinates_ would otherwise include its old parent's
    root_copy = copy_of(_detached_copy(root), None, 0, 0)
    pending = [(root, root_copy)]
    while pending:
        original, copy = pending.pop()
        children = list(original.children)
        for nth, child in enumerate(children):
            child_copy = copy_of(child, copy, nth, len(children))
            _attach_like(original, child, copy, child_copy)
            pending.append((child, child_copy))
    return root_copy


def _detached_copy(section: Morphology) -> Morphology:
    """``section`` alone, with its coordinates made absolute (it becomes a root)."""
    copy = section.copy_section()
    nodes = section.coordinates_
    if isinstance(copy, Section) and nodes is not None:
        copy._nodes = nodes
    return copy
