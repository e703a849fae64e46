"""Building connectivity for :meth:`Synapses.connect`, vectorised.

Three forms, as in Brian2: explicit pairs (``i=``, ``j=``), a condition over all pairs with a
connection probability (``condition=``, ``p=``), and generator syntax
(``j='k for k in range(i-1, i+2) if k >= 0'``). With a constant ``p`` the candidate pairs are
drawn by geometric skipping over the flattened (i, j) space, so the cost grows with the number
of synapses, not with N_pre × N_post.
"""

from __future__ import annotations

import ast
import contextlib
import math
import numbers
import re

import numpy as np
import sympy

from ..equations import BOOLEAN
from ..exceptions import EquationError, UnitError
from ..units import DIMENSIONLESS, dim_string, get_dim
from . import _memory
from ._base import _seed_state, current_seed, next_init_stream
from ._codegen import Namespace, Scope
from ._evaluate import Evaluator

_GENERATOR_HEAD = re.compile(
    r"^\s*(?P<expr>.+?)\s+for\s+(?P<var>[A-Za-z_]\w*)\s+in\s+(?P<func>range|sample)\s*\(")
_PAIR_CHUNK = 2_000_000
#: pairs sampled to estimate the share of pairs a condition string (or a p expression) keeps
SAMPLE_PAIRS = 4096
#: bytes per candidate pair of the generator syntax (its int64 index, offset, value and
#: target arrays, and a temporary)
_GENERATOR_BYTES = 40


def pair_scope(synapses, namespace) -> Scope:
    """Names of connect() code: i, j, N_pre, N_post, x_pre, x_post, externals."""
    source, target = synapses.source, synapses.target
    scope = Scope(synapses.owner, {}, synapses.array_name, "_idx", "",
                  Namespace(synapses.namespace, namespace),
                  extra={"i": (sympy.Symbol("_pre", integer=True) - source.start, DIMENSIONLESS),
                         "j": (sympy.Symbol("_post", integer=True) - target.start,
                               DIMENSIONLESS),
                         "N_pre": (sympy.Integer(source.N), DIMENSIONLESS),
                         "N_post": (sympy.Integer(target.N), DIMENSIONLESS)})
    scope.links = {"_pre": source.scope(namespace, "_pre", "_pre"),
                   "_post": target.scope(namespace, "_post", "_post")}
    return scope


def _evaluate_pairs(synapses, namespace, text, pre, post, expected, where) -> np.ndarray:
    """Evaluate ``text`` for pairs of relative indices (pre[k], post[k])."""
    scope = pair_scope(synapses, namespace)
    evaluator = Evaluator(scope, {"_idx": np.arange(len(pre)),
                                  "_pre": pre + synapses.source.start,
                                  "_post": post + synapses.target.start},
                          dt=synapses.clock.dt_)
    return evaluator(text, where, expected=expected)


def _rng() -> np.random.Generator:
    return np.random.default_rng([current_seed(), next_init_stream()])


def check_probability(p, where: str) -> float:
    """A constant connection probability ``p`` (a number, not a string) as a float."""
    if get_dim(p) != DIMENSIONLESS:
        raise UnitError(f"{where}: p={p!r} has unit {dim_string(get_dim(p))}; allowed: a "
                        "dimensionless probability in [0, 1]")
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: p={p!r}; allowed: a probability in [0, 1] (a number) or "
                        "an expression string such as 'exp(-(i - j)**2)'") from None
    if not 0 <= value <= 1:
        raise ValueError(f"{where}: p must be a probability in [0, 1], got {value}")
    return value


def thin_pairs(pre: np.ndarray, post: np.ndarray, p: float) -> tuple[np.ndarray, ...]:
    """Keep each pair with probability ``p`` (drawn from a stream of the seed, so that
    ``seed()`` makes the result reproducible)."""
    if p == 1:
        return pre, post
    keep = _rng().random(len(pre)) < p
    return pre[keep], post[keep]


def pairs_from_condition(synapses, condition, p, namespace, where) -> tuple[np.ndarray, ...]:
    """All (i, j) satisfying ``condition`` and kept with probability ``p``; sorted by (i, j)."""
    n_pre, n_post = synapses.source.N, synapses.target.N
    if isinstance(condition, bool | np.bool_) and not condition:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    cond_text = None if condition is None or isinstance(condition, bool | np.bool_) \
        else condition
    if cond_text is not None and not isinstance(cond_text, str):
        raise TypeError(f"{where}: condition must be a string or a bool, got {condition!r}")
    constant_p = not isinstance(p, str)
    if constant_p:
        p = check_probability(p, where)
    rng = _rng()
    if cond_text is not None and constant_p and p == 1:
        solved = _solved_pairs(synapses, cond_text, namespace, where)
        if solved is not None:
            return solved
    pre_parts, post_parts = [], []
    if constant_p and p < 1:
        sampled = _bernoulli_pairs(n_pre, n_post, p, rng)
        if cond_text is None:  # nothing to filter: the sampled pairs are the synapses
            return sampled
        candidates = [sampled]
    else:
        rows = max(1, _PAIR_CHUNK // max(n_post, 1))
        candidates = ((np.repeat(np.arange(a, min(a + rows, n_pre)), n_post),
                       np.tile(np.arange(n_post), min(a + rows, n_pre) - a))
                      for a in range(0, n_pre, rows))
    for pre, post in candidates:
        for lo in range(0, len(pre), _PAIR_CHUNK):
            ci, cj = pre[lo:lo + _PAIR_CHUNK], post[lo:lo + _PAIR_CHUNK]
            keep = np.ones(len(ci), bool)
            if cond_text is not None:
                keep &= _evaluate_pairs(synapses, namespace, cond_text, ci, cj, BOOLEAN,
                                        f"{where}: condition {cond_text!r}").astype(bool)
            if not constant_p:
                prob = _evaluate_pairs(synapses, namespace, p, ci[keep], cj[keep],
                                       DIMENSIONLESS, f"{where}: p={p!r}")
                sub = rng.random(len(prob)) < prob
                keep[np.flatnonzero(keep)[~sub]] = False
            pre_parts.append(ci[keep])
            post_parts.append(cj[keep])
    if not pre_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(pre_parts), np.concatenate(post_parts)


def _solved_for(condition: str) -> tuple[str, str] | None:
    """``('i', expr)`` for a condition ``i == expr`` whose ``expr`` does not involve the
    presynaptic side (``j``, ``x_post``, constants), ``('j', expr)`` likewise; else None."""
    try:
        node = ast.parse(condition.strip(), mode="eval").body
    except (SyntaxError, RecursionError, MemoryError):  # evaluating it says why
        return None
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1
            and isinstance(node.ops[0], ast.Eq)):
        return None
    for index, other in ((node.left, node.comparators[0]), (node.comparators[0], node.left)):
        if not (isinstance(index, ast.Name) and index.id in ("i", "j")):
            continue
        own_side = "_pre" if index.id == "i" else "_post"
        names = {n.id for n in ast.walk(other) if isinstance(n, ast.Name)}
        calls = {n.func.id for n in ast.walk(other)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        if index.id in names or calls & {"rand", "randn"} or \
                any(name.endswith(own_side) for name in names):
            continue
        return index.id, ast.unparse(other)
    return None


def _solved_pairs(synapses, condition: str, namespace, where):
    """The pairs of ``i == f(j)`` (or ``j == f(i)``) from one evaluation of ``f`` per
    element of the other side, instead of testing all N_pre*N_post pairs (Stimberg et al.
    2018 connects 3200 astrocytes to 640 000 synapses by ``i == astrocyte_index_post``).
    Only whole-number values inside the index range make a pair, as the test would."""
    solved = _solved_for(condition)
    if solved is None:
        return None
    index, expr = solved
    n_pre, n_post = synapses.source.N, synapses.target.N
    n_other = n_post if index == "i" else n_pre
    other = np.arange(n_other)
    dummy = np.zeros(n_other, np.int64)  # the solved side's index is not read
    pre, post = (dummy, other) if index == "i" else (other, dummy)
    values = np.asarray(_evaluate_pairs(synapses, namespace, expr, pre, post, DIMENSIONLESS,
                                        f"{where}: condition {condition!r}"), dtype=float)
    values = np.broadcast_to(values, (n_other,))
    limit = n_pre if index == "i" else n_post
    keep = (values == np.round(values)) & (values >= 0) & (values < limit)
    found, others = values[keep].astype(np.int64), other[keep]
    i, j = (found, others) if index == "i" else (others, found)
    order = np.lexsort((j, i))
    return i[order], j[order]


def _bernoulli_pairs(n_pre: int, n_post: int, p: float, rng: np.random.Generator,
                     chunk: int = 1 << 20) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i, j) kept independently with probability ``p``, sorted by (i, j).

    Geometric skipping over the flattened index ``i*n_post + j``: the gap to the next kept pair
    is ``floor(E / -log(1 - p)) + 1`` with ``E`` standard exponential, which is exactly
    Geometric(p). Gaps are drawn in chunks that stay in cache (a single 32 M-element pass is
    dominated by page faults), and the pairs are written as int32 into one preallocated buffer.
    """
    total = n_pre * n_post
    if p == 0 or total == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    with np.errstate(over="ignore"):  # p below 1e-308: an infinite scale, no pair
        scale = -1.0 / np.log1p(-p)
    mean = total * p
    capacity = int(mean + 6 * np.sqrt(mean) + 1024)
    pre_out, post_out = np.empty(capacity, np.int32), np.empty(capacity, np.int32)
    filled, position = 0, -1
    while True:
        gaps = rng.standard_exponential(chunk)
        gaps *= scale
        # a gap that reaches past the last pair ends the draw; capped, the cast to int64 and
        # the sum below cannot overflow (with p = 1e-17, gaps are about 1e17)
        np.minimum(gaps, total, out=gaps)
        flat = gaps.astype(np.int64)
        flat += 1
        np.cumsum(flat, out=flat)
        flat += position
        done = flat[-1] >= total
        if done:
            flat = flat[:np.searchsorted(flat, total)]
        if filled + len(flat) > capacity:  # more than 6 sigma above the mean: grow, never drop
            capacity = 2 * capacity + len(flat)
            pre_out, post_out = np.resize(pre_out, capacity), np.resize(post_out, capacity)
        rows = flat // n_post
        pre_out[filled:filled + len(flat)] = rows
        post_out[filled:filled + len(flat)] = flat - rows * n_post
        filled += len(flat)
        if done:
            return pre_out[:filled], post_out[:filled]
        position = int(flat[-1])


def parse_generator(text: str, where: str) -> tuple[str, str, str, str, str | None] | None:
    """Split ``'k for k in range(a, b) if cond'`` into (expr, var, func, args, cond).

    The arguments end at the parenthesis that closes ``range(``/``sample(`` (counted, so
    that parentheses in the arguments or in the condition -- ``if rand() < exp(-(i-j)**2)``
    -- do not end them). Returns None for a plain expression.
    """
    head = _GENERATOR_HEAD.match(text)
    if head is None:
        return None
    depth, start = 1, head.end()
    for position in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[position], 0)
        if depth == 0:
            break
    else:
        raise EquationError(f"{where}: {text!r}: unmatched '(' after {head.group('func')}")
    rest = text[position + 1:].strip()
    if rest and not rest.startswith("if "):
        raise EquationError(f"{where}: {text!r}: expected 'if <condition>' after "
                            f"{head.group('func')}(...), got {rest!r}")
    cond = rest[3:].strip() if rest else None
    return (head.group("expr"), head.group("var"), head.group("func"), text[start:position],
            cond or None)


def pairs_from_generator(synapses, text: str, namespace, skip_if_invalid: bool,
                         where: str) -> tuple[np.ndarray, np.ndarray]:
    """Brian2's generator syntax for ``j`` (for every presynaptic i)."""
    n_pre, n_post = synapses.source.N, synapses.target.N
    if not re.search(r"\bfor\b", text) and " if " in text:
        # Brian2's short form 'expr if cond': one candidate per i, kept where cond holds
        expr, _, cond = text.partition(" if ")
        if " if " in cond:
            raise EquationError(f"{where}: {text!r}: write 'expr if condition' with one "
                                "'if', or the generator syntax 'k for k in range(...) if ...'")
        text = f"{expr} for _once in range(1) if {cond}"
    parsed = parse_generator(text, where)
    pre_all = np.arange(n_pre)
    if parsed is None:  # a plain expression: one target per i
        post = _evaluate_pairs(synapses, namespace, text, pre_all, np.zeros(n_pre, np.int64),
                               DIMENSIONLESS, f"{where}: j={text!r}")
        return _check_targets(pre_all, post, n_post, skip_if_invalid, where)
    expr, var, func, args, cond = parsed
    arg_texts, p_text = _split_args(args)
    if func == "sample" and p_text is None:
        raise EquationError(f"{where}: sample(...) needs a probability, e.g. "
                            "sample(N_post, p=0.1)")
    bounds = [_finite(_evaluate_pairs(synapses, namespace, a, pre_all,
                                      np.zeros(n_pre, np.int64), DIMENSIONLESS,
                                      f"{where}: {a!r}"), f"{where}: {func}() argument {a!r}")
              for a in arg_texts]
    if len(bounds) == 1:
        low, high, step = np.zeros(n_pre, np.int64), bounds[0], np.ones(n_pre, np.int64)
    elif len(bounds) == 2:
        low, high, step = bounds[0], bounds[1], np.ones(n_pre, np.int64)
    elif len(bounds) == 3:
        low, high, step = bounds
    else:
        raise EquationError(f"{where}: {func}() takes 1 to 3 positional arguments")
    if np.any(step <= 0):
        raise EquationError(f"{where}: range step must be positive")
    counts = np.maximum(0, (high - low + step - 1) // step)
    candidates = int(counts.sum())
    _memory.check_fits(f"{where}(j={text!r}) would evaluate {candidates} candidate pairs "
                       f"at {_GENERATOR_BYTES} bytes each", candidates * _GENERATOR_BYTES,
                       "narrow the range() of the generator or use fewer neurons")
    pre = np.repeat(pre_all, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    k_values = np.repeat(low, counts) + offsets * np.repeat(step, counts)
    if func == "sample":
        prob = _evaluate_pairs(synapses, namespace, p_text, pre, np.zeros(len(pre), np.int64),
                               DIMENSIONLESS, f"{where}: p={p_text!r}")
        keep = _rng().random(len(pre)) < prob
        pre, k_values = pre[keep], k_values[keep]
    # evaluate expression and condition with the loop variable bound
    namespace = dict(namespace or {})
    post = _evaluate_with_var(synapses, namespace, expr, var, pre, k_values, where)
    if cond:
        keep = _evaluate_with_var(synapses, namespace, cond, var, pre, k_values, where,
                                  post=post, boolean=True).astype(bool)
        pre, post = pre[keep], post[keep]
    return _check_targets(pre, post, n_post, skip_if_invalid, where)


def _evaluate_with_var(synapses, namespace, text, var, pre, values, where, post=None,
                       boolean=False):
    scope = pair_scope(synapses, namespace)
    scope.extra[var] = (sympy.Symbol("_var", integer=True), DIMENSIONLESS)
    post_abs = (post if post is not None else np.zeros(len(pre), np.int64))
    post_abs = np.clip(post_abs, 0, synapses.target.N - 1) + synapses.target.start
    evaluator = Evaluator(scope, {"_idx": np.arange(len(pre)),
                                  "_pre": pre + synapses.source.start, "_post": post_abs,
                                  "_var": values}, dt=synapses.clock.dt_)
    return evaluator(text, f"{where}: {text!r}", expected=BOOLEAN if boolean else DIMENSIONLESS)


def _split_args(args: str) -> tuple[list[str], str | None]:
    parts, depth, current = [], 0, ""
    for ch in args:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch in "([{"
        depth -= ch in ")]}"
        current += ch
    if current.strip():
        parts.append(current)
    p_text = None
    positional = []
    for part in parts:
        m = re.match(r"^\s*p\s*=(.*)$", part)
        if m:
            p_text = m.group(1).strip()
        else:
            positional.append(part.strip())
    return positional, p_text


def _finite(values: np.ndarray, where: str) -> np.ndarray:
    """Evaluated whole numbers as integers; nan or inf is refused (a cast to int64 makes
    them an arbitrary negative number)."""
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"{where} gives {values[bad][0]}; allowed: finite numbers")
    return values.astype(np.int64)


def _check_targets(pre, post, n_post, skip_if_invalid, where):
    """Targets (evaluated, possibly fractional or nan) inside the target group, as int64."""
    bad = ~((post >= 0) & (post < n_post))  # nan and inf fail both tests
    if bad.any():
        if not skip_if_invalid:
            raise IndexError(f"{where}: target index {post[bad][0]} (for i={pre[bad][0]}) out of "
                             f"range 0..{n_post - 1}; fix the expression or pass "
                             "skip_if_invalid=True")
        pre, post = pre[~bad], post[~bad]
    return pre, post.astype(np.int64)


def explicit_pairs(i, j, n_pre: int, n_post: int, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast explicit i/j (ints or arrays) and check their ranges."""
    try:
        ii, jj = np.broadcast_arrays(np.asarray(i), np.asarray(j))
    except ValueError:
        raise ValueError(f"{where}: i and j have incompatible shapes {np.shape(i)} and "
                         f"{np.shape(j)}") from None
    ii, jj = ii.reshape(-1), jj.reshape(-1)
    for name, arr, n in (("i", ii, n_pre), ("j", jj, n_post)):
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{where}: {name} must be integers, got {arr.dtype}")
        bad = arr[(arr < 0) | (arr >= n)]
        if bad.size:
            raise IndexError(f"{where}: {name}={bad[0]} out of range (allowed 0..{n - 1})")
    return ii.astype(np.int64), jj.astype(np.int64)


# -- estimates before building (see _memory) -----------------------------------------------------
def expected_synapses(synapses, condition=None, i=None, j=None, p=1.0, n=1
                      ) -> tuple[int, str, bool] | None:
    """(count, how, upper) for a ``connect`` call, before any pair is built.

    ``count`` is the expected number of synapses (``N_pre*N_post*p`` for a constant ``p``
    without a condition, the pairs given for ``i``/``j``, times ``n``); ``upper`` says it is
    only an upper bound (a condition string or a ``p`` expression:
    :func:`sampled_synapses` estimates those). None where only building tells: the
    generator syntax and ``n`` as a string (checked once their counts are known), and
    arguments that ``connect`` will refuse anyway.
    """
    # n as a string, or an n that connect() refuses, is not an Integral
    if isinstance(j, str) or isinstance(n, bool) or not isinstance(n, numbers.Integral) \
            or n < 0:
        return None
    p_value = None if isinstance(p, str) else _probability(p)
    if p_value is None and not isinstance(p, str):
        return None  # connect() refuses this p with its own message
    times = f" x n={n}" if n != 1 else ""
    if i is not None or j is not None:
        try:
            pairs = math.prod(np.broadcast_shapes(np.shape(i), np.shape(j)))
        except ValueError:
            return None
        return round(pairs * (p_value if p_value is not None else 1.0)) * n, \
            f"{pairs} explicit pairs x p={p}{times}", False
    n_pre, n_post = synapses.source.N, synapses.target.N
    if condition is False:
        return 0, "condition False", False
    how = f"{n_pre} x {n_post} pairs x p={p}{times}"
    if condition is None or condition is True:
        if p_value is not None:
            return round(n_pre * n_post * p_value) * n, how, False
        return n_pre * n_post * n, how, True
    if not isinstance(condition, str):
        return None
    if p_value == 1 and (condition.strip() == "i == j" or _solved_for(condition)):
        # one synapse per element of the other side at most
        return max(n_pre, n_post) * n, f"condition {condition!r}{times}", True
    return round(n_pre * n_post * (p_value if p_value is not None else 1.0)) * n, \
        f"{how}, condition {condition!r}", True


def _probability(p) -> float | None:
    try:
        value = float(p)
    except (TypeError, ValueError):
        return None
    return value if 0 <= value <= 1 else None


def sampled_synapses(synapses, condition, p, n, namespace, where) -> tuple[int, str]:
    """(count, how): the synapses a condition string and/or a ``p`` expression keep,
    estimated from :data:`SAMPLE_PAIRS` random pairs.

    The pairs come from a private generator and spikeloom's random streams are restored
    afterwards, so that a ``rand()`` in the condition does not change the connectivity.
    """
    n_pre, n_post = synapses.source.N, synapses.target.N
    sample = np.random.default_rng(0)
    pre = sample.integers(0, n_pre, SAMPLE_PAIRS)
    post = sample.integers(0, n_post, SAMPLE_PAIRS)
    cond_text = condition if isinstance(condition, str) else None
    with _random_streams_kept():
        keep = np.ones(SAMPLE_PAIRS, bool)
        if cond_text is not None:
            keep = _evaluate_pairs(synapses, namespace, cond_text, pre, post, BOOLEAN,
                                   f"{where}: condition {cond_text!r}").astype(bool)
        if isinstance(p, str):
            prob = _evaluate_pairs(synapses, namespace, p, pre[keep], post[keep],
                                   DIMENSIONLESS, f"{where}: p={p!r}")
            kept = float(np.clip(prob, 0, 1).sum())
        else:
            kept = float(keep.sum()) * float(p)
    share = kept / SAMPLE_PAIRS
    times = f" x n={n}" if n != 1 else ""
    return (round(n_pre * n_post * share) * n,
            f"{n_pre} x {n_post} pairs, {share:.3g} of them kept in a sample of "
            f"{SAMPLE_PAIRS} (condition {condition!r}, p={p!r}){times}")


@contextlib.contextmanager
def _random_streams_kept():
    """Evaluate code with rand() without using up a random stream of the real connect."""
    saved = _seed_state["init_stream"]
    try:
        yield
    finally:
        _seed_state["init_stream"] = saved
