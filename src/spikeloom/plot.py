"""Figures from monitors and morphologies. Each function returns its Axes and never calls
``show()``."""

from __future__ import annotations

import numpy as np

from .core._morphology import Soma
from .core._morphology import _iter_sections as _sections_depth_first
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


# -- morphologies -----------------------------------------------------------------------------

_UM = 1e-6  # morphology plots are in micrometres


def _with_all_coordinates(morphology):
    """``morphology``, or a copy with deterministic coordinates for the sections lacking them."""
    if all(section.coordinates_ is not None for section in _sections_depth_first(morphology)):
        return morphology
    return morphology.generate_coordinates()


def _compartment_values(values, n_compartments: int, value_unit):
    if values is None:
        return None
    if value_unit is not None:
        values = values / value_unit
    values = np.asarray(si_value(values), dtype=float).reshape(-1)
    if values.size != n_compartments:
        raise ValueError(f"plot_morphology: values needs one value per compartment "
                         f"({n_compartments}), got {values.size}")
    return values


def _morphology_axes(ax, plot_3d: bool):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    figure = plt.figure()
    return figure.add_subplot(projection="3d") if plot_3d else figure.add_subplot()


def plot_morphology(morphology, values=None, ax=None, plot_3d: bool = False,
                    colorbar: bool = True, cmap="viridis", value_unit=None,
                    width_scale: float = 1.0, color="black"):
    """Draw a morphology: each compartment a line as wide as its diameter, a soma a circle.

    Sections without coordinates get them from ``generate_coordinates()`` (the deterministic
    layout); the morphology itself is not changed. Axes are in micrometres.

    Parameters
    ----------
    morphology : Morphology
        The tree to draw (usually its root).
    values : array-like or Quantity, optional
        One value per compartment, in the order of ``flatten(morphology)`` (as the values of
        a SpatialNeuron's variable), shown with ``cmap``.
    ax : matplotlib Axes, optional
        Where to draw (a 3-D Axes when ``plot_3d``); default: a new figure.
    plot_3d : bool
        Draw in 3-D instead of projecting on the x-y plane.
    colorbar : bool
        Add a colour bar when ``values`` are given.
    cmap : str or Colormap
        Colour map for ``values``.
    value_unit : Unit, optional
        Unit in which ``values`` are shown (default: SI).
    width_scale : float
        Line width in points per micrometre of diameter (lines are at least 0.5 pt wide).
    color : color
        Colour of the morphology when no ``values`` are given.

    Returns
    -------
    matplotlib Axes
        2-D: one ``LineCollection`` per non-soma section (a segment per compartment) in
        ``ax.collections`` and one ``Circle`` per soma in ``ax.patches``.
    """
    import matplotlib
    from matplotlib import colors as mcolors

    laid_out = _with_all_coordinates(morphology)
    values = _compartment_values(values, laid_out.total_compartments, value_unit)
    ax = _morphology_axes(ax, plot_3d)
    norm, colormap = None, None
    if values is not None:
        norm = mcolors.Normalize(vmin=np.min(values), vmax=np.max(values))
        colormap = cmap if isinstance(cmap, mcolors.Colormap) else matplotlib.colormaps[cmap]
    start = 0
    for section in _sections_depth_first(laid_out):
        part = None if values is None else values[start:start + section.n]
        start += section.n
        _draw_section(ax, section, part, norm, colormap, plot_3d, width_scale, color)
    _finish_morphology_axes(ax, plot_3d)
    if values is not None and colorbar:
        from matplotlib.cm import ScalarMappable

        bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=colormap), ax=ax)
        if value_unit is not None:
            bar.set_label(str(value_unit))
    return ax


def _draw_section(ax, section, values, norm, colormap, plot_3d, width_scale, color):
    nodes = np.asarray(section.coordinates_) / _UM
    diameters = np.asarray(section.diameter) / _UM
    colors = color if values is None else colormap(norm(values))
    if isinstance(section, Soma):
        _draw_soma(ax, nodes[0], diameters[0], colors if values is None else colors[0],
                   plot_3d)
        return
    widths = np.maximum(diameters * width_scale, 0.5)
    segments = np.stack([nodes[:-1], nodes[1:]], axis=1)
    if plot_3d:
        from mpl_toolkits.mplot3d.art3d import Line3DCollection

        ax.add_collection3d(Line3DCollection(segments, linewidths=widths, colors=colors))
    else:
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(segments[:, :, :2], linewidths=widths, colors=colors,
                                         capstyle="round"))


def _draw_soma(ax, centre, diameter, color, plot_3d):
    if plot_3d:
        ax.scatter([centre[0]], [centre[1]], [centre[2]], s=diameter ** 2, color=color)
        return
    from matplotlib.patches import Circle

    ax.add_patch(Circle((centre[0], centre[1]), diameter / 2, color=color))


def _finish_morphology_axes(ax, plot_3d: bool):
    ax.set_xlabel("x (um)")
    ax.set_ylabel("y (um)")
    if plot_3d:
        ax.set_zlabel("z (um)")
        ax.autoscale_view()
        return
    ax.autoscale_view()
    ax.set_aspect("equal", adjustable="datalim")


def plot_dendrogram(morphology, ax=None, color="black"):
    """Draw a morphology as a dendrogram: distance from the root against branches.

    Each non-soma section is a vertical line from the distance at its start to the distance
    at its end (micrometres); a horizontal line joins the children of each branch point;
    a soma is a dot. Leaves are spread evenly along x in the order of ``flatten``.

    Parameters
    ----------
    morphology : Morphology
        The tree to draw (usually its root).
    ax : matplotlib Axes, optional
    color : color

    Returns
    -------
    matplotlib Axes
        ``ax.lines`` holds one line per non-soma section, one per section with children
        and one per soma.
    """
    ax = _axes(ax)
    sections = list(_sections_depth_first(morphology))
    positions = _dendrogram_positions(sections)
    for section in sections:
        x = positions[id(section)]
        top = float(section.end_distance) / _UM
        if isinstance(section, Soma):
            ax.plot([x], [top], "o", color=color)
        else:
            bottom = top - float(np.sum(section.length)) / _UM
            ax.plot([x, x], [bottom, top], color=color)
        children = list(section.children)
        if children:
            xs = [positions[id(child)] for child in children]
            ax.plot([min(xs + [x]), max(xs + [x])], [top, top], color=color)
    ax.set_xticks([])
    ax.set_ylabel("distance from the root (um)")
    return ax


def _dendrogram_positions(sections) -> dict[int, float]:
    """x of each section: leaves 0, 1, 2... in order; a parent at the mean of its children."""
    positions: dict[int, float] = {}
    leaves = iter(range(len(sections)))
    for section in sections:
        if not list(section.children):
            positions[id(section)] = float(next(leaves))
    for section in reversed(sections):  # children come after their parent in depth-first order
        children = list(section.children)
        if children:
            positions[id(section)] = float(np.mean([positions[id(c)] for c in children]))
    return positions
