"""Generate the Brian2 reference data used by ``test_brian2_reference.py``.

Run from the repository root with a Python that has Brian2 2.9 installed (never
spikeloom's environment)::

    python tests/reference/make_brian2_reference.py

Options: ``--only NAME [NAME ...]`` regenerates a subset, ``--check-robustness``
additionally re-runs every deterministic model with the units ``mV`` and
``ms`` scaled by 1 +- 1e-10 and reports models whose spike trains, synapse
indices or counts change, or whose traces jump by more than 1e-6 (i.e. models
with a threshold crossing or a delay/time-bin rounding that is a near-tie at
round-off level, which would make an exact comparison meaningless).  Nothing is written in
that mode.

Outputs (all under ``tests/reference/data/``):

* ``<model>.npz`` -- one file per model of :data:`models.REGISTRY`, the arrays
  returned by the model function (float64, fixed units, see ``models.py``);
* ``seed_memristor_stdp.npz`` -- ``w`` (``S.w[:]``) and ``spike_when_ms``
  (``G.spike_when[:]/ms``) from the forum seed script
  ``examples/seed_memristor_stdp.py`` executed with ``from brian2 import *``;
* ``META.json`` -- versions, date, code generation target, command, array
  shapes and checksums.

Why ``prefs.codegen.target = 'numpy'``:

* it needs no C/C++ compiler, so the data can be regenerated on any machine
  with just the Brian2 wheel;
* the numpy target evaluates the generated code with plain IEEE-754 double
  numpy operations.  Brian2's Cython/C++ targets compile with
  ``-ffast-math`` by default, which allows the compiler to reassociate
  floating point expressions, so their round-off depends on the compiler and
  the CPU (``-march=native``).  The numpy target is the most reproducible
  reference for a 1e-9 relative comparison;
* no on-disk code cache is involved.

Random models are run after ``brian2.seed(12345)``; they are only compared
statistically (spikeloom cannot reproduce numpy's random stream bit for bit).

The npz files are written with fixed zip timestamps so that regenerating
identical data gives byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib
import io
import json
import platform
import shlex
import sys
import warnings
import zipfile
from pathlib import Path

import brian2
import matplotlib
import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = HERE / "data"
EXAMPLE = REPO / "examples" / "seed_memristor_stdp.py"
SEED_FILE = REPO.parent / "shared" / "seeds" / "000_c167d71a0e1fe918.txt"
RANDOM_SEED = 12345
CODEGEN_TARGET = "numpy"

matplotlib.use("Agg")  # the seed script calls plt.show(): make it a no-op
brian2.prefs.codegen.target = CODEGEN_TARGET

sys.path.insert(0, str(HERE))
models = importlib.import_module("models")  # tests/reference/models.py


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> str:
    """np.savez-compatible file with fixed timestamps; returns its sha256."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for key in sorted(arrays):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.ascontiguousarray(arrays[key]), allow_pickle=False)
    data = buf.getvalue()
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def check_result(name: str, result: dict) -> dict[str, np.ndarray]:
    if not isinstance(result, dict) or not result:
        raise TypeError(f"{name}: model must return a non-empty dict")
    out = {}
    for key, arr in result.items():
        arr = np.asarray(arr)
        if arr.dtype != np.float64:
            raise TypeError(f"{name}.{key}: dtype {arr.dtype}, expected float64")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}.{key}: contains non-finite values")
        if models.is_integer_key(key) and not np.array_equal(arr, np.round(arr)):
            raise ValueError(f"{name}.{key}: integer key with non-integer values")
        out[key] = arr
    return out


def run_model(spec, b=brian2) -> dict[str, np.ndarray]:
    if not spec.deterministic:
        brian2.seed(RANDOM_SEED)
    return check_result(spec.name, spec.func(b))


def seed_script_source() -> str:
    """The example script with its import line swapped back to Brian2."""
    text = EXAMPLE.read_text()
    first, sep, rest = text.partition("\n")
    if first != "from spikeloom import *":
        raise ValueError(f"{EXAMPLE}: first line is {first!r}, expected 'from spikeloom import *'")
    return "from brian2 import *" + sep + rest


def extract_seed_script(seed_text: str) -> str:
    """First ``````-fenced block of the forum thread (the code starts on the fence line)."""
    parts = seed_text.split("``````")
    if len(parts) < 3:
        raise ValueError("no ``````-fenced script found in the seed file")
    return parts[1]


def run_seed_script() -> dict[str, np.ndarray]:
    src = seed_script_source()
    if SEED_FILE.exists() and extract_seed_script(SEED_FILE.read_text()) != src:
        raise ValueError(f"{EXAMPLE} (import swapped back) differs from the script in {SEED_FILE}")
    brian2.start_scope()
    brian2.defaultclock.dt = 0.1 * brian2.ms  # Brian2's default; the script relies on it
    ns: dict = {"__name__": "__seed_memristor_stdp__"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "FigureCanvasAgg is non-interactive"
        exec(compile(src, str(EXAMPLE), "exec"), ns)
    import matplotlib.pyplot as plt

    plt.close("all")
    return check_result(
        "seed_memristor_stdp",
        {
            "w": np.asarray(ns["S"].w[:], dtype=np.float64),
            "spike_when_ms": np.asarray(ns["G"].spike_when[:] / brian2.ms, dtype=np.float64),
        },
    )


def spike_queue_impl() -> str:
    try:
        from brian2.synapses.cythonspikequeue import SpikeQueue  # noqa: F401

        return "cython (brian2.synapses.cythonspikequeue)"
    except ImportError:
        return "python (brian2.synapses.spikequeue)"


# ---------------------------------------------------------------------------
# robustness check
# ---------------------------------------------------------------------------
class ScaledUnits:
    """Stand-in for the brian2 module with some units scaled by a factor."""

    def __init__(self, module, factor: float, names: tuple[str, ...]):
        self._module = module
        self._scaled = {n: getattr(module, n) * factor for n in names}

    def __getattr__(self, name):
        if name in self._scaled:
            return self._scaled[name]
        return getattr(self._module, name)


def check_robustness(names: list[str]) -> int:
    bad = 0
    for name in names:
        spec = models.REGISTRY[name]
        if not spec.deterministic:
            continue
        ref = run_model(spec)
        for unit in ("mV", "ms"):
            for factor in (1 + 1e-10, 1 - 1e-10):
                try:
                    res = run_model(spec, ScaledUnits(brian2, factor, (unit,)))
                except Exception as exc:
                    print(f"  {name}: {unit}*{factor!r} not applicable ({type(exc).__name__})")
                    continue
                for key, arr in ref.items():
                    other = res[key]
                    if arr.shape != other.shape or (
                        models.is_integer_key(key) and not np.array_equal(arr, other)
                    ):
                        bad += 1
                        print(f"  FRAGILE {name}.{key} under {unit}*{factor!r}")
                    elif not np.allclose(arr, other, rtol=1e-6, atol=1e-6):
                        # smooth dependence on the perturbed unit is expected (e.g. sin(2*pi*f*t)
                        # with an unperturbed f); a large jump signals a changed event
                        dev = np.max(np.abs(arr - other))
                        bad += 1
                        print(f"  FRAGILE {name}.{key} under {unit}*{factor!r}: max dev {dev:.3g}")
        print(f"checked {name}")
    return bad


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="models to (re)generate")
    parser.add_argument(
        "--check-robustness",
        action="store_true",
        help="re-run deterministic models with perturbed units; write nothing",
    )
    args = parser.parse_args(argv)

    names = list(models.REGISTRY)
    if args.only:
        unknown = set(args.only) - set(names) - {"seed_memristor_stdp"}
        if unknown:
            parser.error(f"unknown models: {sorted(unknown)}")
        names = [n for n in names if n in args.only]

    if args.check_robustness:
        bad = check_robustness(names)
        print("robustness:", "OK" if bad == 0 else f"{bad} fragile arrays")
        return 1 if bad else 0

    DATA.mkdir(parents=True, exist_ok=True)
    meta_path = DATA / "META.json"
    meta = json.loads(meta_path.read_text()) if (args.only and meta_path.exists()) else {}
    entries = meta.get("models", {})

    for name in names:
        spec = models.REGISTRY[name]
        result = run_model(spec)
        sha = save_npz(DATA / f"{name}.npz", result)
        entries[name] = {
            "deterministic": spec.deterministic,
            "random_seed": None if spec.deterministic else RANDOM_SEED,
            "features": list(spec.features),
            "arrays": {k: list(v.shape) for k, v in sorted(result.items())},
            "sha256": sha,
        }
        print(f"{name:45s} {sum(v.size for v in result.values()):8d} values")

    if not args.only or "seed_memristor_stdp" in args.only:
        result = run_seed_script()
        sha = save_npz(DATA / "seed_memristor_stdp.npz", result)
        entries["seed_memristor_stdp"] = {
            "deterministic": True,
            "random_seed": None,
            "features": ["forum seed script", "lastspike_pre/lastspike_post", "timestep()"],
            "source": "examples/seed_memristor_stdp.py with 'from brian2 import *'",
            "arrays": {k: list(v.shape) for k, v in sorted(result.items())},
            "sha256": sha,
        }
        print(f"{'seed_memristor_stdp':45s} {sum(v.size for v in result.values()):8d} values")

    import sympy

    meta = {
        "generator": "tests/reference/make_brian2_reference.py",
        "command": " ".join(
            ["python", "tests/reference/make_brian2_reference.py"]
            + [shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])]
        ),
        "date_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "brian2_version": brian2.__version__,
        "numpy_version": np.__version__,
        "sympy_version": sympy.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "codegen_target": brian2.prefs.codegen.target,
        "spike_queue": spike_queue_impl(),
        "defaultclock_dt_ms": 0.1,
        "random_seed": RANDOM_SEED,
        "models": {k: entries[k] for k in sorted(entries)},
    }
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
