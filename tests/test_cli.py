"""The spikeloom command and the demo (Agg backend)."""

import re

import numpy as np
import pytest

from spikeloom.cli import main


def test_cli_demo_writes_raster_and_prints_plausible_rate(tmp_path, capsys):
    """A small COBA network: the PNG exists and the mean rate is that of the spike count."""
    assert main(["demo", "--neurons", "800", "--duration", "200", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    png = tmp_path / "coba_raster.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    spikes = int(re.search(r"(\d+) spikes in", out).group(1))
    rate = float(re.search(r"mean rate: ([\d.]+) Hz", out).group(1))
    assert np.isclose(rate, spikes / (800 * 0.2), rtol=1e-3)
    assert 1 < rate < 200


def test_cli_error_exit_code(capsys):
    assert main(["demo", "--neurons", "-3", "--out", "/tmp"]) == 2
    assert "N must be a positive integer" in capsys.readouterr().err


# -- spikeloom classify ---------------------------------------------------------------------

def test_cli_classify_prints_summary_first_and_writes_report(tmp_path, capsys):
    report = tmp_path / "report"
    assert main(["classify", "--dataset", "iris", "--rule", "nc", "--folds", "3",
                 "--epochs", "1", "--no-progress", "--report", str(report)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"iris nc: F1-macro \d\.\d{3} ± \d\.\d{3} over 3 folds", lines[0])
    assert lines[1] == "published (Sboev et al., class-wise STDP): 0.967 ± 0.030"
    assert lines[2].startswith("logistic regression (raw features): ")
    assert lines[3].startswith("frozen random weights: ")
    assert re.fullmatch(r"wall time: \d+\.\d s", lines[4])
    assert lines[5] == f"report: {report / 'report.md'}"
    text = (report / "report.md").read_text()
    assert text.startswith(f"# {lines[0]}\n")
    assert (report / "confusion_matrix.png").exists()


def test_cli_classify_passes_only_the_given_options(monkeypatch, capsys):
    """Options left out keep the estimator's (and cross_validate's) defaults."""
    from spikeloom.tasks import _experiment

    calls = []

    def fake(*args, **kwargs):
        calls.append((args, kwargs))
        raise RuntimeError("stop here")

    monkeypatch.setattr(_experiment, "cross_validate", fake)
    assert main(["classify", "--dataset", "wisconsin"]) == 2
    assert main(["classify", "--dataset", "iris", "--rule", "ppx", "--epochs", "3",
                 "--decoder", "logistic", "--network", "wta", "--seed", "7", "--no-progress",
                 "--folds", "4", "--jobs", "2", "--learning-rate", "0.5"]) == 2
    assert "stop here" in capsys.readouterr().err
    assert calls[0] == (("wisconsin", "nc"), {"folds": 5, "params": {}, "random_state": 0,
                                              "progress": True})
    assert calls[1] == (("iris", "ppx"), {"folds": 4, "random_state": 7, "progress": False,
                                          "network": "wta", "n_jobs": 2, "params": {
                                              "epochs": 3, "decoder": "logistic",
                                              "learning_rate": 0.5}})


@pytest.mark.parametrize("folds", ["1", "51"])
def test_cli_classify_bad_folds_exit_2_naming_folds(folds, capsys):
    assert main(["classify", "--dataset", "iris", "--folds", folds, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("spikeloom: error: cross_validate: folds must be an integer >= 2 "
                          "and <= 50")
    assert f"got {folds}" in err


def test_cli_classify_unknown_dataset_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["classify", "--dataset", "mnist"])
    assert exit_info.value.code == 2
    assert "argument --dataset: invalid choice: 'mnist'" in capsys.readouterr().err
