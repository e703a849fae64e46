"""The disk cache of compiled loops survives what happens to its files.

Each fault ends in a correct run: the same spikes and state as a run with a fresh cache,
recompiling where needed, never a crash. Every run is its own process (a new process is
what reads the cache), isolated by ``SPIKELOOM_CACHE_DIR``. Without spikeloom's checksums,
Numba raises (EOFError, UnpicklingError, LLVM errors) on a damaged index or data file, or
crashes the process (segfault, abort) on a flipped byte of machine code.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

#: a small model with spikes, plastic synapses and random numbers; prints spikes, state and
#: cache stats
MODEL = textwrap.dedent("""
    import json, sys
    import spikeloom as sl
    import spikeloom.backends.numba._run as numba_run

    def run_model():
        sl.start_scope()
        sl.seed(3)
        G = sl.NeuronGroup(20, 'dv/dt = (I - v)/(10*ms) : 1\\nI : 1', threshold='v > 1',
                           reset='v = 0', method='exact')
        G.I = '1.1 + 0.1*rand()'
        # the draw puts the synapses' own loop in a function of its own
        S = sl.Synapses(G, G, 'w : 1',
                        on_pre='w = clip(w + 0.01*(rand() - 0.5), 0, 0.1)\\nv_post += w')
        S.connect(p=0.3)
        S.w = 0.05
        M = sl.SpikeMonitor(G)
        net = sl.Network(G, S, M)
        print("compiling", flush=True)
        net.run(20*sl.ms)
        return {"i": M.i[:].tolist(), "t": M.t_[:].tolist(), "v": G.v[:].tolist()}

    result = run_model()
    for extra in range(int(sys.argv[1]) if len(sys.argv) > 1 else 0):
        numba_run._LOADED.clear(); numba_run._BY_PLAN.clear(); numba_run._LAST[:] = [None] * 3
        result = run_model()  # the same model again, loaded once more from the disk
    loop = next(iter(numba_run._LOADED.values()))
    result["hits"] = len(loop.stats.cache_hits)
    result["misses"] = len(loop.stats.cache_misses)
    print(json.dumps(result))
""")


def _env(cache) -> dict:
    return dict(os.environ, SPIKELOOM_CACHE_DIR=str(cache))


def _run(cache, *args, timeout: float = 240) -> tuple[dict, str]:
    """Run the model in a new process: (its result, its stderr); fails on any crash."""
    out = subprocess.run([sys.executable, "-c", MODEL, *args], env=_env(cache),
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"exit {out.returncode}\n{out.stderr[-3000:]}"
    return json.loads(out.stdout.splitlines()[-1]), out.stderr


def _same_run(result: dict, reference: dict) -> None:
    for key in ("i", "t", "v"):
        assert result[key] == reference[key], key


@pytest.fixture(scope="module")
def populated(tmp_path_factory) -> tuple[Path, dict]:
    """A cache filled by one run (a fresh cache: its result is the reference)."""
    cache = tmp_path_factory.mktemp("populated")
    reference, _ = _run(cache)
    assert reference["misses"] == 1 and reference["i"], reference
    return cache, reference


def _files(cache: Path) -> dict[str, Path]:
    """The loop's files (those of the functions it calls are read only to compile it)."""
    found = {"py": list(cache.glob("spikeloom_loop_*.py")),
             "code": list(cache.glob("__pycache__/spikeloom_loop_*.code")),
             "nbi": list(cache.glob("__pycache__/spikeloom_loop_*.run_loop-*.nbi")),
             "nbc": list(cache.glob("__pycache__/spikeloom_loop_*.run_loop-*.nbc"))}
    assert all(len(paths) == 1 for paths in found.values()), found
    return {kind: paths[0] for kind, paths in found.items()}


def _flip(data: bytes) -> bytes:
    """One byte in the middle inverted: whether or not Numba would notice (some flips of
    a .nbc pass unnoticed, some crash the process), the entry must be recompiled."""
    k = len(data) // 2
    return data[:k] + bytes([data[k] ^ 0xFF]) + data[k + 1:]


FAULTS = {
    "truncate": lambda data: data[: len(data) // 2],
    "empty": lambda data: b"",
    "flip": _flip,
    "garbage": lambda data: os.urandom(len(data)),
}


@pytest.mark.parametrize("kind, fault", [
    ("py", "truncate"), ("py", "garbage"),
    ("code", "truncate"), ("code", "flip"), ("code", "garbage"),
    ("nbi", "truncate"), ("nbi", "flip"), ("nbi", "garbage"),
    ("nbc", "truncate"), ("nbc", "flip"), ("nbc", "empty"), ("nbc", "garbage"),
])
def test_damaged_cache_file_is_recompiled(populated, tmp_path, kind, fault):
    """Catches a damaged source, Numba index or machine-code file being run or crashing
    the process; the damaged entry is replaced, so the next process loads it again."""
    source, reference = populated
    cache = tmp_path / "cache"
    shutil.copytree(source, cache)
    path = _files(cache)[kind]
    path.write_bytes(FAULTS[fault](path.read_bytes()))
    result, _ = _run(cache)
    _same_run(result, reference)
    # a damaged source (or its bytecode) is rewritten from the same text: Numba's entry
    # still matches it
    assert (result["hits"], result["misses"]) == ((1, 0) if kind in ("py", "code")
                                                  else (0, 1))
    if kind == "code":
        from spikeloom._cachedir import read_sealed
        assert read_sealed(path) is not None  # replaced by a whole file
    healed, _ = _run(cache)
    _same_run(healed, reference)
    assert (healed["hits"], healed["misses"]) == (1, 0)


def test_damaged_files_of_the_functions_the_loop_calls_are_recompiled(populated, tmp_path):
    """Catches a function the loop calls (the SIMD loop of a synaptic row) being loaded
    from a damaged file when the loop is compiled again (its own index damaged too)."""
    source, reference = populated
    cache = tmp_path / "cache"
    shutil.copytree(source, cache)
    helpers = [p for p in cache.glob("__pycache__/spikeloom_loop_*.nb[ic]")
               if ".run_loop-" not in p.name]
    assert helpers, "the model's loop calls no function of its own"
    for path in helpers:
        path.write_bytes(_flip(path.read_bytes()))
    _files(cache)["nbi"].write_bytes(b"")
    result, _ = _run(cache)
    _same_run(result, reference)
    healed, _ = _run(cache)
    _same_run(healed, reference)
    assert (healed["hits"], healed["misses"]) == (1, 0)


def test_planted_source_is_never_run(populated, tmp_path):
    """Catches a planted ``.py`` of the right name being imported instead of the
    generated text (its code would write a marker file)."""
    source, reference = populated
    cache = tmp_path / "cache"
    shutil.copytree(source, cache)
    marker = tmp_path / "planted-code-ran"
    path = _files(cache)["py"]
    generated = path.read_text()
    path.write_text(f"open({str(marker)!r}, 'w').close()\n" + generated)
    result, _ = _run(cache)
    _same_run(result, reference)
    assert not marker.exists()
    assert path.read_text() == generated  # rewritten


def test_bytecode_of_another_text_is_never_run(populated, tmp_path):
    """Catches the stored bytecode of a loop being run without checking that it was
    compiled from this loop's text: a sealed file of other code (which would write a
    marker file) in its place is compiled over, not run."""
    import hashlib
    import marshal

    from spikeloom._cachedir import write_sealed

    source, reference = populated
    cache = tmp_path / "cache"
    shutil.copytree(source, cache)
    marker = tmp_path / "planted-bytecode-ran"
    files = _files(cache)
    generated = files["py"].read_text()
    other = f"open({str(marker)!r}, 'w').close()\n" + generated
    filename = str(files["py"])
    binding = hashlib.sha256(f"{filename}\0{other}".encode()).digest()
    write_sealed(files["code"], binding + marshal.dumps(compile(other, filename, "exec")))
    result, _ = _run(cache)
    _same_run(result, reference)
    assert not marker.exists()


def test_source_swapped_after_the_check_is_not_run(tmp_path, monkeypatch):
    """Catches the import reading the file again after it was checked: a file replaced
    between ``write_source`` and the import must not be executed."""
    import spikeloom as sl
    from spikeloom.backends.numba import _cache
    from spikeloom.backends.numba import _run as numba_run

    monkeypatch.setenv("SPIKELOOM_CACHE_DIR", str(tmp_path / "cache"))
    marker = tmp_path / "swapped-code-ran"
    write_source = _cache.write_source

    def write_then_swap(path, text):
        write_source(path, text)
        path.write_text(f"open({str(marker)!r}, 'w').close()\n" + text)

    monkeypatch.setattr(_cache, "write_source", write_then_swap)
    monkeypatch.setattr(numba_run, "_LOADED", {})
    monkeypatch.setattr(numba_run, "_BY_PLAN", {})
    monkeypatch.setattr(numba_run, "_LAST", [None, None, None])
    G = sl.NeuronGroup(3, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                       method="exact", name="swapped")
    M = sl.SpikeMonitor(G)
    sl.Network(G, M).run(20 * sl.ms)
    assert not marker.exists()
    assert M.num_spikes > 0


def test_key_covers_library_versions(monkeypatch):
    """Catches an entry compiled for other library versions being reused: the key and the
    file's first line change with them."""
    from spikeloom.backends.numba import _cache

    key, text = _cache.module_text("def run_loop():\n    pass\n")
    first_line = text.splitlines()[0]
    for name in ("spikeloom", "numba", "numpy", "llvmlite", "python"):
        assert name in first_line
    monkeypatch.setattr(_cache, "library_versions", lambda: "numba 0.0.0")
    assert _cache.module_text("def run_loop():\n    pass\n")[0] != key


def test_process_killed_while_compiling(populated, tmp_path):
    """Catches a half-written or stale entry left by SIGKILL during compilation breaking the
    next process; also that old temporary files of killed writers are swept."""
    _, reference = populated
    cache = tmp_path / "cache"
    killed = 0
    for delay in (0.2, 0.8):  # inside compilation (about 1 to 3 s for this model)
        child = subprocess.Popen([sys.executable, "-c", MODEL], env=_env(cache),
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert child.stdout.readline().strip() == "compiling"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        killed += child.returncode == -signal.SIGKILL  # 0: it compiled faster than that
    assert killed, "no run was killed while compiling"
    leftover = cache / "__pycache__" / "spikeloom_loop_0.run_loop-9.py311.nbc.tmp.0"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"half a file")
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))
    # the last sweep (by the killed runs) an hour ago too: the next process sweeps again
    os.utime(cache / ".swept", (time.time() - 7200, time.time() - 7200))
    result, _ = _run(cache)
    _same_run(result, reference)
    assert not leftover.exists()


def test_two_processes_compile_at_once(populated, tmp_path):
    """Catches concurrent writers of one entry breaking either run or the cache."""
    _, reference = populated
    cache = tmp_path / "cache"
    children = [subprocess.Popen([sys.executable, "-c", MODEL], env=_env(cache),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
    for child in children:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err[-3000:]
        _same_run(json.loads(out.splitlines()[-1]), reference)
    result, _ = _run(cache)
    _same_run(result, reference)
    assert (result["hits"], result["misses"]) == (1, 0)


def _cache_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "compiled-loop cache" in line]


def test_cache_dir_below_a_regular_file(populated, tmp_path):
    """Catches a crash when the cache directory cannot be created (mkdir fails as it does
    for any user, root included); two loads in one process warn once."""
    _, reference = populated
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result, stderr = _run(blocker / "cache", "1")
    _same_run(result, reference)
    warnings = _cache_warnings(stderr)
    assert len(warnings) == 1, stderr
    private = Path(warnings[0].split("caches compiled loops in ")[1].split(",")[0])
    assert not private.exists()  # the private directory is removed at exit


def test_read_only_cache_dir(populated, tmp_path):
    """Catches a crash on a cache directory without write permission (mode 0o555)."""
    _, reference = populated
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        try:
            (cache / "probe").write_text("")
        except PermissionError:
            pass
        else:
            pytest.skip("running as root: mode 0o555 does not stop writes; "
                        "test_cache_dir_below_a_regular_file covers the fallback")
        result, stderr = _run(cache, "1")
    finally:
        cache.chmod(0o755)
    _same_run(result, reference)
    assert len(_cache_warnings(stderr)) == 1, stderr


def test_only_old_temporaries_of_spikeloom_writers_are_swept(tmp_path):
    """Catches the sweep deleting a writer's file in progress, a user's file, or missing a
    temporary source or Numba file of a killed writer."""
    from spikeloom.backends.numba import _cache

    (tmp_path / "__pycache__").mkdir()
    hour_ago = time.time() - 2 * _cache.STALE_TEMPORARY_S
    old = [tmp_path / ".spikeloom_loop_ab12.x7.tmp",
           tmp_path / "__pycache__" / "spikeloom_loop_ab12.run_loop-9.py311.nbi.tmp.3f"]
    kept = [tmp_path / ".spikeloom_loop_cd34.y8.tmp",  # being written now
            tmp_path / "notes.tmp", tmp_path / "__pycache__" / "other.nbi.tmp.1",
            tmp_path / "spikeloom_loop_ab12.py"]
    for path in old + kept:
        path.write_text("x")
    for path in old + kept[1:]:
        os.utime(path, (hour_ago, hour_ago))
    _cache._sweep_temporaries(tmp_path)
    assert [p.exists() for p in old] == [False, False]
    assert all(p.exists() for p in kept)
    # within the hour after a sweep, nothing is listed again; after it, the sweep runs
    for path in old:
        path.write_text("x")
        os.utime(path, (hour_ago, hour_ago))
    _cache._sweep_temporaries(tmp_path)
    assert all(p.exists() for p in old)
    os.utime(tmp_path / ".swept", (hour_ago, hour_ago))
    _cache._sweep_temporaries(tmp_path)
    assert not any(p.exists() for p in old)
