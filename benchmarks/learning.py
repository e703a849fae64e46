"""Learning benchmark: cross-validated F1-macro of the spiking classifiers, with controls.

``python -m benchmarks.learning [--datasets iris wisconsin digits] [--rules stdp nc ppx]
[--encodings temporal rate] [--folds 5] [--network classwise] [--jobs N] [--out FILE]
[--report-dir DIR]``

Runs :func:`spikeloom.tasks._experiment.cross_validate` for every data set x rule x encoding
(each with its frozen-weight and logistic-regression controls on the same folds) and writes
one Markdown table (:func:`results_table`) with the exact command line, the machine and the
total wall time to ``--out`` (default ``docs/learning_results.md``). With ``--report-dir``,
each run also gets its own report folder ``<dataset>_<rule>_<encoding>_<network>``.
Options left out (``--epochs``, ``--decoder``) keep the estimator's defaults. ``--jobs N``
fits the folds of each run (and its frozen controls) in N processes (``cross_validate``'s
``n_jobs``); the scores do not change, the wall times do.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import time
from datetime import date
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    from spikeloom.tasks._names import DATASETS, DECODERS, ENCODINGS, NETWORKS, RULES

    parser = argparse.ArgumentParser(prog="python -m benchmarks.learning",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS),
                        choices=DATASETS + ("breast_cancer",))
    parser.add_argument("--rules", nargs="+", default=list(RULES), choices=RULES)
    parser.add_argument("--encodings", nargs="+", default=list(ENCODINGS), choices=ENCODINGS)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--network", default="classwise", choices=NETWORKS)
    parser.add_argument("--epochs", type=int, help="(default: the estimator's)")
    parser.add_argument("--decoder", choices=DECODERS, help="(default: the estimator's)")
    parser.add_argument("--seed", type=int, default=0, help="folds and seeds (default: 0)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="processes per run, over its folds (default: 1; -1: all cores)")
    parser.add_argument("--out", default="docs/learning_results.md",
                        help="Markdown file for the table (default: docs/learning_results.md)")
    parser.add_argument("--report-dir", help="folder for one report per run")
    parser.add_argument("--no-progress", action="store_true")
    return parser


def _command(argv: list[str]) -> str:
    """The command as typed, module form (``python -m benchmarks.learning ...``)."""
    return " ".join(["python -m benchmarks.learning", *map(shlex.quote, argv)])


def _revision() -> str:
    """The git commit of the code measured ('+ local changes' when the tree is dirty)."""
    try:
        run = lambda *cmd: subprocess.run(["git", *cmd], capture_output=True, text=True,
                                          check=True, cwd=Path(__file__).parents[1]).stdout
        dirty = " + local changes" if run("status", "--porcelain", "--", "src").strip() else ""
        return run("rev-parse", "--short", "HEAD").strip() + dirty
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _markdown(table: str, command: str, seconds: float, revision: str) -> str:
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
               f"Python {platform.python_version()}")
    return "\n".join([
        "# Learning benchmark: F1-macro over stratified folds", "",
        f"Command: `{command}`", "",
        f"Machine: {machine}; date {date.today().isoformat()}; commit {revision} (at the "
        f"start); total wall time {seconds:.1f} s.", "",
        "SNN: MemristiveSNNClassifier (mean ± population sd over the folds); frozen control: "
        "the same classifier with `epochs=0` and `initial_weight='uniform'`; logistic "
        "regression on the standardised raw features; both controls on the same folds. "
        "Published: Sboev et al., class-wise STDP network.", "",
        table])


def main(argv: list[str] | None = None) -> int:
    """Run the grid and write the table; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    from spikeloom.tasks._experiment import cross_validate
    from spikeloom.tasks._report import results_table, write_report

    params = {key: value for key, value in (("epochs", args.epochs), ("decoder", args.decoder))
              if value is not None}
    start = time.perf_counter()
    revision = _revision()  # the code measured: later commits during a long run are not
    results = []
    for dataset in args.datasets:
        for rule in args.rules:
            for encoding in args.encodings:
                result = cross_validate(dataset, rule, folds=args.folds, encoding=encoding,
                                        network=args.network, params=params,
                                        random_state=args.seed, n_jobs=args.jobs,
                                        progress=not args.no_progress)
                print(result.summary_line(), flush=True)
                results.append(result)
                if args.report_dir is not None:
                    name = f"{dataset}_{rule}_{encoding}_{args.network}"
                    write_report(result, Path(args.report_dir) / name)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_markdown(results_table(results), _command(argv),
                             time.perf_counter() - start, revision), encoding="utf-8")
    print(f"table: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
