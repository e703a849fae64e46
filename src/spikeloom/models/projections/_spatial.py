"""Distance-dependent connectivity: ``GaussianProb``."""

from __future__ import annotations

import numbers

import numpy as np

from .connectivity import _CHUNK, Connectivity, _check_probability


class GaussianProb(Connectivity):
    """Distance-dependent trials: ``P(i, j) = p_max*exp(-d(i, j)**2/(2*sigma**2))``.

    Parameters
    ----------
    sigma : float
        Width, in the unit of the positions.
    p_max : float
        Probability at distance 0 (default 1).
    pre_positions, post_positions : array (N,) or (N, dims), optional
        Coordinates; default: the neuron index on a line (``sigma`` then counts neurons).
    periodic : float or array, optional
        Size of a periodic domain per dimension (distances wrap around).
    include_self : bool
    seed : int, optional

    Notes
    -----
    Every pair is a trial, evaluated in chunks of rows, so the cost is
    O(N_pre*N_post); meant for maps of up to some 10**4 neurons a side.
    """

    def __init__(self, sigma: float, p_max: float = 1.0, pre_positions=None,
                 post_positions=None, periodic=None, include_self: bool = True,
                 seed: int | None = None) -> None:
        super().__init__(include_self, seed)
        if not isinstance(sigma, numbers.Real) or not sigma > 0:
            raise ValueError(f"GaussianProb: sigma must be a positive number, got {sigma!r}")
        self.sigma = float(sigma)
        self.p_max = _check_probability("GaussianProb", p_max)
        self.pre_positions = pre_positions
        self.post_positions = post_positions
        self.periodic = periodic

    @staticmethod
    def _positions(given, n: int, which: str) -> np.ndarray:
        if given is None:
            return np.arange(n, dtype=np.float64)[:, None]
        pos = np.asarray(given, dtype=np.float64)
        pos = pos[:, None] if pos.ndim == 1 else pos
        if pos.ndim != 2 or pos.shape[0] != n:
            raise ValueError(f"GaussianProb: {which}_positions has shape {pos.shape}, expected "
                             f"({n},) or ({n}, dims)")
        return pos

    def pairs(self, ctx, rng=None):
        rng = rng if rng is not None else self.rng()
        pre = self._positions(self.pre_positions, ctx.n_pre, "pre")
        post = self._positions(self.post_positions, ctx.n_post, "post")
        if pre.shape[1] != post.shape[1]:
            raise ValueError("GaussianProb: pre and post positions have different dimensions")
        rows = max(1, _CHUNK // max(ctx.n_post, 1))
        i_parts, j_parts = [], []
        for lo in range(0, ctx.n_pre, rows):
            diff = pre[lo:lo + rows, None, :] - post[None, :, :]
            if self.periodic is not None:
                size = np.broadcast_to(np.asarray(self.periodic, float), diff.shape[-1:])
                diff = np.abs(diff)
                diff = np.minimum(diff, size - diff)
            prob = self.p_max * np.exp(-np.sum(diff ** 2, axis=-1) / (2 * self.sigma ** 2))
            ii, jj = np.nonzero(rng.random(prob.shape) < prob)
            i_parts.append(ii + lo)
            j_parts.append(jj)
        i = np.concatenate(i_parts).astype(np.int64)
        j = np.concatenate(j_parts).astype(np.int64)
        return self._drop_self(i, j, ctx)
