"""The base of every library neuron: equations with defaults, built lazily into a NeuronGroup.

A library neuron *is* a :class:`spikeloom.NeuronGroup`. It differs in one respect: its
equations are finished only when the network is assembled, because every
:class:`~spikeloom.models.Projection` onto it adds a line (its synaptic current, and for the
per-postsynaptic alignment its synaptic state). The group is built the first time something
needs it (a core object, a monitor, ``Network``, ``run``, reading a variable); adding a
projection after that is an error that says what built it.

The synaptic-input hook
-----------------------
Every model's membrane equation contains ``I_syn + I_ext`` (in the model's input unit,
:attr:`NeuronModel.INPUT_UNIT`):

* ``I_ext`` is a per-neuron parameter (default 0), or a string expression given at
  construction (``I_ext='stim(t)'`` with a :class:`~spikeloom.TimedArray`);
* ``I_syn`` is the sum of the currents ``I_<projection>`` of the projections onto the group,
  evaluated once at the start of each step and held over the step
  (``(constant over dt)``), as BrainPy's ``sum_current_inputs`` does. Each ``I_<projection>``
  is also an ordinary subexpression, so recording it gives the current at the recorded time.
"""

from __future__ import annotations

import logging
import numbers
import re
from typing import ClassVar

from ...core import NeuronGroup, unique_name
from ...equations import Equations
from ...units import get_dim
from ._params import check_parameters, is_scalar, unit_dim, unit_quantity, unit_text, unit_zero

logger = logging.getLogger("spikeloom.models")

class NeuronModel(NeuronGroup):
    """Base class of the library neurons (see the module docstring for the input hook).

    Subclasses declare class attributes only: ``EQUATIONS`` (the model string, using the
    parameter names), ``PARAMETERS`` (name → default with unit), ``INITIAL`` (state → value
    or expression), ``THRESHOLD``, ``RESET``, ``REFRACTORY``, ``METHOD``, ``POTENTIAL`` (the
    membrane potential's name), ``INPUT_UNIT`` (unit of ``I_syn``/``I_ext``) and
    ``NATIVE_ON_SPIKE`` (statements run on the neuron for a projection with
    ``synapse=None``; only models with built-in receptors, e.g. NEST's, have them).

    Parameters
    ----------
    N : int
        Number of neurons.
    method : str, optional
        Integration method; default: the model's ``METHOD``.
    init : dict, optional
        Initial values of state variables (Quantity or string expression), applied after the
        model's own (``INITIAL``).
    name : str, optional
    order : int
        Position of the group's update within the ``groups`` slot.
    **parameters
        Parameter overrides: a scalar, one value per neuron, or (for ``I_ext``) a string
        expression.
    """

    EQUATIONS: ClassVar[str] = ""
    PARAMETERS: ClassVar[dict] = {}
    INITIAL: ClassVar[dict] = {}
    THRESHOLD: ClassVar[str | None] = None
    RESET: ClassVar[str | None] = None
    REFRACTORY: ClassVar[str | bool] = False
    METHOD: ClassVar[str | None] = None
    POTENTIAL: ClassVar[str] = "V"
    INPUT_UNIT: ClassVar[str] = "amp"
    NATIVE_ON_SPIKE: ClassVar[str | None] = None
    NATIVE_WEIGHT_UNIT: ClassVar[str | None] = None
    #: name of the external-current parameter (NEST models call it ``I_e``)
    EXTERNAL: ClassVar[str] = "I_ext"
    #: parameters always stored per neuron (settable after construction)
    PER_NEURON: ClassVar[tuple[str, ...]] = ("I_ext",)
    _built = False

    def __init__(self, N, *, method: str | None = None, init: dict | None = None,
                 name: str | None = None, order: int = 0, **parameters) -> None:
        owner = f"{type(self).__name__}{'' if name is None else f' {name!r}'}"
        if isinstance(N, bool) or not isinstance(N, numbers.Integral) or N <= 0:
            raise ValueError(f"{owner}: N must be a positive integer, got {N!r}")
        defaults = dict(self.PARAMETERS)
        defaults.setdefault(self.EXTERNAL, 0 * unit_quantity(self.INPUT_UNIT))
        d = self.__dict__
        d["defaults"] = defaults
        d["N"] = int(N)
        d["_owner_label"] = owner
        d["parameters"] = check_parameters(owner, defaults, parameters, size=int(N))
        for pname, value in d["parameters"].items():
            if isinstance(value, str) and pname not in self.PER_NEURON:
                raise ValueError(f"{owner}: only {', '.join(self.PER_NEURON)} may be a string "
                                 f"expression; got {pname}={value!r}")
        if name is not None:  # claim the name now: a clash is reported here, not at the build
            unique_name(name, self._default_name, self)
        d["_method"] = method if method is not None else self.METHOD
        d["_init"] = dict(init or {})
        d["_requested_name"] = name
        d["_order"] = order
        d["_inputs"] = []  # [(label, lines, current, namespace)]
        d["_feeders"] = []  # the projections behind the inputs (kept alive)
        d["_pending"] = {}
        d["_build_reason"] = None
        d["_building"] = False

    # -- equations ---------------------------------------------------------------------------
    @property
    def input_dim(self):
        """Dimension of the input hook ``I_syn``/``I_ext``."""
        return unit_dim(self.INPUT_UNIT)

    @property
    def equations(self) -> str:
        """The full model string given to the NeuronGroup (inputs of projections included)."""
        d = self.__dict__
        unit = self.INPUT_UNIT
        lines = [self.EQUATIONS.strip("\n")]
        currents = [f"I_{label}" for label, *_ in d["_inputs"]]
        if currents:
            lines.append(f"I_syn = {' + '.join(currents)} : {unit} (constant over dt)")
        else:
            lines.append(f"I_syn = 0*{unit_zero(unit)} : {unit}")
        for label, extra, current, _ in d["_inputs"]:
            if extra.strip():
                lines.append(extra.strip("\n"))
            lines.append(f"I_{label} = {current} : {unit}")
        for pname, value in d["parameters"].items():
            unit = unit_text(get_dim(d["defaults"][pname]))
            if isinstance(value, str):
                lines.append(f"{pname} = {value} : {unit}")
            elif pname in self.PER_NEURON:
                lines.append(f"{pname} : {unit}")
            elif not is_scalar(value):
                lines.append(f"{pname} : {unit} (constant)")
        return "\n".join(lines)

    @property
    def namespace_values(self) -> dict:
        """Scalar parameters and the constants of the projections' inputs."""
        d = self.__dict__
        ns = {p: v for p, v in d["parameters"].items()
              if not isinstance(v, str) and p not in self.PER_NEURON and is_scalar(v)}
        for _, _, _, extra_ns in d["_inputs"]:
            ns.update(extra_ns)
        return ns

    # -- inputs --------------------------------------------------------------------------------
    def add_input(self, label: str, lines: str, current: str, namespace: dict,
                  owner=None) -> str:
        """Register one synaptic input (used by :class:`~spikeloom.models.Projection`).

        Parameters
        ----------
        label : str
            Unique name of the input; the current is ``I_<label>``.
        lines : str
            Extra equation lines (state variables or the ``(summed)`` target).
        current : str
            Expression of the current, in :attr:`INPUT_UNIT`.
        namespace : dict
            Constants the lines use (names must be unique to this input).
        owner : object, optional
            The object that feeds the input (a Projection); it must then be simulated
            together with the neuron (checked before each run).

        Returns
        -------
        str
            The name of the current variable.
        """
        d = self.__dict__
        if d.get("_built"):
            raise ValueError(
                f"{self.owner}: cannot add the input {label!r}: the NeuronGroup was already "
                f"built ({d['_build_reason']}). Create every Projection onto a neuron before "
                "using the neuron in core objects (Synapses, monitors, Network, run) or "
                "reading its variables.")
        taken = {lab for lab, *_ in d["_inputs"]}
        if label in taken:
            raise ValueError(f"{self.owner}: an input named {label!r} already exists; give the "
                             "projection another name")
        d["_inputs"].append((label, lines, current, dict(namespace)))
        if owner is not None:
            d["_feeders"].append(owner)
        return f"I_{label}"

    def add_feeder(self, owner) -> None:
        """Register an object that acts on this neuron and must run with it (checked)."""
        self.__dict__["_feeders"].append(owner)

    def before_run(self, network) -> None:
        missing = [f.name for f in self.__dict__["_feeders"] if f not in network.objects]
        if missing:
            raise ValueError(f"{self.owner}: the projection(s) {', '.join(map(repr, missing))} "
                             f"onto it are not part of Network {network.name!r}; add them "
                             "(their synaptic input would otherwise stay zero)")
        super().before_run(network)

    # -- lazy construction -------------------------------------------------------------------
    def build(self, reason: str = "build() was called") -> NeuronModel:
        """Create the NeuronGroup now (normally done automatically on first use)."""
        d = self.__dict__
        if d.get("_built") or d.get("_building"):
            return self
        d["_building"] = True
        try:
            eqs = Equations(self.equations, **self.namespace_values)
            refractory = self.REFRACTORY
            NeuronGroup.__init__(self, d["N"], eqs, method=d["_method"],
                                 threshold=self.THRESHOLD, reset=self.RESET,
                                 refractory=refractory, name=d["_requested_name"],
                                 order=d["_order"])
            object.__setattr__(self, "_built", True)
            d["_build_reason"] = reason
            for pname, value in d["parameters"].items():
                if not isinstance(value, str) and (pname in self.PER_NEURON
                                                   or not is_scalar(value)):
                    NeuronGroup.__setattr__(self, pname, value)
            for var, value in {**self.INITIAL, **d["_init"], **d["_pending"]}.items():
                NeuronGroup.__setattr__(self, var, value)
            d["_pending"].clear()
            logger.info("%s: built (%s); %d synaptic input(s)", self.owner, reason,
                        len(d["_inputs"]))
        finally:
            d["_building"] = False
        return self

    @property
    def owner(self) -> str:
        d = self.__dict__
        if "name" in d:
            return f"{type(self).__name__} {d['name']!r}"
        return d.get("_owner_label", type(self).__name__)

    @property
    def is_built(self) -> bool:
        return bool(self.__dict__.get("_built"))

    def __getattr__(self, name: str):
        d = self.__dict__
        if not d.get("_built"):
            if name.startswith("__") or d.get("_building") or "N" not in d:
                raise AttributeError(name)
            self.build(f"attribute {name!r} was accessed")
            return getattr(self, name)
        return NeuronGroup.__getattr__(self, name)

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        if not d.get("_built") and not d.get("_building") and "N" in d and \
                not name.startswith("_"):
            if name in _state_names(self.EQUATIONS) | set(self.PER_NEURON):
                d["_pending"][name] = value  # applied at the build
                return
            self.build(f"attribute {name!r} was set")  # e.g. a projection's variable
        NeuronGroup.__setattr__(self, name, value)

    def __getitem__(self, item):
        if not self.__dict__.get("_built"):
            return NeuronSlice(self, item)
        return NeuronGroup.__getitem__(self, item)

    def __len__(self) -> int:
        return self.__dict__["N"]

    def __repr__(self) -> str:
        state = "built" if self.is_built else "not built yet"
        return f"<{type(self).__name__} N={self.__dict__['N']} ({state})>"


class NeuronSlice:
    """``model[a:b]`` of a neuron that is not built yet: resolved to a Subgroup when needed.

    Projections accept it as their presynaptic group; any other use builds the neuron and
    forwards to the real :class:`~spikeloom.Subgroup`. Made by slicing (``neurons[:800]``),
    not called directly.

    Parameters
    ----------
    model : NeuronModel
        The library neuron sliced.
    item : slice or int
        A contiguous slice (or one index).
    """

    def __init__(self, model: NeuronModel, item) -> None:
        if isinstance(item, numbers.Integral):
            item = slice(item, item + 1)
        if not isinstance(item, slice):
            raise TypeError(f"{model.owner}: subgroups are made with a slice, e.g. G[:100]; "
                            f"got {item!r}")
        start, stop, step = item.indices(len(model))
        if step != 1 or stop <= start:
            raise IndexError(f"{model.owner}: subgroup slice {item} must be contiguous and "
                             "non-empty")
        self.model, self.start, self.stop = model, start, stop
        self._group = None

    @property
    def N(self) -> int:
        return self.stop - self.start

    def __len__(self) -> int:
        return self.N

    def resolve(self):
        """The core Subgroup (builds the neuron)."""
        if self._group is None:
            self.model.build(f"the slice [{self.start}:{self.stop}] was used")
            self._group = NeuronGroup.__getitem__(self.model, slice(self.start, self.stop))
        return self._group

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.resolve(), name)

    def __repr__(self) -> str:
        return f"<{type(self.model).__name__}[{self.start}:{self.stop}]>"


def _state_names(equations: str) -> set[str]:
    names = set(re.findall(r"^\s*d(\w+)\s*/\s*dt", equations, flags=re.M))
    names |= set(re.findall(r"^\s*(\w+)\s*:", equations, flags=re.M))
    return names
