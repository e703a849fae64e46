"""The generated source is deterministic, so Numba's disk cache is hit across processes."""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import spikeloom as sl
    from spikeloom.backends.numba._render import NumbaRenderer
    from spikeloom.core._lowering import LoweringContext
    sl.seed(1)
    G = sl.NeuronGroup(10, 'dv/dt = (I - v)/tau : 1\\nI : 1', threshold='v > 1',
                       reset='v = 0', method='exact', namespace={'tau': 10*sl.ms})
    S = sl.Synapses(G, G, 'w : 1', on_pre='v_post += w*rand()')
    S.connect(p=0.5)
    net = sl.Network(G, S)
    net.run(0*sl.ms)
    lctx = LoweringContext(1e-4, {}, 0.0)
    for obj in net.simulated_objects:
        obj.lower(lctx)
    print(NumbaRenderer(lctx.plan()).source())
""")


def _source(hash_seed: str, cache: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, SPIKELOOM_CACHE_DIR=cache)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout


def test_generated_source_does_not_depend_on_hash_seed(tmp_path):
    """Set iteration order varies with PYTHONHASHSEED; the rendered loop must not."""
    assert _source("1", str(tmp_path)) == _source("2", str(tmp_path)) == _source("3",
                                                                                 str(tmp_path))


def test_second_process_loads_compiled_loop_from_disk(tmp_path):
    code = textwrap.dedent("""
        import spikeloom as sl
        G = sl.NeuronGroup(5, 'dv/dt = -v/(10*ms) : 1', method='euler')
        net = sl.Network(G)
        net.run(1*sl.ms)
        import spikeloom.backends.numba._run as r
        loop = next(iter(r._LOADED.values()))
        print(len(loop.stats.cache_hits), len(loop.stats.cache_misses))
    """)
    env = dict(os.environ, SPIKELOOM_CACHE_DIR=str(tmp_path))
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.split() for _ in range(2)]
    assert runs[0] == ["0", "1"], runs  # first process compiles
    assert runs[1] == ["1", "0"], runs  # second process loads from the cache


def test_object_names_do_not_change_the_generated_source():
    """The same model under other names renders the same loop (arguments are positional)."""
    import spikeloom as sl
    from spikeloom.backends.numba._render import NumbaRenderer
    from spikeloom.core._lowering import LoweringContext

    def source(suffix):
        G = sl.NeuronGroup(3, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                           method="exact", name=f"exc{suffix}")
        S = sl.Synapses(G, G, "w : 1", on_pre="v_post += w", name=f"rec{suffix}")
        S.connect(i=0, j=1)
        lctx = LoweringContext(1e-4, {}, 0.0)
        for obj in (G, S):
            obj.lower(lctx)
        return NumbaRenderer(lctx.plan()).source()

    first, second = source("A"), source("B")
    assert "excA" not in first and "recA" not in first
    assert first == second
