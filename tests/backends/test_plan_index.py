"""The index of rendered loops (``<cache>/plans``): a new process with a plan seen before
takes the loop's text from it instead of rendering, and gets exactly the loop rendering
would give; anything else (another plan, a damaged entry, an edited backend) renders."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import ms
from spikeloom._cachedir import source_stamp
from spikeloom.backends.numba import _cache, _run
from spikeloom.backends.numba._render import NumbaRenderer


@pytest.fixture
def fresh_process(monkeypatch, tmp_path):
    """A private cache, and a function that forgets what this process compiled (as a new
    process would) and counts the renderings that follow."""
    monkeypatch.setenv("SPIKELOOM_CACHE_DIR", str(tmp_path))
    rendered = []
    source = NumbaRenderer.source

    def counting(self, *args, **kwargs):
        rendered.append(1)
        return source(self, *args, **kwargs)

    monkeypatch.setattr(NumbaRenderer, "source", counting)

    def forget() -> list:
        _run._BY_PLAN.clear()
        _run._LAST[:] = [None, None, None]
        rendered.clear()
        return rendered

    yield forget
    forget()


def _jump_run(jump: float) -> np.ndarray:
    """v of a neuron after one input spike at 0.5 ms with ``v_post += jump`` (1 ms delay)."""
    # fixed names: a new process would give the same automatic names, this one does not
    sl.start_scope()
    source = sl.SpikeGeneratorGroup(1, [0], [0.5] * ms, name="index_source")
    target = sl.NeuronGroup(1, "v : 1", name="index_target")
    syn = sl.Synapses(source, target, on_pre=f"v_post += {jump}", delay=1 * ms,
                      name="index_synapses")
    syn.connect()
    monitor = sl.StateMonitor(target, "v", record=0, name="index_monitor")
    sl.Network(source, target, syn, monitor, name="index_network").run(3 * ms)
    return np.asarray(monitor.v[0])


def test_a_plan_seen_before_is_not_rendered_again(fresh_process, tmp_path):
    rendered = fresh_process()
    first = _jump_run(2.0)
    assert len(rendered) == 1 and len(list((tmp_path / "plans").glob("*.txt"))) == 1
    rendered = fresh_process()
    again = _jump_run(2.0)
    assert rendered == []
    assert np.array_equal(first, again)
    assert again[0] == 0 and again[-1] == 2.0  # the jump arrived (not an empty loop)


def test_another_plan_gets_its_own_loop(fresh_process):
    # a digest blind to the statements would run the first model's loop for the second
    fresh_process()
    assert _jump_run(2.0)[-1] == 2.0
    rendered = fresh_process()
    assert _jump_run(3.0)[-1] == 3.0
    assert len(rendered) == 1


def test_a_damaged_entry_is_rendered_again_and_replaced(fresh_process, tmp_path):
    fresh_process()
    reference = _jump_run(2.0)
    (entry,) = (tmp_path / "plans").glob("*.txt")
    data = bytearray(entry.read_bytes())
    data[len(data) // 3] ^= 0x20  # one flipped bit inside the loop's text
    entry.write_bytes(bytes(data))
    rendered = fresh_process()
    assert np.array_equal(_jump_run(2.0), reference)
    assert len(rendered) == 1
    assert _cache.indexed_module(entry.stem) is not None  # whole again


def test_the_digest_is_the_same_in_every_process(tmp_path):
    """Pickled sets and dicts could depend on PYTHONHASHSEED; then no process would ever
    find another's entry."""
    code = textwrap.dedent("""
        import spikeloom as sl
        from spikeloom.backends.numba import _cache, _run
        G = sl.NeuronGroup(20, 'dv/dt = (1.2 - v)/(10*ms) : 1', threshold='v > 1',
                           reset='v = 0', method='exact')
        S = sl.Synapses(G, G, 'w : 1', on_pre='v_post += w')
        S.connect(p=0.3)
        sl.Network(G, S).run(1*sl.ms)
        plan, options = _run._LAST[0], _run._LAST[1]
        print(_cache.plan_digest(plan, options))
    """)
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True,
                              env=dict(os.environ, PYTHONHASHSEED=seed,
                                       SPIKELOOM_CACHE_DIR=str(tmp_path))).stdout.strip()
               for seed in ("1", "2", "3")}
    assert len(digests) == 1 and len(digests.pop()) == 32


def test_the_source_stamp_changes_with_any_edit(tmp_path):
    # an edited renderer must never find the loops its old code rendered
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("not a source")
    before = source_stamp(tmp_path)
    (tmp_path / "notes.txt").write_text("still not a source, longer")
    assert source_stamp(tmp_path) == before
    (tmp_path / "a.py").write_text("x = 2\n")  # same size, later time
    later = time.time() + 5
    os.utime(tmp_path / "a.py", (later, later))
    edited = source_stamp(tmp_path)
    assert edited != before
    (tmp_path / "b.py").write_text("")
    assert source_stamp(tmp_path) not in (before, edited)
