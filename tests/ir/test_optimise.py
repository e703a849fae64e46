"""IR passes keep the values a kernel computes (checked by evaluating before and after)."""

import math

import sympy

from spikeloom import ir
from spikeloom.ir import Statement


def _evaluate(kernel: ir.Kernel, env: dict) -> dict:
    """Run a kernel's invariants and statements on plain floats, in order."""
    env = dict(env)
    for st in kernel.invariants + kernel.statements:
        value = float(st.expr.subs({sympy.Symbol(k, real=True): v for k, v in env.items()}))
        env[st.target] = value if st.op == "=" else {
            "+=": env[st.target] + value, "*=": env[st.target] * value}[st.op]
    return env


x, y, a, b = (sympy.Symbol(n, real=True) for n in ("x", "y", "a", "b"))


def test_cse_shares_repeated_calls_within_a_group():
    kernel = ir.Kernel(statements=(
        Statement("_new_a", sympy.exp(x * y) * 2 + sympy.sin(sympy.exp(x * y)), "=", True),
        Statement("_new_b", 1 / (1 + sympy.exp(x * y)), "=", True),
        Statement("a", sympy.Symbol("_new_a", real=True), "=", False),
        Statement("b", sympy.Symbol("_new_b", real=True), "=", False),
    ))
    out = ir.eliminate_common_subexpressions(kernel, "_cse_")
    # exp(x*y) is evaluated in both statements before, once after
    def calls(k):
        return sum(len(st.expr.atoms(sympy.exp)) for st in k.statements)

    assert calls(kernel) == 2 and calls(out) == 1  # atoms() counts distinct calls per line
    assert any(st.target.startswith("_cse_") for st in out.statements)
    env = {"x": 0.3, "y": -1.7}
    before, after = _evaluate(kernel, env), _evaluate(out, env)
    for name in ("a", "b"):
        assert math.isclose(before[name], after[name], rel_tol=1e-15)


def test_cse_does_not_move_a_read_past_a_write():
    """``a = exp(x); b = exp(x) + a; x = 2; c = exp(x)``: c must see the new x."""
    kernel = ir.Kernel(statements=(
        Statement("a", sympy.exp(x), "=", False),
        Statement("b", sympy.exp(x) + a, "=", False),
        Statement("x", sympy.Integer(2), "=", False),
        Statement("c", sympy.exp(x) * 3, "=", False),
        Statement("d", sympy.exp(x) * 5, "=", False),
    ))
    out = ir.eliminate_common_subexpressions(kernel, "_cse_")
    env = {"x": 0.5}
    before, after = _evaluate(kernel, env), _evaluate(out, env)
    for name in "abcd":
        assert math.isclose(before[name], after[name], rel_tol=1e-15), name
    assert math.isclose(after["c"], 3 * math.exp(2.0), rel_tol=1e-15)


def test_preparing_a_run_leaves_comparisons_unevaluated(monkeypatch):
    """Catches the threshold or refractoriness comparisons being rebuilt with evaluation
    while names are resolved or invariants hoisted: sympy then asks its assumptions whether
    ``t - lastspike >= tau_ref`` holds, about a millisecond per comparison the first time in
    a process, a tenth of a small network's preparation."""
    import spikeloom as sl
    from spikeloom.core._lowering import LoweringContext

    asked = []
    for cls in (sympy.GreaterThan, sympy.StrictGreaterThan, sympy.LessThan,
                sympy.StrictLessThan):
        def recording(cls_, lhs, rhs, _original=cls._eval_relation, **options):
            asked.append((lhs, rhs))
            return _original(lhs, rhs, **options)
        monkeypatch.setattr(cls, "_eval_relation", classmethod(recording))
    G = sl.NeuronGroup(10, "dv/dt = (v0 - v)/tau : volt (unless refractory)",
                       threshold="v > v_th", reset="v = v0", refractory=2 * sl.ms,
                       method="euler", namespace={"v0": -60 * sl.mV, "tau": 10 * sl.ms,
                                                  "v_th": -50 * sl.mV})
    lctx = LoweringContext(1e-4, {}, 0.0)
    G.lower(lctx)
    plan = lctx.plan()
    assert not asked, asked
    printed = str(plan)
    assert ">=" in printed and ">" in printed  # both comparisons are in the plan
