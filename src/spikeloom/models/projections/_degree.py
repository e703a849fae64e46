"""Fixed-degree rules: ``FixedPreNum`` (in-degree) and ``FixedPostNum`` (out-degree)."""

from __future__ import annotations

import numpy as np

from .connectivity import _CHUNK, Connectivity, _check_count


def sample_rows(n_rows: int, n_cols: int, k: int, rng: np.random.Generator,
                exclude: np.ndarray | None = None) -> np.ndarray:
    """``k`` distinct column indices for each row, shape (n_rows, k), rows sorted.

    ``exclude[r]`` (if given, and inside ``[0, n_cols)``) is never chosen for row ``r``.
    Vectorised: draw with replacement, then redraw only the rows that got a duplicate
    (rare when ``k`` is small against ``n_cols``); dense rows use random permutations.
    """
    out = np.empty((n_rows, k), np.int64)
    if k == 0 or n_rows == 0:
        return out
    if exclude is None:
        excl = np.full(n_rows, -1, np.int64)
    else:
        excl = np.asarray(exclude, np.int64)
    has_excl = (excl >= 0) & (excl < n_cols)
    avail = n_cols - has_excl.astype(np.int64)

    def draw(rows: np.ndarray) -> np.ndarray:
        cols = rng.integers(0, avail[rows][:, None], size=(len(rows), k))
        cols += (has_excl[rows][:, None] & (cols >= excl[rows][:, None]))
        cols.sort(axis=1)
        return cols

    dense = k * 4 > n_cols
    todo = np.arange(n_rows)
    if not dense:
        for _ in range(64):
            if todo.size == 0:
                break
            for lo in range(0, todo.size, max(1, _CHUNK // k)):
                rows = todo[lo:lo + max(1, _CHUNK // k)]
                out[rows] = draw(rows)
            dup = (np.diff(out[todo], axis=1) == 0).any(axis=1)
            todo = todo[dup]
    for r in todo:  # dense rows, or the few that kept drawing duplicates
        cols = rng.permutation(n_cols)
        if has_excl[r]:
            cols = cols[cols != excl[r]]
        out[r] = np.sort(cols[:k])
    return out


class FixedPreNum(Connectivity):
    """Every postsynaptic neuron receives exactly ``n`` distinct presynaptic inputs.

    Parameters
    ----------
    n : int
        In-degree (at most the number of presynaptic neurons, minus one without self
        connections).
    include_self : bool
    seed : int, optional
    """

    def __init__(self, n: int, include_self: bool = True, seed: int | None = None) -> None:
        super().__init__(include_self, seed)
        self.n = _check_count("FixedPreNum", "n", n)

    def pairs(self, ctx, rng=None):
        rng = rng if rng is not None else self.rng()
        exclude = None
        if not self.include_self and ctx.self_offset is not None:
            exclude = np.arange(ctx.n_post) - ctx.self_offset
        _check_degree("FixedPreNum", self.n, ctx.n_pre, exclude is not None)
        pre = sample_rows(ctx.n_post, ctx.n_pre, self.n, rng, exclude)
        j = np.repeat(np.arange(ctx.n_post, dtype=np.int64), self.n)
        return pre.reshape(-1), j


class FixedPostNum(Connectivity):
    """Every presynaptic neuron projects to exactly ``n`` distinct postsynaptic neurons.

    This is what BrainPy's ``FixedProb(p)`` builds, with ``n = int(p*N_post)``.

    Parameters
    ----------
    n : int
        Out-degree.
    include_self : bool
    seed : int, optional
    """

    def __init__(self, n: int, include_self: bool = True, seed: int | None = None) -> None:
        super().__init__(include_self, seed)
        self.n = _check_count("FixedPostNum", "n", n)

    def pairs(self, ctx, rng=None):
        rng = rng if rng is not None else self.rng()
        exclude = None
        if not self.include_self and ctx.self_offset is not None:
            exclude = np.arange(ctx.n_pre) + ctx.self_offset
        _check_degree("FixedPostNum", self.n, ctx.n_post, exclude is not None)
        post = sample_rows(ctx.n_pre, ctx.n_post, self.n, rng, exclude)
        i = np.repeat(np.arange(ctx.n_pre, dtype=np.int64), self.n)
        return i, post.reshape(-1)


def _check_degree(owner: str, n: int, available: int, excluding: bool) -> None:
    limit = available - (1 if excluding else 0)
    if n > limit:
        raise ValueError(f"{owner}: n={n} distinct partners asked, but only {limit} are "
                         f"available ({available} neurons"
                         f"{', minus self' if excluding else ''})")
