"""A sweep's configuration: fixed parameters, grids, a random search, seeds; all checked.

:class:`Sweep` expands its grids (as scikit-learn's ``ParameterGrid`` given a list of
dicts) and random draws into configurations when it is built, so that every error (an
unknown parameter or section, an empty grid or value list, a bad distribution, a value out
of range, a combination the experiment cannot run) is raised before anything is submitted.
Only NumPy is needed here: no Dask, pandas or Parquet.
"""

from __future__ import annotations

import itertools
import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._experiments import EXPERIMENTS, Experiment, Parameter, task_key

SECTIONS = ("sweep", "fixed", "grid", "random")
SWEEP_KEYS = ("experiment", "seeds")
RANDOM_KEYS = ("n", "seed")
#: distributions of a random search: {name = [arguments]}
DISTRIBUTIONS = ("uniform", "log_uniform", "choice")

_OWNER = "Sweep"


@dataclass(frozen=True)
class Task:
    """One row to compute: a configuration (every parameter) and a seed, with its key.

    Parameters
    ----------
    key : str
        The row's stable key (:func:`task_key`: 20 hex digits).
    params : dict
        Every parameter of the experiment, resolved (defaults included).
    seed : int
        The row's seed (``random_state`` of the experiment).
    """

    key: str
    params: dict
    seed: int


class Sweep:
    """Configurations of one experiment, each run once per seed.

    Parameters
    ----------
    experiment : str
        Name of the experiment (:data:`spikeloom.sweep.EXPERIMENTS`; ``'classify'``).
    seeds : sequence of int
        Distinct integers >= 0; each configuration runs once per seed (for 'classify':
        ``random_state`` of the cross-validation and spikeloom's global seed).
    fixed : dict, optional
        Parameters common to every configuration.
    grid : dict or list of dict, optional
        Grids of ``{parameter: list of values}``; each grid gives the configurations of the
        cartesian product of its lists (a single value stands for a list of one). Several
        grids are concatenated, as scikit-learn's ``ParameterGrid``.
    random : dict, optional
        A random search: ``{'n': configurations, 'seed': int (default 0), parameter:
        distribution, ...}``, each distribution ``{'uniform': [low, high]}``,
        ``{'log_uniform': [low, high]}`` (0 < low; numbers) or ``{'choice': [values]}``;
        a plain value is fixed within the search. Draws use
        ``numpy.random.default_rng(seed)``, configuration by configuration, parameters in
        alphabetical order.
    source : str, optional
        The TOML text the sweep was read from (kept for provenance).

    Without grid and random search the sweep has one configuration, ``fixed``. A parameter
    may appear in one place only (fixed, a grid, or the random search); parameters left
    out take the experiment's defaults. Configurations that resolve to the same parameters
    (e.g. ``c2c = 0`` given in one grid and left out in another) run once.

    Raises
    ------
    ValueError
        For anything that could not run, naming the parameter, its value and what is allowed.

    Examples
    --------
    >>> sweep = Sweep("classify", seeds=[0, 1], fixed={"dataset": "iris", "folds": 2},
    ...               grid={"rule": ["nc", "stdp"], "c2c": [0.0, 0.1]})
    >>> len(sweep.configurations), len(sweep.tasks())
    (4, 8)
    """

    def __init__(self, experiment: str = "classify", *, seeds=(0,), fixed: dict | None = None,
                 grid=None, random: dict | None = None, source: str | None = None) -> None:
        self.experiment = _check_experiment(experiment)
        self.seeds = _check_seeds(seeds)
        self.fixed = _check_table(fixed, "fixed", f"{_OWNER} [fixed]")
        self.grids = _check_grids(grid, self.spec)
        self.random = _check_random(random, self.spec)
        _check_each_parameter_once(self.fixed, self.grids, self.random)
        self.source = source
        self.configurations = self._expand()

    @property
    def spec(self) -> Experiment:
        """The experiment's definition (parameters, task function)."""
        return EXPERIMENTS[self.experiment]

    @classmethod
    def from_toml(cls, path) -> Sweep:
        """Read a sweep from a TOML file (sections ``[sweep]``, ``[fixed]``, ``[[grid]]``,
        ``[random]``; see ``docs/sweeps.md``)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"{_OWNER}.from_toml: cannot read {str(path)!r}: "
                             f"{exc.strerror or exc}") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{_OWNER}.from_toml: {str(path)!r} is not valid TOML: {exc}") \
                from None
        return cls.from_dict(data, source=text)

    @classmethod
    def from_dict(cls, data: dict, source: str | None = None) -> Sweep:
        """A sweep from the TOML structure ``{'sweep': {...}, 'fixed': {...}, 'grid':
        [...], 'random': {...}}`` (what :meth:`to_dict` returns)."""
        if not isinstance(data, dict):
            raise ValueError(f"{_OWNER}: a configuration must be a table of sections, got "
                             f"{type(data).__name__}")
        for section in data:
            if section not in SECTIONS:
                raise ValueError(f"{_OWNER}: unknown section [{section}]; allowed: "
                                 f"{', '.join(f'[{s}]' for s in SECTIONS)}")
        head = _check_table(data.get("sweep"), "sweep", f"{_OWNER} [sweep]")
        for key in head:
            if key not in SWEEP_KEYS:
                raise ValueError(f"{_OWNER} [sweep]: unknown key {key!r}; allowed: "
                                 f"{', '.join(SWEEP_KEYS)}")
        return cls(head.get("experiment", "classify"), seeds=head.get("seeds", (0,)),
                   fixed=data.get("fixed"), grid=data.get("grid"), random=data.get("random"),
                   source=source)

    def to_dict(self) -> dict:
        """The sweep as given, in the TOML structure (JSON-serialisable)."""
        data = {"sweep": {"experiment": self.experiment, "seeds": list(self.seeds)},
                "fixed": dict(self.fixed), "grid": [dict(g) for g in self.grids]}
        if self.random is not None:
            data["random"] = dict(self.random)
        return data

    def tasks(self) -> list[Task]:
        """One :class:`Task` per configuration and seed (configuration-major order)."""
        return [Task(task_key(self.experiment, params, seed), params, seed)
                for params in self.configurations for seed in self.seeds]

    def varying(self) -> tuple[str, ...]:
        """The parameters that take more than one value over the configurations."""
        return tuple(name for name in self.spec.parameters
                     if len({json.dumps(c[name]) for c in self.configurations}) > 1)

    def __repr__(self) -> str:
        return (f"Sweep({self.experiment!r}, {len(self.configurations)} configurations x "
                f"{len(self.seeds)} seeds)")

    # -- expansion -----------------------------------------------------------------------------
    def _expand(self) -> tuple[dict, ...]:
        """Resolved configurations, in order, each once."""
        given = []
        for number, grid in enumerate(self.grids, 1):
            given += [(f"{_OWNER} [[grid]] {number}", combo) for combo in _product(grid)]
        if self.random is not None:
            given += [(f"{_OWNER} [random]", draw) for draw in _draws(self.random, self.spec)]
        if not given:
            given = [(f"{_OWNER} [fixed]", {})]
        unique = {}
        for where, combo in given:
            params = self.spec.resolve({**self.fixed, **combo}, where)
            unique.setdefault(json.dumps(params, sort_keys=True), params)
        return tuple(unique.values())


# -- checks --------------------------------------------------------------------------------

def _check_experiment(experiment) -> str:
    if not isinstance(experiment, str) or experiment not in EXPERIMENTS:
        raise ValueError(f"{_OWNER}: experiment must be one of "
                         f"{', '.join(map(repr, EXPERIMENTS))}, got {experiment!r}")
    return experiment


def _check_seeds(seeds) -> tuple[int, ...]:
    ok = isinstance(seeds, list | tuple) and len(seeds) > 0 and all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds)
    if not ok or len(set(seeds)) != len(seeds):
        raise ValueError(f"{_OWNER}: seeds must be a non-empty list of distinct integers "
                         f">= 0, got {seeds!r}")
    return tuple(int(s) for s in seeds)


def _check_table(table, name: str, where: str) -> dict:
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ValueError(f"{where}: [{name}] must be a table (a dict), got {table!r}")
    return dict(table)


def _check_values(spec: Parameter, values, where: str) -> list:
    """A grid's list of values for ``spec``, each checked (a single value: a list of one)."""
    values = list(values) if isinstance(values, list | tuple) else [values]
    if not values:
        raise ValueError(f"{where}: {spec.name} has no values (an empty list); give at "
                         f"least one value, each {spec.allowed()}")
    return [spec.check(value, where) for value in values]


def _check_grids(grid, experiment: Experiment) -> list[dict]:
    grids = [grid] if isinstance(grid, dict) else grid
    if grids is None:
        return []
    if not isinstance(grids, list | tuple):
        raise ValueError(f"{_OWNER}: grid must be a dict or a list of dicts "
                         f"{{parameter: [values]}}, got {grid!r}")
    checked = []
    for number, table in enumerate(grids, 1):
        where = f"{_OWNER} [[grid]] {number}"
        if not isinstance(table, dict):
            raise ValueError(f"{where}: a grid must be a table {{parameter: [values]}}, "
                             f"got {table!r}")
        if not table:
            raise ValueError(f"{where} is empty; give at least one parameter with a list of "
                             f"values (allowed: {', '.join(experiment.parameters)})")
        checked.append({name: _check_values(experiment.check_name(name, where), values,
                                            where)
                        for name, values in table.items()})
    return checked


def _check_random(random, experiment: Experiment) -> dict | None:
    if random is None:
        return None
    where = f"{_OWNER} [random]"
    table = _check_table(random, "random", where)
    n = table.get("n")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{where}: n (the number of configurations) must be an integer "
                         f">= 1, got {n!r}")
    seed = table.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"{where}: seed must be an integer >= 0, got {seed!r}")
    checked = {"n": n, "seed": seed}
    for name, value in table.items():
        if name not in RANDOM_KEYS:
            checked[name] = _check_distribution(experiment.check_name(name, where), value,
                                                where)
    return checked


def _check_distribution(spec: Parameter, value, where: str):
    """``{'uniform': [lo, hi]}``, ``{'log_uniform': [lo, hi]}``, ``{'choice': [...]}`` or a
    plain value, checked against the parameter."""
    if not isinstance(value, dict):
        if isinstance(value, list | tuple):
            raise ValueError(f"{where}: {spec.name} = {value!r} is a list; in [random] give "
                             f"a distribution, e.g. {spec.name} = {{choice = {list(value)!r}}}")
        return spec.check(value, where)
    allowed = ", ".join(f"{{{d} = [...]}}" for d in DISTRIBUTIONS)
    if len(value) != 1 or next(iter(value)) not in DISTRIBUTIONS:
        raise ValueError(f"{where}: {spec.name} = {value!r} is not a distribution; allowed: "
                         f"{allowed}")
    kind, args = next(iter(value.items()))
    if kind == "choice":
        return {"choice": _check_values(spec, args, f"{where} {spec.name}.choice")}
    if spec.kind != "float":
        raise ValueError(f"{where}: {spec.name} = {value!r}: {kind} draws real numbers, but "
                         f"{spec.name} must be {spec.allowed()}; use {{choice = [...]}}")
    good = (isinstance(args, list | tuple) and len(args) == 2 and all(
        isinstance(a, int | float) and not isinstance(a, bool) and math.isfinite(a)
        for a in args) and args[0] <= args[1] and (kind == "uniform" or args[0] > 0))
    if not good:
        bounds = "0 < low <= high" if kind == "log_uniform" else "low <= high"
        raise ValueError(f"{where}: {spec.name} = {value!r}: {kind} takes [low, high], two "
                         f"numbers with {bounds}")
    low, high = (spec.check(a, f"{where} {spec.name}.{kind} bound") for a in args)
    return {kind: [low, high]}


def _check_each_parameter_once(fixed: dict, grids: list[dict], random: dict | None) -> None:
    """A parameter of [fixed] may not also vary: its fixed value would be overridden.

    Grids and the random search are concatenated, never combined, so they may share
    parameters.
    """
    places = [(f"[[grid]] {k}", g) for k, g in enumerate(grids, 1)]
    if random is not None:
        places.append(("[random]", {k: v for k, v in random.items() if k not in RANDOM_KEYS}))
    for place, table in places:
        both = sorted(set(fixed) & set(table))
        if both:
            raise ValueError(f"{_OWNER}: {both[0]} is given in [fixed] and in {place}; "
                             "give each parameter in one place")


# -- expansion -----------------------------------------------------------------------------

def _product(grid: dict) -> list[dict]:
    """The grid's configurations, parameters in alphabetical order (as ParameterGrid)."""
    names = sorted(grid)
    return [dict(zip(names, values)) for values in itertools.product(*(grid[n] for n in names))]


def _draws(random: dict, experiment: Experiment) -> list[dict]:
    """``random['n']`` configurations drawn with ``default_rng(random['seed'])``."""
    rng = np.random.default_rng(random["seed"])
    names = sorted(k for k in random if k not in RANDOM_KEYS)
    return [{name: _draw(random[name], experiment.parameters[name], rng) for name in names}
            for _ in range(random["n"])]


def _draw(distribution, spec: Parameter, rng: np.random.Generator):
    if not isinstance(distribution, dict):
        return distribution
    kind, args = next(iter(distribution.items()))
    if kind == "choice":
        return args[int(rng.integers(len(args)))]
    low, high = args
    if kind == "uniform":
        return float(rng.uniform(low, high))
    # log-uniform: the bounds themselves, exactly, where low == high
    return float(min(max(math.exp(rng.uniform(math.log(low), math.log(high))), low), high))
