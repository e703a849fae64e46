"""Ctrl-C (SIGINT) during a compiled run: KeyboardInterrupt within 0.5 s, a consistent
state, and a next run() that continues as if the run had been shorter.

The subprocess compares "interrupted at t, then run 5 ms more" with one uninterrupted run
to t + 5 ms of the same network: a step left half done, a monitor row lost or written
twice, or spikes in flight dropped at the interruption would make them differ.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

SCRIPT = textwrap.dedent("""
    import json, signal, sys, time
    import numpy as np
    import spikeloom as sl
    from spikeloom import Hz, ms, second

    # as in a terminal: a test run started in the background (nohup, '&' in a script)
    # hands its children SIGINT ignored, and Python then installs no handler for it
    signal.signal(signal.SIGINT, signal.default_int_handler)

    backend = sys.argv[1]
    if backend == 'jax':  # short chunks: the warm-up compiles what the long run uses
        sl.set_device('jax', chunk_steps=200)

    def build(suffix):
        sl.seed(99)
        inp = sl.PoissonGroup(100, rates=50 * Hz, name='inp' + suffix)
        exc = sl.NeuronGroup(300, 'dv/dt = (1.2 - v) / (10*ms) : 1', threshold='v > 1',
                             reset='v = 0', refractory=2 * ms, method='exact',
                             name='exc' + suffix)
        syn = sl.Synapses(inp, exc, 'w : 1', on_pre='v_post += w', name='syn' + suffix)
        syn.connect(p=0.1)
        syn.w = 0.05
        syn.delay = 'rand() * 3 * ms'
        spikes = sl.SpikeMonitor(exc, name='spikes' + suffix)
        trace = sl.StateMonitor(exc, 'v', record=[3], name='trace' + suffix)
        return sl.Network(inp, exc, syn, spikes, trace), exc, spikes, trace

    net, exc, spikes, trace = build('')
    net.run(20 * ms)  # compiled (JAX: the probe chunk, then the chunks of later runs)
    net.run(40 * ms)
    told = []

    def report(elapsed, completed, start, duration):
        if 0 < completed < 1 and not told:  # the long run is stepping: signal now
            told.append(1)
            print('RUNNING', flush=True)

    out = {}
    try:
        net.run(100 * second, report=report, report_period=0.02 * second)
        out['interrupted'] = False
    except KeyboardInterrupt:
        out['caught'] = time.time()
        out['interrupted'] = True
    t = float(net.t_)
    out['t'] = t
    out['max_spike_t'] = float(np.max(spikes.t_[:], initial=-1.0))
    out['max_lastspike'] = float(np.max(exc.lastspike_[:]))
    out['trace_rows'] = int(len(trace.t_[:]))
    out['trace_last'] = float(trace.t_[:][-1])
    net.run(5 * ms)
    out['t_after'] = float(net.t_)
    reference, exc_ref, spikes_ref, trace_ref = build('_ref')
    reference.run(net.t)
    out['same_spikes'] = bool(np.array_equal(spikes.i[:], spikes_ref.i[:])
                              and np.array_equal(spikes.t_[:], spikes_ref.t_[:]))
    out['same_v'] = bool(np.array_equal(exc.v[:], exc_ref.v[:]))
    out['same_trace'] = bool(np.array_equal(trace.v[:], trace_ref.v[:]))
    out['n_spikes'] = int(len(spikes.i[:]))
    print(json.dumps(out), flush=True)
""")



def test_sigint_stops_a_compiled_run_consistently(tmp_path, backend):
    script = tmp_path / "interrupt.py"
    script.write_text(SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), backend], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "RUNNING", (line, proc.stderr.read()[-3000:])
        time.sleep(random.uniform(0.0, 0.3))
        sent = time.time()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr[-3000:]
    assert "SystemError" not in stderr
    out = json.loads(stdout.strip().splitlines()[-1])
    dt = 1e-4
    assert out["interrupted"], out
    assert out["caught"] - sent < 0.5, f"KeyboardInterrupt {out['caught'] - sent:.3f} s late"
    assert 0.06 < out["t"] < 100.06  # stopped inside the long run
    # nothing recorded beyond t: the last step done is at t - dt
    assert out["max_spike_t"] < out["t"] - dt / 2
    assert out["max_lastspike"] < out["t"] - dt / 2
    assert out["trace_rows"] == round(out["t"] / dt)
    assert out["trace_last"] == pytest.approx(out["t"] - dt, abs=1e-9)
    # the next run continues from t, as an uninterrupted run of the same length
    assert out["t_after"] == pytest.approx(out["t"] + 0.005, abs=1e-9)
    assert out["n_spikes"] > 1000
    assert out["same_spikes"] and out["same_v"] and out["same_trace"], out
