"""COBA, CUBA and COBAHH networks in BrainPy 2.8 (JAX, CPU); prints one JSON line.

Run by the benchmark runner inside BrainPy's own virtual environment::

    python benchmarks/peers/brainpy_cases.py CASE N DURATION_S SEED [CONNECTIVITY]

Cases (dt = 0.1 ms, 80 % excitatory, connection probability p = 80 / N, i.e. about 80
synapses per neuron at every size; one neuron group whose first 80 % project with the
excitatory synapse and the rest with the inhibitory one, as in Brian2's examples):

``coba``
    Brette et al. (2007) benchmark 1 as in BrainPy's COBA examples: ``bp.dyn.LifRef``
    (V_rest = V_reset = -60 mV, V_th = -50 mV, tau = 20 ms, tau_ref = 5 ms, constant drive
    20 mV), exponential conductances (tau_e = 5 ms, tau_i = 10 ms) relative to the leak,
    we = 0.6, wi = 6.7, reversal 0 / -80 mV. Initial V uniform in [V_reset, V_th), the same
    draw as Brian2's ``Vr + rand()*(Vt - Vr)`` (not BrainPy's ``-60 + 5*randn``).
``cuba``
    Brian2's CUBA example: LIF with El = -49 mV, Vt = -50 mV, Vr = -60 mV, taum = 20 ms,
    refractory 5 ms, current-based exponential synapses (taue = 5 ms, taui = 10 ms) with
    we = 1.62 mV, wi = -9 mV; initial V uniform in [Vr, Vt).
``cobahh``
    Brette et al. (2007) benchmark 3 (Brian2's examples/COBAHH.py, BrainPy's COBAHH
    benchmark): Traub-Miles HH cells of 20000 um^2 (Cm 200 pF, gl 10 nS, g_Na 20 uS,
    g_Kd 6 uS, El -60 mV, ENa 50 mV, EK -90 mV, VT -63 mV), conductance synapses
    (taue 5 ms, taui 10 ms, we 6 nS, wi 67 nS, Ee 0 mV, Ei -80 mV), a spike is an upward
    crossing of -20 mV. Initial state as in Brian2's example: V = El + 5*randn - 5 mV,
    ge = 10*(1.5*randn + 4) nS, gi = 10*(12*randn + 20) nS, m = h = n = 0.

Synapses are BrainPy's event-driven align-post projections (``bp.dyn.HalfProjAlignPostMg``
with ``bp.dyn.Expon`` and ``bp.dyn.COBA`` / ``bp.dyn.CUBA``); the excitatory and the
inhibitory projections read the spikes of the previous step, as BrainPy's benchmarks do.
Integration is BrainPy's default ``exp_auto`` (exponential Euler) everywhere; Brian2's COBA
peer uses forward Euler, its CUBA example ``exact``, its COBAHH ``exponential_euler``.
CONNECTIVITY (default ``csr`` for N <= 40000, ``jit`` above):

``csr``
    ``bp.dnn.EventCSRLinear(bp.conn.FixedProb(p, allow_multi_conn=True))`` as in BrainPy's
    own COBA/COBAHH benchmarks: each presynaptic neuron gets exactly round(p * N) targets
    drawn with replacement (rare duplicate pairs), built once and stored as CSR.
``csr-unique``
    the same without ``allow_multi_conn`` (targets drawn without replacement, BrainPy's
    default). Its build draws a permutation of N per presynaptic neuron, O(N^2): it is what
    makes BrainPy's build take half an hour at 400k neurons; do not use it there.
``jit``
    ``bp.dnn.EventJitFPHomoLinear``: connectivity regenerated on the fly from a seed at every
    step (each pair connected with probability p), never stored; ``synapses`` is then the
    expected count p * N_pre * N_post.

Environment (the runner's ``.venvs/brainpy``; numba is needed because brainevent's CPU
kernels are Numba kernels, without it the first run fails with ``KernelCompilationError``)::

    brainpy==2.8.2 jax==0.10.2 jaxlib==0.10.2 brainevent==0.2.1 numba==0.68.1

Columns of the JSON line (times are wall-clock seconds, ``time.perf_counter``):

``import_s``
    ``import brainpy``, ``brainpy.math`` and ``jax``.
``build_s``
    building the network objects including the connectivity (waited for on the device).
``run_s``
    the first run of DURATION_S in this fresh process, as a user experiences it: tracing,
    XLA compilation and the run itself (``bm.jit`` around ``bm.for_loop`` over
    ``net.step_run``, no progress bar; ``jax.block_until_ready`` before the clock stops).
``steady_s``
    a second run of the same length, continuing from the first, with the compiled loop.
``compile_s``
    null: JAX compiles inside the first run; it is not separated out.
``rate_hz``
    mean firing rate over the first run, from spike counts summed on the device per step.
``dtype``
    BrainPy's default float32 (no ``bm.enable_x64()``).
"""

import json
import sys
import time

CASES = ("coba", "cuba", "cobahh")
CONNECTIVITIES = ("csr", "csr-unique", "jit")
DT_MS = 0.1


def _parse(argv: list[str]) -> tuple[str, int, float, int, str]:
    if len(argv) not in (5, 6) or argv[1] not in CASES:
        sys.exit(f"usage: {argv[0]} {{{'|'.join(CASES)}}} N DURATION_S SEED "
                 f"[{'|'.join(CONNECTIVITIES)}]")
    n = int(argv[2])
    # BrainPy builds CSR connectivity slowly (half an hour at 400k with unique targets);
    # the just-in-time operator stores nothing and builds in well under a second
    connectivity = argv[5] if len(argv) == 6 else ("csr" if n <= 40000 else "jit")
    if connectivity not in CONNECTIVITIES:
        sys.exit(f"connectivity must be one of {CONNECTIVITIES}, got {connectivity!r}")
    return argv[1], n, float(argv[3]), int(argv[4]), connectivity


CASE, N, DURATION_S, SEED, CONNECTIVITY = _parse(sys.argv)

t_import = time.perf_counter()
import brainpy as bp
import brainpy.math as bm
import jax
import jax.numpy as jnp
import numpy as np

import_s = time.perf_counter() - t_import

bm.set_platform("cpu")
bm.set_dt(DT_MS)


def projection_comm(n_pre: int, n_post: int, weight: float, seed: int):
    """The event-driven synaptic operator of one projection, per CONNECTIVITY."""
    p = 80.0 / n_post
    if CONNECTIVITY == "jit":
        return bp.dnn.EventJitFPHomoLinear(n_pre, n_post, prob=p, weight=weight, seed=seed)
    conn = bp.conn.FixedProb(p, pre=n_pre, post=n_post, seed=seed,
                             allow_multi_conn=CONNECTIVITY == "csr")
    return bp.dnn.EventCSRLinear(conn, weight)


def _x_over_expm1(x):
    """x / (exp(x) - 1), finite at x = 0 (float32 can land exactly on the HH rate's pole)."""
    small = jnp.abs(x) < 1e-4
    safe = jnp.where(small, 1.0, x)
    return jnp.where(small, 1.0 - 0.5 * x, safe / jnp.expm1(safe))


class TraubMilesHH(bp.dyn.NeuDyn):
    """Traub-Miles HH cell of Brette et al. (2007); mV, ms, pF, nS (so nS*mV/pF = mV/ms)."""

    Cm, gl, g_na, g_kd = 200.0, 10.0, 20000.0, 6000.0
    El, ENa, EK, VT, V_th = -60.0, 50.0, -90.0, -63.0, -20.0

    def __init__(self, size: int):
        super().__init__(size)
        self.V = bm.Variable(self.El + 5.0 * bm.random.randn(self.num) - 5.0)
        self.m = bm.Variable(bm.zeros(self.num))
        self.h = bm.Variable(bm.zeros(self.num))
        self.n = bm.Variable(bm.zeros(self.num))
        self.spike = bm.Variable(bm.zeros(self.num, dtype=bool))
        # exponential Euler on each variable, like Brian2's exponential_euler for this model
        self.integral = bp.odeint(bp.JointEq(self.dV, self.dm, self.dh, self.dn),
                                  method="exp_auto")

    def dV(self, V, t, m, h, n):
        # the synaptic conductances enter the linear part in V, as in Brian2
        i_syn = self.sum_current_inputs(V)
        i_na = self.g_na * m * m * m * h * (V - self.ENa)
        i_kd = self.g_kd * (n * n) * (n * n) * (V - self.EK)
        return (self.gl * (self.El - V) - i_na - i_kd + i_syn) / self.Cm

    def dm(self, m, t, V):
        alpha = 0.32 * 4.0 * _x_over_expm1((13.0 - V + self.VT) / 4.0)
        beta = 0.28 * 5.0 * _x_over_expm1((V - self.VT - 40.0) / 5.0)
        return alpha * (1.0 - m) - beta * m

    def dh(self, h, t, V):
        alpha = 0.128 * jnp.exp((17.0 - V + self.VT) / 18.0)
        beta = 4.0 / (1.0 + jnp.exp((40.0 - V + self.VT) / 5.0))
        return alpha * (1.0 - h) - beta * h

    def dn(self, n, t, V):
        alpha = 0.032 * 5.0 * _x_over_expm1((15.0 - V + self.VT) / 5.0)
        beta = 0.5 * jnp.exp((10.0 - V + self.VT) / 40.0)
        return alpha * (1.0 - n) - beta * n

    def update(self, x=None):
        t, dt = bp.share.load("t"), bp.share.load("dt")
        V, m, h, n = self.integral(self.V.value, self.m.value, self.h.value, self.n.value,
                                   t, dt=dt)
        self.spike.value = jnp.logical_and(self.V.value < self.V_th, V >= self.V_th)
        self.V.value, self.m.value, self.h.value, self.n.value = V, m, h, n
        return self.spike.value


class EINetwork(bp.DynSysGroup):
    """One neuron group, excitatory and inhibitory align-post projections onto all of it."""

    def __init__(self, case: str, n: int, seed: int):
        super().__init__()
        self.n_exc = int(0.8 * n)
        n_inh = n - self.n_exc
        if case == "coba":
            self.drive = 20.0  # mV, R = 1
            self.neurons = bp.dyn.LifRef(n, V_rest=-60.0, V_th=-50.0, V_reset=-60.0,
                                         tau=20.0, tau_ref=5.0,
                                         V_initializer=bp.init.Uniform(-60.0, -50.0))
            we, wi, out_e, out_i = 0.6, 6.7, bp.dyn.COBA.desc(E=0.0), bp.dyn.COBA.desc(E=-80.0)
        elif case == "cuba":
            self.drive = 0.0  # El = -49 mV above threshold drives the network
            self.neurons = bp.dyn.LifRef(n, V_rest=-49.0, V_th=-50.0, V_reset=-60.0,
                                         tau=20.0, tau_ref=5.0,
                                         V_initializer=bp.init.Uniform(-60.0, -50.0))
            we, wi, out_e, out_i = 1.62, -9.0, bp.dyn.CUBA.desc(), bp.dyn.CUBA.desc()
        else:
            self.drive = 0.0
            self.neurons = TraubMilesHH(n)
            we, wi, out_e, out_i = 6.0, 67.0, bp.dyn.COBA.desc(E=0.0), bp.dyn.COBA.desc(E=-80.0)
        # distinct seeds: with jit connectivity the seed IS the connectivity
        self.exc = bp.dyn.HalfProjAlignPostMg(
            comm=projection_comm(self.n_exc, n, we, seed=2 * seed + 1),
            syn=bp.dyn.Expon.desc(n, tau=5.0), out=out_e, post=self.neurons)
        self.inh = bp.dyn.HalfProjAlignPostMg(
            comm=projection_comm(n_inh, n, wi, seed=2 * seed + 2),
            syn=bp.dyn.Expon.desc(n, tau=10.0), out=out_i, post=self.neurons)
        if case == "cobahh":
            self.exc.syn.g.value = 10.0 * (1.5 * bm.random.randn(n) + 4.0)
            self.inh.syn.g.value = 10.0 * (12.0 * bm.random.randn(n) + 20.0)

    def update(self):
        spikes = self.neurons.spike.value  # previous step's spikes
        self.exc(spikes[:self.n_exc])
        self.inh(spikes[self.n_exc:])
        self.neurons(self.drive)
        # only the per-step count leaves the device, not the raster
        return jnp.sum(self.neurons.spike.value, dtype=jnp.int32)

    def synapse_count(self) -> tuple[int, bool]:
        """Stored synapses (exact for CSR), or the expected count for jit connectivity."""
        total, exact = 0, True
        for comm in (self.exc.comm, self.inh.comm):
            if hasattr(comm, "indices"):
                total += int(comm.indices.size)
            else:
                total += round(comm.prob * comm.num_in * comm.num_out)
                exact = False
        return total, exact


def main() -> dict:
    bm.random.seed(SEED)
    np.random.seed(SEED)
    t0 = time.perf_counter()
    net = EINetwork(CASE, N, SEED)
    # JAX dispatches asynchronously: wait for the initial state and the CSR arrays
    jax.block_until_ready([bm.as_jax(v) for v in net.vars().unique().values()]
                          + [bm.as_jax(c.indices) for c in (net.exc.comm, net.inh.comm)
                             if hasattr(c, "indices")])
    build_s = time.perf_counter() - t0

    n_steps = int(round(DURATION_S * 1000.0 / DT_MS))
    # bm.jit around the loop keeps the compiled scan, so the second run does not recompile
    # (a bare bm.for_loop call retraces and recompiles every time)
    run = bm.jit(lambda steps: bm.for_loop(net.step_run, steps, progress_bar=False))

    t1 = time.perf_counter()
    counts = jax.block_until_ready(run(np.arange(n_steps, dtype=np.int32)))
    run_s = time.perf_counter() - t1
    spikes_first = int(np.asarray(counts).sum(dtype=np.int64))  # one int per step

    t2 = time.perf_counter()
    jax.block_until_ready(run(np.arange(n_steps, 2 * n_steps, dtype=np.int32)))
    steady_s = time.perf_counter() - t2

    synapses, exact = net.synapse_count()
    connectivity = {
        "csr": "csr: EventCSRLinear(FixedProb(p, allow_multi_conn=True)), fixed out-degree",
        "csr-unique": "csr-unique: EventCSRLinear(FixedProb(p)), fixed out-degree, no repeats",
        "jit": "jit: EventJitFPHomoLinear(prob=p), regenerated each step, not stored",
    }[CONNECTIVITY]
    return {"simulator": "brainpy-cpu", "case": CASE, "n": N, "duration_s": DURATION_S,
            "seed": SEED, "import_s": import_s, "build_s": build_s, "run_s": run_s,
            "steady_s": steady_s, "compile_s": None,
            "rate_hz": spikes_first / (N * DURATION_S),
            "synapses": synapses, "synapses_exact": exact, "connectivity": connectivity,
            "dtype": jnp.dtype(bm.float_).name,
            "brainpy": bp.__version__, "jax": jax.__version__}


if __name__ == "__main__":
    print(json.dumps(main()))
