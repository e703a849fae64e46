"""The ``spikeloom`` command: ``spikeloom demo`` runs the COBA network and saves its raster."""

from __future__ import annotations

import argparse
import sys


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    summary = run_demo(args.out, args.duration, args.neurons, args.seed)
    print(f"COBA network: {summary['neurons']} neurons, {summary['synapses']} synapses, "
          f"{summary['spikes']} spikes in {args.duration:g} ms")
    print(f"mean rate: {summary['mean_rate_hz']:.2f} Hz")
    print(f"run() wall time: {summary['run_seconds']:.3f} s "
          f"(+ {summary['compile_seconds']:.2f} s lowering/compilation)")
    print(f"raster plot: {summary['raster']}")
    return 0


def _classify(args: argparse.Namespace) -> int:
    from .tasks._experiment import cross_validate

    # only what the user gave: the estimator's own defaults apply to everything else
    params = {key: value for key, value in (("epochs", args.epochs), ("decoder", args.decoder))
              if value is not None}
    options = {key: value for key, value in (("encoding", args.encoding),
                                             ("network", args.network)) if value is not None}
    result = cross_validate(args.dataset, args.rule, folds=args.folds, params=params,
                            random_state=args.seed, progress=not args.no_progress, **options)
    print(result.summary_line())
    for line in result.comparison_lines():
        print(line)
    if args.report is not None:
        from .tasks._report import write_report

        print(f"report: {write_report(result, args.report)}")
    return 0


def _add_classify(sub) -> None:
    from .tasks._names import DATASET_ALIASES, DATASETS, DECODERS, ENCODINGS, NETWORKS, RULES

    classify = sub.add_parser(
        "classify", help="cross-validate a spiking classifier with memristive plasticity",
        description="F1-macro of MemristiveSNNClassifier over stratified folds, next to a "
                    "frozen-weight control, a logistic regression and the published score")
    classify.add_argument("--dataset", required=True, choices=DATASETS + tuple(DATASET_ALIASES))
    classify.add_argument("--rule", default="nc", choices=RULES, help="(default: nc)")
    classify.add_argument("--folds", type=int, default=5, help="(default: 5)")
    classify.add_argument("--encoding", choices=ENCODINGS, help="(default: rate)")
    classify.add_argument("--network", choices=NETWORKS, help="(default: classwise)")
    classify.add_argument("--epochs", type=int, help="(default: the estimator's)")
    classify.add_argument("--decoder", choices=DECODERS, help="(default: the estimator's)")
    classify.add_argument("--seed", type=int, default=0, help="folds and seeds (default: 0)")
    classify.add_argument("--report", metavar="DIR",
                          help="write report.md and figures into this folder")
    classify.add_argument("--no-progress", action="store_true", help="no progress bar")
    classify.set_defaults(func=_classify)


def _version(args: argparse.Namespace) -> int:
    from . import __version__

    print(__version__)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="spikeloom", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the COBA demo network and save a raster plot")
    demo.add_argument("--out", default=".", help="folder for coba_raster.png (default: .)")
    demo.add_argument("--duration", type=float, default=1000.0, help="biological ms")
    demo.add_argument("--neurons", type=int, default=4000)
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(func=_demo)
    _add_classify(sub)
    version = sub.add_parser("version", help="print the version")
    version.set_defaults(func=_version)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, KeyError, RuntimeError) as exc:
        print(f"spikeloom: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
