"""NEST's plastic synapse models: ``stdp_synapse``, ``stdp_nn_symm_synapse``, ``tsodyks2_synapse``.

Parameter names, defaults, units, initial state and update rules follow NEST 3
(``models/<name>.h``), so that a NEST connection translates line by line::

    # NEST
    nest.Connect(pre, post, 'one_to_one',
                 {'synapse_model': 'stdp_synapse', 'weight': 50., 'delay': 1.5,
                  'lambda': 0.02, 'Wmax': 120.})
    # spikeloom
    S = stdp_synapse(Wmax=120*pA, **{'lambda': 0.02}).connect(
            pre, post, OneToOne(), weight=50*pA, delay=1.5*ms)

Each model writes the ``model``/``on_pre``/``on_post`` code of one
:class:`~spikeloom.Synapses` (no code of its own, nothing in :mod:`spikeloom.core`):

* the synaptic variable ``weight`` is NEST's ``weight`` (in the unit of the target's
  built-in receptor: pA for ``iaf_psc_*``, nS for ``iaf_cond_*``/``aeif_cond_exp``, mV for
  ``izhikevich``), ``S.delay`` is NEST's ``delay``; the STDP models' ``Kplus`` and the
  Tsodyks model's ``u`` and ``x`` are NEST's state of the same name;
* the spike reaches the target through the target's built-in receptors (a positive weight
  the excitatory one, a negative weight the inhibitory one, as ``Projection(...,
  synapse=None)``), or through the statements given as ``on_pre`` (``weight`` is the
  weight NEST sends);
* as in NEST, the weight of an STDP synapse changes only when a presynaptic spike reaches
  the synapse (after the delay): the postsynaptic spikes since the previous one are applied
  first (facilitation), then the depression, then the spike is sent with the new weight.

Timing (the STDP models). NEST treats the whole delay ``d`` as dendritic: the synapse sees
a presynaptic spike stamped ``t_pre`` at ``t_pre`` and a postsynaptic spike stamped
``t_post`` at ``t_post + d``, so ``Δt = t_post + d - t_pre``; a pair with ``Δt = 0`` is not
a pair, and a postsynaptic spike seen at the same time as a presynaptic spike is applied
(facilitation) before that spike's depression. Here the presynaptic pathway has the delay
``d`` (the spike is also transmitted then) and the postsynaptic pathway ``2d - dt``: each
event runs at its NEST synapse time plus ``d - dt`` (postsynaptic events one step earlier,
which puts a coinciding postsynaptic spike before the presynaptic one, NEST's order); the
code adds the step back where it computes times. The postsynaptic trace ``K_minus`` and
its time constant ``tau_minus`` are the postsynaptic neuron's in NEST (its archiving
node); here each synapse keeps the same sum, with the neuron's ``tau_minus`` (see
:meth:`NestSynapse.connect`).

The three models are compared with NEST 3.10's own runs in
``tests/models/test_nest_synapses.py``; the measured agreement is in
``docs/nest_synapses.md``.
"""

from __future__ import annotations

import keyword
import numbers
from typing import ClassVar

import numpy as np

from ... import units
from ...core import Synapses
from ...units import DIMENSIONLESS, Quantity, dim_string, get_dim, si_value
from .._validation import SECOND, format_value
from ..neurons._base import NeuronModel, NeuronSlice
from ..neurons._params import unit_text
from ..projections._placement import _self_offset
from ..projections.connectivity import AllToAll, ConnectContext, as_connectivity
from ._rule import SynapseCode
from ._text import lines as _lines
from ._text import replace_name

#: NEST's unit of a weight of each dimension (NEST writes plain numbers in these units)
NEST_WEIGHT_UNITS = ((units.pA, "pA"), (units.nS, "nS"), (units.mV, "mV"))
#: NEST's ``tau_minus`` of its archiving neurons (the postsynaptic trace of STDP)
TAU_MINUS_DEFAULT = 20.0 * units.ms


class NestSynapse:
    """Base class of the NEST synapse models (not used directly).

    Subclasses declare ``NEST_MODEL`` (NEST's name), ``DEFAULTS`` (NEST name → default:
    a float, a time, or a weight-like float in NEST's weight unit, listed in
    ``WEIGHT_LIKE``), ``STATE`` (NEST state variables that are per-synapse variables
    here) and the code (:meth:`_code`). Parameters are given with NEST's names;
    ``lambda`` (a Python keyword) also as ``lambda_``, which is its name in the code.
    """

    NEST_MODEL: ClassVar[str] = ""
    DEFAULTS: ClassVar[dict] = {}
    WEIGHT_LIKE: ClassVar[tuple[str, ...]] = ()
    STATE: ClassVar[tuple[str, ...]] = ()
    #: whether the model has a postsynaptic pathway (STDP: needs the neuron's tau_minus)
    POSTSYNAPTIC: ClassVar[bool] = False

    def __init__(self, **params) -> None:
        owner = self.NEST_MODEL
        if "lambda_" in params:
            if "lambda" in params:
                raise TypeError(f"{owner}: give lambda once (as lambda_= or as "
                                "**{'lambda': ...}), not both")
            params["lambda"] = params.pop("lambda_")
        unknown = sorted(set(params) - set(self.DEFAULTS))
        if unknown:
            hint = ""
            if "tau_minus" in unknown and self.POSTSYNAPTIC:
                hint = (" (in NEST tau_minus is a parameter of the postsynaptic neuron; pass "
                        "it to connect(..., tau_minus=...) or give the neuron a tau_minus)")
            raise TypeError(f"{owner}: unknown parameter(s) {', '.join(unknown)}; the "
                            f"parameters are {', '.join(self.DEFAULTS)}{hint}")
        values = dict(self.DEFAULTS)
        for name, value in params.items():
            values[name] = self._check(name, value)
        self.params = values
        self._check_all()

    # -- validation ----------------------------------------------------------------------------
    def _check(self, name: str, value):
        owner, default = self.NEST_MODEL, self.DEFAULTS[name]
        if name in self.WEIGHT_LIKE:
            return _check_weight_like(owner, name, value)
        if isinstance(default, Quantity):
            if not isinstance(value, Quantity) or get_dim(value) != get_dim(default):
                raise TypeError(f"{owner}: {name} must be a time (e.g. {format_value(default)})"
                                f", got {value!r}")
            x = np.asarray(si_value(value), dtype=np.float64)
            if x.ndim != 0 or not np.isfinite(x):
                raise ValueError(f"{owner}: {name} must be a finite scalar time, got {value!r}")
            return float(x) * units.second
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{owner}: {name} must be a plain number (NEST's {name} is "
                            f"dimensionless), got {value!r}")
        x = float(value)
        if not np.isfinite(x):
            raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
        return x

    def _check_all(self) -> None:
        """NEST's BadProperty checks (subclasses), as ValueErrors naming the values."""

    def _require(self, condition: bool, names: tuple[str, ...], text: str) -> None:
        if not condition:
            given = ", ".join(f"{n}={_format(self.params[n])}" for n in names)
            raise ValueError(f"{self.NEST_MODEL}: {given}: {text}")

    # -- access ----------------------------------------------------------------------------------
    def __getitem__(self, name: str):
        """A parameter by its NEST name (``model['lambda']``)."""
        return self.params[name]

    @property
    def lambda_(self):
        """NEST's ``lambda`` (``lambda`` is a Python keyword)."""
        return self.params["lambda"]

    def __getattr__(self, name: str):
        params = self.__dict__.get("params", {})
        if name in params and not keyword.iskeyword(name):
            return params[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        items = [f"{k}={_format(v)}" for k, v in self.params.items()]
        return f"{type(self).__name__}({', '.join(items)})"

    # -- code ------------------------------------------------------------------------------------
    def _constants(self, weight_unit) -> dict:
        """The parameters as constants of the model's Equations (code names, SI units)."""
        out = {}
        for name, value in self.params.items():
            if name in self.STATE:
                continue
            if name in self.WEIGHT_LIKE:
                value = _as_weight(self.NEST_MODEL, name, value, weight_unit)
            out[_code_name(name)] = value
        return out

    def _code(self, weight_unit: str, transmit: list[str], tau_minus: str) -> tuple:
        """(model lines, on_pre lines, on_post lines); ``transmit`` sends ``weight``."""
        raise NotImplementedError

    def synapse_code(self, on_pre: str | None = None, weight_unit=1.0,
                     tau_minus=None) -> SynapseCode:
        """The model's Brian2 code, with ``on_pre`` as the transmission.

        Parameters
        ----------
        on_pre : str, optional
            Statements that send the spike, using ``weight`` for the weight NEST sends
            (e.g. ``'I_syn_ex_post += weight'``); none: the weights change, nothing is sent.
        weight_unit : Quantity or 1
            Unit of ``weight`` (``pA``, ``nS``, ``mV`` or 1).
        tau_minus : Quantity (time) or str, optional
            STDP models: the postsynaptic trace's time constant, a value (a constant
            ``tau_minus`` of the model; default NEST's 20 ms) or the name of a variable in
            the code (``'tau_minus_post'``: the neuron's).

        Returns
        -------
        SynapseCode
            ``Synapses(pre, post, **code.kwargs())`` builds the synapses; set the delays with
            :meth:`connect` (or as it does) so that the timing is NEST's.
        """
        unit = unit_text(get_dim(weight_unit))
        name = tau_minus if isinstance(tau_minus, str) else "tau_minus"
        model, pre, post = self._code(unit, _lines(on_pre), name)
        constants = self._constants(weight_unit)
        if self.POSTSYNAPTIC and not isinstance(tau_minus, str):
            constants["tau_minus"] = TAU_MINUS_DEFAULT if tau_minus is None else tau_minus
        return SynapseCode("\n".join(model), "\n".join(pre), "\n".join(post), None,
                           constants)

    @property
    def equations(self) -> str:
        """The code as a user reads it (dimensionless weight, no transmission)."""
        code = self.synapse_code()
        text = code.model + "\n# on a presynaptic spike (after the delay):\n" + code.on_pre
        if code.on_post:
            text += "\n# on a postsynaptic spike (after the dendritic delay):\n" + code.on_post
        return text

    # -- building --------------------------------------------------------------------------------
    def connect(self, pre, post, connectivity=None, *, weight=1.0, delay=1.0 * units.ms,
                on_pre: str | None = None, tau_minus=None, name: str | None = None,
                dt=None) -> Synapses:
        """Connect ``pre`` to ``post`` with this synapse model (NEST's ``nest.Connect``).

        Parameters
        ----------
        pre : group
            Presynaptic spike source (a library neuron, a NeuronGroup with a threshold, an
            input group such as :class:`~spikeloom.models.spike_generator`).
        post : group
            Postsynaptic group: a NEST neuron model (``iaf_psc_exp``, ``iaf_cond_exp``...),
            whose built-in receptors receive the spike, or any spiking group with
            ``on_pre`` statements. Create the :class:`~spikeloom.models.Projection` objects
            onto a library neuron before this call (it builds the neuron).
        connectivity : Connectivity, (i, j) arrays or sparse matrix, optional
            Which pairs are connected (default: all to all, NEST's default rule).
        weight : float, Quantity or array
            NEST's ``weight`` (default 1.0): one value or one per synapse, a Quantity in the
            target's weight unit or plain numbers read in NEST's unit of it (pA, nS, mV).
        delay : Quantity (time) or array
            NEST's ``delay`` (default 1 ms): at least one time step, rounded to whole steps
            as NEST does; one value or one per synapse.
        on_pre : str, optional
            Statements that send the spike, with ``weight`` the weight NEST sends. Default:
            the target's built-in receptors; ``''`` sends nothing (NEST's ``parrot_neuron``
            receptor 1). Required for a target without built-in receptors.
        tau_minus : Quantity (time), optional
            STDP models: the postsynaptic neurons' ``tau_minus``. NEST keeps it in the neuron
            (default 20 ms). If the postsynaptic group has a variable ``tau_minus``, that is
            used (one per neuron, as in NEST) and this must be None; otherwise this value, or
            NEST's default.
        name : str, optional
        dt : Quantity (time), optional
            Time step of the synapses (default: the postsynaptic group's).

        Returns
        -------
        Synapses
            With NEST's state as variables: ``weight`` (and ``Kplus``, or ``u`` and ``x``)
            and the delay ``S.delay``.
        """
        owner = f"{self.NEST_MODEL}.connect"
        _check_source(owner, "pre", pre)
        _check_source(owner, "post", post)
        pre_group = _resolve(pre, f"{owner} used it as the presynaptic group")
        post_group = _resolve(post, f"{owner} used it as the postsynaptic group")
        transmit, weight_dim = _transmission(owner, post, on_pre, weight)
        weight_unit = _nest_unit(weight_dim)
        weights = _as_weight(owner, "weight", _check_weight_like(owner, "weight", weight,
                                                                 allow_array=True),
                             weight_unit)
        self._check_weights(owner, weights, weight_unit)
        if self.POSTSYNAPTIC:
            tau = _tau_minus(owner, post_group, tau_minus)
        elif tau_minus is not None:
            raise TypeError(f"{owner}: tau_minus={tau_minus!r}: {self.NEST_MODEL} has no "
                            "postsynaptic trace")
        else:
            tau = None
        code = self.synapse_code("\n".join(transmit), weight_unit, tau)
        rule = as_connectivity(AllToAll() if connectivity is None else connectivity)
        if dt is None:
            dt = post_group.clock.dt if hasattr(post_group, "clock") else None
        S = Synapses(pre_group, post_group, name=name, dt=dt, **code.kwargs())
        rule.connect(S, ConnectContext(len(pre_group), len(post_group),
                                       _self_offset(pre, post)))
        n_weights = np.size(np.asarray(si_value(weights)))
        if n_weights not in (1, S.N):
            raise ValueError(f"{owner}: weight has {n_weights} values but the connectivity "
                             f"made {S.N} synapses")
        step = float(si_value(S.clock.dt))
        delays = _delay_steps(owner, delay, S.N, step)
        S.delay = delays * step * units.second
        S.weight = weights
        self._initialize(S, delays, step)
        if isinstance(post, NeuronModel) and transmit:
            post.add_feeder(S)  # the neuron checks that S runs with it
        return S

    def _check_weights(self, owner: str, weights, weight_unit) -> None:
        """NEST's checks of the connection weights (subclasses)."""

    def _initialize(self, synapses, delay_steps: np.ndarray, step: float) -> None:
        """Initial state and the pathway delays of connected synapses."""


class stdp_synapse(NestSynapse):
    r"""NEST's ``stdp_synapse``: pair-based STDP, all-to-all spike interactions.

    Weight dependence of Gütig et al. (2003), applied in NEST's normalised form
    (:math:`\hat w = w/W_{max}`): at each presynaptic spike that reaches the synapse, first
    every postsynaptic spike seen since the previous presynaptic spike facilitates, in time
    order, then the new spike depresses:

    .. math::

        \hat w &\leftarrow \min\big(1,\ \hat w + \lambda (1 - \hat w)^{\mu_+}
                  K_+ e^{-(t_{post} + d - t_{last})/\tau_+}\big)
                  \quad\text{(each postsynaptic spike)} \\
        \hat w &\leftarrow \max\big(0,\ \hat w - \alpha\lambda\,\hat w^{\mu_-}
                  K_-(t_{pre} - d)\big), \qquad
        K_+ \leftarrow K_+ e^{-(t_{pre} - t_{last})/\tau_+} + 1

    with :math:`K_+` the presynaptic trace after the previous presynaptic spike
    (:math:`t_{last}`), :math:`K_-(t) = \sum_{t_k < t} e^{-(t - t_k)/\tau_-}` the
    postsynaptic neuron's trace over its spikes strictly before :math:`t`, and :math:`d`
    the delay (all of it dendritic). Then the spike is sent with the new weight.

    Equations (abridged; ``print(stdp_synapse().equations)`` shows the code; times in NEST's
    frame shifted by ``d - dt``, see the module docstring)::

        weight : 1
        Kplus : 1                       # NEST's Kplus
        t_lastspike, t_post, t_post_prev : second
        Kminus, Kminus_prev, npost, weight_fac, n_fac : 1
        # on a presynaptic spike (t: its time at the synapse)
        weight = (1 - n_fac)*weight + n_fac*weight_fac         # facilitation of the posts
        stdp_km = K_-(t), from (t_post, Kminus) or, if t_post == t, the previous entry
        stdp_n = weight/Wmax - alpha*lambda_*(weight/Wmax)**mu_minus*stdp_km
        weight = Wmax*clip(stdp_n, 0, inf)
        <send weight>
        Kplus = Kplus*exp((t_lastspike - t)/tau_plus) + 1
        t_lastspike = t
        # on a postsynaptic spike (seen at t + dt)
        stdp_n = weight_fac/Wmax + lambda_*(1 - weight_fac/Wmax)**mu_plus
                 * Kplus*exp((t_lastspike - (t + dt))/tau_plus)
        weight_fac = Wmax*clip(stdp_n, -inf, 1)
        Kminus = Kminus*exp((t_post - (t + dt))/tau_minus) + 1;  t_post = t + dt

    Parameters
    ----------
    tau_plus : Quantity, second
        Time constant of the presynaptic trace (default 20 ms).
    lambda : float
        Step size (default 0.01); give it as ``lambda_=`` or ``**{'lambda': ...}``.
    alpha : float
        Asymmetry: depression relative to facilitation (default 1.0).
    mu_plus, mu_minus : float
        Weight-dependence exponents of facilitation and depression (default 1.0 each:
        multiplicative; 0: additive).
    Wmax : float or Quantity
        Maximal weight (default 100, in NEST's unit of the target's weight: pA, nS, mV, or a
        Quantity of that unit); same sign as the weights.
    Kplus : float
        Initial presynaptic trace (default 0; >= 0).

    Notes
    -----
    ``tau_minus`` is the postsynaptic neuron's (NEST's default 20 ms): a neuron variable
    ``tau_minus`` if the group has one, else :meth:`connect`'s ``tau_minus`` argument. NEST
    starts ``t_lastspike`` at 0 ms, so with ``Kplus > 0`` the postsynaptic spikes before the
    first presynaptic spike facilitate; with NEST's ``Kplus = 0`` they do not (they only
    apply the bound ``Wmax``).

    The weight shown between presynaptic spikes (``S.weight``) is NEST's: the facilitation
    of the postsynaptic spikes since the last presynaptic spike is held in ``weight_fac``
    and applied at the next one. Set ``S.weight`` between runs only when no postsynaptic
    spike is pending (``S.n_fac == 0``), or set ``S.weight_fac`` too.

    NEST checks only that ``weight`` and ``Wmax`` have the same sign and that
    ``Kplus >= 0``; spikeloom also refuses ``Wmax = 0`` and ``tau_plus <= 0``, which make
    NEST compute NaN.

    References
    ----------
    .. [1] Guetig, R., Aharonov, R., Rotter, S., Sompolinsky, H. (2003). Learning input
       correlations through nonlinear temporally asymmetric Hebbian plasticity.
       J. Neurosci. 23, 3697-3714.
    .. [2] Morrison, A., Diesmann, M., Gerstner, W. (2008). Phenomenological models of
       synaptic plasticity based on spike timing. Biol. Cybern. 98, 459-478.
    .. [3] NEST Simulator, ``models/stdp_synapse.h``.
    """

    NEST_MODEL = "stdp_synapse"
    DEFAULTS = {"tau_plus": 20.0 * units.ms, "lambda": 0.01, "alpha": 1.0, "mu_plus": 1.0,
                "mu_minus": 1.0, "Wmax": 100.0, "Kplus": 0.0}
    WEIGHT_LIKE = ("Wmax",)
    STATE = ("Kplus",)
    POSTSYNAPTIC = True
    #: the presynaptic trace enters the facilitation (all-to-all) or only the latest spike
    NEAREST = False

    def _check_all(self) -> None:
        p = self.params
        self._require(float(si_value(p["tau_plus"])) > 0, ("tau_plus",),
                      "tau_plus must be > 0")
        self._require(_weight_value(p["Wmax"]) != 0, ("Wmax",),
                      "Wmax must not be 0 (the weight is normalised by it)")
        if "Kplus" in p:
            self._require(p["Kplus"] >= 0, ("Kplus",), "Kplus must be non-negative "
                          "(NEST refuses it too)")

    def _check_weights(self, owner, weights, weight_unit) -> None:
        w = np.atleast_1d(np.asarray(si_value(weights), dtype=np.float64))
        wmax = float(si_value(_as_weight(owner, "Wmax", self.params["Wmax"], weight_unit)))
        if self.NEAREST:  # NEST's std::signbit (-0.0 counts as negative)
            same = np.signbit(w) == np.signbit(wmax)
        else:  # NEST: (w >= 0) - (w < 0), 0 counts as positive
            same = (w >= 0) == (wmax >= 0)
        if not np.all(same):
            bad = w[~same][0] / float(si_value(weight_unit))
            raise ValueError(f"{owner}: weight={bad:g}, Wmax={_format(self.params['Wmax'])}"
                             ": weight and Wmax must have the same sign (NEST refuses it too)")

    def _code(self, weight_unit, transmit, tau_minus):
        model = [f"weight : {weight_unit}",
                 f"weight_fac : {weight_unit}",
                 "n_fac : 1",
                 "t_lastspike : second",
                 "t_post : second",
                 "t_post_prev : second",
                 "npost : 1"]
        if not self.NEAREST:
            model += ["Kplus : 1", "Kminus : 1", "Kminus_prev : 1"]
        # -- presynaptic spike at the synapse, at (frame) time t -------------------------------
        pre = ["weight = (1 - n_fac)*weight + n_fac*weight_fac",
               "stdp_c = int(npost > 0 and t_post > t - 0.5*dt)"]
        if self.NEAREST:
            pre += ["stdp_tk = (1 - stdp_c)*t_post + stdp_c*t_post_prev",
                    f"stdp_km = int(npost > stdp_c)*exp((stdp_tk - t)/{tau_minus})"]
        else:
            pre += [f"stdp_km = int(npost > stdp_c)*((1 - stdp_c)*Kminus*exp((t_post - t)/"
                    f"{tau_minus}) + stdp_c*Kminus_prev*exp((t_post_prev - t)/{tau_minus}))"]
        pre += ["stdp_n = weight/Wmax - alpha*lambda_*(weight/Wmax)**mu_minus*stdp_km",
                "weight = Wmax*clip(stdp_n, 0, inf)",
                "n_fac = 0"]
        pre += transmit
        if not self.NEAREST:
            pre.append("Kplus = Kplus*exp((t_lastspike - t)/tau_plus) + 1")
        pre.append("t_lastspike = t")
        # -- postsynaptic spike at the synapse, at (frame) time t + dt ---------------------------
        kernel = "exp((t_lastspike - (t + dt))/tau_plus)"
        post = ["weight_fac = (1 - n_fac)*weight + n_fac*weight_fac",
                f"stdp_kp = {kernel if self.NEAREST else 'Kplus*' + kernel}",
                "stdp_n = weight_fac/Wmax + lambda_*(1 - weight_fac/Wmax)**mu_plus*stdp_kp",
                "weight_fac = Wmax*clip(stdp_n, -inf, 1)",
                "n_fac = 1"]
        if not self.NEAREST:
            post += ["Kminus_prev = Kminus",
                     f"Kminus = Kminus*exp((t_post - (t + dt))/{tau_minus}) + 1"]
        post += ["t_post_prev = t_post",
                 "t_post = t + dt",
                 "npost = clip(npost + 1, 0, 2)"]
        return model, pre, post

    def _initialize(self, synapses, delay_steps, step) -> None:
        # NEST's t_lastspike starts at 0 ms: in the synapse's frame (d - dt later)
        synapses.t_lastspike = (delay_steps - 1) * step * units.second
        # the postsynaptic pathway: 2d - dt (the module docstring)
        synapses.post.delay = (2 * delay_steps - 1) * step * units.second
        if not self.NEAREST:
            synapses.Kplus = self.params["Kplus"]


class stdp_nn_symm_synapse(stdp_synapse):
    r"""NEST's ``stdp_nn_symm_synapse``: STDP with symmetric nearest-neighbour pairing.

    As :class:`stdp_synapse`, but each postsynaptic spike pairs only with the latest
    presynaptic spike before it, and each presynaptic spike only with the latest
    postsynaptic spike before it:

    .. math::

        \hat w &\leftarrow \min\big(1,\ \hat w + \lambda (1 - \hat w)^{\mu_+}
                  e^{-(t_{post} + d - t_{last})/\tau_+}\big)
                  \quad\text{(each postsynaptic spike since } t_{last}\text{)} \\
        \hat w &\leftarrow \max\big(0,\ \hat w - \alpha\lambda\,\hat w^{\mu_-}
                  e^{-(t_{pre} - d - t_{post,k})/\tau_-}\big)

    with :math:`t_{post,k}` the latest postsynaptic spike strictly before
    :math:`t_{pre} - d` (no depression without one).

    Equations: those of :class:`stdp_synapse` without the traces (``stdp_km =
    exp((t_post - t)/tau_minus)`` of the latest postsynaptic spike, ``stdp_kp =
    exp((t_lastspike - (t + dt))/tau_plus)``); see ``stdp_nn_symm_synapse().equations``.

    Parameters
    ----------
    tau_plus : Quantity, second
        Time constant of potentiation (default 20 ms).
    lambda : float
        Step size (default 0.01); as ``lambda_=`` or ``**{'lambda': ...}``.
    alpha : float
        Asymmetry (default 1.0).
    mu_plus, mu_minus : float
        Weight-dependence exponents (default 1.0).
    Wmax : float or Quantity
        Maximal weight (default 100 in NEST's weight unit of the target).

    Notes
    -----
    NEST starts ``t_lastspike`` at 0 ms, and this model has no trace to start at 0: the
    postsynaptic spikes that reach the synapse before its first presynaptic spike pair with
    a presynaptic spike at t = 0 ms (``Δt = t_post + d``). spikeloom does the same. The
    postsynaptic time constant ``tau_minus`` is the neuron's, as for :class:`stdp_synapse`.

    References
    ----------
    .. [1] Morrison, A., Diesmann, M., Gerstner, W. (2008). Phenomenological models of
       synaptic plasticity based on spike timing. Biol. Cybern. 98, 459-478 (fig. 7A).
    .. [2] NEST Simulator, ``models/stdp_nn_symm_synapse.h``.
    """

    NEST_MODEL = "stdp_nn_symm_synapse"
    DEFAULTS = {"tau_plus": 20.0 * units.ms, "lambda": 0.01, "alpha": 1.0, "mu_plus": 1.0,
                "mu_minus": 1.0, "Wmax": 100.0}
    STATE = ()
    NEAREST = True


class tsodyks2_synapse(NestSynapse):
    r"""NEST's ``tsodyks2_synapse``: Tsodyks–Markram short-term depression and facilitation.

    Between spikes the available resources ``x`` recover to 1 (``tau_rec``) and the release
    probability ``u`` decays to 0 (``tau_fac``; 0 disables facilitation). NEST updates the
    state only at spikes, in this order, with ``h`` the time since the previous spike:

    .. math::

        x_{n+1} &= 1 + (x_n - x_n u_n - 1)\, e^{-h/\tau_{rec}} \\
        u_{n+1} &= U + u_n (1 - U)\, e^{-h/\tau_{fac}}

    (``x`` first, from the previous ``u``; the first spike leaves ``u`` and ``x`` at their
    initial values), and the spike is sent with the weight ``weight * x * u``.

    Equations (``tsodyks2_synapse().equations``)::

        weight : 1
        u : 1                           # NEST's u (initial 0.5)
        x : 1                           # NEST's x (initial 1)
        t_lastspike : second
        nspike : 1
        # on a presynaptic spike
        stp_h = t - t_lastspike
        stp_xd = exp(-stp_h/tau_rec)
        stp_ud = int(tau_fac > 0*ms)*exp(-stp_h/(tau_fac + int(tau_fac <= 0*ms)*ms))
        x = nspike*(1 + (x - x*u - 1)*stp_xd) + (1 - nspike)*x
        u = nspike*(U + u*(1 - U)*stp_ud) + (1 - nspike)*u
        stp_psc = x*u*weight
        <send stp_psc>
        t_lastspike = t
        nspike = 1

    Parameters
    ----------
    U : float
        Increment of ``u`` per spike, in [0, 1] (default 0.5).
    u : float
        Initial release probability, in [0, 1] (default 0.5; as in NEST it does *not*
        follow ``U``: set both).
    x : float
        Initial fraction of available resources (default 1).
    tau_rec : Quantity, second
        Recovery time constant (default 800 ms; > 0).
    tau_fac : Quantity, second
        Facilitation time constant (default 0 ms: no facilitation; >= 0).

    Notes
    -----
    The state is per synapse (as in NEST) and depends only on the presynaptic train, so
    every synapse of one source has the same ``u`` and ``x`` if they start alike. With a
    NEST neuron as target the weight ``weight*x*u`` goes to the receptor its sign selects,
    as in NEST. The delay only shifts the transmission; NEST uses the spike's emission
    times for ``h``, which differ from the arrival times by the same delay.

    References
    ----------
    .. [1] Tsodyks, M., Markram, H. (1997). The neural code between neocortical pyramidal
       neurons depends on neurotransmitter release probability. PNAS 94(2), 719-723.
    .. [2] Tsodyks, M., Pawelzik, K., Markram, H. (1998). Neural networks with dynamic
       synapses. Neural Computation 10, 821-835.
    .. [3] Maass, W., Markram, H. (2002). Synapses as dynamic memory buffers. Neural
       Networks 15, 155-161.
    .. [4] NEST Simulator, ``models/tsodyks2_synapse.h``.
    """

    NEST_MODEL = "tsodyks2_synapse"
    DEFAULTS = {"U": 0.5, "u": 0.5, "x": 1.0, "tau_rec": 800.0 * units.ms,
                "tau_fac": 0.0 * units.ms}
    STATE = ("u", "x")

    def _check_all(self) -> None:
        p = self.params
        self._require(0.0 <= p["U"] <= 1.0, ("U",), "'U' must be in [0,1] (NEST refuses it "
                      "too)")
        self._require(0.0 <= p["u"] <= 1.0, ("u",), "'u' must be in [0,1] (NEST refuses it "
                      "too)")
        self._require(float(si_value(p["tau_rec"])) > 0, ("tau_rec",),
                      "'tau_rec' must be > 0 (NEST refuses it too)")
        self._require(float(si_value(p["tau_fac"])) >= 0, ("tau_fac",),
                      "'tau_fac' must be >= 0 (NEST refuses it too)")

    def _code(self, weight_unit, transmit, tau_minus):
        model = [f"weight : {weight_unit}", "u : 1", "x : 1", "t_lastspike : second",
                 "nspike : 1"]
        send = [replace_name(line, "weight", "stp_psc") for line in transmit]
        pre = ["stp_h = t - t_lastspike",
               "stp_xd = exp(-stp_h/tau_rec)",
               "stp_ud = int(tau_fac > 0*ms)*exp(-stp_h/(tau_fac + int(tau_fac <= 0*ms)*ms))",
               "x = nspike*(1 + (x - x*u - 1)*stp_xd) + (1 - nspike)*x",
               "u = nspike*(U + u*(1 - U)*stp_ud) + (1 - nspike)*u",
               "stp_psc = x*u*weight"] + send + ["t_lastspike = t", "nspike = 1"]
        return model, pre, []

    def _initialize(self, synapses, delay_steps, step) -> None:
        synapses.u = self.params["u"]
        synapses.x = self.params["x"]


# -- helpers -------------------------------------------------------------------------------------
def _format(value) -> str:
    """A parameter as source text; weights in NEST's unit (``50*pA``), times in ms."""
    if isinstance(value, Quantity):
        for unit, text in NEST_WEIGHT_UNITS:
            if get_dim(value) == get_dim(unit):
                return f"{float(value / unit):.15g}*{text}"
    return format_value(value)


def _code_name(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) else name


def _weight_value(value) -> float:
    return float(np.asarray(si_value(value)).reshape(-1)[0]) if isinstance(value, Quantity) \
        else float(value)


def _check_weight_like(owner: str, name: str, value, allow_array: bool = False):
    """A weight (NEST number or Quantity): finite, scalar unless ``allow_array``."""
    if isinstance(value, bool):
        raise TypeError(f"{owner}: {name} must be a number or a Quantity, got {value!r}")
    value = _as_array(owner, name, value)
    if isinstance(value, Quantity):
        x = np.asarray(si_value(value), dtype=np.float64)
    elif isinstance(value, numbers.Real) or (isinstance(value, np.ndarray)
                                             and value.dtype.kind in "iuf"):
        x = np.asarray(value, dtype=np.float64)
        value = x if x.ndim else float(x)
    else:
        raise TypeError(f"{owner}: {name} must be a number (NEST's units) or a Quantity, got "
                        f"{value!r}")
    if x.ndim > (1 if allow_array else 0):
        raise ValueError(f"{owner}: {name} must be a scalar{' or 1-D' if allow_array else ''}"
                         f", got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    return value


def _as_array(owner: str, name: str, value):
    """A list or tuple of numbers or of Quantities as one array (others unchanged)."""
    if not isinstance(value, list | tuple):
        return value
    if not any(isinstance(v, Quantity) for v in value):
        try:
            return np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{owner}: {name} must be numbers or Quantities, got "
                            f"{value!r}") from None
    dims = {get_dim(v) for v in value}
    if len(dims) != 1 or not all(isinstance(v, Quantity) for v in value):
        raise ValueError(f"{owner}: {name} mixes units: {value!r}")
    return Quantity(np.array([float(si_value(v)) for v in value]), dims.pop())


def _nest_unit(dim):
    """NEST's unit of a weight of dimension ``dim`` (1 for a dimensionless weight)."""
    if dim == DIMENSIONLESS:
        return 1.0
    for unit, _ in NEST_WEIGHT_UNITS:
        if get_dim(unit) == dim:
            return unit
    return Quantity(1.0, dim)  # another unit: SI


def _as_weight(owner: str, name: str, value, unit):
    """``value`` in the weight unit: plain numbers are NEST's numbers in ``unit``."""
    if isinstance(value, Quantity):
        if get_dim(value) != get_dim(unit):
            raise ValueError(f"{owner}: {name}={value} has unit {dim_string(get_dim(value))}, "
                             f"but the target's weight is in {dim_string(get_dim(unit))} (give "
                             f"a plain number for NEST's unit, or a Quantity in "
                             f"{dim_string(get_dim(unit))})")
        return value
    return value * unit


def _check_source(owner: str, role: str, group) -> None:
    model = group.model if isinstance(group, NeuronSlice) else group
    if isinstance(model, NeuronModel):
        if model.THRESHOLD is None:
            raise ValueError(f"{owner}: {role} ({type(model).__name__}) has no threshold, so "
                             "it never spikes")
        return
    if not hasattr(group, "spike_source") or not hasattr(group, "N"):
        raise TypeError(f"{owner}: {role} must be a group that spikes (a library neuron, a "
                        "NeuronGroup with a threshold, spike_generator...), got "
                        f"{type(group).__name__}")
    if getattr(group.spike_source, "threshold", "") is None:
        raise ValueError(f"{owner}: {role} ({group.spike_source.owner}) has no threshold, so "
                         "it never spikes")


def _resolve(group, reason: str):
    if isinstance(group, NeuronSlice):
        return group.resolve()
    if isinstance(group, NeuronModel):
        return group.build(reason)
    return group


def _transmission(owner: str, post, on_pre, weight) -> tuple[list[str], object]:
    """(statements sending ``weight``, dimension of the weight)."""
    model = post.model if isinstance(post, NeuronSlice) else post
    native = getattr(model, "NATIVE_ON_SPIKE", None) if isinstance(model, NeuronModel) \
        else None
    if on_pre is None:
        if native is None:
            raise ValueError(f"{owner}: the target {type(model).__name__} has no built-in "
                             "receptors; give on_pre= statements that send the weight "
                             "(e.g. on_pre='v_post += weight'), or on_pre='' to send nothing "
                             "(NEST's parrot_neuron, receptor 1)")
        if isinstance(post, NeuronSlice):
            raise ValueError(f"{owner}: a slice of a NEST neuron is not supported as the "
                             "target; connect to the whole group with a connectivity rule")
        return _lines(native), get_dim(_unit_of(model.NATIVE_WEIGHT_UNIT))
    if not isinstance(on_pre, str):
        raise TypeError(f"{owner}: on_pre must be a string of statements, got {on_pre!r}")
    if isinstance(model, NeuronModel) and native is not None:
        return _lines(on_pre), get_dim(_unit_of(model.NATIVE_WEIGHT_UNIT))
    weight = _as_array(owner, "weight", weight)
    return _lines(on_pre), get_dim(weight) if isinstance(weight, Quantity) else DIMENSIONLESS


def _unit_of(text: str):
    return getattr(units, text)


def _tau_minus(owner: str, post_group, tau_minus):
    """The postsynaptic neurons' ``tau_minus``: a variable's name in the code, or a value."""
    variables = getattr(post_group, "variables", {})
    if "tau_minus" in variables:
        if tau_minus is not None:
            raise ValueError(f"{owner}: tau_minus={tau_minus!r} given, but the postsynaptic "
                             "group has its own tau_minus (NEST keeps it in the neuron); set "
                             "it there")
        if get_dim(variables["tau_minus"].dim) != SECOND:
            raise ValueError(f"{owner}: the postsynaptic group's tau_minus must be a time")
        return "tau_minus_post"
    if tau_minus is None:
        return TAU_MINUS_DEFAULT
    if not isinstance(tau_minus, Quantity) or get_dim(tau_minus) != SECOND:
        raise TypeError(f"{owner}: tau_minus must be a time (e.g. 20*ms), got {tau_minus!r}")
    x = np.asarray(si_value(tau_minus), dtype=np.float64)
    if x.ndim != 0 or not np.isfinite(x) or x <= 0:
        raise ValueError(f"{owner}: tau_minus must be a positive finite time, got "
                         f"{tau_minus!r} (NEST refuses tau_minus <= 0 too)")
    return float(x) * units.second


def _delay_steps(owner: str, delay, n: int, step: float) -> np.ndarray:
    delay = _as_array(owner, "delay", delay)
    if not isinstance(delay, Quantity) or get_dim(delay) != SECOND:
        raise TypeError(f"{owner}: delay must be a time (e.g. 1*ms) or an array of times, got "
                        f"{delay!r}")
    values = np.asarray(si_value(delay), dtype=np.float64)
    if values.ndim > 1 or (values.ndim == 1 and values.size != n):
        raise ValueError(f"{owner}: delay must be one value or one per synapse ({n}), got "
                         f"shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{owner}: delay must be finite, got {delay!r}")
    steps = np.floor(values / step + 0.5).astype(np.int64)
    if np.any(steps < 1):
        raise ValueError(f"{owner}: delay={delay!r} is shorter than one time step "
                         f"({step * 1e3:g} ms); NEST refuses it too")
    return np.broadcast_to(steps, (n,)).copy()
