"""The interface every plasticity rule shares: Brian2 code out, Synapses in.

A rule is a small immutable object. It never simulates anything itself: it writes the
``model``/``on_pre``/``on_post`` strings and the namespace of a :class:`~spikeloom.Synapses`,
so the same rule runs in spikeloom and, printed with :meth:`PlasticityRule.to_brian2`, in
Brian2. Three ways to use one::

    S = rule.attach(pre, post, on_pre='ge_post += w', w=0.5)        # Synapses + connect + init
    S = Synapses(pre, post, **rule.synapse_kwargs(on_pre='ge_post += w'))
    S.connect(); rule.initialize(S, w=0.5)                         # the same, by hand
    print(rule)                                                    # Brian2 source
"""

from __future__ import annotations

import functools
import inspect
import logging
import sys
import textwrap
import warnings
from dataclasses import dataclass, field

import numpy as np

from ...core import Synapses
from ...equations import Equations
from ...units import Quantity, get_dim, si_value
from .._validation import SECOND, check_choice, check_int, format_value, parameter_lines
from ..devices._memristor import Memristor
from ._numeric import evaluate, si_names
from ._pairing import COINCIDENT, Branch, canonical_pairing, pairing_code
from ._text import lines as _lines
from ._text import replace_name

TRANSMITS = ("before", "after")
logger = logging.getLogger("spikeloom.models")
#: Rules (class names) whose unbounded construction has been warned about in this process.
_WARNED_UNBOUNDED: set[str] = set()


class UnboundedWeightWarning(UserWarning):
    """A rule was built without a bound on its weights (e.g. ``NanocompositeSTDP(clip=False)``).

    Issued once per rule class and process. Silence it with
    ``warnings.filterwarnings("ignore", category=UnboundedWeightWarning)``.
    """


@dataclass(frozen=True)
class SynapseCode:
    """Brian2 code of a plastic synapse: what ``Synapses(source, target, **kwargs)`` takes.

    Attributes
    ----------
    model, on_pre, on_post : str
        Brian2 model equations and event statements.
    namespace : dict or None
        The user's external constants, if given.
    constants : dict
        The rule's and the device's parameters (name → value with unit) and the switch
        ``plastic`` (1.0: on). They travel with the model as the constants of its
        :class:`~spikeloom.Equations`, so ``S.A_plus = 0`` or ``S.plastic = False`` between
        runs takes effect without a new compilation.
    """

    model: str
    on_pre: str
    on_post: str
    namespace: dict | None = None
    constants: dict = field(default_factory=dict)

    def kwargs(self) -> dict:
        """Keyword arguments for :class:`~spikeloom.Synapses`."""
        kw = {"model": Equations(self.model, **self.constants), "on_pre": self.on_pre,
              "on_post": self.on_post}
        if self.namespace is not None:
            kw["namespace"] = dict(self.namespace)
        return kw

    @property
    def brian2_model(self) -> str:
        """The model as Brian2 code: parameters as constant lines, ``plastic`` a variable."""
        params = {k: v for k, v in self.constants.items() if k != "plastic"}
        lines = parameter_lines(params)
        if "plastic" in self.constants:
            lines.append("plastic : boolean (shared)")
        return "\n".join(lines + [self.model])


@dataclass
class Extras:
    """Rule-specific lines around the pairing code (e.g. the triplet traces)."""

    model: list[str] = field(default_factory=list)
    pre_before: list[str] = field(default_factory=list)
    pre_after: list[str] = field(default_factory=list)
    post_before: list[str] = field(default_factory=list)
    post_after: list[str] = field(default_factory=list)


class PlasticityRule:
    """Base class of the rules (not used directly).

    Subclasses define :meth:`_branches` (potentiation and depression as factor × kernel),
    :meth:`_parameters` (constants written into the model), :meth:`_bounds` (the clip of the
    weight, or none) and ``w_min``/``w_max``. Each formula is written once, as Brian2
    expressions: the synaptic code and the closed form :meth:`delta_w` are both derived from
    :meth:`_branches` and :meth:`_bounds`.

    A rule built without bounds (``_bounds()`` None and no other bound, see
    :meth:`_unbounded`) issues an :class:`UnboundedWeightWarning`, once per class and process.

    Parameters stay valid: after construction, setting one (``rule.tau_plus = -5*ms``) runs
    the constructor's checks again with the new value and raises if they fail; attributes
    that are not constructor parameters cannot be set. A subclass whose constructor
    parameters are not all stored under their own names keeps plain attributes.

    Parameters
    ----------
    pairing : str
        Which spike pairs the rule sees: 'all-to-all', 'nn_symm', 'nn_pre_centered' or
        'nn_restr' (see :mod:`spikeloom.models.plasticity`).
    device : Memristor or None
        The device under the weight (None: an ideal weight).
    n_history : int
        Spikes remembered per side where a scheme needs them (>= 1).
    coincident : {'discard', 'potentiate'}
        Same-step pre and post spikes: no pair (NEST, default) or a Δt = 0 potentiation.
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return

        @functools.wraps(init)
        def __init__(self, *args, **kw):
            # attributes set while any constructor of the chain runs are the checked values
            depth = self.__dict__.get("_init_depth", 0)
            object.__setattr__(self, "_init_depth", depth + 1)
            try:
                init(self, *args, **kw)
            finally:
                object.__setattr__(self, "_init_depth", depth)
            if depth == 0:  # the outermost constructor: every parameter is set
                _warn_if_unbounded(self)

        cls.__init__ = __init__

    def __setattr__(self, name: str, value) -> None:
        if name.startswith("_") or self.__dict__.get("_init_depth", 0):
            object.__setattr__(self, name, value)
            return
        cls = type(self)
        owner = cls.__name__
        params = [p.name for p in inspect.signature(cls).parameters.values()
                  if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        if not all(p in self.__dict__ for p in params):
            object.__setattr__(self, name, value)  # not a rule we know how to rebuild
            return
        if name not in params:
            raise AttributeError(f"{owner}: {name!r} is not a parameter of the rule (it is "
                                 f"derived or unknown); parameters: {', '.join(params)}")
        kwargs = {p: self.__dict__[p] for p in params}
        kwargs[name] = value
        rebuilt = cls(**kwargs)  # every check of the constructor, cross-checks included
        self.__dict__.update({k: v for k, v in rebuilt.__dict__.items() if k != "_init_depth"})

    def __init__(self, *, pairing: str, device: Memristor | None, n_history: int,
                 coincident: str = "discard") -> None:
        owner = type(self).__name__
        self.pairing = canonical_pairing(owner, pairing)
        self.coincident = check_choice(owner, "coincident", coincident, COINCIDENT)
        if device is not None and not isinstance(device, Memristor):
            raise TypeError(f"{owner}: device must be a Memristor or None, got {device!r}")
        self.device = device
        self.n_history = check_int(owner, "n_history", n_history, 1)

    # -- hooks -----------------------------------------------------------------------------------
    def _branches(self) -> tuple[Branch, Branch]:
        raise NotImplementedError

    def _parameters(self) -> dict:
        raise NotImplementedError

    def _bounds(self) -> tuple[str, str] | None:
        """Brian2 expressions (low, high) that the weight is clipped to after each update, or
        None for no clip. The one description of the bounds: :meth:`_bound` writes it into
        the code and :meth:`delta_w` evaluates it."""
        return None

    def _unbounded(self) -> str | None:
        """Why the weights of this rule are unbounded (for the warning), or None if they are
        bounded. Default: unbounded exactly when :meth:`_bounds` is None; a rule whose
        weight dependence bounds the weights without a clip overrides this."""
        return None if self._bounds() is not None else "its updates are not clipped"

    def _pair_state(self) -> dict:
        """Values of the names other than the parameters, ``{w}`` and ``{dt}`` that the
        branches read, for one isolated pair (no earlier spikes); see :meth:`delta_w`."""
        return {}

    def _updated(self, w: str, dw: str) -> str:
        """Expression of the weight ``w`` after the increment ``dw``, under the bounds."""
        bounds = self._bounds()
        if bounds is None:
            return f"{w} + {dw}"
        low, high = bounds
        return f"clip({w} + {dw}, {low}, {high})"

    def _bound(self, w: str, dw: str) -> list[str]:
        """Statements adding increment ``dw`` to weight ``w`` under the rule's bounds."""
        return [f"{w} = {self._updated(w, dw)}"]

    def _extras(self, w: str) -> Extras:
        return Extras()

    def _repr_items(self) -> dict:
        return dict(self._parameters())

    def delta_w(self, delta_t, w):
        """Weight change of one isolated pair (NumPy), for checks and plots.

        Evaluates the rule's own Brian2 expressions (the factor and kernel of each branch of
        :meth:`_branches`, then the clip of :meth:`_bounds`) with its parameters, so it is
        the closed form of the code that runs, not a second copy of it. Other names the
        branches read take their isolated-pair values (:meth:`_pair_state`).

        Parameters
        ----------
        delta_t : Quantity (time), array
            Δt = t_post - t_pre (delay included); Δt = 0 changes nothing (NEST's rule).
        w : float or array
            Weight before the pair (dimensionless), broadcast against ``delta_t``.

        Returns
        -------
        ndarray
            The new weight minus ``w`` (bounds applied, no device).
        """
        owner = f"{type(self).__name__}.delta_w"
        dt = np.asarray(si_value(delta_t), dtype=np.float64)
        w = np.asarray(w, dtype=np.float64)
        names = {**si_names(self._parameters()), **self._pair_state()}
        pair = {**names, "stdp_w": w, "stdp_dt": dt}
        ltp, ltd = self._branches()
        up = evaluate(ltp.increment("stdp_w", "stdp_dt"), pair, owner)
        down = evaluate(ltd.increment("stdp_w", "stdp_dt"), pair, owner)
        dw = np.where(dt > 0, up, np.where(dt < 0, down, 0.0))
        new = evaluate(self._updated("stdp_w", "stdp_dw"), {**pair, "stdp_dw": dw}, owner)
        return new - w

    # -- code --------------------------------------------------------------------------------------
    @property
    def equations(self) -> SynapseCode:
        """The rule's own Brian2 code (no transmission statement)."""
        return self.synapse_code()

    def synapse_code(self, on_pre: str | None = None, on_post: str | None = None,
                     model: str | None = None, namespace: dict | None = None,
                     transmit: str = "before") -> SynapseCode:
        """The rule's code merged with the user's.

        Parameters
        ----------
        on_pre : str, optional
            Transmission statements run on each presynaptic spike, e.g. ``'ge_post += w'``.
            With a device, ``w`` here reads the device (drift, read noise).
        on_post : str, optional
            Extra statements run on each postsynaptic spike, after the rule's.
        model : str, optional
            Extra synaptic model lines.
        namespace : dict, optional
            Constants used by the user's code. Without it, names are looked up when the
            network runs, as for any Brian2 object.
        transmit : {'before', 'after'}
            Whether ``on_pre`` runs before the rule's update of the weight (Brian2 examples)
            or after it (NEST sends the updated weight).
        """
        owner = type(self).__name__
        check_choice(owner, "transmit", transmit, TRANSMITS)
        dev = self.device.code(self.w_min, self.w_max) if self.device is not None else None
        weight = dev.weight if dev is not None else "w"
        def apply(dw):
            # the switch scales the increment: frozen, the device sees no update (no
            # programming, drift goes on) and w + 0 leaves the weight bit-identical
            gate = [f"{dw} = plastic*{dw}"]
            if dev is not None and dev.update_path:
                return gate + self.device.apply(weight, dw)
            return gate + self._bound(weight, dw)
        ltp, ltd = self._branches()
        pc = pairing_code(self.pairing, ltp, ltd, weight, apply, self.n_history,
                          self.coincident)
        ex = self._extras(weight)
        user_pre = _lines(on_pre)
        if dev is not None and dev.read_name != "w":
            user_pre = [replace_name(line, "w", dev.read_name) for line in user_pre]
        transmission = (dev.read if dev is not None and user_pre else []) + user_pre
        prologue = dev.prologue if dev is not None else []
        epi_pre = self.device.epilogue("stdp_dwd") if self.device is not None else []
        epi_post = self.device.epilogue("stdp_dwp") if self.device is not None else []
        pre = prologue + (transmission if transmit == "before" else [])
        pre += ex.pre_before + pc.on_pre + ex.pre_after
        pre += (transmission if transmit == "after" else []) + epi_pre
        post = prologue + ex.post_before + pc.on_post + ex.post_after + epi_post
        post += _lines(on_post)
        params = dict(self._parameters())
        if dev is not None:
            params.update(dev.constants)
        for key in namespace or {}:
            if key in params:
                raise ValueError(f"{owner}: namespace entry {key!r} has the name of a rule "
                                 f"parameter ({key} = {format_value(params[key])}); rename your "
                                 "constant")
        if "plastic" in (namespace or {}):
            raise ValueError(f"{owner}: namespace entry 'plastic' is the name of the rule's "
                             "plasticity switch (S.plastic); rename your constant")
        model_lines = ["w : 1"] + pc.model + ex.model
        model_lines += (dev.model if dev is not None else []) + _lines(model)
        ns = None if namespace is None else dict(namespace)
        params["plastic"] = 1.0
        return SynapseCode("\n".join(model_lines), "\n".join(pre), "\n".join(post), ns,
                           params)

    def synapse_kwargs(self, on_pre: str | None = None, on_post: str | None = None,
                       model: str | None = None, namespace: dict | None = None,
                       transmit: str = "before") -> dict:
        """Keyword arguments for ``Synapses(source, target, **kwargs)``.

        Same parameters as :meth:`synapse_code`. After ``S.connect(...)`` call
        :meth:`initialize` if the rule has a device or the synapses have delays.
        """
        return self.synapse_code(on_pre, on_post, model, namespace, transmit).kwargs()

    def attach(self, source, target, *, connect=True, w=None, delay=None,
               on_pre: str | None = None, on_post: str | None = None,
               model: str | None = None, namespace: dict | None = None,
               transmit: str = "before", seed: int | None = None, name: str | None = None,
               dt=None) -> Synapses:
        """Create, connect and initialise plastic synapses from ``source`` to ``target``.

        Parameters
        ----------
        source, target : group
            Pre- and postsynaptic groups (any spiking group).
        connect : bool, str or dict
            True: all-to-all; a string: a connection condition; a dict: keyword arguments
            of :meth:`Synapses.connect`; False: connect later (then call :meth:`initialize`).
        w : float, array or str, optional
            Initial weights (dimensionless; a string is evaluated per synapse).
        delay : Quantity (time), optional
            Synaptic delay, counted in Δt as NEST does (see :func:`set_pairing_delay`).
        on_pre, on_post, model, namespace, transmit
            As in :meth:`synapse_code`.
        seed : int, optional
            Seed of the per-device draws (device-to-device variability, stuck faults); None
            draws from NumPy's global generator (seeded by ``spikeloom.seed``).
        name : str, optional
        dt : Quantity (time), optional
            Time step of the synapses (default: the default clock's).

        Returns
        -------
        Synapses
        """
        kwargs = self.synapse_kwargs(on_pre, on_post, model, namespace, transmit)
        S = Synapses(source, target, name=name, dt=dt, **kwargs)
        if connect is False or connect is None:
            return S
        if connect is True:
            S.connect()
        elif isinstance(connect, str):
            S.connect(connect)
        elif isinstance(connect, dict):
            S.connect(**connect)
        else:
            raise TypeError(f"{type(self).__name__}.attach: connect must be True, False, a "
                            f"condition string or a dict of connect() arguments, got {connect!r}")
        self.initialize(S, w=w, delay=delay, seed=seed)
        return S

    def initialize(self, synapses, *, w=None, delay=None, seed: int | None = None) -> None:
        """Set the initial state of connected synapses built from this rule.

        Parameters
        ----------
        synapses : Synapses
            Built with this rule's code and already connected.
        w : float, array or str, optional
            Initial weights (kept as they are if None).
        delay : Quantity (time), optional
            Synaptic delay (see :func:`set_pairing_delay`).
        seed : int, optional
            Seed of the per-device draws; None: NumPy's global generator.
        """
        if w is not None:
            synapses.w = w
        if delay is not None:
            set_pairing_delay(synapses, delay)
        if self.device is not None and not self.device.is_ideal:
            if seed is None:
                seed = int(np.random.randint(0, 2**62))
                logger.info("%s %r: per-device draws use seed=%d (taken from NumPy's global "
                            "generator; pass seed= to fix it)", type(self).__name__,
                            synapses.name, seed)
            self.device.initialize(synapses, self.w_min, self.w_max,
                                   np.random.default_rng(seed))

    # -- printing ----------------------------------------------------------------------------------
    def to_brian2(self, source: str = "source", target: str = "target",
                  on_pre: str | None = None, on_post: str | None = None,
                  model: str | None = None, transmit: str = "before") -> str:
        """Brian2 source that builds these synapses (runs under ``from brian2 import *``)."""
        code = self.synapse_code(on_pre, on_post, model, None, transmit)

        def block(text: str) -> str:
            return "'''\n" + textwrap.indent(text, "        ") + "\n        '''"

        lines = [f"# {self!r}",
                 f"S = Synapses({source}, {target},",
                 f"    model={block(code.brian2_model)},",
                 f"    on_pre={block(code.on_pre)},",
                 f"    on_post={block(code.on_post)})",
                 "S.plastic = True  # False freezes the weights",
                 "# with a synaptic delay d counted in Δt as in NEST: "
                 "S.delay = d; S.post.delay = 2*d"]
        if self.device is not None and not self.device.is_ideal:
            lines.append("# per-device parameters and faults: see Memristor.initialize "
                         "(spikeloom), which sets the (constant) mem_* variables and w")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_brian2()

    def __repr__(self) -> str:
        items = [f"{k}={format_value(v)}" for k, v in self._repr_items().items()]
        items.append(f"pairing={self.pairing!r}")
        if self.coincident != "discard":
            items.append(f"coincident={self.coincident!r}")
        if self.device is not None:
            items.append(f"device={self.device!r}")
        return f"{type(self).__name__}({', '.join(items)})"


def _warn_if_unbounded(rule: PlasticityRule) -> None:
    """Warn (once per rule class and process) that ``rule`` does not bound its weights."""
    owner = type(rule).__name__
    reason = rule._unbounded()
    if reason is None or owner in _WARNED_UNBOUNDED:
        return
    _WARNED_UNBOUNDED.add(owner)
    warnings.warn(f"{owner}: {reason}, so the weights can leave [w_min, w_max] (a physical "
                  "device's conductance cannot); this is the explicit choice of e.g. a script "
                  "that reproduces unclipped published code. Warned once per process.",
                  UnboundedWeightWarning, stacklevel=_caller_level())


def _caller_level() -> int:
    """``stacklevel`` of the first frame outside this package (constructors, ``nest_fit`` and
    attribute sets all reach the check through a varying number of frames in here)."""
    frame, level = sys._getframe(2), 2  # 1: the function that calls warnings.warn
    while frame is not None and frame.f_globals.get("__name__", "").startswith(__package__):
        frame, level = frame.f_back, level + 1
    return level


def set_pairing_delay(synapses, delay) -> None:
    """Give ``synapses`` the delay ``d`` counted in Δt as NEST counts it.

    NEST treats the delay as dendritic: a pre spike at t_pre meets a post spike at t_post + d,
    so Δt = t_post + d - t_pre. Brian2 delays the ``pre`` pathway, where the synaptic code
    runs at t_pre + d. Delaying the ``post`` pathway by 2d as well puts every event in the
    synapse at NEST's time plus d: Δt and the order of events are NEST's, and the
    transmission still arrives at t_pre + d.

    Parameters
    ----------
    synapses : Synapses
        Connected synapses with a ``post`` pathway.
    delay : Quantity (time), scalar or one per synapse
    """
    if get_dim(delay) != SECOND or not isinstance(delay, Quantity):
        raise TypeError(f"set_pairing_delay: delay must be a time (e.g. 1*ms), got {delay!r}")
    if np.any(np.asarray(si_value(delay)) < 0):
        raise ValueError(f"set_pairing_delay: delay must be >= 0, got {delay!r}")
    synapses.delay = delay
    synapses.post.delay = 2 * delay
