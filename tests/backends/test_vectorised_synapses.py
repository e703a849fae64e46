"""A spike's row of synapses as two loops (neuron part, then a SIMD synapse part) gives the
same numbers, bit for bit, as one scalar loop; rows where that would not hold stay one loop.
A device's guarded law run on the packed lanes that need it (``_compact``) changes no
number either.

Every network runs twice, with libm functions in both: once as one loop per row, once with
the split forced on every row :func:`split_kernel` accepts (``vectorisable`` patched to
True, so the split happens even around libm calls). A split that moved a neuron statement
past a synapse that reads its neuron (a recurrent synapse's ``v_pre``), lost a store,
mis-indexed the scratch of a column, dropped a draw, or packed, gathered or scattered the
wrong lanes would change the state.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import spikeloom as sl
from spikeloom import Hz, ir, ms
from spikeloom.backends.numba import _render
from spikeloom.backends.numba._compact import compact_row
from spikeloom.backends.numba._render import NumbaPrinter
from spikeloom.backends.numba._vectorise import split_kernel, vectorisable
from spikeloom.integrators._base import Statement


def _memristive_layer(device_preset):
    from spikeloom.models.devices import Memristor
    from spikeloom.models.plasticity import NanocompositeSTDP

    sl.seed(3)
    inputs = sl.PoissonGroup(200, rates=40 * Hz)
    outputs = sl.NeuronGroup(20, "dv/dt = -v/(10*ms) : 1\nx : 1", threshold="v > 1",
                             reset="v = 0", method="exact")
    drive = sl.PoissonInput(outputs, "v", 200, 40 * Hz, weight=0.05)
    device = Memristor.preset(device_preset) if device_preset else Memristor()
    rule = NanocompositeSTDP(clip=True, device=device)
    syn = rule.attach(inputs, outputs, w="0.25 + 0.5*rand()", seed=3, on_pre="x_post += w")
    return sl.Network(inputs, outputs, drive, syn), syn, outputs


def _song_like():
    sl.seed(5)
    inputs = sl.PoissonGroup(300, rates=15 * Hz)
    neuron = sl.NeuronGroup(3, "dv/dt = (ge - v)/(10*ms) : 1\ndge/dt = -ge/(5*ms) : 1",
                            threshold="v > 0.5", reset="v = 0", method="exact")
    syn = sl.Synapses(inputs, neuron,
                      """w : 1
                         dApre/dt = -Apre/(20*ms) : 1 (event-driven)
                         dApost/dt = -Apost/(20*ms) : 1 (event-driven)""",
                      on_pre="""ge_post += w
                                Apre += 0.01
                                w = clip(w + Apost, 0, 0.2)""",
                      on_post="""Apost -= 0.0105
                                 w = clip(w + Apre, 0, 0.2)""")
    syn.connect()
    syn.w = "rand()*0.2"
    return sl.Network(inputs, neuron, syn), syn, neuron


def _recurrent():
    # each synapse's plasticity reads v_pre, which the neuron part of another synapse of
    # the same row writes (v_post of a synapse onto the source itself): must stay one loop
    sl.seed(7)
    group = sl.NeuronGroup(30, "dv/dt = (1.2 - v)/(10*ms) : 1", threshold="v > 1",
                           reset="v = 0", method="exact")
    group.v = "rand()"
    syn = sl.Synapses(group, group, "w : 1", on_pre="""v_post += 0.02*w
                                                     w = clip(w + 0.01*v_pre, 0, 1)""")
    syn.connect(p=0.5)
    syn.w = "rand()"
    return sl.Network(group, syn), syn, group


def _seed_rule():
    # the forum script's rule: ``lastspike_pre = t`` and ``lastspike_post = t``, neuron
    # statements that every synapse of the row computes alike, run in both parts
    sl.seed(11)
    inputs = sl.NeuronGroup(200, "lastspike : second", threshold="rand() < 40*Hz*dt")
    inputs.lastspike = -1e9 * ms
    outputs = sl.NeuronGroup(20, "dv/dt = -v/(10*ms) : 1 (unless refractory)",
                             threshold="v > 1", reset="v = 0", refractory=2 * ms,
                             method="exact")
    syn = sl.Synapses(inputs, outputs, "w : 1", on_pre="""
    lastspike_pre = t
    delta_t = (lastspike_post - lastspike_pre)
    w = clip(w - 0.047 * w * (1 + tanh((delta_t + 22.3*ms)/(10.8*ms))), 0, 1)
    v_post += 0.3*w""", on_post="""
    lastspike_post = t
    delta_t = (lastspike_post - lastspike_pre)
    w = clip(w + 0.074 * w * (1 + tanh(-(delta_t - 26.7*ms)/(9.3*ms))), 0, 1)""")
    syn.connect()
    syn.w = "0.25 + 0.5*rand()"
    return sl.Network(inputs, outputs, syn), syn, outputs


def _delayed():
    sl.seed(9)
    inputs = sl.PoissonGroup(100, rates=30 * Hz)
    neuron = sl.NeuronGroup(10, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                            method="exact")
    syn = sl.Synapses(inputs, neuron, "w : 1\nnpre : 1",
                      on_pre="""v_post += w
                                npre += 1
                                w = clip(w*1.01, 0, 0.3)""", delay=2 * ms)
    syn.connect()
    syn.w = "0.1*rand()"
    return sl.Network(inputs, neuron, syn), syn, neuron


#: case -> (network factory, how many of its pathways split: on_pre, on_post, how many
#: run a guarded group on packed lanes: the device's law (and PCM's drift exponent))
CASES = {"memristor ideal": (lambda: _memristive_layer(None), 2, 0),
         "memristor capacitor (pulse noise)": (lambda: _memristive_layer("capacitor"), 2, 2),
         "memristor pcm (drift on read)": (lambda: _memristive_layer("pcm"), 2, 2),
         "song-like traces": (_song_like, 2, 0), "seed rule (lastspike)": (_seed_rule, 2, 0),
         "recurrent": (_recurrent, 0, 0),
         "delayed": (_delayed, 1, 0)}


@pytest.fixture
def set_vector_math():
    """Sets ``prefs.spikeloom.vector_math`` for one test, restored afterwards."""
    before = sl.prefs.spikeloom.vector_math

    def set_to(value: bool) -> None:
        sl.prefs.spikeloom.vector_math = value

    yield set_to
    sl.prefs.spikeloom.vector_math = before


def _final_state(make):
    net, syn, neurons = make()
    net.run(300 * ms)
    state = {f"syn.{name}": np.asarray(getattr(syn, name)[:]).copy() for name in ("w",)}
    state["v"] = np.asarray(neurons.v[:]).copy()
    return state


@pytest.mark.parametrize("case", list(CASES))
def test_split_rows_give_the_scalar_loops_numbers(case, monkeypatch, tmp_path,
                                                  set_vector_math):
    # libm in both loops: the comparison is of the loop structure alone
    set_vector_math(False)
    monkeypatch.setenv("SPIKELOOM_CACHE_DIR", str(tmp_path / "plain"))
    monkeypatch.setattr(_render, "split_kernel", lambda kernel, prefix="": None)
    plain = _final_state(CASES[case][0])
    sl.start_scope()
    monkeypatch.setenv("SPIKELOOM_CACHE_DIR", str(tmp_path / "split"))
    accepted = []

    def recording_split(kernel, prefix="_vsave"):
        parts = split_kernel(kernel, prefix)
        accepted.append(parts is not None)
        return parts

    packed = []

    def recording_compact(kernel, buffer, dtype_of):
        loops = compact_row(kernel, buffer, dtype_of)
        packed.append(loops is not None)
        return loops

    monkeypatch.setattr(_render, "split_kernel", recording_split)
    monkeypatch.setattr(_render, "compact_row", recording_compact)
    monkeypatch.setattr(_render, "vectorisable", lambda lines: True)
    make, n_split, n_packed = CASES[case]
    split = _final_state(make)
    assert sum(accepted) == n_split
    assert sum(packed) == n_packed
    for name in plain:
        assert np.array_equal(plain[name], split[name]), name
    assert np.ptp(plain["syn.w"]) > 0  # plasticity acted (the comparison is not vacuous)


# -- which rows split ----------------------------------------------------------------------
def _kernel(statements, loads, stores):
    return ir.Kernel(indices=(("_post", "post_of", "_idx"),),
                     loads=tuple((n, ir.Ref(a, i)) for n, a, i in loads),
                     statements=tuple(statements),
                     stores=tuple((n, ir.Ref(a, i)) for n, a, i in stores))


x_post, w, v_pre = sympy.symbols("x_post w v_pre")


def test_neuron_statements_read_saved_values():
    # x_post += w reads w before the plasticity changes it: the synapse part saves it there
    kernel = _kernel([Statement("x_post", x_post + w), Statement("w", w * 0.5)],
                     [("x_post", "x", "_post"), ("w", "w_arr", "_idx")],
                     [("x_post", "x", "_post"), ("w", "w_arr", "_idx")])
    split = split_kernel(kernel, "_buf")
    assert split.saved == {"w": "_buf0"}
    synapse, neuron = split.synapse_part, split.neuron_part
    assert [str(s) for s in synapse.statements][0].startswith("_buf0[_j] = w")
    assert [s.target for s in synapse.statements] == ["_buf0[_j]", "w"]
    assert [r.array for _, r in synapse.stores] == ["w_arr"]
    assert [n for n, _ in synapse.loads] == ["w"]  # x is not loaded by the synapse part
    assert [s.target for s in neuron.statements] == ["x_post"]
    assert {(n, r.array, r.index) for n, r in neuron.loads} == {("x_post", "x", "_post"),
                                                                ("w", "_buf0", "_j")}
    assert [r.array for _, r in neuron.stores] == ["x"]


def test_a_local_read_by_two_neuron_statements_with_two_values_keeps_one_loop():
    kernel = _kernel([Statement("x_post", x_post + w), Statement("w", w * 0.5),
                      Statement("x_post", x_post + w)],
                     [("x_post", "x", "_post"), ("w", "w_arr", "_idx")],
                     [("x_post", "x", "_post"), ("w", "w_arr", "_idx")])
    assert split_kernel(kernel) is None


def test_plasticity_reading_a_neuron_value_the_row_changes_keeps_one_loop():
    kernel = _kernel([Statement("x_post", x_post + w), Statement("w", w + x_post)],
                     [("x_post", "x", "_post"), ("w", "w_arr", "_idx")],
                     [("x_post", "x", "_post"), ("w", "w_arr", "_idx")])
    assert split_kernel(kernel) is None


def test_a_neuron_value_changed_but_not_stored_keeps_one_loop():
    # v_post modified locally (never stored) and then read by a neuron statement: the
    # neuron part would reload the stored value
    v_post = sympy.Symbol("v_post")
    kernel = _kernel([Statement("v_post", v_post * 2), Statement("x_post", x_post + v_post)],
                     [("x_post", "x", "_post"), ("v_post", "v", "_post")],
                     [("x_post", "x", "_post")])
    assert split_kernel(kernel) is None


def test_reading_an_array_the_neuron_part_writes_keeps_one_loop():
    kernel = _kernel([Statement("x_post", x_post + w), Statement("w", w + v_pre)],
                     [("x_post", "v", "_post"), ("w", "w_arr", "_idx"), ("v_pre", "v", "_pre")],
                     [("x_post", "v", "_post"), ("w", "w_arr", "_idx")])
    assert split_kernel(kernel) is None


def test_a_neuron_variable_set_alike_by_every_synapse_runs_in_both_parts():
    lastspike_pre, delta_t, t = sympy.symbols("lastspike_pre delta_t t")
    kernel = _kernel([Statement("lastspike_pre", t), Statement("delta_t", t - lastspike_pre),
                      Statement("w", w * delta_t)],
                     [("lastspike_pre", "ls", "_pre"), ("w", "w_arr", "_idx")],
                     [("lastspike_pre", "ls", "_pre"), ("w", "w_arr", "_idx")])
    split = split_kernel(kernel)
    assert [s.target for s in split.synapse_part.statements] == ["lastspike_pre", "delta_t",
                                                                 "w"]
    assert [n for n, _ in split.synapse_part.loads] == ["w"]  # not the array it writes
    assert [s.target for s in split.neuron_part.statements] == ["lastspike_pre"]
    assert [r.array for _, r in split.neuron_part.stores] == ["ls"]


@pytest.mark.parametrize("statements", [
    # read (old value) before it is set: a later synapse would read the new one
    ["delta_t = t - lastspike_pre", "lastspike_pre = t", "w = w*delta_t"],
    # set from a synaptic value: differs between synapses
    ["lastspike_pre = t*w", "delta_t = t - lastspike_pre", "w = w*delta_t"],
    # set twice
    ["lastspike_pre = t", "delta_t = t - lastspike_pre", "lastspike_pre = 2*t",
     "w = w*delta_t"],
    # changed by the same amount on every synapse: each synapse adds to the last one's sum
    ["lastspike_pre += t", "delta_t = t - lastspike_pre", "w = w*delta_t"]])
def test_a_neuron_variable_not_set_alike_before_its_reads_keeps_one_loop(statements):
    parsed = [Statement(target, sympy.sympify(expr), op)
              for target, op, expr in (line.split(" ", 2) for line in statements)]
    kernel = _kernel(parsed, [("lastspike_pre", "ls", "_pre"), ("w", "w_arr", "_idx")],
                     [("lastspike_pre", "ls", "_pre"), ("w", "w_arr", "_idx")])
    assert split_kernel(kernel) is None


def test_libm_calls_are_not_vectorisable():
    assert not vectorisable(["a = math.tanh(b)"])
    assert not vectorisable(["a = _exprel(b)"])
    assert not vectorisable(["a = b**0.3"])
    assert vectorisable(["a = _clip(b*2.0 + c, 0, 1)", "d = np.floor(a + 0.5)"])


def test_non_integer_powers_print_as_the_vectorised_pow():
    """A non-integer power would call libm's ``pow`` and keep its row scalar (PCM's drift,
    the soft bounds' ``(1 - s)**n``); with ``vector_math`` it calls ``_vecmath.vpow``."""
    x, n = sympy.symbols("x n")
    vector, plain = NumbaPrinter(vector_math=True), NumbaPrinter(vector_math=False)
    drift = vector.doprint(x**sympy.Float(0.3))
    train = vector.doprint((1 - x)**n)
    assert (drift, train) == ("_vpow(x, 0.3)", "_vpow(1 - x, n)")
    assert vectorisable([f"a = {drift}", f"b = {train}"])
    assert vector.doprint(x**-2) == "(1/x**2)"  # divides
    assert vector.doprint(x**3) == "x**3"  # Numba multiplies it out
    assert vector.doprint(sympy.sqrt(x)) == "_vsqrt(x)"
    assert plain.doprint(x**sympy.Float(0.3)) == "x**0.3"


def _host_has_avx2() -> bool:
    import llvmlite.binding as llvm

    return bool(llvm.get_host_cpu_features().get("avx2"))


def _vector_ops(monkeypatch, tmp_path, split) -> int:
    """``<N x double>`` values in the optimised LLVM IR of the memristive layer's loop."""
    import re

    from spikeloom.backends.numba import _run

    monkeypatch.setenv("SPIKELOOM_CACHE_DIR", str(tmp_path))  # fresh: IR is not cached
    monkeypatch.setattr(_render, "split_kernel", split)
    sl.start_scope()
    net, _, _ = _memristive_layer(None)
    net.run(1 * ms)
    loop = _run._LAST[2][0]
    return len(re.findall(r"<\d+ x double>", loop.inspect_llvm(loop.signatures[0])))


@pytest.mark.skipif(not _host_has_avx2(), reason="the vector widths checked are AVX2's")
def test_the_rows_of_a_plastic_layer_compile_to_simd_code(monkeypatch, tmp_path,
                                                          set_vector_math):
    # catches a row loop LLVM does not vectorise (a libm call left in it, or an index it
    # cannot prove non-negative, which Numba wraps around with a select per element)
    set_vector_math(True)
    one_loop = _vector_ops(monkeypatch, tmp_path / "one", lambda kernel, prefix="": None)
    split = _vector_ops(monkeypatch, tmp_path / "split", split_kernel)
    assert split > one_loop + 50, (one_loop, split)


def test_random_draws_are_inlined_into_the_rows(monkeypatch, tmp_path, set_vector_math):
    """Catches a device's per-pulse normal draw (or a uniform draw) left as a call in the
    compiled loop: a call keeps the row around it scalar (``_rng``'s functions must be
    inlined by LLVM: ``forceinline``)."""
    import re

    from spikeloom.backends.numba import _run

    set_vector_math(True)
    monkeypatch.setenv("SPIKELOOM_CACHE_DIR", str(tmp_path))  # fresh: IR is not cached
    sl.start_scope()
    net, syn, _ = _memristive_layer("idealized")  # pulse noise: a normal draw per event
    net.run(1 * ms)
    loop = _run._LAST[2][0]
    module = loop.inspect_llvm(loop.signatures[0])
    calls = re.findall(r"call [^\n]*@\"?([\w.$]+)", module)
    assert calls, "no call found at all: the pattern no longer matches Numba's IR"
    assert not [name for name in calls if "rng_normal" in name or "rng_uniform" in name]
    assert np.std(np.asarray(syn.w[:])) > 0


def test_rows_of_the_same_shape_share_one_compiled_function():
    """The pre and post pathways write rows of the same shape over other arrays and locals:
    one function serves both (each costs a compilation), called with each row's arrays;
    a row that computes something else gets its own."""
    def row(local, source, target, rate, op="*"):
        return ["    for _j in range(_m):",
                f"        {local} = {source}[_p0 + _j]",
                f"        {target}[_p0 + _j] = {local}{op}_vexp({rate})"]

    params_a, params_b = {"_m", "_p0", "_a1", "_a2", "_s1"}, {"_m", "_p0", "_a5", "_a6", "_s7"}
    text_a, args_a, formal_a = _render._canonical_function(row("k__b3", "_a1", "_a2", "_s1"),
                                                           params_a)
    text_b, args_b, _ = _render._canonical_function(row("k__b4", "_a5", "_a6", "_s7"),
                                                    params_b)
    assert text_a == text_b
    assert args_a == ["_m", "_a1", "_p0", "_a2", "_s1"]  # by first appearance, no locals
    assert args_b == ["_m", "_a5", "_p0", "_a6", "_s7"]
    assert "k__b3" not in text_a and all(f in text_a for f in formal_a)
    text_c, _, _ = _render._canonical_function(row("k__b3", "_a1", "_a2", "_s1", op="+"),
                                               params_a)
    assert text_c != text_a
