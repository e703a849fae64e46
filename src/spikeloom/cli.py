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


def _sweep(args: argparse.Namespace) -> int:
    from pathlib import Path

    if (args.config is None) == (args.plot is None):
        raise ValueError("sweep: give CONFIG.toml to run a sweep or --plot RESULTS_DIR to plot "
                         "one (one of them)")
    if args.plot is not None:
        from .sweep._plot import plot_results

        if args.workers is not None or args.scheduler is not None:
            raise ValueError("sweep --plot draws finished results; --workers and --scheduler "
                             "apply to running a sweep")
        figure = Path(args.out) if args.out else Path(args.plot) / "sweep.png"
        plot_results(args.plot, figure)
        print(f"figure: {figure}")
        return 0
    from .sweep._config import Sweep
    from .sweep._run import run_sweep

    sweep = Sweep.from_toml(args.config)
    out = args.out or f"{Path(args.config).stem}_results"
    try:
        rows = run_sweep(sweep, out, workers=args.workers, scheduler=args.scheduler,
                         progress=not args.no_progress)
    except ConnectionError as exc:  # an unreachable scheduler
        print(f"spikeloom: error: {exc}", file=sys.stderr)
        return 2
    done = rows.attrs
    print(f"{sweep.experiment} sweep: {len(rows)} rows, {done['computed']} computed and "
          f"{done['skipped']} already there, in {done['wall_s']:.1f} s")
    for rule, scores in rows.groupby("rule")["f1_mean"] if "rule" in rows else ():
        print(f"  {rule}: F1-macro {scores.mean():.3f} (mean over {len(scores)} rows), "
              f"{scores.min():.3f} to {scores.max():.3f}")
    print(f"results: {done['out']} (spikeloom.sweep.load_results or pandas.read_parquet); "
          f"plot: spikeloom sweep --plot {done['out']}")
    return 0


def _add_sweep(sub) -> None:
    sweep = sub.add_parser(
        "sweep", help="run a device-robustness sweep as Dask tasks, or plot its results",
        description="Run every configuration and seed of a sweep (CONFIG.toml, see "
                    "docs/sweeps.md) that the results folder does not hold yet, on a "
                    "LocalCluster or a running Dask scheduler; or plot finished results")
    sweep.add_argument("config", nargs="?", metavar="CONFIG.toml", help="the sweep to run")
    sweep.add_argument("--workers", type=int,
                       help="worker processes of the LocalCluster (default: 2)")
    sweep.add_argument("--scheduler", metavar="ADDR",
                       help="address of a running Dask scheduler, tcp://host:port "
                            "(default: $SPIKELOOM_SCHEDULER, else a LocalCluster)")
    sweep.add_argument("--out", help="results folder (default: CONFIG_results); with --plot, "
                                     "the figure (default: RESULTS_DIR/sweep.png)")
    sweep.add_argument("--plot", metavar="RESULTS_DIR",
                       help="plot F1 against each non-ideality of these results")
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")
    sweep.set_defaults(func=_sweep)


def _classify(args: argparse.Namespace) -> int:
    from .tasks._experiment import cross_validate

    # only what the user gave: the estimator's own defaults apply to everything else
    params = {key: value for key, value in (("epochs", args.epochs), ("decoder", args.decoder),
                                            ("learning_rate", args.learning_rate))
              if value is not None}
    options = {key: value for key, value in (("encoding", args.encoding),
                                             ("network", args.network),
                                             ("n_jobs", args.jobs)) if value is not None}
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
    classify.add_argument("--learning-rate", type=float,
                          help="factor on the rule's amplitudes (default: the tuned one of the "
                               "data set and rule, else 1)")
    classify.add_argument("--seed", type=int, default=0, help="folds and seeds (default: 0)")
    classify.add_argument("--jobs", type=int,
                          help="processes over the folds (default: 1; -1: one per core)")
    classify.add_argument("--report", metavar="DIR",
                          help="write report.md and figures into this folder")
    classify.add_argument("--no-progress", action="store_true", help="no progress bar")
    classify.set_defaults(func=_classify)


def _cartpole(args: argparse.Namespace) -> int:
    from .tasks.cartpole import plot_cartpole, train_cartpole

    result = train_cartpole(args.rule, episodes=args.episodes, eval_episodes=args.eval_episodes,
                            seed=args.seed, env=args.env, progress=not args.no_progress)
    print(result.summary_line())
    for line in result.comparison_lines():
        print(line)
    if args.plot is not None:
        print(f"plot: {plot_cartpole(result, args.plot)}")
    return 0


def _add_cartpole(sub) -> None:
    from .tasks._names import CARTPOLE_ENVS, RULES

    cartpole = sub.add_parser(
        "cartpole", help="train a spiking network on CartPole with memristive plasticity",
        description="Train the closed-loop network on CartPole-v1 from a teacher with the "
                    "plasticity rule (docs/closed_loop.md), then print its mean episode "
                    "length over evaluation episodes with frozen weights, next to a random "
                    "policy and the teacher on the same seeds")
    cartpole.add_argument("--rule", default="nc", choices=RULES, help="(default: nc)")
    cartpole.add_argument("--episodes", type=int, default=100,
                          help="training episodes (default: 100)")
    cartpole.add_argument("--eval-episodes", type=int, default=100,
                          help="evaluation episodes (default: 100)")
    cartpole.add_argument("--seed", type=int, default=0, help="episode seeds (default: 0)")
    cartpole.add_argument("--env", default="auto", choices=CARTPOLE_ENVS,
                          help="gymnasium's CartPole-v1 or the built-in one (default: auto, "
                               "gymnasium's when installed)")
    cartpole.add_argument("--plot", metavar="FILE",
                          help="save training and evaluation episode lengths (PNG)")
    cartpole.add_argument("--no-progress", action="store_true", help="no progress bar")
    cartpole.set_defaults(func=_cartpole)


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
    _add_sweep(sub)
    _add_classify(sub)
    _add_cartpole(sub)
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
