"""Property-based tests (hypothesis) of the model-string front end.

What is fuzzed: equations (``NeuronGroup(N, eqs)``, ``Synapses(model=...)``), statements
(``reset=``, ``on_pre=``, ``on_post=``), conditions (``threshold=``, ``refractory=``,
``connect(condition=...)``), the other ``connect()`` arguments (``i``, ``j``, ``p``, ``n``)
and assignments (``G.v = 'expr'``, ``S.w = ...``).

* Well-formed models come from a small grammar (:func:`models`): variables with units,
  differential equations, subexpressions, parameters with flags, expressions built from
  ``+ - * / **``, ``exp sin cos tanh sqrt abs clip int`` and conditions, numbers with units,
  thresholds and resets whose units agree. They parse to the declared names and units,
  lower and render without error, and a few of them compile and run 0.5 ms to finite
  values (or stop with :class:`SimulationError`).
* Junk (random text, truncated and mangled model strings, unknown names, wrong units,
  out-of-range or ill-typed ``connect()`` arguments, ill-shaped assignments) either works or
  raises a *spikeloom error* with a non-empty message; the junk that is certainly wrong
  (unknown identifiers, wrong units, indices out of range, ``p`` outside [0, 1], ``n < 0``)
  must raise one.

What counts as a spikeloom error (:func:`check_error`):

1. an instance of a class of :mod:`spikeloom.exceptions` (``EquationError``, ``UnitError``,
   ``UnresolvedNameError``, ``UnsupportedEquationsError``, ``SimulationError``...) or of
   ``spikeloom.DimensionMismatchError``;
2. a plain ``ValueError``, ``TypeError``, ``IndexError`` or ``NotImplementedError`` that a
   ``raise`` statement of spikeloom's own code raised (the innermost frame of its traceback
   is a line of ``src/spikeloom`` that starts with ``raise``). That is the project's
   convention for argument checks (``N must be a positive integer, got 0``, ``i=5 out of
   range (allowed 0..2)``), which is also what Brian2 raises there.

Anything else is a bug: the same types raised by NumPy, sympy or Python on spikeloom's
behalf, and ``KeyError``, ``AttributeError``, ``ZeroDivisionError``, ``OverflowError``,
``RecursionError``, Numba's typing errors... Every example also runs under a time limit
(:func:`time_limit`, SIGALRM): a hang fails the test instead of stalling CI.

Examples per property (``BUDGET``; hypothesis with ``derandomize=True`` and no database, so
that CI runs the same examples every time; each property asserts that it ran its budget):

=================================================  ========  =================
property                                           examples  compiles a loop?
=================================================  ========  =================
generated equations parse to declared names/units       500  no
generated models lower and render                       250  no
generated assignments set finite values                 200  no
expressions and statements parse or raise               400  no
junk model strings                                      400  no
junk statements and conditions                          300  no
unknown identifiers are named                           150  no
wrong units are refused                                 150  no
junk connect() arguments                                300  no
certainly-wrong connect() arguments                     150  no
junk assignments                                        250  no
generated models compile and run                         12  yes
the same, marked slow                                   100  yes
=================================================  ========  =================

In total 3050 examples that do not compile a loop (at least 2000 is the requirement; about
20 s) and 12 that do (about 2 s each without Numba's disk cache, so that the file takes
about 45 s on one core); the slow suite (``pytest -m slow``) runs 100 compiled models. The
regression tests at the end name each bug the fuzzing found, fixed in the library.
"""

from __future__ import annotations

import contextlib
import linecache
import math
import re
import signal
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spikeloom
import spikeloom.exceptions
from spikeloom import (
    DimensionMismatchError,
    Equations,
    Network,
    NeuronGroup,
    Synapses,
    ms,
    mV,
    nA,
    nS,
)
from spikeloom.backends.numba._render import NumbaRenderer
from spikeloom.equations import infer_dim, parse_ast, parse_statements, to_sympy
from spikeloom.exceptions import (
    EquationError,
    SimulationError,
    UnitError,
    UnresolvedNameError,
)
from spikeloom.units import DIMENSIONLESS, get_dim

# junk divides by zero (NumPy warns) and writes '1if' (Python's parser warns)
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::SyntaxWarning")

BUDGET = {
    "generated_equations_parse": 500,
    "generated_models_lower": 250,
    "generated_assignments": 200,
    "expressions_and_statements": 400,
    "junk_model_strings": 400,
    "junk_statements_and_conditions": 300,
    "unknown_identifiers": 150,
    "wrong_units": 150,
    "junk_connect_arguments": 300,
    "wrong_connect_arguments": 150,
    "junk_assignments": 250,
    "generated_models_run": 12,
    "generated_models_run_long": 100,
}
COMPILING = {"generated_models_run", "generated_models_run_long"}
#: examples each property actually ran (checked against BUDGET by :func:`run_property`)
RAN: Counter = Counter()

# -- what counts as a spikeloom error ----------------------------------------------------------
SPIKELOOM_ERRORS = tuple(
    cls for cls in vars(spikeloom.exceptions).values()
    if isinstance(cls, type) and issubclass(cls, BaseException)
    and cls.__module__ == "spikeloom.exceptions") + (DimensionMismatchError,)
ARGUMENT_CHECKS = (ValueError, TypeError, IndexError, NotImplementedError)
SOURCE = Path(spikeloom.__file__).resolve().parent


def raised_on_purpose(exc: BaseException) -> bool:
    """Whether a ``raise`` statement of spikeloom's own code raised ``exc``."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    filename = Path(tb.tb_frame.f_code.co_filename).resolve()
    line = linecache.getline(str(filename), tb.tb_lineno).strip()
    return filename.is_relative_to(SOURCE) and line.startswith("raise")


def check_error(exc: BaseException) -> None:
    """Fail unless ``exc`` is a spikeloom error (see the module docstring)."""
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if not str(exc).strip():
        raise AssertionError(f"{name} raised without a message") from exc
    if isinstance(exc, SPIKELOOM_ERRORS):
        return
    if type(exc) in ARGUMENT_CHECKS and raised_on_purpose(exc):
        return
    raise AssertionError(f"{name} leaked from the library: {exc}") from exc


class ExampleTimeout(BaseException):
    """An example ran past its time limit (a BaseException: no library ``except Exception``
    may swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float, what: str):
    """Raise :class:`ExampleTimeout` if the body runs longer than ``seconds``."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise ExampleTimeout(f"no result after {seconds} s (a hang?) for {what}")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def works_or_spikeloom_error(what: str, seconds: float = 20):
    """The body either works or raises a spikeloom error, within ``seconds``."""
    with time_limit(seconds, what):
        try:
            yield
        except Exception as exc:
            check_error(exc)


@contextlib.contextmanager
def spikeloom_error(expected: tuple[type, ...], what: str, seconds: float = 20):
    """The body must raise a spikeloom error of one of the ``expected`` types."""
    with time_limit(seconds, what):
        try:
            yield
        except Exception as exc:
            check_error(exc)
            if not isinstance(exc, expected):
                raise AssertionError(f"expected {[e.__name__ for e in expected]} for {what}, "
                                     f"got {type(exc).__name__}: {exc}") from exc
            return
    raise AssertionError(f"no error for {what}")


def fuzz_settings(name: str):
    """Hypothesis settings of a property: its budget, reproducible, without a database."""
    return settings(max_examples=BUDGET[name], deadline=None, derandomize=True,
                    database=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def run_property(prop, name: str) -> None:
    """Run a hypothesis property and check that it ran its budget of examples."""
    RAN[name] = 0
    prop()
    assert RAN[name] >= BUDGET[name], f"{name}: ran {RAN[name]} of {BUDGET[name]} examples"


def fresh(name: str) -> None:
    """Per example: count it, and start from an empty magic network (the conftest fixture
    runs per test, not per example)."""
    RAN[name] += 1
    spikeloom.start_scope()


def lower(*objects) -> str:
    """Lower ``objects`` to a plan and render its Numba source, without compiling it."""
    plan = Network(*objects)._prepare(0.5 * ms, {}, None)[0]
    return NumbaRenderer(plan).source()


# -- a grammar of well-formed models ----------------------------------------------------------
SCALE = {"volt": "mV", "amp": "nA", "siemens": "nS", "1": "1", "second": "ms"}
QUANTITY = {"volt": mV, "amp": nA, "siemens": nS, "1": 1, "second": ms}
STATE_UNITS = ("volt", "amp", "siemens", "1")
NAMES = ("v", "w", "u", "ge", "gi", "x", "y", "z", "I_a", "m")
NUMBERS = ("0.5", "1", "2", "3.5", "10", "0.25", "7", "1.5e-1")
COMPARE = (">", "<", ">=", "<=", "==", "!=")


@dataclass
class Atoms:
    """Names that code may read (by unit) and write, plus whether it may draw numbers."""

    read: dict[str, list[str]] = field(default_factory=lambda: {u: [] for u in SCALE})
    random: bool = False
    booleans: list[str] = field(default_factory=list)

    def with_random(self) -> Atoms:
        return Atoms({u: list(n) for u, n in self.read.items()}, True, list(self.booleans))


def literal(draw, unit: str, positive: bool = False) -> str:
    number = draw(st.sampled_from(NUMBERS))
    if not positive and draw(st.booleans()):
        number = f"-{number}"
    return number if unit == "1" else f"{number}*{SCALE[unit]}"


def atom(draw, unit: str, atoms: Atoms) -> str:
    names = atoms.read[unit] + (["rand()", "randn()"] if atoms.random and unit == "1" else [])
    if names and draw(st.integers(0, 2)):
        return draw(st.sampled_from(names))
    return literal(draw, unit)


def expression(draw, unit: str, atoms: Atoms, depth: int = 2) -> str:
    """An expression with ``unit`` whose value stays finite for finite inputs."""
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return atom(draw, unit, atoms)

    def sub():
        return expression(draw, unit, atoms, depth - 1)

    form = draw(st.sampled_from(("sum", "difference", "scaled", "negative", "abs", "clip",
                                 "bounded", "sqrt")))
    if form == "sum":
        return f"{sub()} + {sub()}"
    if form == "difference":
        return f"({sub()} - {sub()})"
    if form == "scaled":
        return f"({dimensionless(draw, atoms, depth - 1)})*({sub()})"
    if form == "negative":
        return f"-({sub()})"
    if form == "abs":
        return f"abs({sub()})"
    if form == "clip":
        low, high = literal(draw, unit, positive=True), literal(draw, unit, positive=True)
        return f"clip({sub()}, -{low}, {high})"
    if form == "bounded":
        template = draw(st.sampled_from(("exp(-abs({}))", "sin({})", "cos({})", "tanh({})",
                                         "1/(1 + ({})**2)")))
        return f"({sub()})*{template.format(dimensionless(draw, atoms, depth - 1))}"
    return f"sqrt(abs(({sub()})*({sub()})))"


def dimensionless(draw, atoms: Atoms, depth: int) -> str:
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return atom(draw, "1", atoms)
    form = draw(st.sampled_from(("ratio", "product", "sum", "bounded", "int", "condition",
                                 "square")))
    if form == "ratio":
        unit = draw(st.sampled_from(STATE_UNITS + ("second",)))
        return f"({expression(draw, unit, atoms, depth - 1)})/({literal(draw, unit, True)})"
    if form == "product":
        first, second = (dimensionless(draw, atoms, depth - 1) for _ in range(2))
        return f"({first})*({second})"
    if form == "sum":
        first, second = (dimensionless(draw, atoms, depth - 1) for _ in range(2))
        return f"{first} + {second}"
    if form == "bounded":
        template = draw(st.sampled_from(("exp(-abs({}))", "sin({})", "tanh({})")))
        return template.format(dimensionless(draw, atoms, depth - 1))
    if form == "int":
        return f"int({condition(draw, atoms, depth - 1)})"
    if form == "condition":  # a condition in arithmetic is 1 or 0, as in Brian2
        return f"({condition(draw, atoms, depth - 1)})"
    return f"({dimensionless(draw, atoms, depth - 1)})**2"


def condition(draw, atoms: Atoms, depth: int = 1) -> str:
    forms = ["compare", "compare", "chain", "and", "or", "not"]
    forms += ["random"] if atoms.random else []
    forms += ["boolean"] if atoms.booleans else []
    form = draw(st.sampled_from(forms)) if depth > 0 else "compare"
    if form in ("compare", "chain"):
        unit = draw(st.sampled_from(STATE_UNITS + ("second",)))
        first = expression(draw, unit, atoms, 1)
        text = f"{first} {draw(st.sampled_from(COMPARE))} {expression(draw, unit, atoms, 1)}"
        if form == "chain":
            text += f" < {expression(draw, unit, atoms, 0)}"
        return text
    if form in ("and", "or"):
        return f"({condition(draw, atoms, depth - 1)}) {form} " \
               f"({condition(draw, atoms, depth - 1)})"
    if form == "not":
        return f"not ({condition(draw, atoms, depth - 1)})"
    if form == "random":
        return f"rand() < {draw(st.sampled_from(('0.1', '0.5', '0.9')))}"
    return draw(st.sampled_from(atoms.booleans))


def statements(draw, atoms: Atoms, writable: dict[str, list[str]], booleans: list[str],
               integers: list[str]) -> str:
    """A reset-like block: assignments and augmented assignments, with temporaries."""
    atoms = atoms.with_random()
    lines = []
    for k in range(draw(st.integers(1, 3))):
        choices = [u for u, names in writable.items() if names]
        kind = draw(st.sampled_from(choices + ["temporary"] + (["boolean"] if booleans else [])
                                    + (["integer"] if integers else [])))
        if kind == "temporary":
            unit = draw(st.sampled_from(STATE_UNITS))
            name = f"tmp_{k}"
            lines.append(f"{name} = {expression(draw, unit, atoms, 1)}")
            atoms.read[unit].append(name)
        elif kind == "boolean":
            lines.append(f"{draw(st.sampled_from(booleans))} = {condition(draw, atoms, 1)}")
        elif kind == "integer":
            lines.append(f"{draw(st.sampled_from(integers))} += 1")
        else:
            target = draw(st.sampled_from(writable[kind]))
            op = draw(st.sampled_from(("=", "+=", "-=", "*=", "/=")))
            if op == "*=":
                rhs = f"tanh({dimensionless(draw, atoms, 1)})"
            elif op == "/=":
                rhs = f"(1 + abs({dimensionless(draw, atoms, 1)}))"
            else:
                rhs = expression(draw, kind, atoms, 1)
            lines.append(f"{target} {op} {rhs}")
    separator = draw(st.sampled_from(("\n", "; ", "\n  ")))
    return separator.join(lines)


@dataclass
class Model:
    """A generated NeuronGroup (and Synapses onto itself): strings, values and what was
    declared (for checking the parse)."""

    equations: str
    declared: dict[str, tuple[str, str]]  # name -> (kind, unit)
    namespace: dict
    threshold: str | None = None
    reset: str | None = None
    refractory: object = False
    method: str | None = None
    initial: dict[str, object] = field(default_factory=dict)  # strings or quantities
    atoms: Atoms = field(default_factory=Atoms)
    writable: dict[str, list[str]] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)  # differential variables -> unit
    synapses: dict | None = None
    connect: dict | None = None
    synapse_initial: dict[str, str] = field(default_factory=dict)

    def neurons(self, N: int = 3, **changes) -> NeuronGroup:
        arguments = dict(model=self.equations, threshold=self.threshold, reset=self.reset,
                         refractory=self.refractory, method=self.method,
                         namespace=self.namespace)
        arguments.update(changes)
        return NeuronGroup(N, **arguments)

    def build(self, N: int = 3, initialise: bool = True) -> list:
        G = self.neurons(N)
        objects = [G]
        if initialise:
            for name, value in self.initial.items():
                setattr(G, name, value)
        if self.synapses is not None:
            S = Synapses(G, G, namespace=self.namespace, **self.synapses)
            S.connect(**self.connect, namespace=self.namespace)
            if initialise:
                for name, value in self.synapse_initial.items():
                    setattr(S, name, value)
            objects.append(S)
        return objects


@st.composite
def models(draw, synapses: bool = True) -> Model:
    names = iter(draw(st.permutations(NAMES)))
    atoms = Atoms()
    namespace: dict = {}
    lines: list[str] = []
    declared: dict[str, tuple[str, str]] = {}
    initial: dict[str, str] = {}
    writable: dict[str, list[str]] = {u: [] for u in STATE_UNITS}
    booleans: list[str] = []
    integers: list[str] = []

    state = {next(names): draw(st.sampled_from(STATE_UNITS))
             for _ in range(draw(st.integers(1, 3)))}
    for name, unit in state.items():
        atoms.read[unit].append(name)
        writable[unit].append(name)
        initial[name] = f"{literal(draw, unit)} + {literal(draw, unit, True)}*rand()"
    # time constants: external constants, constant parameters or numbers
    taus = {}
    for name in state:
        how = draw(st.sampled_from(("namespace", "parameter", "literal")))
        if how == "literal":
            taus[name] = f"({literal(draw, 'second', positive=True)})"
            continue
        tau = f"tau_{name}"
        taus[name] = tau
        atoms.read["second"].append(tau)
        if how == "namespace":
            namespace[tau] = float(draw(st.sampled_from(NUMBERS))) * 10 * ms
        else:
            lines.append(f"{tau} : second (constant)")
            declared[tau] = ("parameter", "second")
            initial[tau] = "5*ms + 5*ms*rand()"
    # resting values: parameters (perhaps shared) or external constants
    rests = {}
    for name, unit in state.items():
        rest = f"E_{name}"
        rests[name] = rest
        atoms.read[unit].append(rest)
        if draw(st.booleans()):
            namespace[rest] = float(draw(st.sampled_from(NUMBERS))) * QUANTITY[unit]
        else:
            flags = draw(st.sampled_from(("", " (constant)", " (shared)", " (constant, shared)")))
            lines.append(f"{rest} : {unit}{flags}")
            declared[rest] = ("parameter", unit)
            # (a shared variable takes a value, not a string expression)
            initial[rest] = float(draw(st.sampled_from(NUMBERS))) * QUANTITY[unit] \
                if "shared" in flags else f"{literal(draw, unit)}*(1 + rand())"
            if "constant" not in flags:
                writable[unit].append(rest)
    if draw(st.booleans()):
        booleans.append("flag")
        lines.append("flag : boolean")
        declared["flag"] = ("parameter", "boolean")
        initial["flag"] = "rand() < 0.5"
    if draw(st.booleans()):
        integers.append("count")
        lines.append("count : integer")
        declared["count"] = ("parameter", "1")
        atoms.read["1"].append("count")
    atoms.booleans = list(booleans)
    # subexpressions, each of the names defined before it
    for k in range(draw(st.integers(0, 2))):
        unit = draw(st.sampled_from(STATE_UNITS))
        name = f"s_{k}"
        lines.append(f"{name} = {expression(draw, unit, atoms, 2)} : {unit}")
        declared[name] = ("subexpression", unit)
        atoms.read[unit].append(name)
    noise = draw(st.integers(0, 5)) == 0
    refractory = False
    threshold = reset = None
    if draw(st.integers(0, 3)):
        threshold = condition(draw, atoms.with_random(), 1)
        if draw(st.booleans()):
            reset = statements(draw, atoms, writable, booleans, integers)
        refractory = draw(st.sampled_from((False, False, 1 * ms, "2*ms", "E_cond")))
        if refractory == "E_cond":
            refractory = condition(draw, atoms, 0)
    equations = []
    for index, (name, unit) in enumerate(state.items()):
        rhs = f"({rests[name]} - {name} + {expression(draw, unit, atoms, 2)})/{taus[name]}"
        if noise and index == 0:
            rhs += f" + {literal(draw, unit, True)}*xi*sqrt(2/{taus[name]})"
        flags = " (unless refractory)" if refractory is not False and draw(st.booleans()) \
            else ""
        equations.append(f"d{name}/dt = {rhs} : {unit}{flags}")
        declared[name] = ("differential equation", unit)
    text = "\n".join(equations + lines)
    if draw(st.booleans()):  # comments, blank lines and indentation the parser must skip
        text = "\n" + "\n".join(f"    {line}  # {k}" for k, line in enumerate(text.splitlines()))
    method = None if noise else draw(st.sampled_from((None, "euler", "rk2", "rk4", "heun")))
    model = Model(text, declared, namespace, threshold, reset, refractory, method, initial,
                  atoms, writable, dict(state))
    if synapses and draw(st.booleans()):
        _add_synapses(draw, model)
    return model


def _add_synapses(draw, model: Model) -> None:
    unit = draw(st.sampled_from([u for u, names in model.writable.items() if names]))
    target = draw(st.sampled_from(model.writable[unit]))
    syn_model = [f"w : {unit}"]
    on_pre = [f"{target}_post += w"]
    on_post = None
    model.namespace.setdefault("taupre", 20 * ms)
    if draw(st.booleans()):
        syn_model.append("dapre/dt = -apre/taupre : 1 (event-driven)")
        on_pre.append("apre += 1")
        limit = literal(draw, unit, positive=True)
        on_pre.append(f"w = clip(w + 0.1*apre*{limit}, -{limit}, {limit})")
        on_post = f"w = clip(w - 0.1*apre*{limit}, -{limit}, {limit})"
    model.synapses = dict(model="\n".join(syn_model), on_pre="\n".join(on_pre),
                          on_post=on_post,
                          delay=draw(st.sampled_from((None, 0 * ms, 0.2 * ms))))
    model.connect = draw(st.sampled_from((
        dict(condition="i != j"), dict(p=0.5), dict(condition="abs(i - j) <= 1", p=0.7),
        dict(i=[0, 1, 2], j=[2, 0, 1]), dict(j="k for k in range(i - 1, i + 2) if k >= 0",
                                             skip_if_invalid=True),
        dict(j="i"), dict(condition="i == j", n=2), dict(p="0.5"),
    )))
    model.synapse_initial = {"w": f"{literal(draw, unit)}*rand()"}


# -- junk -------------------------------------------------------------------------------------
TOKENS = ("(", ")", "**", "*", "/", "+", "-", ":", "=", "+=", "volt", "mV", "second", "amp",
          "foo", "xi", "rand()", "1e400", "9**9**9", "#", "\n", ";", "(unless refractory)",
          "(shared)", "(constant)", "(summed)", "(event-driven)", "lambda", "[", "]", "not",
          "and", "or", "==", ">", "<", "'", '"', "0", "1/0", "%0", "//0", "i", "j", "t", "dt",
          "N", "lastspike", "_x", "x_pre", "v_post", ".", ",", "d", "/dt", "**0.5", "~",
          "sqrt(-1)", "exp(", "clip(", "int(", "2**64", "10**400", "1j", "None", "...",
          "-" * 60, "(" * 30, "+1" * 400, "sin(" * 45 + "1" + ")" * 45, "\\", "\t", "@",
          "if", "for", "k in range(", ".5", "e5", "dv/dt", "boolean", "integer", "1e-400",
          "-" * 3000, "+1" * 1500, "not " * 300, "**2" * 80, "\nq1 = q2 : 1\nq2 = q1 : 1\n")
#: what the "unit" edit of :func:`mangled` writes instead of a unit
NOT_UNITS = ("second", "amp", "volt", "1", "metre", "kilogram", "9**9**9", "[1]", "'a'",
             "volt**volt", "mV**0.5", "volt/0", "2**4000", "volt**(1/0)", "")
JUNK_ALPHABET = "abdehijklmnorstuvwxyzEINVA0123456789_ +-*/%=<>!:;,.()[]{}#'\"\n\t~^&|@\\"


@st.composite
def mangled(draw, text: str) -> str:
    """``text`` damaged by 1 to 3 edits: cut, deletions, insertions and replacements of
    tokens, units swapped, lines duplicated."""
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(("truncate", "delete", "insert", "replace", "unit",
                                     "duplicate")))
        position = draw(st.integers(0, len(text)))
        if edit == "truncate":
            text = text[:position]
        elif edit == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 5)):]
        elif edit == "insert":
            text = text[:position] + draw(st.sampled_from(TOKENS)) + text[position:]
        elif edit == "replace":
            words = re.findall(r"\w+", text)
            if words:
                word = draw(st.sampled_from(words))
                token = draw(st.sampled_from(TOKENS))
                text = re.sub(rf"\b{re.escape(word)}\b", lambda _, t=token: t, text, count=1)
        elif edit == "unit":
            units = [u for u in ("volt", "amp", "siemens", "mV", "nA", "nS", "ms") if u in text]
            if units:
                text = text.replace(draw(st.sampled_from(units)),
                                    draw(st.sampled_from(NOT_UNITS)), 1)
        else:
            lines = text.splitlines() or [""]
            text = "\n".join(lines + [draw(st.sampled_from(lines))])
    return text


def junk(text: str) -> st.SearchStrategy[str]:
    """Random text, or ``text`` mangled."""
    return st.one_of(st.text(JUNK_ALPHABET, max_size=60), st.text(max_size=20), mangled(text),
                     st.lists(st.sampled_from(TOKENS), max_size=8).map("".join))


# -- properties of well-formed models ---------------------------------------------------------
@fuzz_settings("generated_equations_parse")
@given(models(synapses=False))
def _generated_equations_parse(model):
    fresh("generated_equations_parse")
    with time_limit(20, model.equations):
        eqs = Equations(model.equations)
        assert set(eqs.names) == set(model.declared)
        for name, (kind, unit) in model.declared.items():
            assert eqs[name].kind == kind
            if unit == "boolean":
                assert eqs[name].var_type == "boolean"
            else:
                assert eqs[name].dim == get_dim(QUANTITY[unit])
        G = model.neurons()  # builds without running (thresholds and resets parse)
        for name, (_, unit) in model.declared.items():
            if unit != "boolean":
                assert G.variables[name].dim == get_dim(QUANTITY[unit])


def test_generated_equations_parse_to_their_declared_names_and_units():
    run_property(_generated_equations_parse, "generated_equations_parse")


@fuzz_settings("generated_models_lower")
@given(models())
def _generated_models_lower(model):
    fresh("generated_models_lower")
    with time_limit(30, repr(model)):
        source = lower(*model.build(initialise=False))
    assert "def run_loop(" in source


def test_generated_models_lower_and_render_without_error():
    run_property(_generated_models_lower, "generated_models_lower")


@fuzz_settings("generated_assignments")
@given(models(), st.data())
def _generated_assignments(model, data):
    fresh("generated_assignments")
    G = model.neurons()
    atoms = model.atoms.with_random()
    atoms.read["1"] += ["i", "N"]
    for name in list(model.initial):
        setattr(G, name, model.initial[name])
    for name, unit in model.state.items():
        text = expression(data.draw, unit, atoms, 2)
        with time_limit(20, f"G.{name} = {text!r}"):
            setattr(G, name, text)
        values = np.asarray(getattr(G, name)[:])
        assert np.all(np.isfinite(values)), (name, text, values)
        assert get_dim(getattr(G, name)[:]) == get_dim(QUANTITY[unit])


def test_generated_assignments_set_finite_values_with_units():
    run_property(_generated_assignments, "generated_assignments")


def _model_runs_to_finite_values(model, name: str) -> None:
    fresh(name)
    objects = model.build()
    with time_limit(120, repr(model)):
        try:
            Network(*objects).run(0.5 * ms)
        except SimulationError:
            return  # a state variable became NaN or infinite: stopped with a clear error
    for obj in objects:
        for name, var in obj.variables.items():
            if var.values is not None and var.values.dtype.kind == "f":
                assert np.all(np.isfinite(var.values)), (obj.name, name, var.values)


@fuzz_settings("generated_models_run")
@given(models())
def _generated_models_run(model):
    _model_runs_to_finite_values(model, "generated_models_run")


@fuzz_settings("generated_models_run_long")
@given(models())
def _generated_models_run_long(model):
    _model_runs_to_finite_values(model, "generated_models_run_long")


def test_generated_models_compile_and_run_to_finite_values():
    run_property(_generated_models_run, "generated_models_run")


@pytest.mark.slow
def test_more_generated_models_compile_and_run_to_finite_values():
    run_property(_generated_models_run_long, "generated_models_run_long")


# -- junk in model strings --------------------------------------------------------------------
EXPRESSION_TEXT = st.one_of(
    st.text(JUNK_ALPHABET, max_size=50),
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=10).map(" ".join))


@fuzz_settings("expressions_and_statements")
@given(EXPRESSION_TEXT, st.sampled_from(("expression", "statements", "equations")))
def _expressions_and_statements(text, kind):
    fresh("expressions_and_statements")
    units = {"v": get_dim(mV), "w": DIMENSIONLESS, "t": get_dim(ms)}
    with works_or_spikeloom_error(f"{kind} {text!r}"):
        if kind == "expression":  # unit inference, then sympy (as lowering does)
            node = parse_ast(text, "fuzz")
            infer_dim(node, lambda name: units.get(name, DIMENSIONLESS), lambda name: None,
                      "fuzz")
            to_sympy(node)
        elif kind == "statements":
            for line in parse_statements(text, "fuzz"):
                assert line.expr_ast is not None
        else:
            Equations(text)


def test_expressions_and_statements_parse_or_raise_spikeloom_errors():
    run_property(_expressions_and_statements, "expressions_and_statements")


SYNAPSE_MODEL = ("w : volt\ndapre/dt = -apre/taupre : 1 (event-driven)\ng = w/mV + apre : 1\n"
                 "dx/dt = -x/taupre : 1 (clock-driven)\nc : 1 (constant, shared)")


@fuzz_settings("junk_model_strings")
@given(st.data())
def _junk_model_strings(data):
    fresh("junk_model_strings")
    model = data.draw(models(synapses=False), label="model")
    synapses = data.draw(st.booleans(), label="synapses")
    text = data.draw(junk(SYNAPSE_MODEL if synapses else model.equations), label="model text")
    namespace = dict(model.namespace, taupre=10 * ms)
    with works_or_spikeloom_error(f"{'Synapses' if synapses else 'NeuronGroup'}({text!r})"):
        G = model.neurons(model=model.equations if synapses else text)
        group = G
        if synapses:
            group = Synapses(G, G, text, namespace=namespace)
            group.connect(p=0.5, namespace=namespace)
        for name in group.model.subexpr_names:  # evaluated with NumPy, not compiled
            getattr(group, name)[:]
        lower(*{G, group})


def test_junk_model_strings_work_or_raise_spikeloom_errors():
    run_property(_junk_model_strings, "junk_model_strings")


#: values of the wrong kind for arguments that are not model strings
ODD = st.sampled_from([None, 0, -1, 1.5, 3, 2**70, math.nan, math.inf, 1 * mV, -1 * ms,
                       math.nan * ms, 0 * ms, 5 * ms, [1], [2, 3], {}, {"x": 1}, object(), True,
                       False, ("euler", "rk4"), ["foo"], np.arange(2), 1j])
ODD_ARGUMENTS = {"N": "3", "method": "euler", "dt": "0.1*ms", "events": "v > 1",
                 "delay": "1*ms", "on_event": "spike"}


@fuzz_settings("junk_statements_and_conditions")
@given(st.data())
def _junk_statements_and_conditions(data):  # (and odd values of other arguments)
    fresh("junk_statements_and_conditions")
    model = data.draw(models(synapses=True), label="model")
    where = data.draw(st.sampled_from(("threshold", "reset", "refractory", "on_pre", "on_post",
                                       "condition", "N", "method", "dt", "events", "delay",
                                       "on_event")), label="where")
    original = {"threshold": model.threshold or "v > 1", "reset": model.reset or "v = 0",
                "refractory": "2*ms", "condition": "i != j"}.get(where, "w += 1")
    text = data.draw(junk(original) if where not in ODD_ARGUMENTS else
                     st.one_of(ODD, junk(ODD_ARGUMENTS[where])), label="text")
    with works_or_spikeloom_error(f"{where}={text!r} in {model!r}"):
        if where in ("threshold", "reset", "refractory", "method", "dt", "events"):
            lower(model.neurons(**{where: text}))
        elif where == "N":
            lower(model.neurons(N=text))
        elif where in ("delay", "on_event"):
            G = model.neurons()
            S = Synapses(G, G, "w : 1", on_pre="w += 1", namespace=model.namespace,
                         **{where: text})
            S.connect(p=0.5)
            lower(G, S)
        elif where == "condition":
            G = model.neurons()
            Synapses(G, G, "w : 1", namespace=model.namespace).connect(
                condition=text, namespace=model.namespace)
        else:
            G = model.neurons()
            S = Synapses(G, G, "w : 1\nz_syn : volt", namespace=model.namespace,
                         **{where: text})
            S.connect(p=0.5)
            lower(G, S)


def test_junk_statements_and_conditions_work_or_raise_spikeloom_errors():
    run_property(_junk_statements_and_conditions, "junk_statements_and_conditions")


UNKNOWN = "undefined_name_qx"


@fuzz_settings("unknown_identifiers")
@given(models(), st.sampled_from(("equation", "threshold", "reset", "on_pre", "assignment",
                                  "condition")))
def _unknown_identifiers(model, where):
    fresh("unknown_identifiers")
    name, unit = next(iter(model.state.items()))
    term = f"{UNKNOWN}*{SCALE[unit]}"
    with spikeloom_error((UnresolvedNameError,), f"{UNKNOWN} in {where} of {model!r}"):
        if where == "equation":
            text = model.equations.replace(f"d{name}/dt = ", f"d{name}/dt = {term}/ms + ", 1)
            lower(model.neurons(model=text))
        elif where == "threshold":
            lower(model.neurons(threshold=f"{name} > {term}"))
        elif where == "reset":
            lower(model.neurons(threshold="t > 0*ms", reset=f"{name} = {term}"))
        elif where == "assignment":
            setattr(model.neurons(), name, term)
        else:
            G = model.neurons()
            S = Synapses(G, G, f"w : {unit}", on_pre=f"{name}_post += w + {term}",
                         namespace=model.namespace)
            if where == "condition":
                S.connect(condition=f"{UNKNOWN} > i", namespace=model.namespace)
            S.connect(p=1.0, namespace=model.namespace)
            lower(G, S)


def test_unknown_identifiers_raise_unresolved_name_error():
    run_property(_unknown_identifiers, "unknown_identifiers")


OTHER_UNIT = {"volt": "nA", "amp": "mV", "siemens": "ms", "1": "nS", "second": "mV"}


@fuzz_settings("wrong_units")
@given(models(), st.sampled_from(("declaration", "threshold", "reset", "on_pre", "assignment",
                                  "subexpression")))
def _wrong_units(model, where):
    fresh("wrong_units")
    name, unit = next(iter(model.state.items()))
    wrong = f"3*{OTHER_UNIT[unit]}"
    with spikeloom_error((UnitError, DimensionMismatchError), f"{where} in {model!r}"):
        if where == "declaration":  # its right-hand side still has the old unit
            declared = {"volt": "amp", "amp": "volt", "siemens": "second", "1": "volt"}[unit]
            text = re.sub(rf"(d{name}/dt = .*) : {re.escape(unit)}\b",
                          lambda m: f"{m.group(1)} : {declared}", model.equations, count=1)
            lower(model.neurons(model=text))
        elif where == "threshold":
            lower(model.neurons(threshold=f"{name} > {wrong}"))
        elif where == "reset":
            lower(model.neurons(threshold="t > 0*ms", reset=f"{name} = {wrong}"))
        elif where == "assignment":
            setattr(model.neurons(), name, wrong)
        elif where == "subexpression":
            lower(model.neurons(model=model.equations + f"\nbad_sub = {wrong} : {unit}"))
        else:
            G = model.neurons()
            S = Synapses(G, G, f"w : {unit}", on_pre=f"{name}_post += {wrong}",
                         namespace=model.namespace)
            S.connect(p=1.0, namespace=model.namespace)
            lower(G, S)


def test_wrong_units_raise_unit_errors():
    run_property(_wrong_units, "wrong_units")


# -- connect() arguments ----------------------------------------------------------------------
N_PRE, N_POST = 3, 4
INDEX = st.one_of(
    st.integers(-5, 8), st.integers(-2**70, 2**70),
    st.lists(st.integers(-2, 6), max_size=5), st.floats(allow_nan=True),
    st.sampled_from([None, "0", "i", [0.5], [[0, 1]], (), object(), True, 1 * mV,
                     np.arange(3), np.array([1.5]), np.int8(1)]))
PROBABILITY = st.one_of(
    st.floats(-1, 2), st.floats(allow_nan=True, allow_infinity=True),
    st.floats(0, 1e-12), st.floats(1 - 1e-12, 1),
    st.sampled_from([0, 1, True, None, "0.5", "2", "rand()", "1*mV", "i/N_pre", [0.5],
                     np.array([0.2, 0.3]), 0.5 * mV, object(), "", "j >"]))
MULTIPLICITY = st.one_of(
    st.integers(-3, 4), st.floats(allow_nan=True),
    st.sampled_from([None, True, "2", "-1", "i", "1.5", "inf", "0/0", "1e30", "1*mV", "i >",
                     [2], 2 * mV]))
CONDITION = st.one_of(
    st.sampled_from([None, True, False, 1, 0.5, "i != j", "i == j", "i == j + 9", "j == i // 2",
                     "rand() < 0.5", "v_pre > v_post", "i*mV", "k > 1", "i ==", "",
                     "i == 1/0", "j == inf", "i > " + "-" * 400 + "j", [1]]),
    st.text(JUNK_ALPHABET, max_size=30), EXPRESSION_TEXT)
GENERATOR = st.sampled_from([
    "k for k in range(i - 1, i + 2) if k >= 0", "k for k in range(N_post)",
    "k for k in sample(N_post, p=0.5)", "k for k in sample(N_post)", "k for k in range(",
    "k for k in range(3, 0, -1)", "k for k in range(inf)", "k for k in range(0/0)",
    "i + 5", "inf", "0/0", "i if i > 0", "k for k in range(1, 2, 3, 4)", "k for j in range(2)",
    "k for k in range(2) if", "i*mV", "-1", "k for k in range(2*ms)"])


def _connect_groups(namespace=None):
    G = NeuronGroup(N_PRE, "v : volt", threshold="v > 1*mV", namespace=namespace or {})
    H = NeuronGroup(N_POST, "v : volt", namespace=namespace or {})
    S = Synapses(G, H, "w : volt", on_pre="v_post += w", namespace=namespace or {})
    return G, H, S


def _check_connected(S) -> None:
    i, j = np.asarray(S.i[:]), np.asarray(S.j[:])
    assert len(i) == len(j) == S.N
    assert np.all((0 <= i) & (i < N_PRE)) and np.all((0 <= j) & (j < N_POST))


@fuzz_settings("junk_connect_arguments")
@given(st.fixed_dictionaries({}, optional={
    "condition": CONDITION, "i": INDEX, "j": st.one_of(INDEX, GENERATOR), "p": PROBABILITY,
    "n": MULTIPLICITY, "skip_if_invalid": st.booleans(),
    "namespace": st.sampled_from([None, {}, {"k": 1}, 3, "x", [("a", 1)]])}))
def _junk_connect_arguments(arguments):
    fresh("junk_connect_arguments")
    _, _, S = _connect_groups()
    with works_or_spikeloom_error(f"connect(**{arguments!r})"):
        S.connect(**arguments)
    _check_connected(S)  # (no synapse if it raised)


def test_junk_connect_arguments_work_or_raise_spikeloom_errors():
    run_property(_junk_connect_arguments, "junk_connect_arguments")


@fuzz_settings("wrong_connect_arguments")
@given(st.one_of(
    st.builds(lambda i: dict(i=i, j=0), st.one_of(st.integers(N_PRE, 10**6),
                                                  st.integers(-10**6, -1))),
    st.builds(lambda j: dict(i=0, j=j), st.one_of(st.integers(N_POST, 10**6),
                                                  st.integers(-10**6, -1))),
    st.builds(lambda i: dict(i=i, j=[0] * len(i)),
              st.lists(st.integers(-3, 9), min_size=1, max_size=6).filter(
                  lambda i: min(i) < 0 or max(i) >= N_PRE)),
    st.builds(lambda p, form: {"condition": dict(condition="i != j", p=p),
                               "all": dict(p=p), "explicit": dict(i=[0, 1], j=[1, 2], p=p)}[form],
              st.one_of(st.floats(1, 1e300, exclude_min=True), st.floats(-1e300, 0,
                                                                           exclude_max=True),
                        st.just(math.nan), st.just(math.inf)),
              st.sampled_from(("condition", "all", "explicit"))),
    st.builds(lambda n, form: {"int": dict(n=n), "str": dict(n=str(n))}[form],
              st.integers(-10**6, -1), st.sampled_from(("int", "str"))),
    st.builds(lambda j: dict(j=j), st.sampled_from(["i + 4", "-1 - i", "k for k in range(5)",
                                                    "k for k in range(-2, 1)"]))))
def _wrong_connect_arguments(arguments):
    fresh("wrong_connect_arguments")
    _, _, S = _connect_groups()
    with spikeloom_error((ValueError, IndexError), f"connect(**{arguments!r})"):
        S.connect(**arguments)


def test_certainly_wrong_connect_arguments_raise_spikeloom_errors():
    run_property(_wrong_connect_arguments, "wrong_connect_arguments")


# -- assignments ------------------------------------------------------------------------------
VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-2**70, 2**70),
    st.sampled_from([None, 1 * mV, 2 * nA, [1 * mV, 2 * mV], [1 * mV, 2 * mV, 3 * mV],
                     np.ones((3, 3)) * mV, [1 * mV, 2], object(), {}, b"1*mV", 1j * mV,
                     np.array([np.nan]) * mV, True, "nan*mV", "", "1*mV", "v + 1*mV",
                     "rand()*mV", "randn()", "i*mV", "a_sub*mV", "x*mV", "t*mV/ms"]),
    EXPRESSION_TEXT)
ITEM = st.sampled_from([slice(None), 0, 5, -1, -9, [0, 2], [True, False, True], [True], 1.5,
                        None, "i > 0", "i >", "v", "v > 0*mV", (0, 1), 1 * mV])


@fuzz_settings("junk_assignments")
@given(st.sampled_from(("G.v", "G.w", "G.c", "G.b", "G.s", "S.w", "S.delay")), ITEM, VALUE,
       st.booleans())
def _junk_assignments(target, item, value, whole):
    fresh("junk_assignments")
    G = NeuronGroup(3, "v : volt\nw : 1\nc : integer\nb : boolean\ns : volt (shared)\n"
                       "a_sub = v/mV + x_sub : 1\nx_sub = w : 1", namespace={})
    S = Synapses(G, G, "w : volt", on_pre="v_post += w", namespace={})
    S.connect(p=1.0)
    owner, name = target.split(".")
    group = G if owner == "G" else S
    with works_or_spikeloom_error(f"{target}[{item!r}] = {value!r}"):
        if whole:
            setattr(group, name, value)
        else:
            getattr(group, name)[item] = value


def test_junk_assignments_work_or_raise_spikeloom_errors():
    run_property(_junk_assignments, "junk_assignments")


def test_budget_is_at_least_two_thousand_examples_without_compiling():
    cheap = sum(n for name, n in BUDGET.items() if name not in COMPILING)
    assert cheap >= 2000
    assert (cheap, sum(BUDGET.values())) == (3050, 3162)  # the module docstring's table


# -- regression tests: bugs the fuzzing found, fixed in the library --------------------------
def _raises(expected, call, fragment: str) -> str:
    with time_limit(20, fragment), pytest.raises(expected) as info:
        call()
    check_error(info.value)
    assert fragment in str(info.value), str(info.value)
    return str(info.value)


def test_unit_with_a_huge_power_is_refused_at_once():
    """``v : 9**9**9`` computed 370 million digits (hours) before it was refused."""
    _raises(EquationError, lambda: Equations("v : 9**9**9"), "unknown unit '9**9**9'")


def test_unit_that_is_not_a_unit_is_refused():
    """``v : [1, 2]`` and ``v : 'a'`` were taken as dimensionless."""
    _raises(EquationError, lambda: Equations("v : [1, 2]"), "unknown unit")
    _raises(EquationError, lambda: Equations("v : 'a'"), "unknown unit")
    assert Equations("a : metre/second**2")["a"].dim == get_dim(spikeloom.metre / ms**2)


def test_deeply_nested_expression_raises_equation_error():
    """A RecursionError leaked from Python's parser and from unit inference."""
    _raises(EquationError, lambda: Equations("v = " + "-" * 5000 + "1 : 1"), "nested too deeply")
    _raises(EquationError, lambda: Equations("v = " + "+".join(["1"] * 2000) + " : 1"),
            "nested too deeply")
    _raises(EquationError, lambda: parse_statements("v = " + "sin(" * 50 + "1" + ")" * 50, "S"),
            "nested too deeply")
    assert Equations("v = " + "+".join(["1"] * 250) + " : 1")  # a long sum is fine


def test_cyclic_subexpressions_raise_equation_error():
    """Reading ``G.a`` of ``a = b``, ``b = a`` recursed until RecursionError."""
    _raises(EquationError, lambda: Equations("a = b : 1\nb = a : 1"), "a -> b -> a")
    _raises(EquationError, lambda: NeuronGroup(1, "x = 2*x : 1"), "x -> x")


def test_exponent_one_over_zero_raises_unit_error():
    """``mV**(1/0)`` raised ZeroDivisionError while inferring the unit."""
    G = NeuronGroup(2, "v : volt", namespace={})
    _raises(UnitError, lambda: setattr(G, "v", "mV**(1/0)*v/mV"), "finite number")


def test_tilde_operator_raises_equation_error():
    """``~v`` passed unit inference and failed (or counted as ``v``) afterwards."""
    G = NeuronGroup(2, "v : 1", namespace={})
    _raises(EquationError, lambda: setattr(G, "v", "~v"), "unsupported operator '~'")


def test_integer_beyond_64_bits_is_a_float_in_evaluation_and_compiled_code():
    """``(123456789012345678901234567890 + i)`` raised OverflowError in NumPy; in compiled
    code Numba refused the literal (TypingError); ``10**400`` became a float ``inf`` that the
    printer wrote as the undefined name ``inf``."""
    G = NeuronGroup(2, "v : 1\ndx/dt = (2**70 - 10**400)*x/second : 1", namespace={})
    G.v = "(123456789012345678901234567890 + i)/10**29"
    assert np.allclose(G.v[:], [1.2345678901, 1.2345678901])
    lower(G)


def test_huge_integer_power_in_model_code_does_not_hang():
    """``9**9**9`` in an expression was computed exactly by sympy (hours)."""
    G = NeuronGroup(2, "dv/dt = -v/(9**9**9*ms) : 1", namespace={})
    with time_limit(20, "9**9**9 in a differential equation"):
        assert "def run_loop(" in lower(G)


def test_modulo_by_zero_and_square_root_of_minus_one_in_model_code():
    """``x % 0`` raised sympy's ZeroDivisionError; ``sqrt(-1)`` made complex code that Numba
    refused (TypingError). Both are nan now, as NumPy computes them."""
    G = NeuronGroup(2, "dv/dt = (v % 0 + sqrt(-1)*0)/ms : 1", namespace={})
    assert "def run_loop(" in lower(G)


def test_condition_in_arithmetic_is_one_or_zero():
    """``(v > 0)*mV/ms`` (and ``True*...``, ``sin(v > 0)``) raised sympy's TypeError."""
    G = NeuronGroup(2, "dv/dt = ((v > 0*mV) + True + sin(v > 0*mV))*mV/ms : volt\n"
                       "x = (v > 0*mV) and v/mV : boolean", threshold="x or (v > 0*mV) < 1",
                    namespace={})
    assert "def run_loop(" in lower(G)


def test_condition_in_arithmetic_of_an_assignment_is_one_or_zero():
    """``G.w = '-(v > 0*mV)'`` raised NumPy's TypeError (boolean negative); ``(v > 0*mV) +
    (v >= 0*mV)`` gave True, not 2; ``sin(v >= 0*mV)`` was computed in half precision."""
    G = NeuronGroup(3, "v : volt\nw : 1", namespace={})
    G.v = "(i - 1)*mV"
    for text, expected in (("-(v > 0*mV)", [0, 0, -1]), ("(v > 0*mV) + (v >= 0*mV)", [0, 1, 2]),
                           ("(v > 0*mV) - (v >= 0*mV)", [0, -1, 0]),
                           ("sin(v >= 0*mV)", [0, math.sin(1), math.sin(1)])):
        G.w = text
        assert np.array_equal(G.w[:], expected), text


def test_int_of_a_condition_in_a_differential_equation():
    """``int(v > 0*mV)`` in a differential equation raised AttributeError ('StrictGreaterThan'
    object has no attribute 'diff') while 'exact' tested whether it is linear."""
    G = NeuronGroup(2, "dv/dt = int(v > 0*mV)*mV/ms - v/ms : volt", namespace={})
    assert "def run_loop(" in lower(G)
    assert G.integration_method == "euler"


def test_int_of_a_constant_condition_can_be_compared():
    """``v/(1 + int(False)**2) > 1*mV`` raised sympy's TypeError 'Invalid comparison of
    non-real' (sympy took ``int(False)`` for a non-real number)."""
    G = NeuronGroup(2, "dv/dt = -v/ms : volt", threshold="v/(1 + int(False)**2) > 1*mV",
                    namespace={})
    assert "def run_loop(" in lower(G)


def test_subexpression_with_a_wrong_unit_raises_unit_error():
    """``x = 3 : volt`` was accepted and read as 3 volt."""
    G = NeuronGroup(2, "dv/dt = (x - v)/ms : volt\nx = 3 : volt", namespace={})
    _raises(UnitError, lambda: lower(G), "right-hand side has unit 1, but the equation "
                                         "declares volt")


def test_namespace_that_is_not_a_dict_raises_type_error():
    """``namespace=3`` raised TypeError('argument of type 'int' is not iterable') later."""
    _raises(TypeError, lambda: NeuronGroup(2, "v : 1", namespace=3), "namespace=3")
    G = NeuronGroup(2, "v : 1", threshold="v > 1")
    _raises(TypeError, lambda: Synapses(G, G, namespace=[1]), "namespace=[1]")
    _raises(TypeError, lambda: Synapses(G, G).connect(namespace=3), "namespace=3")


def test_on_event_that_is_not_a_name_raises_type_error():
    """``on_event=1*mV`` raised TypeError('unhashable type: 'Quantity'')."""
    G = NeuronGroup(2, "v : 1", threshold="v > 1", namespace={})
    _raises(TypeError, lambda: Synapses(G, G, on_pre="v += 1", on_event=1 * mV),
            "on_event=1. * mvolt for pathway 'pre'; allowed: an event name")


def test_group_size_beyond_32_bit_indices_raises_value_error():
    """``NeuronGroup(2**70, ...)`` raised NumPy's 'Maximum allowed dimension exceeded'."""
    _raises(ValueError, lambda: NeuronGroup(2**70, "v : 1"), "allowed: at most 2**31 - 1")


def test_integration_method_that_is_not_a_name_is_named():
    """``method=3`` raised TypeError("'int' object is not iterable")."""
    G = NeuronGroup(2, "dv/dt = -v/ms : 1", method=3, namespace={})
    _raises(spikeloom.UnsupportedEquationsError, lambda: lower(G),
            "integration method must be a name, got 3")


def test_negative_or_nan_delay_raises_value_error():
    """``delay=-1*ms`` and ``nan*ms`` raised NumPy's 'negative dimensions are not allowed'."""
    G = NeuronGroup(2, "v : 1", threshold="v > 1", namespace={})
    _raises(ValueError, lambda: Synapses(G, G, on_pre="v += 1", delay=-1 * ms), "delay -1")
    S = Synapses(G, G, on_pre="v += 1", namespace={})
    S.connect()
    S.delay = [1, -1, 1, 1] * ms
    _raises(ValueError, lambda: lower(G, S), "allowed: a finite time >= 0")
    # the quick test is min >= 0 and a finite max: an infinity anywhere fails it (a NaN is
    # refused when it is assigned)
    for bad in (np.inf, -np.inf):
        S.delay = np.array([1.0, 2.0, bad, 1.0]) * ms
        _raises(ValueError, lambda: lower(G, S), "allowed: a finite time >= 0")


def test_connect_probability_checks():
    """With explicit i and j, p=2 and p=-1 were accepted and p='abc' raised 'could not
    convert string to float'; p=None raised float()'s TypeError; p=0.5*mV was taken as 0.5."""
    _, _, S = _connect_groups()
    _raises(ValueError, lambda: S.connect(i=[0, 1], j=[1, 2], p=2),
            "p must be a probability in [0, 1], got 2.0")
    _raises(TypeError, lambda: S.connect(i=[0, 1], j=[1, 2], p="abc"), "p='abc'")
    _raises(TypeError, lambda: S.connect(p=None), "p=None; allowed: a probability")
    _raises(UnitError, lambda: S.connect(p=0.5 * mV), "has unit volt")
    assert S.N == 0


def test_connect_with_explicit_pairs_and_p_is_reproducible_with_a_seed():
    """The pairs kept with explicit i, j and p came from an unseeded generator."""
    kept = []
    for _ in range(2):
        spikeloom.start_scope()
        spikeloom.seed(7)
        _, _, S = _connect_groups()
        S.connect(i=np.repeat(np.arange(N_PRE), N_POST), j=np.tile(np.arange(N_POST), N_PRE),
                  p=0.5)
        kept.append(list(S.j[:]))
    assert kept[0] == kept[1]


def test_connect_with_a_tiny_probability_makes_no_synapse():
    """p=1e-17 (or 4e-215) made over a million synapses of 3 x 4 neurons, with presynaptic
    indices far out of range: the geometric gaps (about 1/p) overflowed the cast to int64."""
    for p in (1e-17, 3.9613057635645057e-215, 5e-324):
        _, _, S = _connect_groups()
        S.connect(p=p)
        assert S.N == 0


def test_connect_non_finite_counts_and_targets_are_named():
    """n='inf' and n='1e30' were reported as 'a negative number'; j='inf' as the target
    -9223372036854775808; range(inf) silently made no synapse."""
    _, _, S = _connect_groups()
    _raises(ValueError, lambda: S.connect(n="inf"), "n='inf' gives inf")
    _raises(ValueError, lambda: S.connect(n="1e30"), "n='1e30' gives 1e+30")
    _raises(IndexError, lambda: S.connect(j="inf"), "target index inf")
    _raises(ValueError, lambda: S.connect(j="k for k in range(inf)"), "gives inf")
    S.connect(j="0/0", skip_if_invalid=True)
    assert S.N == 0


def test_connect_condition_deep_in_solved_form_raises_equation_error():
    """``i == ---...j`` raised RecursionError in the solver for ``i == f(j)``."""
    _, _, S = _connect_groups()
    _raises(EquationError, lambda: S.connect(condition="i == " + "-" * 5000 + "j"),
            "nested too deeply")


def test_assigning_a_value_that_is_not_a_number_raises_type_error():
    """``G.w = b'1*mV'`` or ``object()`` (w dimensionless) raised NumPy's 'could not convert
    string to float' or float()'s TypeError; ``G.v = 1j*mV`` dropped the imaginary part."""
    G = NeuronGroup(3, "v : volt\nw : 1", namespace={})
    for name, value in (("w", b"1*mV"), ("w", object()), ("w_", None), ("v", 1j * mV)):
        _raises(TypeError, lambda n=name, x=value: setattr(G, n, x),
                "allowed: numbers, quantities")


def test_assigning_a_two_dimensional_array_names_its_shape():
    """The message said 'got 3 values for 3 elements' for a 3 x 3 array."""
    G = NeuronGroup(3, "v : volt", namespace={})
    _raises(ValueError, lambda: setattr(G, "v", np.ones((3, 3)) * mV), "shape (3, 3)")
