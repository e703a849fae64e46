"""F1 against each device non-ideality of a sweep: one panel per parameter, a line per rule.

A panel shows the rows where the *other* non-idealities are at their mildest value in the
results (analog for ``levels``, the smallest value for the others): for a sweep of one grid
per non-ideality, as ``examples/sweep_robustness_iris.toml``, that is the ideal device; for
a factorial grid, the slice through its mildest corner. A panel where that slice has fewer
than two values (a random search) shows every row instead, averaged over the rest, as
points. Figures are :class:`matplotlib.figure.Figure` objects saved directly (Agg), so
pyplot's global state and backend are left alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._experiments import EXPERIMENTS

#: axis labels of the non-idealities (with units)
LABELS = {"levels": "conductance levels per device", "c2c": "cycle-to-cycle noise c2c "
          "(relative sd)", "d2d": "device-to-device spread d2d (relative sd of G_max)",
          "stuck": "fraction of stuck devices", "drift": "drift exponent ν",
          "read_noise": "read noise (relative sd)"}
#: parameters whose values usually span decades: a log axis of this base
LOG_BASE = {"levels": 2, "stuck": 10}
#: any other parameter gets a log axis when its positive values span this factor
LOG_SPAN = 100.0


def plot_results(results, path=None):
    """Plot F1-macro (mean ± sd over seeds) against each non-ideality that varies.

    Parameters
    ----------
    results : pandas.DataFrame or str or Path
        Rows of :func:`run_sweep` / :func:`load_results`, or a results folder.
    path : str or Path, optional
        Where to save the figure (format from the suffix: .png, .pdf, .svg).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per varying non-ideality, x its value (log axis where the values span
        decades: ``levels`` in base 2, ``stuck``), y the mean over seeds of each row's
        mean F1 over the folds, error bars the population sd over seeds; one line per rule
        (and per value of any other varying parameter, e.g. the data set). On the
        ``levels`` panel the analog device (no levels), where present, is a dashed line.
    """
    from matplotlib.figure import Figure

    frame = _frame(results)
    experiment = EXPERIMENTS[str(frame["experiment"].iloc[0])]
    device = [name for name in experiment.device_parameters if _distinct(frame[name]) > 1]
    if not device:
        raise ValueError(f"plot_results: no device non-ideality varies over the "
                         f"{len(frame)} rows ({', '.join(experiment.device_parameters)} "
                         "are each constant); nothing to plot against")
    groups = [name for name, spec in experiment.parameters.items()
              if not spec.device and (name == "rule" or _distinct(frame[name]) > 1)]
    fig = Figure(layout="constrained", figsize=(4.4 * len(device), 3.6))
    axes = np.atleast_1d(fig.subplots(1, len(device), squeeze=False)[0])
    for ax, name in zip(axes, device):
        _panel(ax, frame, name, [d for d in device if d != name], groups)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=150)
    return fig


def _frame(results) -> pd.DataFrame:
    if isinstance(results, pd.DataFrame):
        if results.empty:
            raise ValueError("plot_results: the results have no rows")
        return results
    from ._run import load_results

    return load_results(results)


def _distinct(column: pd.Series) -> int:
    return column.nunique(dropna=False)


def _mildest(column: pd.Series, name: str):
    """The mildest value of a non-ideality in the results: analog (None) or the most
    levels, the smallest value of the others."""
    if name == "levels":
        return None if column.isna().any() else column.max()
    return column.min()


def _select(frame: pd.DataFrame, name: str, value) -> pd.Series:
    if value is None or pd.isna(value):
        return frame[name].isna()
    return frame[name] == value


def _panel(ax, frame: pd.DataFrame, name: str, others: list[str], groups: list[str]) -> None:
    keep = pd.Series(True, index=frame.index)
    held = []
    for other in others:
        value = _mildest(frame[other], other)
        keep &= _select(frame, other, value)
        held.append(f"{other} = {'analog' if value is None else f'{value:g}'}")
    rows = frame[keep]
    sliced = rows[name].nunique() >= 2
    if not sliced:  # a random search: every row, the others averaged over
        rows, held = frame, ["others averaged over"] if others else []
    for label, part in _by_group(rows, groups):
        _draw_group(ax, part, name, label, sliced)
    _x_axis(ax, name, rows[name].dropna().to_numpy(dtype=float))
    ax.set_xlabel(LABELS.get(name, name))
    ax.set_ylabel("F1-macro (mean ± sd over seeds)")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"F1 vs {name}" + (f"\n({', '.join(held)})" if held else ""), fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def _draw_group(ax, part: pd.DataFrame, name: str, label: str, sliced: bool) -> None:
    """One group's line (points where not sliced), and its analog device as a dashed line."""
    color = None
    points = part[part[name].notna()]
    if len(points):
        stats = _over_seeds(points, name)
        line = ax.errorbar(stats.index.to_numpy(dtype=float), stats["mean"],
                           yerr=stats["sd"], marker="o", markersize=4, capsize=3,
                           label=label, linestyle="-" if sliced else "none")
        color = line[0].get_color()
    analog = part[part[name].isna()]
    if len(analog):
        ax.axhline(analog["f1_mean"].mean(), color=color, linestyle="--", linewidth=1,
                   label=f"{label} (analog)")


def _by_group(rows: pd.DataFrame, groups: list[str]):
    """(label, rows) per combination of the grouping columns, labels like 'nc' or
    'nc, dataset=iris'."""
    if rows.empty:
        return []
    if not groups:
        return [("all rows", rows)]
    parts = []
    for values, part in rows.groupby(groups, sort=True, dropna=False):
        values = values if isinstance(values, tuple) else (values,)
        label = ", ".join(str(v) if g == "rule" else f"{g}={v}"
                          for g, v in zip(groups, values))
        parts.append((label, part))
    return parts


def _over_seeds(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    """Mean and population sd over the rows (seeds, and any averaged-over parameters) of
    each row's mean F1, per value of ``name``."""
    grouped = rows.groupby(rows[name].astype(float))["f1_mean"]
    return pd.DataFrame({"mean": grouped.mean(), "sd": grouped.std(ddof=0)}).sort_index()


def _x_axis(ax, name: str, values: np.ndarray) -> None:
    positive = values[values > 0]
    if len(positive) < 2:
        return
    span = positive.max() / positive.min()
    base = LOG_BASE.get(name, 10 if span >= LOG_SPAN else None)
    if base is None or span <= 1:
        return
    if np.any(values == 0):
        ax.set_xscale("symlog", base=base, linthresh=positive.min())
    else:
        ax.set_xscale("log", base=base)
    if base == 2:  # 8, 16, 32 rather than 2^3, 2^4, 2^5
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
