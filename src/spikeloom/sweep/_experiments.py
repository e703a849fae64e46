"""What a sweep can run: experiments, their parameters, and the task that runs one row.

An :class:`Experiment` names its parameters (:class:`Parameter`: type, default, allowed
values, unit, meaning) and a function ``run(params, seed) -> dict`` of the measured values.
:data:`EXPERIMENTS` is the registry; ``'classify'`` (cross-validated F1 of
:class:`~spikeloom.tasks.MemristiveSNNClassifier` under device non-idealities) is the only
one so far. Nothing here imports Dask, pandas or scikit-learn at import time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..tasks._names import DATASET_ALIASES, DATASETS, DECODERS, ENCODINGS, NETWORKS, RULES

#: Python types of the parameter kinds (and of their Parquet columns)
KINDS = ("choice", "int", "float")


@dataclass(frozen=True)
class Parameter:
    """One parameter of an experiment: its type, default and allowed values.

    Attributes
    ----------
    name : str
    kind : {'choice', 'int', 'float'}
        A string out of ``choices``, an integer, or a real number (integers accepted).
    default
        The value of a configuration that does not give it (None: off / the estimator's).
    doc : str
        Meaning, with unit, for error messages and the documentation.
    choices : tuple of str
        Allowed strings of a 'choice' parameter.
    aliases : dict
        Other accepted spellings of a choice, mapped onto the canonical one.
    minimum, maximum : float, optional
        Bounds of an 'int' or 'float' parameter (inclusive unless ``minimum_open``).
    minimum_open : bool
        The minimum itself is not allowed.
    nullable : bool
        None is allowed (in Python; TOML has no null: leave the parameter out instead).
    device : bool
        A device non-ideality (plotted by :func:`spikeloom.sweep.plot_results`).
    """

    name: str
    kind: str
    default: object
    doc: str
    choices: tuple[str, ...] = ()
    aliases: dict = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    minimum_open: bool = False
    nullable: bool = False
    device: bool = False

    def allowed(self) -> str:
        """The allowed values in words, e.g. ``'a number >= 0'``."""
        if self.kind == "choice":
            text = "one of " + ", ".join(map(repr, self.choices + tuple(self.aliases)))
        else:
            text = "an integer" if self.kind == "int" else "a number"
            bounds = []
            if self.minimum is not None:
                bounds.append(f"{'>' if self.minimum_open else '>='} {self.minimum:g}")
            if self.maximum is not None:
                bounds.append(f"<= {self.maximum:g}")
            text += " " + " and ".join(bounds) if bounds else ""
        return text + (" (or None)" if self.nullable else "")

    def check(self, value, where: str):
        """``value`` in canonical form (alias resolved, int as float), or ValueError."""
        if value is None and self.nullable:
            return None
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices + tuple(self.aliases):
                return self.aliases.get(value, value)
        elif self._in_range(value):
            return int(value) if self.kind == "int" else float(value)
        raise ValueError(f"{where}: {self.name} must be {self.allowed()}, got {value!r}")

    def _in_range(self, value) -> bool:
        # bool is an int in Python, but True is no count and no noise level
        number = (int,) if self.kind == "int" else (int, float)
        if isinstance(value, bool) or not isinstance(value, number):
            return False
        if not math.isfinite(value):
            return False
        if self.minimum is not None and (value < self.minimum
                                         or (self.minimum_open and value == self.minimum)):
            return False
        return self.maximum is None or value <= self.maximum


@dataclass(frozen=True)
class Experiment:
    """An experiment a sweep can run: named parameters and a task function.

    Attributes
    ----------
    name : str
        Its name in ``[sweep] experiment``.
    parameters : dict of str to Parameter
        In the order of the result columns.
    run : callable
        ``run(params, seed) -> dict`` of measured values (``params``: every parameter,
        resolved); a module-level function, so that Dask workers can import it.
    check : callable
        ``check(params, where)`` raises ValueError for a combination that cannot run.
    measures : dict of str to str
        The columns ``run`` returns and their Parquet types ('float', 'int', 'str',
        'float_list').
    """

    name: str
    parameters: dict[str, Parameter]
    run: Callable[[dict, int], dict]
    check: Callable[[dict, str], None]
    measures: dict[str, str]

    def resolve(self, given: dict, where: str) -> dict:
        """Every parameter of a configuration: the given ones checked, the rest defaults."""
        for name in given:
            self.check_name(name, where)
        params = {name: spec.check(given[name], where) if name in given else spec.default
                  for name, spec in self.parameters.items()}
        self.check(params, where)
        return params

    def check_name(self, name: str, where: str) -> Parameter:
        if name not in self.parameters:
            raise ValueError(f"{where}: unknown parameter {name!r} of experiment "
                             f"{self.name!r}; allowed: {', '.join(self.parameters)}")
        return self.parameters[name]

    @property
    def device_parameters(self) -> tuple[str, ...]:
        return tuple(name for name, spec in self.parameters.items() if spec.device)


# -- 'classify' ----------------------------------------------------------------------------

CLASSIFY_PARAMETERS = {spec.name: spec for spec in (
    Parameter("dataset", "choice", "iris", "benchmark data set (spikeloom.tasks.load_dataset)",
              choices=DATASETS, aliases=dict(DATASET_ALIASES)),
    Parameter("rule", "choice", "nc", "plasticity rule of the input synapses", choices=RULES),
    Parameter("encoding", "choice", "rate", "spike code of the inputs", choices=ENCODINGS),
    Parameter("network", "choice", "classwise", "network of the classifier",
              choices=NETWORKS),
    Parameter("folds", "int", 5, "stratified cross-validation folds", minimum=2),
    Parameter("epochs", "int", 4, "passes over the training set with plasticity on",
              minimum=0),
    Parameter("n_neurons", "int", None, "excitatory neurons of the WTA network (None: 10 "
              "per class; network='wta' only)", minimum=1, nullable=True),
    Parameter("decoder", "choice", "own-rate", "from spike counts to classes",
              choices=DECODERS),
    Parameter("backend", "choice", "numba", "backend of the task's runs: 'numba' (the folds "
              "one after another) or 'jax' (the folds side by side, one program vectorised "
              "over them: cross_validate(batch=True); needs spikeloom[jax] or [gpu])",
              choices=("numba", "jax")),
    Parameter("levels", "int", None, "programmable conductance levels per device (None: "
              "analog)", minimum=2, nullable=True, device=True),
    Parameter("c2c", "float", 0.0, "cycle-to-cycle noise: relative sd of the change of "
              "each programming event (0.1 = 10 %)", minimum=0.0, device=True),
    Parameter("d2d", "float", 0.0, "device-to-device spread: relative sd of each device's "
              "G_max (log-normal, mean 100 uS)", minimum=0.0, device=True),
    Parameter("stuck", "float", 0.0, "fraction of stuck devices, half at G_min (w = 0), "
              "half at G_max (w = 1)", minimum=0.0, maximum=1.0, device=True),
    Parameter("drift", "float", 0.0, "power-law drift exponent nu: a weight reads "
              "w*(t/1 s)^-nu, t since it was programmed", minimum=0.0, device=True),
    Parameter("read_noise", "float", 0.0, "relative sd of the conductance read at each "
              "transmission", minimum=0.0, device=True),
)}

#: conductance range of the sweep's devices: G_min = 0, so that drift and d2d scale the
#: weight itself (w = G/G_max), as the NC and PPX presets; 100 uS as Memristor's default
SWEEP_G_MAX_US = 100.0
#: reference time of power-law drift (s): no drift in the first second after programming
DRIFT_T0_S = 1.0


def classify_device(params: dict):
    """The :class:`~spikeloom.models.devices.Memristor` of a 'classify' configuration.

    Parameters
    ----------
    params : dict
        A configuration's parameters (those absent count as off).

    Returns
    -------
    Memristor or None
        ``Memristor(G_min=0 S, G_max=100 uS, n_levels=levels, c2c=c2c (relative),
        d2d={'G_max': d2d}, p_stuck_min=stuck/2, p_stuck_max=stuck/2, drift='power-law',
        drift_nu=drift, drift_t0=1 s, read_noise=read_noise)``, each argument only where its
        parameter is on; None (an ideal weight, no device) where none is.
    """
    from .. import units
    from ..models.devices import Memristor

    kwargs = {}
    if params.get("levels") is not None:
        kwargs["n_levels"] = int(params["levels"])
    if params.get("c2c"):
        kwargs["c2c"] = float(params["c2c"])
    if params.get("d2d"):
        kwargs["d2d"] = {"G_max": float(params["d2d"])}
    if params.get("stuck"):
        kwargs["p_stuck_min"] = kwargs["p_stuck_max"] = float(params["stuck"]) / 2
    if params.get("drift"):
        kwargs.update(drift="power-law", drift_nu=float(params["drift"]),
                      drift_t0=DRIFT_T0_S * units.second)
    if params.get("read_noise"):
        kwargs["read_noise"] = float(params["read_noise"])
    if not kwargs:
        return None
    return Memristor(G_min=0 * units.siemens, G_max=SWEEP_G_MAX_US * units.uS, **kwargs)


def classify_estimator_params(params: dict) -> dict:
    """``params=`` of :func:`~spikeloom.tasks.cross_validate` for a configuration."""
    return {"epochs": params["epochs"], "decoder": params["decoder"],
            "n_neurons": params["n_neurons"], "device": classify_device(params)}


@functools.cache
def _smallest_class(dataset: str) -> int:
    import numpy as np

    from ..tasks.datasets import load_dataset

    return int(np.unique(load_dataset(dataset)[1], return_counts=True)[1].min())


def check_classify(params: dict, where: str) -> None:
    """Combinations cross_validate would refuse, found before anything is submitted."""
    smallest = _smallest_class(params["dataset"])
    if params["folds"] > smallest:
        raise ValueError(f"{where}: folds must be <= {smallest} (the smallest class count of "
                         f"{params['dataset']!r}), got {params['folds']!r}")
    if params["n_neurons"] is not None and params["network"] != "wta":
        raise ValueError(f"{where}: n_neurons is the size of the WTA network; it needs "
                         f"network='wta', got n_neurons={params['n_neurons']!r} with "
                         f"network={params['network']!r} (give them in a separate grid)")
    try:
        classify_device(params)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{where}: the device of this configuration is invalid: {exc}") \
            from None


def run_classify(params: dict, seed: int) -> dict:
    """Cross-validated F1-macro of one 'classify' configuration for one seed.

    ``seed`` is ``random_state`` of :func:`~spikeloom.tasks.cross_validate` (fold split,
    per-fold classifier seeds, from which the classifiers' networks also draw their in-run
    random numbers: c2c and read noise); spikeloom's global seed is set to it as well, so
    that nothing a task runs depends on the tasks its worker ran before. No controls are
    run. ``backend='jax'`` runs the folds as one batch on the JAX backend.

    Returns
    -------
    dict
        ``f1_mean``, ``f1_sd`` (population sd over the folds), ``f1`` (list, one per fold)
        and ``wall_s`` (wall time of the task, s).
    """
    import spikeloom

    from ..tasks._experiment import cross_validate

    start = time.perf_counter()
    # a worker runs many tasks: each starts from an empty scope and the same seed state
    spikeloom.start_scope()
    spikeloom.seed(seed)
    previous = spikeloom.get_device().name
    spikeloom.set_device(params["backend"])
    try:
        result = cross_validate(params["dataset"], params["rule"], folds=params["folds"],
                                encoding=params["encoding"], network=params["network"],
                                params=classify_estimator_params(params), random_state=seed,
                                progress=False, controls=False,
                                batch=params["backend"] == "jax")
    finally:
        spikeloom.set_device(previous)
    return {"f1_mean": result.mean, "f1_sd": result.sd,
            "f1": [float(v) for v in result.f1], "wall_s": time.perf_counter() - start}


CLASSIFY = Experiment(
    name="classify", parameters=CLASSIFY_PARAMETERS, run=run_classify, check=check_classify,
    measures={"f1_mean": "float", "f1_sd": "float", "f1": "float_list", "wall_s": "float"})

#: experiments by name (``[sweep] experiment``); :func:`register_experiment` adds one
EXPERIMENTS: dict[str, Experiment] = {"classify": CLASSIFY}


def register_experiment(experiment: Experiment) -> None:
    """Make ``experiment`` available to sweeps by its name.

    Its ``run`` must be importable by the workers (a module-level function of an installed
    module). Row columns ``key``, ``experiment`` and ``seed`` are reserved.

    Parameters
    ----------
    experiment : Experiment
        Its parameters, task function and measures; replaces one of the same name.
    """
    reserved = {"key", "experiment", "seed"} & (set(experiment.parameters)
                                                | set(experiment.measures))
    if reserved:
        raise ValueError(f"register_experiment: {', '.join(sorted(reserved))} are reserved "
                         "column names; rename those parameters or measures")
    EXPERIMENTS[experiment.name] = experiment


#: hex digits of a row's key (80 bits: no collision among any realistic number of rows)
KEY_DIGITS = 20


def task_key(experiment: str, params: dict, seed: int) -> str:
    """The stable key of one configuration and seed: a hash of their canonical JSON.

    ``params`` must be resolved (every parameter, canonical values), so that a parameter
    given at its default and one left out give the same key.

    Parameters
    ----------
    experiment : str
        The experiment's name.
    params : dict
        The resolved configuration.
    seed : int
        The row's seed.

    Returns
    -------
    str
        20 hex digits (the first 80 bits of the SHA-256 of the canonical JSON).
    """
    text = json.dumps({"experiment": experiment, "params": params, "seed": seed},
                      sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_DIGITS]


def run_configuration(experiment: str, params: dict, seed: int) -> dict:
    """The task a worker runs: one result row (key, parameters, seed and measures).

    A pure function of its arguments (the same row for the same configuration and seed,
    on any worker), so Dask may run it again after losing a worker.

    Parameters
    ----------
    experiment : str
        Name of a registered experiment.
    params : dict
        The resolved configuration.
    seed : int
        The row's seed.

    Returns
    -------
    dict
        ``key``, ``experiment``, every parameter, ``seed`` and the experiment's measures.
    """
    row = {"key": task_key(experiment, params, seed), "experiment": experiment, **params,
           "seed": seed}
    row.update(EXPERIMENTS[experiment].run(params, seed))
    return row
