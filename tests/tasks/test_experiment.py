"""Cross-validation of the spiking classifier, its controls, and the Markdown report."""

import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from spikeloom.tasks._estimator import MemristiveSNNClassifier
from spikeloom.tasks._experiment import ClassificationResult, cross_validate
from spikeloom.tasks._report import results_table, write_report
from spikeloom.tasks.datasets import PUBLISHED, load_dataset

FOLDS = 3


@pytest.fixture(scope="module")
def iris_result():
    """One small run shared by the tests: iris, 3 folds, 1 epoch, temporal code."""
    return cross_validate("iris", "nc", folds=FOLDS, encoding="temporal", params={"epochs": 1},
                          progress=False)


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris")


def _splits(X, y, folds=FOLDS, seed=0):
    return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y))


def test_summary_line_and_comparison_lines(iris_result):
    r = iris_result
    assert re.fullmatch(r"iris nc: F1-macro \d\.\d{3} ± \d\.\d{3} over 3 folds",
                        r.summary_line())
    assert f"{r.mean:.3f} ± {r.sd:.3f}" in r.summary_line()
    lines = r.comparison_lines()
    assert lines[0] == "published (Sboev et al., class-wise STDP): 0.967 ± 0.030"
    assert re.fullmatch(r"logistic regression \(raw features\): \d\.\d{3} ± \d\.\d{3}",
                        lines[1])
    assert re.fullmatch(r"frozen random weights: \d\.\d{3} ± \d\.\d{3}", lines[2])
    assert re.fullmatch(r"wall time: \d+\.\d s", lines[3])


def test_mean_and_population_sd(iris_result):
    r = iris_result
    assert r.f1.shape == (FOLDS,) and np.all((r.f1 >= 0) & (r.f1 <= 1))
    assert r.mean == pytest.approx(np.mean(r.f1))
    assert r.sd == pytest.approx(np.std(r.f1, ddof=0))
    assert r.published == PUBLISHED["iris"]


def test_fold_scores_and_confusion_come_from_the_pooled_predictions(iris_result, iris):
    """Each sample is tested once; per-fold F1 and the pooled matrix follow from that."""
    X, y = iris
    r = iris_result
    assert r.predictions.shape == y.shape
    for k, (_, test) in enumerate(_splits(X, y)):
        assert r.f1[k] == pytest.approx(f1_score(y[test], r.predictions[test],
                                                 average="macro", zero_division=0))
    assert r.confusion.sum() == len(y) == 150
    assert np.trace(r.confusion) == np.sum(r.predictions == y)
    np.testing.assert_array_equal(r.confusion.sum(axis=1), [50, 50, 50])
    np.testing.assert_array_equal(r.confusion, confusion_matrix(y, r.predictions))
    assert r.class_names == ("setosa", "versicolor", "virginica")


def test_logistic_control_matches_sklearn_on_the_same_folds(iris_result, iris):
    X, y = iris
    expected = []
    for train, test in _splits(X, y):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        model.fit(X[train], y[train])
        expected.append(f1_score(y[test], model.predict(X[test]), average="macro"))
    np.testing.assert_allclose(iris_result.logistic_f1, expected, rtol=0, atol=1e-12)


def test_frozen_control_is_the_untrained_classifier_on_the_same_fold(iris_result, iris):
    X, y = iris
    r = iris_result
    train, test = _splits(X, y)[0]
    frozen = MemristiveSNNClassifier(rule="nc", encoding="temporal", epochs=0,
                                     initial_weight="uniform", n_fields=7,
                                     random_state=r.seeds[0])
    frozen.fit(X[train], y[train])
    assert frozen.weight_history_.shape[0] == 1
    assert r.frozen_f1[0] == pytest.approx(
        f1_score(y[test], frozen.predict(X[test]), average="macro", zero_division=0))


def test_weight_history_params_and_seeds(iris_result):
    r = iris_result
    # 4 features x 7 fields (the group's Iris set-up) -> 28 inputs, 3 class neurons
    assert r.weight_history.shape == (2, 28, 3)
    assert r.params == {"epochs": 1, "n_fields": 7}
    assert r.estimator_params["epochs"] == 1 and "random_state" not in r.estimator_params
    assert len(r.seeds) == FOLDS and len(set(r.seeds)) == FOLDS
    assert r.fold_seconds.shape == (FOLDS,) and r.wall_seconds >= r.fold_seconds.sum()


def test_same_seed_same_scores_and_tuple_data():
    X, y = load_dataset("iris")
    X, y = X[::3], y[::3]  # 50 samples: quick
    a = cross_validate((X, y), folds=2, params={"epochs": 1}, progress=False, controls=False)
    b = cross_validate((X, y), folds=2, params={"epochs": 1}, progress=False, controls=False)
    np.testing.assert_array_equal(a.f1, b.f1)
    np.testing.assert_array_equal(a.predictions, b.predictions)
    assert a.dataset == "data" and a.published is None
    assert a.frozen_f1 is None and a.logistic_f1 is None
    assert a.comparison_lines() == [f"wall time: {a.wall_seconds:.1f} s"]
    assert "n_fields" not in a.params  # no group value for unnamed data


def test_folds_in_two_processes_score_as_in_one(iris_result):
    """n_jobs=2 fits the folds and the controls in joblib workers: every fold must come
    back to its own place (a fold's scores, predictions and first-fold weights)."""
    r = cross_validate("iris", "nc", folds=FOLDS, encoding="temporal", params={"epochs": 1},
                       progress=False, n_jobs=2)
    np.testing.assert_array_equal(r.f1, iris_result.f1)
    np.testing.assert_array_equal(r.frozen_f1, iris_result.frozen_f1)
    np.testing.assert_array_equal(r.predictions, iris_result.predictions)
    np.testing.assert_array_equal(r.weight_history, iris_result.weight_history)
    assert r.fold_seconds.shape == (FOLDS,)


def test_rate_runs_get_the_data_set_and_rule_settings(monkeypatch):
    """With the rate code on the class-wise network a named data set brings its bagged
    sub-networks (RATE_BAGGING) and the rule's own settings (RATE_RULE_SETTINGS); params
    given by the caller win; the temporal code and unnamed data get neither."""
    from spikeloom.tasks import datasets

    monkeypatch.setitem(datasets.RATE_RULE_SETTINGS, ("iris", "nc"), {"epochs": 0})
    r = cross_validate("iris", "nc", folds=2, encoding="rate", params={"n_estimators": 2},
                       progress=False, controls=False)
    readout = {"readout_current": datasets.RATE_READOUT_CURRENT["iris"]}
    expected = {"n_fields": 7, **datasets.RATE_BAGGING["iris"], **readout,
                "n_estimators": 2, "epochs": 0}
    assert r.params == expected
    assert r.weight_history.shape[0] == 1  # epochs=0 reached the estimator
    assert r.weight_history.shape[2] == 2 * 3  # two sub-networks of three class neurons
    stdp = cross_validate("iris", "stdp", folds=2, encoding="rate", params={"epochs": 0},
                          progress=False, controls=False)
    assert stdp.params == {"n_fields": 7, **datasets.RATE_BAGGING["iris"], **readout,
                           "epochs": 0}
    temporal = cross_validate("iris", "nc", folds=2, encoding="temporal",
                              params={"epochs": 0}, progress=False, controls=False)
    assert "n_estimators" not in temporal.params and temporal.params["epochs"] == 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"folds": 1}, r"folds must be an integer >= 2 and <= 50 .*got 1"),
    ({"folds": 51}, r"folds must be an integer >= 2 and <= 50 \(the smallest class count "
                    r"of iris\), got 51"),
    ({"folds": True}, r"folds must be an integer"),
    ({"folds": 2.0}, r"folds must be an integer"),
    ({"rule": "hebb"}, r"rule must be one of 'stdp', 'nc', 'ppx', got 'hebb'"),
    ({"encoding": "phase"}, r"encoding must be one of 'temporal', 'rate', got 'phase'"),
    ({"network": "deep"}, r"network must be one of 'classwise', 'wta', got 'deep'"),
    ({"params": {"epoch": 2}}, r"params has an unknown key 'epoch'; allowed: .*epochs"),
    ({"params": {"random_state": 1}}, r"params must not contain 'random_state'"),
    ({"params": [("epochs", 1)]}, r"params must be a dict"),
    ({"random_state": -1}, r"random_state must be an integer >= 0 or None, got -1"),
    ({"n_jobs": 0}, r"n_jobs must be an integer >= 1, -1 \(one process per core\) or None, "
                    r"got 0"),
    ({"n_jobs": 2, "batch": True}, r"batch=True runs the folds side by side .* n_jobs=2"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match="cross_validate: " + message):
        cross_validate("iris", **{"progress": False} | kwargs)


def test_unknown_dataset_is_named():
    with pytest.raises(ValueError, match=r"cross_validate: dataset must be one of 'iris', "
                       r"'wisconsin', 'digits', 'breast_cancer' or an \(X, y\) tuple, "
                       r"got 'mnist'"):
        cross_validate("mnist")
    with pytest.raises(ValueError, match="dataset must be a data set name or an"):
        cross_validate(np.zeros((4, 2)))


def test_folds_limit_is_the_smallest_class_of_tuple_data():
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0] * 7 + [1] * 3)
    with pytest.raises(ValueError, match=r"<= 3 \(the smallest class count of data\), got 4"):
        cross_validate((X, y), folds=4, progress=False)


def test_write_report_files_and_table(iris_result, tmp_path):
    r = iris_result
    path = write_report(r, tmp_path / "out" / "iris")
    assert path == tmp_path / "out" / "iris" / "report.md"
    for name in ("confusion_matrix.png", "weight_evolution.png", "weight_histogram.png"):
        png = path.parent / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert f"]({name})" in path.read_text()
    text = path.read_text()
    assert text.splitlines()[0] == f"# {r.summary_line()}"
    per_fold = ", ".join(f"{v:.3f}" for v in r.f1)
    assert f"| SNN (nc, temporal, classwise) | {r.mean:.3f} ± {r.sd:.3f} | {per_fold} |" in text
    lr = ", ".join(f"{v:.3f}" for v in r.logistic_f1)
    assert (f"| logistic regression (raw features) | {np.mean(r.logistic_f1):.3f} ± "
            f"{np.std(r.logistic_f1):.3f} | {lr} |") in text
    assert f"| frozen random weights | {np.mean(r.frozen_f1):.3f} ± " in text
    assert "| published (Sboev et al., class-wise STDP) | 0.967 ± 0.030 | — |" in text
    assert "`epochs=1`" in text and f"{r.wall_seconds:.1f} s in all" in text


def test_write_report_rejects_other_objects(tmp_path):
    with pytest.raises(TypeError, match="result must be a ClassificationResult, got dict"):
        write_report({}, tmp_path)


def test_results_table_one_row_per_result(iris_result):
    other = ClassificationResult(**vars(iris_result) | {
        "dataset": "data", "network": "wta", "frozen_f1": None, "logistic_f1": None,
        "published": None, "wall_seconds": 12.34})
    lines = results_table([iris_result, other]).splitlines()
    assert lines[0] == ("| dataset | rule | encoding | network | SNN F1 mean ± sd | "
                        "frozen control | logistic regression | published | wall time s |")
    assert len(lines) == 4
    r = iris_result
    assert lines[2].startswith(f"| iris | nc | temporal | classwise | {r.mean:.3f} ± "
                               f"{r.sd:.3f} | ")
    assert lines[2].endswith(f"| 0.967 ± 0.030 | {r.wall_seconds:.1f} |")
    assert lines[3].endswith("| not run | not run | — | 12.3 |")
