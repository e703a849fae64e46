"""Parsing Brian2's model syntax into equations and statements."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikeloom import units
from spikeloom.equations import DIFF, PARAM, SUB, Equations, parse_statements
from spikeloom.exceptions import EquationError
from spikeloom.units import get_dim


def test_equations_parse_three_kinds_with_units_and_flags():
    eqs = Equations("""
        dv/dt = (El - v)/tau : volt (unless refractory)  # membrane
        I = g*(E - v) : amp
        tau : second (constant, shared)
    """)
    assert eqs.diff_eq_names == ("v",)
    assert eqs.subexpr_names == ("I",)
    assert eqs.parameter_names == ("tau",)
    assert eqs["v"].kind == DIFF and eqs["I"].kind == SUB and eqs["tau"].kind == PARAM
    assert eqs["v"].dim == get_dim(units.volt)
    assert eqs["I"].dim == get_dim(units.amp)
    assert eqs["tau"].flags == {"constant", "shared"}
    assert eqs["v"].flags == {"unless refractory"}


def test_equations_expression_may_span_lines():
    eqs = Equations("""dv/dt = (gl*(El - v) +
                              ge*(Ee - v))/C : volt""")
    assert "ge*(Ee - v)" in eqs["v"].expr


def test_equations_boolean_and_integer_types():
    eqs = Equations("flag : boolean\ncount : integer")
    assert eqs["flag"].var_type == "boolean"
    assert eqs["count"].var_type == "integer"


def test_equations_substitution_renames_and_records_values():
    eqs = Equations("dx/dt = -x/tau : 1", x="y", tau=10 * units.ms)
    assert eqs.diff_eq_names == ("y",)
    assert eqs.namespace["tau"] == 10 * units.ms


@pytest.mark.parametrize("text, fragment", [
    ("dv/dt = -v/tau", "missing ': unit'"),
    ("dv/dt = -v/tau : bogusunit", "unknown unit 'bogusunit'"),
    ("dv/dt = -v/tau : volt (sometimes)", "unknown flag(s) sometimes"),
    ("dv/dt = -v/(tau : volt", "cannot parse"),
    ("t : second", "reserved name"),
    ("x : 1\nx : 1", "more than once"),
    ("dv/dt = : volt", "empty right-hand side"),
])
def test_equations_invalid_lines_raise_equation_error(text, fragment):
    with pytest.raises(EquationError, match=None) as info:
        Equations(text)
    assert fragment in str(info.value)


def test_statements_split_lines_and_semicolons_and_keep_operators():
    lines = parse_statements("v += w; w = clip(w + a, 0, 1)\n# comment\napre *= 0.5", "S")
    assert [(l.target, l.op) for l in lines] == [("v", "+="), ("w", "="), ("apre", "*=")]


def test_statement_guard_annotation_is_read_and_checked():
    """'# spikeloom: if c' attaches c to every statement of its line; other comments do not."""
    lines = parse_statements("a = 1; b = a*2  # spikeloom: if n > 0\nc = b  # note", "S")
    assert [l.guard for l in lines] == ["n > 0", "n > 0", None]
    with pytest.raises(EquationError, match="only one is '# spikeloom: if"):
        parse_statements("a = 1  # spikeloom: when n > 0", "S")
    with pytest.raises(EquationError, match="temporaries .'x = expr'. only, not to '\\+='"):
        parse_statements("v += 1  # spikeloom: if n > 0", "S")


def test_statements_reject_non_assignment():
    with pytest.raises(EquationError, match="cannot parse statement 'v > 3'"):
        parse_statements("v > 3", "NeuronGroup 'g' reset")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="dvxt/=:*+-() 0123456789abcvoltsecond,\n#_", max_size=60))
def test_equations_fuzz_parses_or_raises_equation_error(text):
    """Any string either parses or raises EquationError (never another exception)."""
    try:
        Equations(text)
    except EquationError:
        pass
