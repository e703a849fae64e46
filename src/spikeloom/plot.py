"""Figures from monitors. Each function returns its Axes and never calls ``show()``."""

from __future__ import annotations

import numpy as np

from .units import si_value


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def plot_raster(spike_monitor, ax=None, time_unit: str = "ms", **kwargs):
    """Raster plot: one dot per spike, neuron index against time.

    Parameters
    ----------
    spike_monitor : SpikeMonitor
    ax : matplotlib Axes, optional
    time_unit : str
        'ms' or 's' for the time axis.
    """
    ax = _axes(ax)
    scale = 1e3 if time_unit == "ms" else 1.0
    style = {"s": 1, "c": "k", "marker": ".", "linewidths": 0} | kwargs
    ax.scatter(spike_monitor.t_ * scale, spike_monitor.i, **style)
    ax.set_xlabel(f"time ({time_unit})")
    ax.set_ylabel("neuron index")
    return ax


def plot_rate(rate_monitor, ax=None, smooth_width=None, **kwargs):
    """Population rate in Hz against time (ms), optionally Gaussian-smoothed.

    Parameters
    ----------
    rate_monitor : PopulationRateMonitor
    smooth_width : Quantity (time), optional
        Standard deviation of the Gaussian window.
    """
    ax = _axes(ax)
    rate = (rate_monitor.smooth_rate("gaussian", smooth_width) if smooth_width is not None
            else rate_monitor.rate)
    ax.plot(np.asarray(si_value(rate_monitor.t)) * 1e3, np.asarray(si_value(rate)), **kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("rate (Hz)")
    return ax


def plot_state(state_monitor, variable: str, ax=None, unit=None, **kwargs):
    """Recorded traces of one variable (one line per recorded element) against time (ms)."""
    ax = _axes(ax)
    values = getattr(state_monitor, variable)
    label = variable
    if unit is not None:
        values = values / unit
        label = f"{variable} ({unit})"
    values = np.asarray(si_value(values))
    ax.plot(state_monitor.t_ * 1e3, values.T, **kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(label)
    return ax
