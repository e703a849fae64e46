"""plot_results on rows with known scores, written and read back as a results folder."""

import numpy as np
import pytest

# the [sweep] extra (part of [dev]); without it these tests are skipped
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import pandas as pd

from spikeloom.sweep import Sweep, load_results, plot_results, row_schema
from spikeloom.sweep._experiments import CLASSIFY
from spikeloom.sweep._run import write_row

RULE_OFFSET = {"nc": 0.9, "ppx": 0.7, "stdp": 0.5}


def _score(params: dict, seed: int) -> float:
    """A known F1 for each row: falls with c2c, rises with levels, differs by rule and seed."""
    levels = params["levels"]
    level_loss = 0.0 if levels is None else 0.4 / levels
    return RULE_OFFSET[params["rule"]] - 0.5 * params["c2c"] - level_loss + 0.01 * seed


@pytest.fixture
def folder(tmp_path):
    """The robustness layout (a c2c grid and a levels grid per rule), 3 seeds, with the
    experiment replaced by _score, written as a results folder."""
    sweep = Sweep(seeds=[0, 1, 2], grid=[{"rule": ["nc", "stdp"], "c2c": [0.0, 0.1, 0.3]},
                                         {"rule": ["nc", "stdp"], "levels": [2, 8, 64]}])
    schema = row_schema(CLASSIFY)
    for task in sweep.tasks():
        row = {"key": task.key, "experiment": "classify", **task.params, "seed": task.seed,
               "f1_mean": _score(task.params, task.seed), "f1_sd": 0.0,
               "f1": [_score(task.params, task.seed)] * 2, "wall_s": 0.1}
        write_row(tmp_path, row, schema)
    return tmp_path


def _lines(ax) -> dict:
    """label -> (x, y) of the error-bar lines of a panel."""
    handles, labels = ax.get_legend_handles_labels()
    out = {}
    for container, label in zip(handles, labels):
        if hasattr(container, "lines"):
            x, y = container.lines[0].get_data()
            out[label] = (np.asarray(x, float), np.asarray(y, float))
        else:
            out[label] = (None, np.asarray(container.get_ydata(), float))
    return out


def test_one_panel_per_varying_non_ideality_with_the_seed_means(folder, tmp_path):
    path = tmp_path / "figures" / "sweep.png"
    fig = plot_results(folder, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    levels_ax, c2c_ax = fig.axes
    assert levels_ax.get_xscale() == "log" and c2c_ax.get_xscale() == "linear"
    assert "levels" in levels_ax.get_title() and "c2c = 0" in levels_ax.get_title()
    assert "c2c" in c2c_ax.get_title() and "levels = analog" in c2c_ax.get_title()
    seed_mean = 0.01  # mean of 0.01 * seed over seeds 0, 1, 2
    c2c_lines = _lines(c2c_ax)
    assert set(c2c_lines) == {"nc", "stdp"}
    for rule, (x, y) in c2c_lines.items():
        np.testing.assert_allclose(x, [0.0, 0.1, 0.3])
        np.testing.assert_allclose(y, RULE_OFFSET[rule] - 0.5 * x + seed_mean)
    levels_lines = _lines(levels_ax)
    assert set(levels_lines) == {"nc", "stdp", "nc (analog)", "stdp (analog)"}
    for rule in ("nc", "stdp"):
        x, y = levels_lines[rule]
        np.testing.assert_allclose(x, [2, 8, 64])
        np.testing.assert_allclose(y, RULE_OFFSET[rule] - 0.4 / x + seed_mean)
        np.testing.assert_allclose(levels_lines[f"{rule} (analog)"][1],
                                   RULE_OFFSET[rule] + seed_mean)


def test_error_bars_are_the_sd_over_seeds(folder):
    fig = plot_results(load_results(folder))
    (container,) = [c for c in fig.axes[1].containers if c.get_label() == "nc"]
    segments = container.lines[2][0].get_segments()
    spans = [seg[1][1] - seg[0][1] for seg in segments]
    np.testing.assert_allclose(spans, 2 * np.std([0.0, 0.01, 0.02]))


def test_values_that_span_decades_get_a_log_axis_and_zero_a_symlog_one(tmp_path):
    sweep = Sweep(grid={"rule": ["nc"], "stuck": [0.0, 1e-4, 1e-3, 1e-2]})
    schema = row_schema(CLASSIFY)
    for task in sweep.tasks():
        write_row(tmp_path, {"key": task.key, "experiment": "classify", **task.params,
                             "seed": task.seed, "f1_mean": 0.9 - task.params["stuck"],
                             "f1_sd": 0.0, "f1": [0.9], "wall_s": 0.1}, schema)
    (ax,) = plot_results(tmp_path).axes
    assert ax.get_xscale() == "symlog"


def test_nothing_to_plot_is_an_error(tmp_path):
    rows = pd.DataFrame([{"experiment": "classify", **CLASSIFY.resolve({}, "x"), "seed": 0,
                          "f1_mean": 0.9}])
    with pytest.raises(ValueError, match="no device non-ideality varies over the 1 rows"):
        plot_results(rows)
