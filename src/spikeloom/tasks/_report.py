"""Markdown reports and figures of :class:`ClassificationResult` runs.

:func:`write_report` writes one run's ``report.md`` with its figures (pooled confusion
matrix, weight evolution over the epochs, initial and final weight histograms);
:func:`results_table` puts several runs side by side in one Markdown table. Figures are
:class:`matplotlib.figure.Figure` objects saved directly (Agg), so pyplot's global state and
backend are left alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._experiment import (
    FROZEN_LABEL,
    LOGISTIC_LABEL,
    PUBLISHED_LABEL,
    ClassificationResult,
    _mean_sd,
    _pm,
)

FIGURES = {
    "confusion_matrix.png": "pooled confusion matrix",
    "weight_evolution.png": "weight evolution",
    "weight_histogram.png": "initial and final weights",
}


def _per_fold(values) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


def _row(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def _score(values) -> str:
    return "not run" if values is None else _pm(*_mean_sd(values))


def _method_rows(result: ClassificationResult) -> list[str]:
    snn = f"SNN ({result.rule}, {result.encoding}, {result.network})"
    rows = [(snn, _pm(result.mean, result.sd), _per_fold(result.f1))]
    for label, values in ((FROZEN_LABEL, result.frozen_f1),
                          (LOGISTIC_LABEL, result.logistic_f1)):
        rows.append((label, _score(values), "—" if values is None else _per_fold(values)))
    published = "—" if result.published is None else _pm(*result.published)
    rows.append((PUBLISHED_LABEL, published, "—"))
    return [_row(["method", "F1-macro mean ± sd", "per fold"]), _row(["---"] * 3)] + [
        _row(cells) for cells in rows]


def _param_lines(result: ClassificationResult) -> list[str]:
    given = ", ".join(f"`{k}={v!r}`" for k, v in result.params.items()) or "none"
    lines = [f"- data set: {result.dataset} ({int(result.confusion.sum())} samples, "
             f"{len(result.classes)} classes), {result.folds} stratified folds, "
             f"random_state={result.random_state!r}",
             f"- rule: {result.rule}, encoding: {result.encoding}, network: {result.network}",
             f"- parameters passed to every fold (n_fields: the group's value unless "
             f"given): {given}",
             f"- per-fold classifier seeds: {', '.join(map(str, result.seeds))}",
             "- all estimator parameters (first fold):"]
    lines += [f"  - `{k}` = {v}" for k, v in result.estimator_params.items()]
    return lines


def report_markdown(result: ClassificationResult) -> str:
    """The text of ``report.md`` for ``result`` (figures linked by file name)."""
    seconds = ", ".join(f"{s:.2f}" for s in result.fold_seconds)
    lines = [f"# {result.summary_line()}", "", *_method_rows(result), ""]
    if result.frozen_f1 is not None:
        lines += ["The frozen control is the same classifier with `epochs=0` and "
                  "`initial_weight='uniform'`; both controls use the same folds.", ""]
    lines += ["## Parameters", "", *_param_lines(result), "",
             "## Wall time", "",
             f"{result.wall_seconds:.1f} s in all (controls included); classifier fit + "
             f"predict per fold: {seconds} s", "",
             "## Figures", ""]
    lines += [f"![{title}]({name})" for name, title in FIGURES.items()]
    return "\n".join(lines) + "\n"


def write_report(result: ClassificationResult, directory) -> Path:
    """Write ``report.md`` and its three figures into ``directory`` (created if needed).

    Parameters
    ----------
    result : ClassificationResult
    directory : str or Path

    Returns
    -------
    Path
        The path of ``report.md``.
    """
    if not isinstance(result, ClassificationResult):
        raise TypeError(f"write_report: result must be a ClassificationResult, got "
                        f"{type(result).__name__}")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    _confusion_figure(result).savefig(folder / "confusion_matrix.png", dpi=120)
    _evolution_figure(result).savefig(folder / "weight_evolution.png", dpi=120)
    _histogram_figure(result).savefig(folder / "weight_histogram.png", dpi=120)
    path = folder / "report.md"
    path.write_text(report_markdown(result), encoding="utf-8")
    return path


def _figure(**kwargs):
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kwargs)


def _confusion_figure(result: ClassificationResult):
    counts = result.confusion
    n = len(counts)
    side = 3.0 + 0.45 * n
    fig = _figure(figsize=(side + 1.5, side))
    ax = fig.subplots()
    image = ax.imshow(counts, cmap="Blues")
    fig.colorbar(image, ax=ax, label="samples")
    # dark text on light cells and light text on dark ones
    half = counts.max() / 2 if counts.size else 0
    for (i, j), count in np.ndenumerate(counts):
        ax.text(j, i, str(count), ha="center", va="center",
                color="white" if count > half else "black")
    # long names would overlap under their columns
    tilt = 30 if max(len(name) for name in result.class_names) > 3 else 0
    ax.set_xticks(range(n), result.class_names, rotation=tilt, ha="right" if tilt else "center")
    ax.set_yticks(range(n), result.class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"{result.dataset} {result.rule}: {result.folds} folds pooled")
    return fig


def _output_names(result: ClassificationResult, n_outputs: int) -> list[str]:
    """Class names for the class-wise network's neurons, neuron numbers otherwise."""
    if result.network == "classwise" and n_outputs == len(result.class_names):
        return list(result.class_names)
    return [f"neuron {k}" for k in range(n_outputs)]


def _evolution_figure(result: ClassificationResult):
    history = result.weight_history
    epochs = np.arange(history.shape[0])
    fig = _figure(figsize=(6.0, 4.0))
    ax = fig.subplots()
    names = _output_names(result, history.shape[2])
    for k, name in enumerate(names):
        w = history[:, :, k]
        (line,) = ax.plot(epochs, w.mean(axis=1), marker="o", label=name)
        # spread over the neuron's inputs
        ax.fill_between(epochs, np.percentile(w, 10, axis=1), np.percentile(w, 90, axis=1),
                        color=line.get_color(), alpha=0.15, linewidth=0)
    ax.set_xlabel("epoch (0: before training)")
    ax.set_ylabel("weight (mean, 10–90 % band over inputs)")
    ax.set_xticks(epochs)
    ax.set_title(f"{result.dataset} {result.rule}: weights of fold 1")
    if len(names) <= 10:
        ax.legend(fontsize="small")
    return fig


def _histogram_figure(result: ClassificationResult):
    initial, final = result.weight_history[0].ravel(), result.weight_history[-1].ravel()
    fig = _figure(figsize=(6.0, 4.0))
    ax = fig.subplots()
    low, high = min(initial.min(), final.min()), max(initial.max(), final.max())
    # a common binning; a tiny range when all weights are equal (e.g. all at 0.5)
    bins = np.linspace(low, high if high > low else low + 1e-3, 41)
    ax.hist(initial, bins=bins, alpha=0.6, label="initial")
    ax.hist(final, bins=bins, alpha=0.6,
            label=f"after {result.weight_history.shape[0] - 1} epoch(s)")
    ax.set_xlabel("weight")
    ax.set_ylabel("synapses")
    ax.set_title(f"{result.dataset} {result.rule}: weights of fold 1")
    ax.legend()
    return fig


def results_table(results) -> str:
    """One Markdown table row per :class:`ClassificationResult` (F1-macro mean ± sd).

    Columns: dataset, rule, encoding, network, the SNN, the frozen control, the logistic
    regression, the published score and the wall time (s).

    Parameters
    ----------
    results : iterable of ClassificationResult
        The results, one row each.

    Returns
    -------
    str
        A Markdown table (header and one line per result).
    """
    results = list(results)
    for r in results:
        if not isinstance(r, ClassificationResult):
            raise TypeError(f"results_table: results must hold ClassificationResult objects, "
                            f"got {type(r).__name__}")
    head = ["dataset", "rule", "encoding", "network", "SNN F1 mean ± sd", "frozen control",
            "logistic regression", "published", "wall time s"]
    lines = [_row(head), _row(["---"] * len(head))]
    for r in results:
        published = "—" if r.published is None else _pm(*r.published)
        lines.append(_row([r.dataset, r.rule, r.encoding, r.network, _pm(r.mean, r.sd),
                           _score(r.frozen_f1), _score(r.logistic_f1), published,
                           f"{r.wall_seconds:.1f}"]))
    return "\n".join(lines) + "\n"
