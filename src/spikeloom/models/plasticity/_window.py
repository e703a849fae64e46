"""The STDP window of a rule, measured in the simulator with a pairing protocol."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

import numpy as np

from ... import units
from ...core import Network, SpikeGeneratorGroup, defaultclock
from ...units import Quantity, get_dim, si_value, timestep
from .._validation import SECOND, check_int, check_real, check_time
from ._rule import PlasticityRule

logger = logging.getLogger("spikeloom.models")


@dataclass(frozen=True)
class STDPWindow:
    """Result of :func:`stdp_window`.

    Attributes
    ----------
    delta_t : Quantity (time), shape (n,)
        Δt = t_post + delay - t_pre as realised on the time grid.
    w0 : float
        Initial weight.
    w : ndarray, shape (n_devices, n)
        Final weight of every device (one row per device instance) and Δt (the programmed
        weight ``w``; with drift, ``w_now`` would also include the drift since then).
    n_pairs : int
        Pairings per Δt.
    """

    delta_t: Quantity
    w0: float
    w: np.ndarray
    n_pairs: int

    @property
    def dw(self) -> np.ndarray:
        """Weight change, shape (n_devices, n)."""
        return self.w - self.w0

    @property
    def dw_mean(self) -> np.ndarray:
        """Mean weight change over devices, shape (n,)."""
        return self.dw.mean(axis=0)

    @property
    def dw_std(self) -> np.ndarray:
        """Standard deviation of the weight change over devices (0 for one device)."""
        return self.dw.std(axis=0, ddof=1) if self.dw.shape[0] > 1 else np.zeros(self.dw.shape[1])

    def percentile(self, q) -> np.ndarray:
        """Percentile(s) ``q`` (0-100) of the weight change over devices."""
        return np.percentile(self.dw, q, axis=0)


def stdp_window(rule: PlasticityRule, delta_t, w0: float = 0.5, n_pairs: int = 1, *,
                period=1 * units.second, t_start=None, delay=None, n_devices: int = 1,
                seed: int | None = None, dt=None) -> STDPWindow:
    """Run a spike-pairing protocol in the simulator and return Δw(Δt).

    One synapse per Δt (and per device instance) connects a presynaptic
    :class:`~spikeloom.SpikeGeneratorGroup` neuron to a postsynaptic one. Pair k (k = 0 ..
    n_pairs-1) is a pre spike at ``t_start + k*period`` and a post spike at
    ``t_start + k*period + Δt - delay``, so that the rule sees Δt (the delay is counted in Δt as
    in NEST, see :func:`set_pairing_delay`).

    Parameters
    ----------
    rule : PlasticityRule
        Any rule of :mod:`spikeloom.models.plasticity` (with or without a device).
    delta_t : Quantity (time), array
        Δt = t_post + delay - t_pre of each synapse.
    w0 : float
        Initial weight (with a device: before the device places it on its levels/faults).
    n_pairs : int
        Pairings per synapse (>= 1).
    period : Quantity (time)
        Time between pairings (> max ``|Δt|``).
    t_start : Quantity (time), optional
        Time of the first pre spike (default: just late enough for the earliest post spike).
    delay : Quantity (time), optional
        Synaptic delay (default 0).
    n_devices : int
        Device instances per Δt (>= 1); their spread gives the device-to-device and
        cycle-to-cycle variability.
    seed : int, optional
        Seed of the per-device draws (see :meth:`PlasticityRule.initialize`).
    dt : Quantity (time), optional
        Time step (default: the default clock's).

    Returns
    -------
    STDPWindow

    Examples
    --------
    >>> from spikeloom import ms
    >>> from spikeloom.models.plasticity import NanocompositeSTDP
    >>> res = stdp_window(NanocompositeSTDP(), [-10, 10]*ms, w0=0.4)
    >>> bool(res.dw_mean[0] < 0 < res.dw_mean[1])
    True
    """
    owner = "stdp_window"
    if not isinstance(rule, PlasticityRule):
        raise TypeError(f"{owner}: rule must be a plasticity rule (e.g. PairSTDP()), got "
                        f"{rule!r}")
    if not isinstance(delta_t, Quantity) or get_dim(delta_t) != SECOND:
        raise TypeError(f"{owner}: delta_t must be a time array (e.g. [-10, 10]*ms), got "
                        f"{delta_t!r}")
    dts = np.atleast_1d(np.asarray(si_value(delta_t), dtype=np.float64))
    if dts.ndim != 1 or dts.size == 0 or not np.all(np.isfinite(dts)):
        raise ValueError(f"{owner}: delta_t must be a non-empty 1-D array of finite times, got "
                         f"shape {dts.shape}")
    w0 = check_real(owner, "w0", w0)
    n_pairs = check_int(owner, "n_pairs", n_pairs, 1)
    n_devices = check_int(owner, "n_devices", n_devices, 1)
    _, period_s = check_time(owner, "period", period)
    _, step = check_time(owner, "dt", dt if dt is not None else defaultclock.dt)
    d = 0.0 if delay is None else check_time(owner, "delay", delay, positive=False,
                                             nonnegative=True)[1]
    offsets = dts - d  # post spike time relative to the pre spike
    if n_pairs > 1 and period_s <= np.max(np.abs(offsets)):
        raise ValueError(f"{owner}: period ({period_s} s) must exceed max |Δt - delay| "
                         f"({np.max(np.abs(offsets))} s) so that the pairs do not overlap")
    if t_start is None:
        start = max(0.0, -offsets.min()) + 10 * step
    else:
        start = check_time(owner, "t_start", t_start, positive=False, nonnegative=True)[1]
    if start + offsets.min() < 0:
        raise ValueError(f"{owner}: t_start ({start} s) is too early: the post spike of "
                         f"Δt={dts.min()} s would come before t = 0")
    n = dts.size
    k = np.arange(n_pairs)
    pre_times = (start + k[:, None] * period_s + np.zeros(n)).ravel()
    post_times = (start + k[:, None] * period_s + offsets).ravel()
    index = np.tile(np.arange(n), n_pairs)
    gc.collect()  # frees the names of earlier windows' objects (see _named)
    pre = _named(lambda name: SpikeGeneratorGroup(n, index, pre_times * units.second,
                                                  dt=step * units.second, name=name),
                 "stdp_window_pre")
    post = _named(lambda name: SpikeGeneratorGroup(n, index, post_times * units.second,
                                                   dt=step * units.second, name=name),
                  "stdp_window_post")
    connect = {"condition": "i == j", "n": n_devices}
    S = _named(lambda name: rule.attach(pre, post, connect=connect, w=w0, seed=seed,
                                        dt=step * units.second, name=name,
                                        delay=None if delay is None else d * units.second),
               "stdp_window_synapses")
    last = max(pre_times.max() + d, post_times.max() + 2 * d)
    net = Network(pre, post, S)
    net.run((last + 3 * step) * units.second)
    pre_step = timestep(np.full(n, start) * units.second, step * units.second)
    post_step = timestep((start + offsets) * units.second, step * units.second)
    realised = (post_step - pre_step) * step + d
    order = np.lexsort((np.arange(S.N), S.j[:]))  # synapses grouped by their Δt
    w = np.asarray(S.w[:], dtype=np.float64)[order].reshape(n, n_devices).T
    return STDPWindow(realised * units.second, w0, w.copy(), n_pairs)


def _named(factory, name: str):
    """``factory(name)``, or ``factory(None)`` (an automatic name) if ``name`` is taken.

    The compiled run loop is cached under a hash of its source, which contains the object
    names; automatic names depend on which earlier objects are still alive (they are freed
    only when the garbage collector clears their reference cycles), so without fixed names
    a second window of the same rule in one session would compile again.
    """
    try:
        return factory(name)
    except ValueError as exc:
        if "already exists" not in str(exc):
            raise
        logger.info("stdp_window: the name %r is in use; using an automatic name (the run "
                    "loop may compile again)", name)
        return factory(None)


def plot_stdp_window(result: STDPWindow, ax=None, *, band: str | None = "std",
                     time_unit: str = "ms", label: str | None = None, color=None, **kwargs):
    """Plot Δw against Δt; with several devices, the mean and a band.

    Parameters
    ----------
    result : STDPWindow
        From :func:`stdp_window`.
    ax : matplotlib Axes, optional
    band : {'std', 'percentile', None}
        Band around the mean over devices: ± one standard deviation, the 5-95 %
        percentiles, or none.
    time_unit : {'ms', 's'}
    label : str, optional
    color : matplotlib colour, optional
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib Axes
        Never calls ``show()``.
    """
    if not isinstance(result, STDPWindow):
        raise TypeError(f"plot_stdp_window: result must be an STDPWindow (from stdp_window), "
                        f"got {result!r}")
    if band not in ("std", "percentile", None):
        raise ValueError(f"plot_stdp_window: band must be 'std', 'percentile' or None, got "
                         f"{band!r}")
    if time_unit not in ("ms", "s"):
        raise ValueError(f"plot_stdp_window: time_unit must be 'ms' or 's', got {time_unit!r}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    scale = 1e3 if time_unit == "ms" else 1.0
    x = np.asarray(si_value(result.delta_t)) * scale
    order = np.argsort(x)
    x, mean = x[order], result.dw_mean[order]
    (line,) = ax.plot(x, mean, label=label, color=color, **kwargs)
    if band is not None and result.w.shape[0] > 1:
        if band == "std":
            lo, hi = mean - result.dw_std[order], mean + result.dw_std[order]
        else:
            lo, hi = (p[order] for p in result.percentile([5, 95]))
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.25, linewidth=0)
    ax.axhline(0, linestyle=":", color="k", linewidth=0.8)
    ax.axvline(0, linestyle=":", color="k", linewidth=0.8)
    ax.set_xlabel(f"Δt = t_post - t_pre ({time_unit})")
    ax.set_ylabel("Δw")
    if label is not None:
        ax.legend()
    return ax
