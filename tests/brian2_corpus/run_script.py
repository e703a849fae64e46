"""Run one Brian2 script under Brian2 or spikeloom and summarise what its monitors recorded.

``python run_script.py {brian2,spikeloom} SCRIPT OUT.json [--replace OLD NEW ...]``

The script runs as ``__main__`` in a fresh temporary folder, with matplotlib's Agg backend (so
``show()`` returns at once). For ``spikeloom`` only the import lines change: every
``brian2`` module name in an ``import``/``from`` line becomes ``spikeloom``, in the script and
in the helper modules beside it. ``--replace`` pairs are literal text substitutions applied to
both runs alike (the documented duration overrides of ``corpus.py``).

The summary holds, for every monitor bound to a global name of the script (or held in a global
list, tuple or dict): a spike monitor's total and per-neuron spike counts, a state monitor's
final values and time means of each recorded variable (SI values) plus a downsampled trace
(:func:`_trace`), a population-rate monitor's mean rate, a SpatialNeuron's final voltages.
This file must run under both simulators, so it imports neither.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import runpy
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

_IMPORT_LINE = re.compile(r"^(\s*)(from|import)\s+brian2\b", re.MULTILINE)
#: Per-neuron spike counts are kept only for monitors of at most this many neurons.
MAX_COUNTS = 2000
#: A state monitor's trace keeps at most this many recorded times ...
TRACE_TIMES = 200
#: ... of at most this many recorded elements.
TRACE_ELEMENTS = 20


def swap_imports(text: str) -> str:
    """Replace the module name ``brian2`` by ``spikeloom`` in the import lines of ``text``."""
    text = _IMPORT_LINE.sub(lambda m: f"{m.group(1)}{m.group(2)} spikeloom", text)
    return re.sub(r"^(\s*from\s+)brian2(\.)", r"\1spikeloom\2", text, flags=re.MULTILINE)


def _si(values) -> np.ndarray:
    """SI values of a Brian2 or spikeloom quantity (both are NumPy arrays) as a float array."""
    return np.asarray(values, dtype=float)


def _summarise_spikes(monitor) -> dict:
    counts = _si(monitor.count).astype(int)
    total = monitor.num_spikes if type(monitor).__name__ == "SpikeMonitor" else \
        monitor.num_events  # an EventMonitor's count has this name
    summary = {"kind": "spikes", "num_spikes": int(total),
               "n_sources": int(counts.size)}
    if counts.size <= MAX_COUNTS:
        summary["counts"] = counts.tolist()
    return summary


def _spread(n: int, most: int) -> np.ndarray:
    """At most ``most`` evenly spaced indices of ``range(n)``, first and last included."""
    return np.unique(np.linspace(0, n - 1, min(n, most)).round().astype(int))


def _trace(values: np.ndarray) -> dict:
    """A downsampled trace of one recorded variable (``values``: elements x times).

    Its values at (at most) :data:`TRACE_TIMES` evenly spaced recorded times of (at most)
    :data:`TRACE_ELEMENTS` evenly spaced recorded elements, with the indices used (row ``k``
    of ``values`` is element ``elements[k]``): both runs pick the same indices when they
    recorded the same number of times and elements, and ``corpus.compare`` checks that.
    """
    times = _spread(values.shape[1], TRACE_TIMES)
    elements = _spread(values.shape[0], TRACE_ELEMENTS)
    return {"times": times.tolist(), "elements": elements.tolist(),
            "values": values[np.ix_(elements, times)].tolist()}


def _summarise_states(monitor) -> dict:
    variables = {}
    for name in monitor.record_variables:
        values = _si(getattr(monitor, name))
        if values.ndim == 2 and values.shape[1] > 0:
            variables[name] = {"final": values[:, -1].tolist(),
                               "mean": values.mean(axis=1).tolist(),
                               "trace": _trace(values)}
    return {"kind": "states", "n_times": int(_si(monitor.t).size), "variables": variables}


def _summarise_rate(monitor) -> dict:
    rate = _si(monitor.rate)
    # the spike count behind the rates: random scripts compare it to Poisson precision
    spikes = float(rate.sum()) * float(_si(monitor.clock.dt)) * len(monitor.source)
    return {"kind": "rate", "mean_rate": float(rate.mean()) if rate.size else 0.0,
            "n_times": int(rate.size), "n_spikes": round(spikes)}


def _summarise_cable(neuron) -> dict:
    """A SpatialNeuron's final ``v`` in every compartment, as one recorded time: scripts
    such as ``cylinder.py`` or ``rall.py`` plot the voltage along the neuron without a
    monitor, and this is what they plot."""
    values = _si(neuron.v)[:, None]
    return {"kind": "states", "n_times": 1,
            "variables": {"v": {"final": values[:, 0].tolist(), "mean": values[:, 0].tolist(),
                                "trace": _trace(values)}}}


def summarise(obj):
    """The summary of one monitor (or SpatialNeuron), or None for any other object."""
    kind = type(obj).__name__
    try:
        if kind == "SpatialNeuron":
            return _summarise_cable(obj)
        if kind in ("SpikeMonitor", "EventMonitor"):
            return _summarise_spikes(obj)
        if kind == "StateMonitor":
            return _summarise_states(obj)
        if kind == "PopulationRateMonitor":
            return _summarise_rate(obj)
    except Exception as error:  # a monitor that cannot be read is reported, not fatal
        return {"kind": "unreadable", "error": f"{type(error).__name__}: {error}"}
    return None


def summarise_namespace(namespace: dict) -> dict:
    """Summaries of the monitors bound to global names, or held in global lists/dicts."""
    found = {}
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        items = [(name, value)]
        if isinstance(value, (list, tuple)):
            items = [(f"{name}[{k}]", v) for k, v in enumerate(value)]
        elif isinstance(value, dict):
            items = [(f"{name}[{k!r}]", v) for k, v in value.items()]
        for key, obj in items:
            summary = summarise(obj)
            if summary is not None:
                found[key] = summary
    return found


def _prepare(script: Path, simulator: str, replacements: list[tuple[str, str]],
             workdir: Path) -> Path:
    """Copy the script and its sibling modules into ``workdir``: imports swapped (for
    spikeloom) and overrides applied."""
    for sibling in script.parent.glob("*.py"):
        text = sibling.read_text()
        if sibling == script:
            for old, new in replacements:
                if old not in text:
                    raise SystemExit(f"override {old!r} not found in {script.name}")
                text = text.replace(old, new)
        if simulator == "spikeloom":
            text = swap_imports(text)
        (workdir / sibling.name).write_text(text)
    for data in script.parent.iterdir():  # data files some scripts read (e.g. images)
        if data.is_file() and data.suffix != ".py":
            shutil.copy(data, workdir / data.name)
    return workdir / script.name


def run(script: Path, simulator: str, replacements: list[tuple[str, str]],
        brian2_target: str | None = None) -> dict:
    """Run ``script`` under ``simulator`` and return its status, wall time and monitor summaries.

    ``brian2_target`` ('numpy', 'cython') sets Brian2's code generation target through a
    ``brian_preferences`` file in the script's folder (which Brian2 reads at import).
    """
    os.environ["MPLBACKEND"] = "Agg"
    record = {"script": script.name, "simulator": simulator, "brian2_target": brian2_target}
    with tempfile.TemporaryDirectory() as tmp:
        target = _prepare(script, simulator, replacements, Path(tmp))
        if simulator == "brian2" and brian2_target:
            (Path(tmp) / "brian_preferences").write_text(
                f"codegen.target = '{brian2_target}'\n")
        cwd = os.getcwd()
        os.chdir(tmp)
        sys.path.insert(0, tmp)
        start = time.perf_counter()
        try:
            namespace = runpy.run_path(str(target), run_name="__main__")
            record["status"] = "ok"
            record["monitors"] = summarise_namespace(namespace)
        except BaseException as error:  # the corpus records every failure, SystemExit included
            record["status"] = "error"
            record["error"] = f"{type(error).__name__}: {str(error)[:2000]}"
            record["traceback"] = _local_paths(traceback.format_exc()[-4000:])
        finally:
            record["wall_s"] = round(time.perf_counter() - start, 3)
            os.chdir(cwd)
    return record


def _local_paths(text: str) -> str:
    """``text`` without the machine's paths: the repository's root and the interpreter's
    prefix (a recorded traceback names files inside the repository, or ``<venv>``)."""
    root = str(Path(__file__).resolve().parents[2]) + os.sep
    return text.replace(root, "").replace(sys.prefix + os.sep, "<venv>" + os.sep)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("simulator", choices=("brian2", "spikeloom"))
    parser.add_argument("script", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--replace", nargs=2, action="append", default=[], metavar=("OLD", "NEW"))
    parser.add_argument("--brian2-target", choices=("numpy", "cython"))
    args = parser.parse_args(argv)
    record = run(args.script.resolve(), args.simulator, [tuple(r) for r in args.replace],
                 args.brian2_target)
    args.out.write_text(json.dumps(record, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
