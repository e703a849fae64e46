"""Brian2's runs of the models of ``test_cable_closed_forms.py``, and that file run under Brian2.

Run with Brian2's interpreter (its own environment, never spikeloom's)::

    python3 -m venv .venvs/brian2
    .venvs/brian2/bin/pip install brian2 "numpy<2.4" scipy matplotlib pytest
    .venvs/brian2/bin/python tests/multicompartment/make_reference.py [--validate]

Without options it writes ``reference.json`` beside this file: the test module's own model and
measurement functions (:func:`load_tests_under_brian2`: its source with
``import spikeloom as sl`` replaced by ``import brian2 as sl``) run under Brian2's numpy target
(plain IEEE double arithmetic, no compiler: the most reproducible reference), and what the
tests compare is stored:

* ``traces``: the passive cylinder with a point current and the tapered Section (times in s,
  v in V, sub-sampled to 200 times);
* ``hh``: the conduction speed of the 476 µm Hodgkin-Huxley axon (m/s) and the soma-and-
  dendrites cell's trace, threshold crossings (s) and largest one-step change of v (V);
* ``meta``: versions, target, command, date, Brian2's wall time of each network.

``--validate`` writes nothing: it runs the test file itself under Brian2 (a copy with the
import swapped, in a temporary folder, every test) with pytest, and exits with
pytest's status.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import brian2
import numpy as np

HERE = Path(__file__).resolve().parent
TESTS = HERE / "test_cable_closed_forms.py"
REFERENCE = HERE / "reference.json"
IMPORT = "import spikeloom as sl\n"
TARGET = "numpy"


def brian2_source() -> str:
    """The test module's source with Brian2 imported as ``sl`` in place of spikeloom."""
    source = TESTS.read_text()
    if source.count(IMPORT) != 1:
        raise SystemExit(f"expected one line {IMPORT.strip()!r} in {TESTS.name}")
    return source.replace(IMPORT, "import brian2 as sl\n")


def load_tests_under_brian2() -> types.ModuleType:
    """The test module, executed with Brian2 as its simulator."""
    module = types.ModuleType("cable_closed_forms_brian2")
    module.__file__ = str(TESTS)
    exec(compile(brian2_source(), str(TESTS), "exec"), module.__dict__)
    return module


def _timed(function) -> tuple[dict, float]:
    start = time.perf_counter()
    result = function()
    return result, round(time.perf_counter() - start, 2)


def make_reference() -> dict:
    """Run both networks under Brian2 and return what the tests compare."""
    brian2.prefs.codegen.target = TARGET
    tests = load_tests_under_brian2()
    passive, passive_s = _timed(tests.simulate_passive)
    hh, hh_s = _timed(tests.simulate_hh)
    return {
        "meta": {"brian2": brian2.__version__, "numpy": np.__version__,
                 "python": platform.python_version(), "codegen_target": TARGET,
                 "command": "python tests/multicompartment/make_reference.py",
                 "date": datetime.date.today().isoformat(),
                 "wall_s": {"passive": passive_s, "hh": hh_s},
                 "units": "SI (s, V, m/s)"},
        "traces": tests.passive_traces(passive),
        "hh": tests.hh_summary(hh),
    }


def validate() -> int:
    """Run the test file under Brian2 (numpy target, every test)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_cable_closed_forms_brian2.py").write_text(brian2_source())
        (folder / REFERENCE.name).write_text(REFERENCE.read_text())
        # read by Brian2 at import, from the working directory
        (folder / "brian_preferences").write_text(f"codegen.target = '{TARGET}'\n")
        command = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
                   "--rootdir", tmp, "--durations=5", "test_cable_closed_forms_brian2.py"]
        return subprocess.run(command, cwd=tmp).returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--validate", action="store_true",
                        help="run the test file under Brian2 instead of writing the reference")
    args = parser.parse_args(argv)
    if args.validate:
        return validate()
    reference = make_reference()
    REFERENCE.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {REFERENCE} (Brian2 wall time {reference['meta']['wall_s']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
