"""Generate BrainPy's numbers for the AMPA seed (``/work/shared/seeds/004_*.txt``).

Run with a *BrainPy* interpreter, never spikeloom's (BrainPy pulls JAX and its own
versions of NumPy)::

    python3 -m venv /work/venvs/brainpy
    /work/venvs/brainpy/bin/pip install "brainpy==2.8.*" numba matplotlib
    /work/venvs/brainpy/bin/python tests/reference/brainpy/make_brainpy_ampa.py

The model is the seed's, unchanged: one ``SpikeTimeGroup`` neuron firing at 10, 30, 50 and
70 ms, a ``ProjAlignPreMg2`` with ``AMPA.desc(alpha=0.98, beta=0.18, T=0.5, T_dur=0.5)``,
``CSRLinear(FixedProb(1.0), g_max=1)`` and ``COBA(E=0)`` onto one ``LifRef`` (V_rest -60,
V_th -50, V_reset -60, tau 20, tau_ref 5, V starting at -60), stepped by
``bm.for_loop(net.step_run, arange(1000))`` with dt = 0.1 ms. Each step returns the
conductance ``g``, the current ``post.sum_inputs(post.V)`` (= g_max*g*(E - V) with the
updated V) and ``V``. (``numba`` is installed because brainevent's default CPU kernel for
``CSRLinear`` needs it.)

The seed runs in BrainPy's default precision (float32); the script records that run and a
second one with ``bm.enable_x64()`` (``--x64``, done in a subprocess because the precision
is global). Outputs in ``tests/reference/brainpy/data/``: ``ampa_seed.npz`` (``g``, ``I``,
``V``: float32 run; ``g_x64``, ``I_x64``, ``V_x64``: float64 run; ``t``: ``indices*dt`` in
ms) and ``META.json`` (versions, command, checksums).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def simulate(x64: bool) -> dict[str, np.ndarray]:
    import brainpy as bp
    import brainpy.math as bm

    if x64:
        bm.enable_x64()

    class AMPA(bp.Projection):
        def __init__(self, pre, post, delay, prob, g_max, E=0.):
            super().__init__()
            self.proj = bp.dyn.ProjAlignPreMg2(
                pre=pre,
                delay=delay,
                syn=bp.dyn.AMPA.desc(pre.num, alpha=0.98, beta=0.18, T=0.5, T_dur=0.5),
                comm=bp.dnn.CSRLinear(bp.conn.FixedProb(prob, pre=pre.num, post=post.num),
                                      g_max),
                out=bp.dyn.COBA(E=E),
                post=post,
            )

    class SimpleNet(bp.DynSysGroup):
        def __init__(self, E=0.):
            super().__init__()
            self.pre = bp.dyn.SpikeTimeGroup(1, indices=(0, 0, 0, 0), times=(10., 30., 50., 70.))
            self.post = bp.dyn.LifRef(1, V_rest=-60., V_th=-50., V_reset=-60., tau=20.,
                                      tau_ref=5., V_initializer=bp.init.Constant(-60.))
            self.syn = AMPA(self.pre, self.post, delay=None, prob=1., g_max=1., E=E)

        def update(self):
            self.pre()
            self.syn()
            self.post()
            conductance = self.syn.proj.refs['syn'].g
            current = self.post.sum_inputs(self.post.V)
            return conductance, current, self.post.V

    indices = np.arange(1000)  # 100 ms, dt = 0.1 ms
    g, current, v = bm.for_loop(SimpleNet(E=0.).step_run, indices, progress_bar=False)
    dt = float(bm.get_dt())
    return {"g": np.asarray(g).reshape(-1), "I": np.asarray(current).reshape(-1),
            "V": np.asarray(v).reshape(-1), "t": indices * dt, "dtype": str(np.asarray(g).dtype)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--x64", action="store_true", help="internal: one float64 run to stdout")
    args = parser.parse_args(argv)
    if args.x64:
        out = simulate(True)
        np.save(sys.stdout.buffer, np.stack([out["g"], out["I"], out["V"]]))
        return 0
    import brainpy
    import jax

    f32 = simulate(False)
    proc = subprocess.run([sys.executable, __file__, "--x64"], check=True, capture_output=True)
    import io

    g64, i64, v64 = np.load(io.BytesIO(proc.stdout))
    arrays = {"g": f32["g"], "I": f32["I"], "V": f32["V"], "t": f32["t"].astype(np.float64),
              "g_x64": g64, "I_x64": i64, "V_x64": v64}
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / "ampa_seed.npz"
    np.savez(path, **arrays)
    meta = {
        "generator": "tests/reference/brainpy/make_brainpy_ampa.py",
        "command": "/work/venvs/brainpy/bin/python tests/reference/brainpy/make_brainpy_ampa.py",
        "date_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "brainpy_version": brainpy.__version__,
        "jax_version": jax.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "seed": "/work/shared/seeds/004_1791ca4d9b17a00b.txt (brainpy.dyn.AMPA docs example)",
        "dt_ms": 0.1,
        "n_steps": 1000,
        "units": {"t": "ms", "g": "1", "I": "mV (BrainPy's R*I with R = 1)", "V": "mV"},
        "arrays": {k: {"shape": list(v.shape), "dtype": str(v.dtype)} for k, v in arrays.items()},
        "precision": {"g, I, V": f32["dtype"] + " (BrainPy's default, as the seed runs)",
                      "g_x64, I_x64, V_x64": "float64 (bm.enable_x64())"},
        "meaning": "row k = values after step k (t = k*dt), as bm.for_loop returns them",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    (DATA / "META.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {path} and META.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
