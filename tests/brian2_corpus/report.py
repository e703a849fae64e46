"""Run the corpus under spikeloom, compare with Brian2's runs, write the table and status.

``python tests/brian2_corpus/report.py [--jobs 1] [--only SCRIPT ...]``

For each script of :func:`corpus.scripts`: runs it with ``run_script.py spikeloom`` (a
subprocess, 600 s limit), compares with ``reference/`` (made by ``make_reference.py``
under Brian2) and classifies it:

* ``agrees`` -- runs, and the numbers agree (:func:`corpus.compare`);
* ``differs`` -- runs, the numbers do not agree (the differences are listed);
* ``refused`` -- stops with a message naming what is not supported (NotImplementedError,
  an unsupported-equations or unsupported-feature error);
* ``fails`` -- stops with another error (a missing door: the goal is none of these);
* ``no reference`` -- Brian2's run is missing or failed.

Writes ``status.json`` (read by ``test_corpus.py``) and ``docs/brian2_corpus.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import corpus

STATUS = HERE / "status.json"
DOC = HERE.parents[1] / "docs" / "brian2_corpus.md"
_REFUSALS = ("NotImplementedError", "UnsupportedEquationsError", "NotSupported")


def run_spikeloom(script: str, timeout: int = 600) -> dict:
    """One script under spikeloom, in a subprocess (its own compiled loops and globals)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        command = [sys.executable, str(HERE / "run_script.py"), "spikeloom",
                   str(corpus.SCRIPTS / script), str(out)]
        for old, new in corpus.OVERRIDES.get(script, []):
            command += ["--replace", old, new]
        try:
            subprocess.run(command, timeout=timeout, capture_output=True,
                           env={**os.environ, "MPLBACKEND": "Agg"})
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "error": f"no result in {timeout} s"}
        if not out.exists():
            return {"status": "crash", "error": "the process died"}
        return json.loads(out.read_text())


def classify(script: str, ours: dict) -> dict:
    reference = corpus.load_reference(script)
    if ours.get("status") != "ok":
        error = ours.get("error", ours.get("status", ""))
        kind = "refused" if error.startswith(_REFUSALS) else "fails"
        return {"result": kind, "detail": error.splitlines()[0][:300] if error else ""}
    if reference is None or reference.get("status") != "ok":
        return {"result": "no reference", "detail": (reference or {}).get("error", "")[:200]}
    problems = corpus.compare(ours, reference, corpus.is_random(script),
                              skip=corpus.NOT_COMPARED.get(script, {}),
                              spread=corpus.SPREAD.get(script, (0.15, ""))[0])
    if problems:
        return {"result": "differs", "detail": "; ".join(problems)[:300]}
    return {"result": "agrees", "detail": ""}


def write_doc(status: dict, wall: float) -> None:
    counts = {}
    for entry in status.values():
        counts[entry["result"]] = counts.get(entry["result"], 0) + 1
    lines = [
        "# Brian2's example scripts under spikeloom",
        "",
        "Each of Brian2's example scripts (kept in `tests/brian2_corpus/scripts/`, Brian2's "
        "code under its CeCILL licence) ran under Brian2 2.9 (numpy or Cython target) and "
        "under spikeloom with only its import lines changed (`brian2` -> `spikeloom`). "
        "Deterministic scripts must give the same spike counts (to 1 %) and final states "
        "(to 1e-3 of the variable's range) and, where Brian2's run kept a downsampled trace, "
        "the same traces (to 1e-3 of the traced range); scripts with random numbers the same "
        "statistics (spike counts to 15 % + 5 Poisson sigmas, state means to 10 %).",
        "",
        "Scripts whose dynamics are chaotic are compared as statistics too; a few monitors "
        "that random numbers make incomparable are left out, each with its reason (below).",
        "",
        f"Command: `python tests/brian2_corpus/report.py` ({date.today().isoformat()}; the "
        f"scripts' own run time under spikeloom adds up to {wall / 60:.0f} min); Brian2's "
        "side: `python tests/brian2_corpus/make_reference.py` "
        "in Brian2's own environment. `tests/brian2_corpus/test_corpus.py` checks that every "
        "script keeps the result recorded here (`pytest -m slow`).",
        "",
        "Summary: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ".",
        "",
        "| script | random | result | detail |",
        "|---|---|---|---|",
    ]
    for script, entry in sorted(status.items()):
        detail = entry["detail"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{script}` | {'yes' if entry['random'] else 'no'} | "
                     f"{entry['result']} | {detail} |")
    lines += ["", "Not in the corpus (Brian2 cannot run them here either): " + "; ".join(
        f"`{k}` ({v})" for k, v in sorted(corpus.NOT_IN_CORPUS.items())) + ".", ""]
    lines += ["Compared as statistics (chaotic): " + "; ".join(
        f"`{k}` ({v})" for k, v in sorted(corpus.CHAOTIC.items())) + ".", ""]
    lines += ["Wider count tolerance (correlated spikes): " + "; ".join(
        f"`{k}` ({100 * v[0]:.0f} %: {v[1]})" for k, v in sorted(corpus.SPREAD.items())) + ".",
        ""]
    lines += ["Monitors not compared: " + "; ".join(
        f"`{script}`: `{monitor}` ({why})" for script, monitors in sorted(
            corpus.NOT_COMPARED.items()) for monitor, why in monitors.items()) + ".", ""]
    lines += ["Shortened runs (applied to both simulators): " + "; ".join(
        f"`{k}` (" + ", ".join(f"`{old}` -> `{new}`" for old, new in v) + ")"
        for k, v in sorted(corpus.OVERRIDES.items())) + ".", ""]
    DOC.write_text("\n".join(lines))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", help="scripts to (re)run; the others keep "
                        "their recorded status")
    args = parser.parse_args(argv)
    status = json.loads(STATUS.read_text()) if STATUS.exists() else {}
    for script in args.only or corpus.scripts():
        ours = run_spikeloom(script)
        entry = classify(script, ours)
        entry.update(random=corpus.is_random(script), wall_s=ours.get("wall_s"))
        status[script] = entry
        print(f"{script:60s} {entry['result']:12s} {entry['detail'][:90]}", flush=True)
        # Written after every script: a long run that is cut off keeps what it found.
        STATUS.write_text(json.dumps(status, indent=1, sort_keys=True))
    write_doc(status, sum(entry.get("wall_s") or 0.0 for entry in status.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
