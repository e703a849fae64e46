"""Brian2 reference for Song, Miller & Abbott (2000): final weight fractions over several seeds.

Run from the repository root with a Python that has Brian2 installed (never spikeloom's
environment)::

    python tests/reference/song2000/make_brian2_song.py [--seeds 1 2 3]
        [--duration 100] [--target cython]

It runs Brian2's documented STDP example (``song_model.brian2_song``) once per seed for
``--duration`` seconds and writes, next to this file:

* ``brian2_song.npz`` -- ``seeds`` (n,), ``frac_high`` and ``frac_low`` (n,): fraction of the
  1000 weights above 0.9*gmax and below 0.1*gmax; ``w_gmax`` (n, 1000): final weights in units of
  gmax; ``post_rate_Hz`` (n,): output rate over the run;
* ``META.json`` -- Brian2/NumPy versions, target, seeds, duration, per-seed numbers, run times,
  the command line and the sha256 of the npz.

Why the Cython target: 100 s of this network is 10^6 time steps, which takes several minutes
per seed with the numpy target. The numbers are only compared statistically (spikeloom does not
reproduce NumPy's random stream), so the compiler's round-off (``-ffast-math``) is irrelevant.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import platform
import shlex
import sys
import time
import zipfile
from pathlib import Path

import brian2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from song_model import HIGH, LOW, brian2_song, fractions


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> str:
    """np.savez-compatible file with fixed timestamps; returns its sha256."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for key in sorted(arrays):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.ascontiguousarray(arrays[key]),
                                          allow_pickle=False)
    data = buf.getvalue()
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--duration", type=float, default=100.0, help="seconds per run")
    parser.add_argument("--target", default="cython", choices=["cython", "numpy"])
    args = parser.parse_args(argv)
    brian2.prefs.codegen.target = args.target
    brian2.defaultclock.dt = 0.1 * brian2.ms
    rows = []
    for seed in args.seeds:
        start = time.perf_counter()
        out = brian2_song(brian2, seed, args.duration)
        elapsed = time.perf_counter() - start
        hi, lo = fractions(out["w_gmax"])
        rate = float(out["post_count"]) / args.duration
        rows.append((seed, hi, lo, rate, out["w_gmax"], elapsed))
        print(f"seed {seed}: {100 * hi:.1f} % > {HIGH} gmax, {100 * lo:.1f} % < {LOW} gmax, "
              f"post rate {rate:.2f} Hz ({elapsed:.1f} s)", flush=True)
    arrays = {
        "seeds": np.array([r[0] for r in rows], dtype=np.float64),
        "frac_high": np.array([r[1] for r in rows]),
        "frac_low": np.array([r[2] for r in rows]),
        "post_rate_Hz": np.array([r[3] for r in rows]),
        "w_gmax": np.stack([r[4] for r in rows]),
    }
    sha = save_npz(HERE / "brian2_song.npz", arrays)
    meta = {
        "generator": "tests/reference/song2000/make_brian2_song.py",
        "command": " ".join(shlex.quote(a) for a in ["python", *sys.argv]),
        "date_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "brian2_version": brian2.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "codegen_target": args.target,
        "defaultclock_dt_ms": 0.1,
        "duration_s": args.duration,
        "thresholds_gmax": {"high": HIGH, "low": LOW},
        "per_seed": [{"seed": r[0], "frac_high": r[1], "frac_low": r[2],
                      "post_rate_Hz": r[3], "wall_s": round(r[5], 2)} for r in rows],
        "mean": {"frac_high": float(arrays["frac_high"].mean()),
                 "frac_low": float(arrays["frac_low"].mean()),
                 "post_rate_Hz": float(arrays["post_rate_Hz"].mean())},
        "std": {"frac_high": float(arrays["frac_high"].std(ddof=1)) if len(rows) > 1 else 0.0,
                "frac_low": float(arrays["frac_low"].std(ddof=1)) if len(rows) > 1 else 0.0},
        "npz_sha256": sha,
    }
    (HERE / "META.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(json.dumps(meta["mean"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
