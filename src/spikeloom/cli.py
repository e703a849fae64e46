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
