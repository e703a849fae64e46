"""A probe network shared by the memristor tests: one presynaptic generator onto ``n`` target
neurons, one plastic synapse each, every transmission adding the read weight to ``x_post``."""

from __future__ import annotations

import gc

import numpy as np

from spikeloom import NeuronGroup, SpikeGeneratorGroup, ms


def probe_synapses(rule, n, pre_ms, post_ms, tag, w0=0.5, seed=3, every_target=False):
    """``(pre, post, synapses)``: the generator spikes at ``pre_ms`` (ms), target ``i`` once at
    ``post_ms[i]`` (ms; a scalar is every target's time), the rule attached with ``w = w0``.

    ``every_target=True``: ``post_ms`` is a list of times at which every target spikes.
    """
    gc.collect()  # the previous test's compiled networks hold memory until collected
    pre = SpikeGeneratorGroup(1, np.zeros(len(pre_ms), int), np.asarray(pre_ms) * ms,
                              name=f"{tag}_pre")
    times = np.atleast_1d(post_ms) if every_target else [None]
    names = [f"spike_at{k}" for k in range(len(times))]
    post = NeuronGroup(n, "x : 1\n" + "\n".join(f"{v} : second (constant)" for v in names),
                       threshold=" or ".join(f"timestep(t, dt) == timestep({v}, dt)"
                                             for v in names),
                       name=f"{tag}_post")
    for name, time in zip(names, times):
        value = np.broadcast_to(post_ms if time is None else time, (n,))
        setattr(post, name, value * ms)
    S = rule.attach(pre, post, w=w0, seed=seed, on_pre="x_post += w", name=f"{tag}_syn")
    return pre, post, S


def assert_same_on_both_backends(rule, tag, variables, rtol):
    """Run the same seeded probe (300 targets, pre spikes at 10/20/30 ms, post spikes at
    5/15/25 ms) on Numba and on JAX and compare the synapses' ``variables`` (and the targets'
    ``x``) to ``rtol``; each compared array must vary, so that a run which does nothing fails."""
    import spikeloom as sl

    out = {}
    for name in ("numba", "jax"):
        sl.start_scope()
        sl.set_device(name)
        sl.seed(21)
        post_ms = np.tile([5.0, 15.0, 25.0], 100)
        pre, post, S = probe_synapses(rule, post_ms.size, [10.0, 20.0, 30.0], post_ms,
                                      f"{tag}_{name}", seed=5)
        sl.Network(pre, post, S).run(40 * ms)
        out[name] = [np.asarray(getattr(S, v)[:]) for v in variables] + [np.asarray(post.x[:])]
    sl.set_device("numba")
    for label, a, b in zip([*variables, "x_post"], out["numba"], out["jax"]):
        assert np.std(a) > 0, label
        np.testing.assert_allclose(b, a, rtol=rtol, atol=1e-15, err_msg=label)
