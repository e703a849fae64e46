"""Checkpoints: a run killed with SIGKILL and resumed from its last checkpoint ends
bit-identical to an uninterrupted run; damaged, foreign or unsafe files are refused.

The model of every test has Poisson input, heterogeneous delays (spikes in flight at each
checkpoint), pair STDP written as Brian2 traces (weights change all the time) and a
SpikeMonitor, so that a checkpoint that missed any of these (queue contents, RNG step,
traces, monitor rows, ``t``) gives a different spike train or weights.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import random
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

import spikeloom as sl
from spikeloom.core import _checkpoint
from spikeloom.exceptions import CheckpointError

MODEL = textwrap.dedent("""
    import numpy as np
    import spikeloom as sl
    from spikeloom import Hz, ms

    def build(suffix=''):
        sl.seed(2024)
        inp = sl.PoissonGroup(60, rates=25 * Hz, name='inp' + suffix)
        exc = sl.NeuronGroup(30, '''dv/dt = (I - v) / (10*ms) : 1
                                    I : 1''', threshold='v > 1', reset='v = 0',
                             refractory=2 * ms, method='exact', name='exc' + suffix)
        exc.I = 'rand() * 0.4 + 0.7'
        syn = sl.Synapses(inp, exc, '''w : 1
            dapre/dt = -apre / (20*ms) : 1 (event-driven)
            dapost/dt = -apost / (20*ms) : 1 (event-driven)''',
            on_pre='''v_post += w
                      apre += 0.01
                      w = clip(w + apost, 0, 1)''',
            on_post='''apost -= 0.012
                       w = clip(w + apre, 0, 1)''', name='syn' + suffix)
        syn.connect(p=0.3)
        syn.w = 'rand() * 0.3'
        syn.delay = 'rand() * 6 * ms'
        spikes = sl.SpikeMonitor(exc, name='spikes' + suffix)
        trace = sl.StateMonitor(exc, 'v', record=[0, 7], name='trace' + suffix)
        net = sl.Network(inp, exc, syn, spikes, trace)
        return net, exc, syn, spikes, trace

    def results(exc, syn, spikes, trace):
        return {'i': np.asarray(spikes.i[:]), 't': np.asarray(spikes.t_[:]),
                'v': np.asarray(exc.v[:]), 'lastspike': np.asarray(exc.lastspike_[:]),
                'w': np.asarray(syn.w[:]), 'apre': np.asarray(syn.apre[:]),
                'trace_v': np.asarray(trace.v[:]), 'trace_t': np.asarray(trace.t_[:])}
""")

#: run by a subprocess: full | killed | resume, then the backend, checkpoint and output
SCRIPT = MODEL + textwrap.dedent("""
    import sys, time
    mode, backend, path, out = sys.argv[1:5]
    if backend == 'jax':  # the three processes share compiled chunks (all 500 steps long)
        import jax
        jax.config.update('jax_compilation_cache_dir', sys.argv[5])
        jax.config.update('jax_persistent_cache_min_compile_time_secs', 0)
        sl.set_device('jax', chunk_steps=500)
    T = 1000 * ms
    net, exc, syn, spikes, trace = build()
    if mode == 'full':  # one compiled loop, no chunks
        net.run(T)
    else:
        @sl.network_operation(dt=50 * ms)
        def slow_down():  # the run lasts seconds (state untouched): time to kill it
            if mode == 'killed':
                time.sleep(0.1)
        net.add(slow_down)
    if mode == 'killed':
        net.run(T, checkpoint_every=100 * ms, checkpoint_path=path)
    elif mode == 'resume':
        net.load_checkpoint(path)
        print('resumed at', repr(float(net.t_)), flush=True)
        net.run(T - net.t, checkpoint_every=100 * ms, checkpoint_path=path)
    np.savez(out, **results(exc, syn, spikes, trace), t_end=float(net.t_))
""")



def _start(script, mode: str, backend: str, path, out) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(script), mode, backend, str(path), str(out),
                             str(script.parent / "jax_cache")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen, what: str) -> str:
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, f"{what} failed:\n{stderr[-3000:]}"
    return stdout


def test_killed_run_resumed_from_checkpoint_is_bit_identical(tmp_path, backend):
    """SIGKILL at a random moment after the first checkpoint; a new process loads the
    last checkpoint and finishes the run: spikes, v, w, traces and monitor rows equal the
    uninterrupted run's bit for bit (a checkpoint losing the spikes in flight, the
    RNG step, a trace or monitor rows would make them differ)."""
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    path = tmp_path / "run.ckpt.npz"
    _finish(_start(script, "full", backend, path, tmp_path / "full.npz"), "uninterrupted run")
    killed = _start(script, "killed", backend, path, tmp_path / "killed.npz")
    deadline = time.monotonic() + 90
    while not path.exists():
        assert killed.poll() is None, f"ended before its first checkpoint: {killed.stderr.read()}"
        assert time.monotonic() < deadline, "no checkpoint written within 90 s"
        time.sleep(0.01)
    delay = random.uniform(0.0, 1.0)
    time.sleep(delay)
    assert killed.poll() is None, f"the run ended before the kill ({delay=:.2f} s)"
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=30)
    assert killed.returncode == -signal.SIGKILL
    stdout = _finish(_start(script, "resume", backend, path, tmp_path / "resumed.npz"),
                     "resume")
    resumed_at = float(stdout.split()[-1])
    assert 0.1 <= resumed_at < 1.0, stdout  # from a checkpoint in the middle of the run
    with np.load(tmp_path / "full.npz") as a, np.load(tmp_path / "resumed.npz") as b:
        assert float(b["t_end"]) == float(a["t_end"])
        assert a["i"].size > 100  # the model spikes: the comparison means something
        for key in a.files:
            np.testing.assert_array_equal(b[key], a[key], err_msg=f"{key} ({delay=:.2f} s)")


# -- in-process: chunks, resuming, the magic network -------------------------------------------

def _model():
    namespace: dict = {}
    exec(MODEL, namespace)
    return namespace["build"], namespace["results"]


def test_checkpointed_run_equals_uninterrupted_and_each_checkpoint_resumes(tmp_path):
    """Checkpoints every 70 ms (not a divisor of the run) leave the run unchanged, are
    written at 70, 140... ms, and the last one resumes to the same end."""
    build, results = _model()
    net, *objs = build("_a")
    net.run(300 * sl.ms)
    reference = results(*objs)
    net_b, *objs_b = build("_b")
    path = tmp_path / "c.npz"
    net_b.run(300 * sl.ms, checkpoint_every=70 * sl.ms, checkpoint_path=path)
    for key, value in results(*objs_b).items():
        np.testing.assert_array_equal(value, reference[key], err_msg=key)
    (entry,) = _checkpoint.load(path).values()
    assert entry["step"] == 2800 and entry["t"] == pytest.approx(0.28)
    sl.start_scope()  # the names '..._b' can be taken again
    net_c, *objs_c = build("_b")
    net_c.load_checkpoint(path)
    assert net_c.t_ == pytest.approx(0.28)
    assert np.max(objs_c[2].t_[:]) < 0.28  # monitor rows up to the checkpoint only
    net_c.run(300 * sl.ms - net_c.t)
    for key, value in results(*objs_c).items():
        np.testing.assert_array_equal(value, reference[key], err_msg=key)


def test_magic_run_forwards_checkpoints(tmp_path):
    """run(..., checkpoint_every=, checkpoint_path=) and load_checkpoint() on the magic
    network: a checkpoint at 2 ms holds v(2 ms), and loading it after the run goes back."""
    G = sl.NeuronGroup(3, "dv/dt = -v / (10*ms) : 1", method="exact")
    G.v = [1.0, 2.0, 3.0]
    path = tmp_path / "magic.npz"
    sl.run(3 * sl.ms, checkpoint_every=2 * sl.ms, checkpoint_path=path)
    sl.load_checkpoint(path)
    assert sl.magic_network.t_ == pytest.approx(0.002)
    np.testing.assert_allclose(G.v[:], np.array([1.0, 2.0, 3.0]) * np.exp(-0.2), rtol=1e-12)
    sl.run(1 * sl.ms)  # continues (not a new simulation from t = 0)
    assert sl.magic_network.t_ == pytest.approx(0.003)


def test_resumed_run_keeps_the_seed_of_the_checkpointed_run(tmp_path):
    """A process that never called seed() draws another seed; the checkpoint's seed is
    used after loading, so the random input continues as in the original run."""
    def build():
        P = sl.PoissonGroup(50, rates=200 * sl.Hz, name="p")
        M = sl.SpikeMonitor(P, name="m")
        return sl.Network(P, M), M

    sl.seed(5)
    net, M = build()
    net.run(20 * sl.ms, checkpoint_every=15 * sl.ms, checkpoint_path=tmp_path / "s.npz")
    reference = (M.i[:].copy(), M.t_[:].copy())
    sl.start_scope()
    sl.seed(6)  # another seed in force when resuming
    net2, M2 = build()
    net2.load_checkpoint(tmp_path / "s.npz")
    assert net2.t_ == pytest.approx(0.015)
    net2.run(5 * sl.ms)
    np.testing.assert_array_equal(M2.i[:], reference[0])
    np.testing.assert_array_equal(M2.t_[:], reference[1])


# -- refusing damaged, foreign and unsafe files --------------------------------------------

@pytest.fixture
def checkpointed(tmp_path):
    """A network (2 ms run) with a checkpoint at 1 ms and 2 ms; returns (net, G, path)."""
    G = sl.NeuronGroup(4, "dv/dt = -v / (10*ms) : 1", method="exact", name="g")
    G.v = [1.0, 2.0, 3.0, 4.0]
    net = sl.Network(G)
    path = tmp_path / "ok.npz"
    net.run(2 * sl.ms, checkpoint_every=1 * sl.ms, checkpoint_path=path)
    return net, G, path


def test_corrupted_checkpoint_is_refused_by_its_checksum(checkpointed, tmp_path):
    """One flipped bit in an array's data: refused naming the checksum (a reader without
    a checksum would load a wrong v silently)."""
    net, G, path = checkpointed
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("checkpoint/g/__variables__/v.npy")
    # the member's last byte is the last byte of v's data (a stored, uncompressed member)
    end = info.header_offset + len(info.FileHeader()) + info.compress_size - 1
    data[end] ^= 0x01
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="cannot be read safely|checksum"):
        net.load_checkpoint(bad)


def test_checksum_catches_a_consistent_rewrite(checkpointed, tmp_path):
    """A member rewritten with valid zip CRCs but other values: only the SHA-256 in the
    header catches it."""
    net, G, path = checkpointed
    bad = tmp_path / "rewritten.npz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            payload = src.read(info)
            if info.filename == "checkpoint/g/__variables__/v.npy":
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, np.zeros(4))
                payload = buffer.getvalue()
            dst.writestr(info.filename, payload)
    with pytest.raises(CheckpointError, match="checksum mismatch"):
        net.load_checkpoint(bad)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_truncated_checkpoint_is_refused(checkpointed, tmp_path, keep):
    net, G, path = checkpointed
    data = path.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: int(len(data) * keep)])
    v_before = G.v[:].copy()
    with pytest.raises(CheckpointError, match="truncated|corrupted|cannot be read"):
        net.load_checkpoint(cut)
    np.testing.assert_array_equal(G.v[:], v_before)  # nothing half-loaded


def test_failed_write_leaves_the_previous_checkpoint_intact(checkpointed, monkeypatch):
    """A crash while a checkpoint is being written (here: fsync fails) keeps the previous
    file loadable and removes the temporary file."""
    net, G, path = checkpointed
    before = path.read_bytes()

    def crash(fd):
        raise OSError("disk gone")

    monkeypatch.setattr(_checkpoint.os, "fsync", crash)
    with pytest.raises(OSError, match="disk gone"):
        net.run(1 * sl.ms, checkpoint_every=1 * sl.ms, checkpoint_path=path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    (entry,) = _checkpoint.load(path).values()
    assert entry["step"] == 20


class _Payload:
    """Unpickling this runs code: it creates the marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_payload_is_never_executed(checkpointed, tmp_path):
    """A pickle renamed .npz, an .npz with a pickled object array listed in a forged
    header, and a raw pickle member: each refused; the payload never runs."""
    net, G, path = checkpointed
    marker = tmp_path / "pwned"
    plain = tmp_path / "plain.npz"
    plain.write_bytes(pickle.dumps({"state": _Payload(marker)}))
    with pytest.raises(CheckpointError, match="not a readable spikeloom checkpoint"):
        net.load_checkpoint(plain)

    forged = tmp_path / "forged.npz"
    with zipfile.ZipFile(path) as src:
        header = json.loads(np.load(path)["__header__"].tobytes())
        members = {i.filename: src.read(i) for i in src.infolist()}
    header["arrays"]["evil"] = {"dtype": "|O", "shape": [1]}
    text = json.dumps(header).encode()
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.frombuffer(text, np.uint8))
    members["__header__.npy"] = buffer.getvalue()
    evil = np.empty(1, object)
    evil[0] = _Payload(marker)
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, evil, allow_pickle=True)
    members["evil.npy"] = buffer.getvalue()
    with zipfile.ZipFile(forged, "w") as dst:
        for name, payload in members.items():
            dst.writestr(name, payload)
    with pytest.raises(CheckpointError, match="cannot be read safely"):
        net.load_checkpoint(forged)

    raw = tmp_path / "raw.npz"
    members.pop("evil.npy")
    members["evil"] = pickle.dumps(_Payload(marker))  # not an .npy: numpy returns bytes
    with zipfile.ZipFile(raw, "w") as dst:
        for name, payload in members.items():
            dst.writestr(name, payload)
    with pytest.raises(CheckpointError):
        net.load_checkpoint(raw)
    assert not marker.exists()


def test_restore_from_file_uses_the_safe_format(tmp_path):
    """store/restore(filename=...) write the npz+JSON format (no pickle), keep several
    named states in one file, and restore them."""
    G = sl.NeuronGroup(2, "dv/dt = -v / (10*ms) : 1", method="exact", name="g")
    G.v = [1.0, 2.0]
    net = sl.Network(G)
    path = tmp_path / "stored.npz"
    net.store("start", filename=path)
    net.run(5 * sl.ms)
    net.store("later", filename=path)
    with np.load(path, allow_pickle=False) as npz:  # loads with pickling refused
        assert "__header__" in npz.files
    net.restore("start", filename=path)
    assert net.t_ == 0.0
    np.testing.assert_array_equal(G.v[:], [1.0, 2.0])
    net.restore("later", filename=path)
    np.testing.assert_allclose(G.v[:], np.array([1.0, 2.0]) * np.exp(-0.5), rtol=1e-12)
    with pytest.raises(KeyError, match="holds no state named 'other'"):
        net.restore("other", filename=path)


@pytest.mark.parametrize("change, message", [
    ("size", r"variable 'v' has shape \(4,\) in the checkpoint, \(5,\) here"),
    ("name", r"objects in the checkpoint but not in this network: \['g'\]"),
    ("variables", r"'g': variables \['v'\] in the checkpoint, "
                  r"\['lastspike', 'not_refractory', 'v'\] here"),
])
def test_checkpoint_of_another_structure_is_refused(checkpointed, change, message):
    """Another size, object name or set of variables: refused, naming the difference."""
    net, G, path = checkpointed
    sl.start_scope()  # the name 'g' can be taken again
    eqs = "dv/dt = -v / (10*ms) : 1"
    if change == "size":
        other = sl.NeuronGroup(5, eqs, method="exact", name="g")
    elif change == "name":
        other = sl.NeuronGroup(4, eqs, method="exact", name="h")
    else:
        other = sl.NeuronGroup(4, eqs, method="exact", name="g", threshold="v > 1",
                               refractory=1 * sl.ms)
    net2 = sl.Network(other)
    with pytest.raises(CheckpointError, match=message):
        net2.load_checkpoint(path)
    assert net2.t_ == 0.0


def test_checkpoint_arguments_are_validated(tmp_path):
    G = sl.NeuronGroup(1, "dv/dt = -v / (10*ms) : 1")
    net = sl.Network(G)
    with pytest.raises(ValueError, match="give both"):
        net.run(1 * sl.ms, checkpoint_every=1 * sl.ms)
    with pytest.raises(ValueError, match="checkpoint_every must be a time"):
        net.run(1 * sl.ms, checkpoint_every=5, checkpoint_path=tmp_path / "x.npz")
    with pytest.raises(ValueError, match="directory does not exist"):
        net.run(1 * sl.ms, checkpoint_every=1 * sl.ms,
                checkpoint_path=tmp_path / "missing" / "x.npz")
    with pytest.raises(ValueError, match="shorter than a time step"):
        net.run(1 * sl.ms, checkpoint_every=0.01 * sl.ms, checkpoint_path=tmp_path / "x.npz")
    assert not os.listdir(tmp_path)
