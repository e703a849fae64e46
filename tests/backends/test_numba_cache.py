"""The generated source is deterministic, so Numba's disk cache is hit across processes."""

import json
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


def test_entry_point_is_cached_with_its_names_and_without_its_code(tmp_path):
    """Catches the run loop's cached library losing a function name Numba looks its
    machine code up by (the second process would fail to load it), or still carrying the
    LLVM code and names that only callers need (parsed and scanned again by every process
    that loads the loop), or the functions it calls losing the code that a recompiled loop
    links in."""
    code = textwrap.dedent("""
        import json
        import llvmlite.binding as llvm
        import spikeloom as sl
        import spikeloom.backends.numba._run as r

        G = sl.NeuronGroup(20, 'dv/dt = (1.1 - v)/(10*ms) : 1', threshold='v > 1',
                           reset='v = 0', method='exact')
        # the draw puts the synapses' row in a function of its own, which the loop calls
        S = sl.Synapses(G, G, 'w : 1', on_pre='v_post += w*rand()')
        S.connect(p=0.5)
        sl.Network(G, S).run(1*sl.ms)
        module = r._LOADED[next(iter(r._LOADED))].py_func.__module__

        def defined(module):  # the names Numba looks machine code up by
            return sorted(value.name for value in module.functions
                          if not value.is_declaration) or ["none"]

        def defined_anyhow(module):  # in the names-only module: as variables
            return sorted(value.name for values in (module.functions, module.global_variables)
                          for value in values if not value.is_declaration) or ["none"]

        report = {}
        for name, dispatcher in vars(__import__(module)).items():
            if getattr(getattr(dispatcher, "py_func", None), "__module__", None) != module:
                continue  # imported helpers are cached by Numba, not by spikeloom
            cache_file = dispatcher._cache._cache_file
            for number, ((signature, *_), data_name) in enumerate(
                    cache_file._load_index().items()):
                saved = llvm.parse_bitcode(cache_file._load_data(data_name)[0][2][1])
                result = dispatcher.overloads[getattr(signature, "args", signature)]
                compiled = result.library._get_module_for_linking()
                report[f"{name} {number}"] = {
                    "class": type(cache_file).__name__,
                    "function names only": defined_anyhow(saved) == defined(compiled),
                    "every name": defined_anyhow(saved) == defined_anyhow(compiled),
                    "functions defined": sum(not f.is_declaration for f in saved.functions)}
        print(json.dumps(report))
    """)
    env = dict(os.environ, SPIKELOOM_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.splitlines()[-1])
    loops = [entry for name, entry in report.items() if name.startswith("run_loop ")]
    assert loops == [{"class": "EntryPointCacheFile", "function names only": True,
                      "every name": False, "functions defined": 0}], report
    helpers = {name: entry for name, entry in report.items()
               if not name.startswith("run_loop ")}
    assert helpers, report
    for entry in helpers.values():
        assert entry["class"] == "SealedCacheFile" and entry["every name"], report
        assert entry["functions defined"] > 0, report


def test_symbols_only_bitcode_keeps_names_that_need_escaping():
    """Catches a name with a quote, a backslash or a non-ASCII byte being mangled in the
    LLVM text of the names-only module (its machine code would not be found)."""
    import llvmlite.binding as llvm

    from spikeloom.backends.numba._cache import symbols_only_bitcode

    names = ['plain', 'with"quote', 'back\\slash', 'dollar$and.dot', 'ünïcode']
    text = "".join(
        f'define i64 @"{_escaped_by_hand(name)}"() {{\n  ret i64 1\n}}\n' for name in names)
    text += ('@"a global" = global i32 7\n@".numba.unresolved$f" = global i8* null\n'
             'declare double @exp(double)\n')
    slim = llvm.parse_bitcode(symbols_only_bitcode(llvm.parse_assembly(text).as_bitcode()))
    assert sorted(g.name for g in slim.global_variables) == sorted(
        names + [".numba.unresolved$f"])
    assert not list(slim.functions)


def _escaped_by_hand(name: str) -> str:
    return "".join(f"\\{b:02X}" for b in name.encode())
