"""Where runs execute (``set_device``, ``device``) and Brian2's ``prefs``.

spikeloom compiles every run into one loop: Numba on the CPU by default, JAX on request.
Brian2's standalone devices ('cpp_standalone', 'cuda_standalone', 'genn') generate and build a
whole program for the same purpose, so a script that selects one runs here on the Numba loop,
with the same results; the calls that drive a standalone build (``device.build()``,
``device.reinit()``, ``device.activate()``...) are accepted and do what they mean here.
"""

from __future__ import annotations

import logging
import types
import warnings

import numpy as np

from ..backends import BACKENDS, get_backend

logger = logging.getLogger("spikeloom.core")

#: Brian2's code-generating devices; each runs on the Numba loop here.
STANDALONE_DEVICES = ("cpp_standalone", "cuda_standalone", "genn")
#: Keywords Brian2's ``set_device`` takes for a standalone device (all meaningless here).
STANDALONE_OPTIONS = ("directory", "build_on_run", "debug", "with_output", "clean", "compile",
                      "run", "additional_source_files", "run_args", "compiler_kwds")


def _check_bool(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"prefs.{name} = {value!r}; allowed: True or False")
    return value


def _check_steps(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"prefs.{name} = {value!r}; allowed: an integer >= 1 (steps)")
    return value


def _check_fraction(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"prefs.{name} = {value!r}; allowed: a number > 0 (a share of the "
                         "available memory; above 1 lets estimates exceed it)")
    return float(value)


def _check_float_dtype(name: str, value) -> type:
    allowed = "float32 or float64 (numpy.float32, numpy.float64 or their names)"
    try:
        dtype = np.dtype(value)
    except TypeError:
        raise ValueError(f"prefs.{name} = {value!r}; allowed: {allowed}") from None
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"prefs.{name} = {value!r}; allowed: {allowed}")
    return dtype.type


#: spikeloom's own preferences and the Brian2 ones it honours: dotted name → (default,
#: validator); see docs/reliability.md
KNOWN_PREFS = {
    # Brian2's: the dtype of the floating-point model variables of groups created from now
    # on (float32 halves their memory; the loops still compute in float64)
    "core.default_float_dtype": (np.float64, _check_float_dtype),
    # stop a run whose state variables become NaN or infinite (SimulationError)
    "spikeloom.divergence_check": (True, _check_bool),
    # how often (in steps) the default check looks; check_nan=True looks every step
    "spikeloom.divergence_check_every": (16, _check_steps),
    # refuse a connect() or run() whose estimated memory does not fit (MemoryEstimateError)
    "spikeloom.memory_check": (True, _check_bool),
    # the share of the available memory an estimate may take
    "spikeloom.memory_check_fraction": (0.9, _check_fraction),
    # Numba: exp, log, tanh, exprel... as branch-free code that vectorises (a few ulps off
    # libm; docs/backends.md, "Vectorised transcendental functions")
    "spikeloom.vector_math": (True, _check_bool),
}


class _Prefs:
    """Brian2's ``prefs``: accepts any setting so scripts run.

    spikeloom ignores Brian2's settings; it reads only its own, :data:`KNOWN_PREFS`
    (``prefs.spikeloom.divergence_check = False`` or
    ``prefs['spikeloom.divergence_check'] = False``), which are validated when set.
    """

    def __init__(self, path: str = "prefs") -> None:
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_values", {})

    def _dotted(self, name: str) -> str:
        return f"{self._path}.{name}".removeprefix("prefs.")

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        values = object.__getattribute__(self, "_values")
        if name not in values:
            known = KNOWN_PREFS.get(self._dotted(name))
            if known is not None:
                return known[0]
            values[name] = _Prefs(f"{self._path}.{name}")
        return values[name]

    def __setattr__(self, name, value) -> None:
        dotted = self._dotted(name)
        if dotted in KNOWN_PREFS:
            value = KNOWN_PREFS[dotted][1](dotted, value)
        else:
            logger.debug("%s.%s = %r ignored (spikeloom has no such preference)", self._path,
                         name, value)
        self._values[name] = value

    def __setitem__(self, key: str, value) -> None:  # prefs['codegen.target'] = 'numpy'
        *parents, last = key.split(".")
        node = self
        for part in parents:
            node = getattr(node, part)
        setattr(node, last, value)

    def __getitem__(self, key: str):
        """``prefs['spikeloom.vector_math']``: the value set, else spikeloom's default, else
        None (a Brian2 setting that was never set)."""
        *parents, last = key.split(".")
        node = self
        for part in parents:
            node = getattr(node, part)
        values = object.__getattribute__(node, "_values")
        if last in values:
            return values[last]
        known = KNOWN_PREFS.get(node._dotted(last))
        return known[0] if known is not None else None

    def reset_to_defaults(self) -> None:
        self._values.clear()


prefs = _Prefs()


def default_float_dtype() -> np.dtype:
    """The dtype of floating-point model variables created now
    (``prefs.core.default_float_dtype``: float64 unless set to float32)."""
    return np.dtype(prefs["core.default_float_dtype"])


class Device:
    """The device runs execute on; ``device`` (Brian2's name) is the current one.

    Attributes
    ----------
    name : str
        'numba' (the default) or 'jax'.
    requested : str
        The name the script asked for ('cpp_standalone', 'runtime'...).
    options : object or None
        The JAX backend's :class:`~spikeloom.backends.jax._run.Options`, else None.
    """

    def __init__(self) -> None:
        self.name = "numba"
        self.requested = "runtime"
        self.options = None
        self.build_on_run = True
        self._program: list[tuple] = []  # runs recorded by a standalone build_on_run=False
        self._initial = None  # the network whose state before the first run is stored
        self._replaying = False

    # -- Brian2's standalone programs (build_on_run=False) --------------------------------
    def defers_runs(self) -> bool:
        """Whether ``run()`` is recorded into a program instead of executed: a standalone
        device with ``build_on_run=False``, as in Brian2, until ``device.build()``."""
        return (self.requested in STANDALONE_DEVICES and not self.build_on_run
                and not self._replaying)

    def record_run(self, network, duration, kwargs: dict) -> None:
        """Add one ``run()`` to the program; the first keeps the state it starts from."""
        if not self._program:
            network.store("__standalone_initial__")
            self._initial = network
        # modules (np, plt...) are no model constants and would keep the program from being
        # pickled (Brian2's examples send the built device to worker processes)
        namespace = {k: v for k, v in (kwargs.get("namespace") or {}).items()
                     if not isinstance(v, types.ModuleType) and not k.startswith("__")}
        self._program.append((network, duration, {**kwargs, "namespace": namespace}))

    def _replay(self, run_args=None) -> None:
        if self._initial is not None:
            self._initial.restore("__standalone_initial__")
        _apply_run_args(run_args)
        self._replaying = True
        try:
            for network, duration, kwargs in self._program:
                network.run(duration, **kwargs)
        finally:
            self._replaying = False

    def __repr__(self) -> str:
        return f"<spikeloom device {self.name!r} (requested as {self.requested!r})>"

    def build(self, run: bool = True, **kwargs) -> None:
        """Brian2's standalone build: runs the recorded program (``run=True``) or keeps it
        for :meth:`run` (``run=False``). With ``build_on_run=True`` every ``run()`` has
        already run and there is nothing to do."""
        logger.debug("device.build(%s): %d recorded runs", kwargs, len(self._program))
        if run and self._program:
            self._replay()

    def reinit(self) -> None:
        """Start afresh, as Brian2's ``device.reinit()``: later runs ignore earlier objects."""
        from ._base import start_scope

        self.reinit_program()
        start_scope()

    def activate(self, build_on_run: bool = True, **kwargs) -> None:
        """Brian2's ``device.activate()``: the device is already active."""
        self.build_on_run = build_on_run

    def delete(self, code: bool = True, data: bool = True, directory: bool = True,
               force: bool = False) -> None:
        """Brian2's ``device.delete()``: there is no generated project folder to delete."""

    def run(self, *args, run_args=None, **kwargs) -> None:
        """Brian2's ``device.run()``: run the recorded program again from its initial state,
        after setting ``run_args`` (``{G.v: values}``, Brian2 2.6) as new initial values.

        Monitors then hold this run's results, as after Brian2's re-run of the binary; the
        compiled loop is reused.
        """
        if not self._program:
            if run_args:
                raise RuntimeError(
                    "device.run(run_args=...): no recorded program; select it with "
                    "set_device('cpp_standalone', build_on_run=False), call run(), then "
                    "device.build(run=False)")
            return
        self._replay(run_args)

    def reinit_program(self) -> None:
        self._program, self._initial = [], None

    def seed(self, seed=None) -> None:
        """Brian2's ``device.seed()``: the same as :func:`spikeloom.seed`."""
        from ._base import seed as set_seed

        set_seed(seed)

    def insert_code(self, slot: str, code: str) -> None:
        raise NotImplementedError(
            "device.insert_code: spikeloom generates no C++ project to insert code into; run "
            "Python between runs, or use NeuronGroup.run_regularly for code inside a run")


def _apply_run_args(run_args) -> None:
    """Brian2's ``run_args``: ``{G.v: values}`` (a view as key) sets initial values."""
    if not run_args:
        return
    if not isinstance(run_args, dict):
        raise NotImplementedError(
            "device.run(run_args=[...]): spikeloom takes run_args as a dict {G.v: values}; "
            f"got {type(run_args).__name__}")
    for view, values in run_args.items():
        group, variable = getattr(view, "group", None), getattr(view, "variable", None)
        if group is None or variable is None:
            raise TypeError(f"device.run: run_args keys must be variables (G.v), got {view!r}")
        group._set_values(variable, slice(None), values)


device = Device()
_told_standalone: set[str] = set()


def set_device(name: str, build_on_run: bool = True, **kwargs) -> None:
    """Choose the backend that runs simulations.

    Parameters
    ----------
    name : {'numba', 'runtime', 'jax', 'cpp_standalone', 'cuda_standalone', 'genn'}
        'numba': one compiled loop on the CPU (the default; 'runtime', Brian2's default
        device, means the same). 'jax': a scanned, jit-compiled step on JAX's default
        device (a GPU when ``spikeloom[gpu]`` is installed, else the CPU). Brian2's
        standalone devices run on the Numba loop, with the same results; a message says so
        once per name. Any other backend registered in :data:`spikeloom.backends.BACKENDS`
        is selected by its name.
    build_on_run : bool
        Brian2's standalone option; kept for ``device.build()``, runs execute at ``run()``.
    **kwargs
        For 'jax': ``float_dtype`` ('float64' or 'float32'), ``chunk_steps`` (steps per
        compiled chunk), ``unroll`` (steps per iteration of the scanned loop) and
        ``devices`` (shard arrays over this many devices); see
        :class:`spikeloom.backends.jax._run.Options`. For a standalone device, Brian2's
        keywords (``directory``, ``debug``, ``with_output``...). 'numba' takes none.
    """
    allowed = ("runtime", *BACKENDS, *STANDALONE_DEVICES)
    if not isinstance(name, str) or name not in allowed:
        raise ValueError(f"set_device: unknown device {name!r}; available: 'numba' (CPU, "
                         "the default; Brian2's 'runtime' and standalone devices run on it), "
                         "'jax' (GPU or CPU)"
                         + "".join(f", {other!r}" for other in BACKENDS
                                   if other not in ("numba", "jax")))
    device.requested, device.build_on_run = name, build_on_run
    device.reinit_program()
    if name in BACKENDS and name != "numba":
        try:
            backend = get_backend(name)
        except ImportError as error:
            hint = (": pip install 'spikeloom[jax]' (CPU) or 'spikeloom[gpu]' (NVIDIA GPU)"
                    if name == "jax" else f" ({error})")
            raise ImportError(f"set_device({name!r}) needs its libraries{hint}") from error
        device.name, device.options = name, backend.make_options(**kwargs)
        return
    unknown = sorted(set(kwargs) - set(STANDALONE_OPTIONS if name in STANDALONE_DEVICES else ()))
    if unknown:
        raise TypeError(f"set_device({name!r}): unexpected options {unknown}; the Numba "
                        "backend takes none")
    if name in STANDALONE_DEVICES and name not in _told_standalone:
        _told_standalone.add(name)
        warnings.warn(f"set_device({name!r}): spikeloom compiles every run into one Numba loop "
                      "on the CPU instead of building a standalone project; results are the "
                      "same, device.build() has nothing left to do", stacklevel=2)
    device.name, device.options = "numba", None


def get_device() -> Device:
    """The current :class:`Device` (its ``name`` is 'numba' or 'jax')."""
    return device


def reset_device(device_name=None) -> None:
    """Brian2's ``reset_device()``: back to the default device (or ``device_name``).

    Parameters
    ----------
    device_name : str, optional
        The device to select, as for :func:`set_device`; default ``'runtime'`` (the Numba
        loop).
    """
    set_device(device_name or "runtime")


def reinit_devices() -> None:
    """Brian2's ``reinit_devices()``: a fresh default device; earlier objects are left out."""
    device.reinit()
    set_device("runtime")
