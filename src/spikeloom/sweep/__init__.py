"""Device-robustness sweeps: experiments over grids of parameters, run as Dask tasks.

Sits above :mod:`spikeloom.tasks`. A :class:`Sweep` (built in Python or read from a TOML
file) expands fixed parameters, grids and a random search into configurations of an
experiment (``'classify'``: cross-validated F1 of the spiking classifier under memristive
non-idealities), each run once per seed. :func:`run_sweep` runs the rows as Dask tasks on a
LocalCluster or any scheduler and writes each as a Parquet file as it arrives, so a rerun
computes only what is missing; :func:`load_results` reads them, :func:`plot_results` draws
F1 against each non-ideality. See ``docs/sweeps.md``.

Running needs the ``[sweep]`` extra (Dask distributed, pandas, pyarrow); the names are
imported on first use (PEP 562), and the configuration (``Sweep``) needs none of them.
"""

from importlib import import_module

_LAZY = {
    "Sweep": "._config", "Task": "._config",
    "EXPERIMENTS": "._experiments", "Experiment": "._experiments",
    "Parameter": "._experiments", "classify_device": "._experiments",
    "register_experiment": "._experiments", "run_configuration": "._experiments",
    "task_key": "._experiments",
    "SchedulerUnreachableError": "._run", "load_results": "._run", "run_sweep": "._run",
    "row_schema": "._run",
    "plot_results": "._plot",
}
_EXTRA = ("dask", "distributed", "pandas", "pyarrow")

__all__ = list(_LAZY)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = import_module(_LAZY[name], __name__)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in _EXTRA:
            raise ModuleNotFoundError(
                f"spikeloom.sweep.{name} needs {exc.name!r}: install the sweep extra, "
                "pip install 'spikeloom[sweep]'", name=exc.name) from exc
        raise
    value = getattr(module, name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
