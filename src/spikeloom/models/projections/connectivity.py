"""Connectivity rules: which (i, j) pairs a projection connects, built vectorised and seeded.

Every rule produces two integer arrays ``i`` (presynaptic, relative to the presynaptic
group) and ``j`` (postsynaptic). A rule without ``seed`` draws from spikeloom's seeded
stream (``spikeloom.seed(...)``), like ``Synapses.connect``; with ``seed=`` it uses its own
generator, so the same rule gives the same pairs wherever it is used.

``include_self=False`` removes the pairs that join a neuron to itself; it matters only when
the presynaptic group is (a slice of) the postsynaptic group.

Meaning of the rules
--------------------
* :class:`FixedProb` — every ordered pair is an independent Bernoulli trial with
  probability ``p`` (Brian2's ``connect(p=p)``): out- and in-degrees are binomial.
  BrainPy's ``FixedProb`` instead gives every presynaptic neuron exactly
  ``int(p*N_post)`` targets; that is :class:`FixedPostNum` here.
* :class:`FixedPreNum` — every postsynaptic neuron receives exactly ``n`` distinct inputs.
* :class:`FixedPostNum` — every presynaptic neuron has exactly ``n`` distinct targets.
* :class:`AllToAll`, :class:`OneToOne`, :class:`GaussianProb` (distance-dependent trials).
* :class:`FromIJ` — explicit arrays; :class:`FromSparse` — any sparse matrix with a
  ``tocoo()`` method (scipy's, duck-typed: scipy is not imported).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ...core import current_seed, next_init_stream

_CHUNK = 4_000_000


@dataclass(frozen=True)
class ConnectContext:
    """Sizes of the two groups, and ``self_offset`` such that ``j == i + self_offset`` is
    the same neuron (None when the groups do not overlap).

    What a :class:`Connectivity` rule's ``pairs(ctx, rng)`` is given.

    Parameters
    ----------
    n_pre, n_post : int
        Numbers of presynaptic and postsynaptic neurons.
    self_offset : int or None
        ``j - i`` of a neuron connected to itself, where the groups overlap (a slice of
        one group onto the group); None otherwise.
    """

    n_pre: int
    n_post: int
    self_offset: int | None = None


class Connectivity:
    """Base class of connectivity rules.

    Parameters
    ----------
    include_self : bool
        Keep pairs joining a neuron to itself (default True).
    seed : int, optional
        Private seed; default: spikeloom's seeded stream.
    """

    def __init__(self, include_self: bool = True, seed: int | None = None) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                                 or seed < 0):
            raise ValueError(f"{type(self).__name__}: seed must be a non-negative integer or "
                             f"None, got {seed!r}")
        self.include_self = bool(include_self)
        self.seed = seed

    def rng(self) -> np.random.Generator:
        """The generator this rule draws from (a fresh one per call)."""
        if self.seed is not None:
            return np.random.default_rng(self.seed)
        return np.random.default_rng([current_seed(), next_init_stream()])

    def pairs(self, ctx: ConnectContext, rng: np.random.Generator | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
        """The (i, j) arrays for groups of the sizes in ``ctx``."""
        raise NotImplementedError

    def connect(self, synapses, ctx: ConnectContext) -> None:
        """Create the synapses of ``synapses`` (a core Synapses)."""
        i, j = self.pairs(ctx, self.rng())
        synapses.connect(i=i, j=j)

    def _drop_self(self, i, j, ctx):
        if self.include_self or ctx.self_offset is None:
            return i, j
        keep = j != i + ctx.self_offset
        return i[keep], j[keep]

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


def _check_probability(owner: str, p) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"{owner}: p must be a probability in [0, 1], got {p!r}")
    return float(p)


def _check_count(owner: str, name: str, n) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"{owner}: {name} must be a non-negative integer, got {n!r}")
    return int(n)


def bernoulli_positions(total: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions in ``[0, total)``, each kept independently with probability ``p``.

    The gaps between kept positions are geometric, so the cost grows with the number kept,
    not with ``total``.
    """
    if p <= 0 or total <= 0:
        return np.zeros(0, np.int64)
    if p >= 1:
        return np.arange(total, dtype=np.int64)
    parts, last = [], -1
    while last < total - 1:
        mean = (total - 1 - last) * p
        size = int(mean + 6 * np.sqrt(mean + 1)) + 16
        steps = last + np.cumsum(rng.geometric(p, size=size), dtype=np.int64)
        inside = steps[steps < total]
        parts.append(inside)
        if inside.size < steps.size:
            break
        last = int(steps[-1])
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


class FixedProb(Connectivity):
    """Connection probability ``p``: independent trials (Brian2's and NEST's meaning) or, with
    ``fixed_degree=True``, a fixed out-degree ``int(p*N_post)`` (BrainPy's meaning).

    Parameters
    ----------
    p : float
        Connection probability, in [0, 1].
    include_self : bool
        Keep self-connections (default True, as Brian2's ``connect(p=p)``).
    seed : int, optional
        Private seed. Without it the pairs are exactly those of ``Synapses.connect(p=p)``
        under the same ``spikeloom.seed`` (the rule delegates to it), so a network written
        with the library and one written with equation strings get the same synapses.
    fixed_degree : bool
        False (default): each ordered pair is connected with probability ``p``, so the
        number of synapses is Binomial(N_pre*N_post, p) and out-degrees Binomial(N_post, p)
        (Brian2's ``connect(p=p)``, NEST's ``pairwise_bernoulli``). True: every presynaptic
        neuron gets exactly ``int(p*N_post)`` distinct targets, as BrainPy's
        ``bp.conn.FixedProb(p)`` draws them (the same as :class:`FixedPostNum`). The two
        give networks with different degree distributions; a BrainPy port should say which
        it means.
    """

    def __init__(self, p: float, include_self: bool = True, seed: int | None = None,
                 fixed_degree: bool = False) -> None:
        super().__init__(include_self, seed)
        self.p = _check_probability("FixedProb", p)
        if not isinstance(fixed_degree, bool | np.bool_):
            raise TypeError(f"FixedProb: fixed_degree must be True or False, got "
                            f"{fixed_degree!r}")
        self.fixed_degree = bool(fixed_degree)

    def _as_fixed_out_degree(self, ctx) -> Connectivity:
        from ._degree import FixedPostNum  # (it builds on this module)

        return FixedPostNum(int(self.p * ctx.n_post), self.include_self, self.seed)

    def pairs(self, ctx, rng=None):
        if self.fixed_degree:
            return self._as_fixed_out_degree(ctx).pairs(ctx, rng)
        rng = rng if rng is not None else self.rng()
        flat = bernoulli_positions(ctx.n_pre * ctx.n_post, self.p, rng)
        return self._drop_self(flat // ctx.n_post, flat % ctx.n_post, ctx)

    def connect(self, synapses, ctx) -> None:
        if self.seed is not None or self.fixed_degree:
            super().connect(synapses, ctx)
        elif self.include_self or ctx.self_offset is None:
            synapses.connect(p=self.p)
        else:
            synapses.connect(f"i + {ctx.self_offset} != j", p=self.p)


class AllToAll(Connectivity):
    """Every pair (i, j), optionally without self-connections.

    Parameters
    ----------
    include_self : bool
        Keep the pairs joining a neuron to itself (default True).
    seed : int, optional
        Accepted for symmetry with the other rules; all-to-all draws nothing.
    """

    def pairs(self, ctx, rng=None):
        i = np.repeat(np.arange(ctx.n_pre, dtype=np.int64), ctx.n_post)
        j = np.tile(np.arange(ctx.n_post, dtype=np.int64), ctx.n_pre)
        return self._drop_self(i, j, ctx)


class OneToOne(Connectivity):
    """Neuron k to neuron k; both groups must have the same size."""

    def __init__(self) -> None:
        super().__init__(True, None)

    def pairs(self, ctx, rng=None):
        if ctx.n_pre != ctx.n_post:
            raise ValueError(f"OneToOne: the groups must have the same size, got "
                             f"{ctx.n_pre} presynaptic and {ctx.n_post} postsynaptic neurons")
        k = np.arange(ctx.n_pre, dtype=np.int64)
        return k, k.copy()


class FromIJ(Connectivity):
    """Explicit pairs: ``i[k]`` connects to ``j[k]`` (repeats make several synapses).

    Parameters
    ----------
    i, j : array of int
        Presynaptic and postsynaptic indices (relative to their groups), of equal length.
    """

    def __init__(self, i, j) -> None:
        super().__init__(True, None)
        i, j = np.asarray(i), np.asarray(j)
        for name, arr in (("i", i), ("j", j)):
            if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
                raise ValueError(f"FromIJ: {name} must be a 1-D integer array, got shape "
                                 f"{arr.shape} and dtype {arr.dtype}")
        if i.shape != j.shape:
            raise ValueError(f"FromIJ: i and j must have the same length, got {i.size} and "
                             f"{j.size}")
        self.i, self.j = i.astype(np.int64), j.astype(np.int64)

    def pairs(self, ctx, rng=None):
        for name, arr, n in (("i", self.i, ctx.n_pre), ("j", self.j, ctx.n_post)):
            bad = arr[(arr < 0) | (arr >= n)]
            if bad.size:
                raise IndexError(f"FromIJ: {name}={bad[0]} out of range (allowed 0..{n - 1})")
        return self.i, self.j

    def __repr__(self) -> str:
        return f"FromIJ(<{self.i.size} pairs>)"


class FromSparse(FromIJ):
    """The nonzero structure of a sparse matrix of shape (N_pre, N_post).

    Anything with ``tocoo()`` returning ``row``, ``col`` (and ``data``) works, e.g. a scipy
    sparse matrix; the synapses are in COO order, so ``weight=matrix.tocoo().data*nS`` gives
    each synapse its entry.

    Parameters
    ----------
    matrix : sparse matrix
        Shape (N_pre, N_post); its nonzero entries are the synapses.
    """

    def __init__(self, matrix) -> None:
        if not hasattr(matrix, "tocoo"):
            raise TypeError(f"FromSparse: expected a sparse matrix with .tocoo(), got "
                            f"{type(matrix).__name__}")
        coo = matrix.tocoo()
        super().__init__(np.asarray(coo.row), np.asarray(coo.col))
        self.shape = tuple(coo.shape)
        self.data = np.asarray(coo.data)

    def pairs(self, ctx, rng=None):
        if self.shape != (ctx.n_pre, ctx.n_post):
            raise ValueError(f"FromSparse: matrix shape {self.shape} does not match "
                             f"(N_pre, N_post) = ({ctx.n_pre}, {ctx.n_post})")
        return super().pairs(ctx, rng)

    def __repr__(self) -> str:
        return f"FromSparse(<{self.shape[0]}x{self.shape[1]}, {self.i.size} entries>)"


def as_connectivity(value) -> Connectivity:
    """Accept a rule, an ``(i, j)`` pair of arrays or a sparse matrix."""
    if isinstance(value, Connectivity):
        return value
    if hasattr(value, "tocoo"):
        return FromSparse(value)
    if isinstance(value, tuple | list) and len(value) == 2:
        return FromIJ(*value)
    raise TypeError(f"connectivity must be a rule (FixedProb(0.1), FixedPreNum(80), "
                    f"OneToOne(), ...), an (i, j) pair of integer arrays or a sparse matrix "
                    f"with .tocoo(); got {type(value).__name__}")
