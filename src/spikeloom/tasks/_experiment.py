"""Cross-validated classification with a spiking network, next to the controls and the paper.

:func:`cross_validate` runs :class:`MemristiveSNNClassifier` over stratified K folds of a
benchmark set (Sboev et al. 2021: F1-macro over 5 folds) and, on the same folds, two
controls that say what the plasticity adds: the same network with frozen random weights
(no learning) and a logistic regression on the raw features (what a plain linear model
gets). The result is a :class:`ClassificationResult`; :mod:`spikeloom.tasks._report` turns
it into a Markdown report with figures.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..models.plasticity import PlasticityRule
from ._estimator import ENCODINGS, NETWORKS, RULES, MemristiveSNNClassifier, run_requests
from .datasets import (
    _ALIASES,
    _LOADERS,
    DATASETS,
    GRF_FIELDS,
    PUBLISHED,
    RATE_BAGGING,
    RATE_READOUT_CURRENT,
    RATE_RULE_SETTINGS,
    RATE_WEIGHT_SCALE,
    check_classification_data,
    load_dataset,
)

_OWNER = "cross_validate"

# set by cross_validate itself (per fold or from its own arguments), so not accepted in params
_RESERVED = ("rule", "encoding", "network", "random_state")

PUBLISHED_LABEL = "published (Sboev et al., class-wise STDP)"
FROZEN_LABEL = "frozen random weights"
LOGISTIC_LABEL = "logistic regression (raw features)"


def _mean_sd(values: np.ndarray) -> tuple[float, float]:
    """Mean and population sd (ddof=0, as the group's published sds)."""
    return float(np.mean(values)), float(np.std(values, ddof=0))


def _pm(mean: float, sd: float) -> str:
    return f"{mean:.3f} ± {sd:.3f}"


@dataclass
class ClassificationResult:
    """Scores of one cross-validated run of the spiking classifier and its controls.

    Attributes
    ----------
    dataset : str
        Name of the data set (``'data'`` for an (X, y) tuple).
    rule, encoding, network : str
        Plasticity rule (its class name for a rule object), spike code and network.
    folds : int
        Number of stratified folds.
    f1 : ndarray (folds,)
        Test F1-macro of the spiking classifier in each fold.
    frozen_f1, logistic_f1 : ndarray (folds,) or None
        Test F1-macro of the controls on the same folds (None: run without controls).
    published : (float, float) or None
        The group's published F1-macro (mean, sd) for this data set, if any.
    confusion : ndarray (n_classes, n_classes)
        Confusion matrix of the spiking classifier pooled over the folds (rows: true class,
        columns: predicted class, in the order of ``classes``).
    classes : ndarray
        Class labels.
    class_names : tuple of str
        Readable class names (the data set's target names where known).
    predictions : ndarray (n_samples,)
        The spiking classifier's prediction for each sample, from the fold that tested it.
    wall_seconds : float
        Wall time of the whole run, controls included (s).
    fold_seconds : ndarray (folds,)
        Wall time of the spiking classifier's fit and predict in each fold (s).
    weight_history : ndarray (epochs + 1, n_inputs, n_outputs)
        ``weight_history_`` of the first fold's classifier.
    params : dict
        Estimator parameters given to every fold (besides rule, encoding, network and seed).
    estimator_params : dict
        All parameters of the first fold's classifier (its defaults included), without
        ``random_state``.
    seeds : tuple of int
        ``random_state`` of the classifier in each fold.
    random_state : int or None
        Seed of the fold split and of the per-fold seeds.
    """

    dataset: str
    rule: str
    encoding: str
    network: str
    folds: int
    f1: np.ndarray
    frozen_f1: np.ndarray | None
    logistic_f1: np.ndarray | None
    published: tuple[float, float] | None
    confusion: np.ndarray
    classes: np.ndarray
    class_names: tuple[str, ...]
    predictions: np.ndarray
    wall_seconds: float
    fold_seconds: np.ndarray
    weight_history: np.ndarray
    params: dict = field(default_factory=dict)
    estimator_params: dict = field(default_factory=dict)
    seeds: tuple[int, ...] = ()
    random_state: int | None = 0

    @property
    def mean(self) -> float:
        """Mean F1-macro over the folds."""
        return _mean_sd(self.f1)[0]

    @property
    def sd(self) -> float:
        """Population standard deviation (ddof=0) of the F1-macro over the folds."""
        return _mean_sd(self.f1)[1]

    def summary_line(self) -> str:
        """E.g. ``'iris nc: F1-macro 0.967 ± 0.030 over 5 folds'``."""
        return (f"{self.dataset} {self.rule}: F1-macro {_pm(self.mean, self.sd)} over "
                f"{self.folds} folds")

    def comparison_lines(self) -> list[str]:
        """The published score, the controls (those that were run) and the wall time."""
        lines = []
        if self.published is not None:
            lines.append(f"{PUBLISHED_LABEL}: {_pm(*self.published)}")
        if self.logistic_f1 is not None:
            lines.append(f"{LOGISTIC_LABEL}: {_pm(*_mean_sd(self.logistic_f1))}")
        if self.frozen_f1 is not None:
            lines.append(f"{FROZEN_LABEL}: {_pm(*_mean_sd(self.frozen_f1))}")
        lines.append(f"wall time: {self.wall_seconds:.1f} s")
        return lines


def _load(dataset) -> tuple[str, str | None, np.ndarray, np.ndarray, tuple[str, ...] | None]:
    """(label, canonical name or None, X, y, target names or None) of ``dataset``."""
    if isinstance(dataset, str):
        canonical = _ALIASES.get(dataset, dataset)
        if canonical not in DATASETS:
            names = ", ".join(repr(n) for n in DATASETS + tuple(_ALIASES))
            raise ValueError(f"{_OWNER}: dataset must be one of {names} or an (X, y) tuple, "
                             f"got {dataset!r}")
        X, y = load_dataset(dataset)
        names = tuple(str(n) for n in _LOADERS[canonical]().target_names)
        return dataset, canonical, X, y, names
    if isinstance(dataset, tuple) and len(dataset) == 2:
        X, y = check_classification_data(*dataset)
        return "data", None, X, y, None
    raise ValueError(f"{_OWNER}: dataset must be a data set name or an (X, y) tuple, got "
                     f"{type(dataset).__name__}")


def _check_choice(name: str, value, allowed: tuple) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{_OWNER}: {name} must be one of {', '.join(map(repr, allowed))}, "
                         f"got {value!r}")


def _check_folds(folds, y: np.ndarray, label: str) -> int:
    """``folds`` as an int in [2, smallest class count]: every test fold sees every class."""
    smallest = int(np.unique(y, return_counts=True)[1].min())
    if isinstance(folds, bool) or not isinstance(folds, int | np.integer) \
            or not 2 <= folds <= smallest:
        raise ValueError(f"{_OWNER}: folds must be an integer >= 2 and <= {smallest} (the "
                         f"smallest class count of {label}), got {folds!r}")
    return int(folds)


def _check_params(params) -> dict:
    """A copy of ``params``, its keys checked against the estimator's parameters."""
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise ValueError(f"{_OWNER}: params must be a dict of MemristiveSNNClassifier "
                         f"parameters or None, got {type(params).__name__}")
    allowed = sorted(set(MemristiveSNNClassifier().get_params(deep=False)) - set(_RESERVED))
    for key in params:
        if key in _RESERVED:
            raise ValueError(f"{_OWNER}: params must not contain {key!r} (it is an argument "
                             f"of cross_validate itself)")
        if key not in allowed:
            raise ValueError(f"{_OWNER}: params has an unknown key {key!r}; allowed: "
                             f"{', '.join(allowed)}")
    return dict(params)


def _f1(y_true, y_pred) -> float:
    # a class never predicted counts as F1 = 0 (sklearn's value), without its warning
    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


def _logistic_f1(X, y, splits) -> np.ndarray:
    """The linear baseline on the raw (standardised) features, fold by fold."""
    scores = []
    for train, test in splits:
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        scores.append(_f1(y[test], model.fit(X[train], y[train]).predict(X[test])))
    return np.asarray(scores)


def cross_validate(dataset, rule="nc", *, folds: int = 5, encoding: str = "rate",
                   network: str = "classwise", params: dict | None = None, random_state=0,
                   progress: bool = True, controls: bool = True,
                   batch: bool = False, n_jobs: int | None = 1) -> ClassificationResult:
    """F1-macro of :class:`MemristiveSNNClassifier` over stratified folds, with controls.

    Parameters
    ----------
    dataset : str or (X, y)
        ``'iris'``, ``'wisconsin'`` (``'breast_cancer'``) or ``'digits'``
        (:func:`load_dataset`), or features (n_samples, n_features) and labels.
    rule : {'stdp', 'nc', 'ppx'} or PlasticityRule
        Plasticity of the input synapses.
    folds : int
        Stratified folds (shuffled), from 2 to the smallest class count.
    encoding : {'temporal', 'rate'}
        Spike code of the inputs.
    network : {'classwise', 'wta'}
        Network of the classifier.
    params : dict, optional
        Further :class:`MemristiveSNNClassifier` parameters (``epochs``, ``decoder``, ...);
        those not given keep the estimator's defaults, except ``n_fields``, which defaults to
        the group's value for a named data set (:data:`GRF_FIELDS`), and with the rate code
        the data set's weight scale where it has its own (:data:`RATE_WEIGHT_SCALE`) and,
        on the class-wise network, its bagged sub-networks (:data:`RATE_BAGGING`), its
        readout current (:data:`RATE_READOUT_CURRENT`) and the rule's own settings
        (:data:`RATE_RULE_SETTINGS`).
    random_state : int or None
        Seed of the fold split (``StratifiedKFold(folds, shuffle=True, random_state)``) and
        of the classifiers' seeds (one per fold, drawn from it).
    progress : bool
        Show a progress bar over the folds (on stderr).
    controls : bool
        Also score, on the same folds, the classifier with ``epochs=0`` and
        ``initial_weight='uniform'`` (frozen random weights) and a logistic regression on
        the standardised raw features.
    batch : bool
        Train (and then test) the folds side by side, one :func:`~spikeloom.run_batch` per
        epoch (:func:`fit_predict_together`): on the JAX backend (``set_device('jax')``)
        the folds are one program vectorised over them, on Numba the same runs one after
        the other. With folds of equal sizes the scores equal those of ``batch=False``.
    n_jobs : int or None
        Processes that fit the folds (and the frozen controls) at the same time, through
        joblib as in scikit-learn (-1: one per core; None or 1: this process). Each fold
        keeps its own seed, so the scores are those of ``n_jobs=1``. Not with ``batch``.

    Returns
    -------
    ClassificationResult
    """
    label, canonical, X, y, names = _load(dataset)
    if not isinstance(rule, PlasticityRule):
        _check_choice("rule", rule, RULES)
    _check_choice("encoding", encoding, ENCODINGS)
    _check_choice("network", network, NETWORKS)
    folds = _check_folds(folds, y, label)
    settings = _check_params(params)
    _check_seed(random_state)
    n_jobs = _check_jobs(n_jobs, batch)
    if canonical is not None:
        settings.setdefault("n_fields", GRF_FIELDS[canonical])
        if encoding == "rate" and canonical in RATE_WEIGHT_SCALE:
            settings.setdefault("weight_scale", RATE_WEIGHT_SCALE[canonical])
        if encoding == "rate" and network == "classwise":
            tuned = {**RATE_BAGGING.get(canonical, {}),
                     **({"readout_current": RATE_READOUT_CURRENT[canonical]}
                        if canonical in RATE_READOUT_CURRENT else {}),
                     **RATE_RULE_SETTINGS.get((canonical, _rule_name(rule)), {})}
            for key, value in tuned.items():
                settings.setdefault(key, value)

    start = time.perf_counter()
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=random_state).split(X, y))
    seeds = tuple(int(s) for s in np.random.SeedSequence(random_state).generate_state(folds))
    rule_label = _rule_name(rule)

    def make(seed: int, **extra) -> MemristiveSNNClassifier:
        return MemristiveSNNClassifier(rule=rule, encoding=encoding, network=network,
                                       random_state=seed, **(settings | extra))

    runs = _run_folds(make, X, y, splits, seeds, controls,
                      progress and f"{label} {rule_label} folds", batch, n_jobs)
    classes = np.unique(y)
    return ClassificationResult(
        dataset=label, rule=rule_label, encoding=encoding, network=network, folds=folds,
        f1=runs["f1"], frozen_f1=runs["frozen"] if controls else None,
        logistic_f1=_logistic_f1(X, y, splits) if controls else None,
        published=PUBLISHED.get(canonical), classes=classes,
        confusion=confusion_matrix(y, runs["predictions"], labels=classes),
        class_names=names or tuple(str(c) for c in classes),
        predictions=runs["predictions"], wall_seconds=time.perf_counter() - start,
        fold_seconds=runs["seconds"], weight_history=runs["history"], params=settings,
        estimator_params=runs["estimator_params"], seeds=seeds, random_state=random_state)


def _rule_name(rule) -> str:
    """The name of ``rule`` ('stdp', 'nc', 'ppx'), or its class name for a rule object."""
    return rule if isinstance(rule, str) else type(rule).__name__


def _check_seed(random_state) -> None:
    if random_state is not None and (isinstance(random_state, bool) or not isinstance(
            random_state, int | np.integer) or random_state < 0):
        raise ValueError(f"{_OWNER}: random_state must be an integer >= 0 or None, got "
                         f"{random_state!r}")


def _check_jobs(n_jobs, batch: bool) -> int:
    """``n_jobs`` as an int (None: 1); -1 or >= 1, and 1 with ``batch``."""
    n_jobs = 1 if n_jobs is None else n_jobs
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer) or not (
            n_jobs == -1 or n_jobs >= 1):
        raise ValueError(f"{_OWNER}: n_jobs must be an integer >= 1, -1 (one process per "
                         f"core) or None, got {n_jobs!r}")
    if batch and n_jobs != 1:
        raise ValueError(f"{_OWNER}: batch=True runs the folds side by side in this "
                         f"process; it cannot also spread them over n_jobs={n_jobs} "
                         f"processes (choose one)")
    return int(n_jobs)


def _run_folds(make, X, y, splits, seeds, controls: bool, bar: str | bool,
               batch: bool = False, n_jobs: int = 1) -> dict:
    """Fit and test the classifier (and its frozen control) in each fold.

    ``make(seed, **overrides)`` builds an unfitted classifier; ``bar`` is the progress bar's
    title (False: no bar); ``batch``: the folds side by side (:func:`fit_predict_together`).
    Returns per-fold F1 arrays ('f1', 'frozen'), the pooled 'predictions', per-fold
    'seconds' (fit + predict of the classifier; with ``batch`` the batch's time divided
    evenly), and the first fold's 'history' and 'estimator_params'. With ``n_jobs`` other
    than 1 the folds and the controls are fitted in that many processes.
    """
    models = [make(seed) for seed in seeds]
    frozen = [make(seed, epochs=0, initial_weight="uniform") for seed in seeds] if controls \
        else []
    if n_jobs == 1:
        predicted, seconds = _fit_predict(models, X, y, splits, bar, batch)
        frozen_labels = _fit_predict(frozen, X, y, splits, False, batch)[0] if controls else []
    else:
        fitted, labels, seconds = _fit_predict_in_processes(
            models + frozen, X, y, splits * (2 if controls else 1), bar, n_jobs)
        models, predicted, frozen_labels = fitted[:len(models)], labels[:len(models)], \
            labels[len(models):]
        seconds = seconds[:len(models)]
    out = {"predictions": np.empty(len(y), dtype=y.dtype), "seconds": np.asarray(seconds),
           "history": models[0].weight_history_,
           # every parameter the estimator ran with, its current defaults included
           "estimator_params": {key: value for key, value in
                                models[0].get_params(deep=False).items()
                                if key != "random_state"}}
    for (_, test), labels in zip(splits, predicted):
        out["predictions"][test] = labels
    out["f1"] = np.asarray([_f1(y[test], labels) for (_, test), labels in zip(splits, predicted)])
    out["frozen"] = np.asarray([_f1(y[test], lab)
                                for (_, test), lab in zip(splits, frozen_labels)])
    return out


def _fit_predict(models, X, y, splits, bar: str | bool, batch: bool) -> tuple[list, list]:
    """Each fold's test predictions and seconds: fold k trains ``models[k]``."""
    from tqdm.auto import tqdm

    if batch:
        tic = time.perf_counter()
        predicted = fit_predict_together(models, [X[train] for train, _ in splits],
                                         [y[train] for train, _ in splits],
                                         [X[test] for _, test in splits])
        return predicted, [(time.perf_counter() - tic) / len(splits)] * len(splits)
    predicted, seconds = [], []
    for model, (train, test) in zip(models, tqdm(splits, desc=bar or None, disable=not bar)):
        _, labels, took = _fit_predict_one(model, X[train], y[train], X[test])
        predicted.append(labels)
        seconds.append(took)
    return predicted, seconds


def _fit_predict_in_processes(models, X, y, splits, bar: str | bool,
                              n_jobs: int) -> tuple[list, list, list]:
    """:func:`_fit_predict` on ``n_jobs`` joblib processes; also returns the fitted models
    (fitted in the workers, they come back pickled)."""
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    tasks = [delayed(_fit_predict_one)(model, X[train], y[train], X[test])
             for model, (train, test) in zip(models, splits)]
    with warnings.catch_warnings():
        # loky replaces a worker whose memory grew past its limit (each worker holds its
        # own compiled loops) once that worker's task is done, and warns; nothing is lost
        # (a worker that dies inside a task raises instead)
        warnings.filterwarnings("ignore", message="A worker stopped while some jobs",
                                category=UserWarning)
        done = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
        results = list(tqdm(done, total=len(tasks), desc=bar or None, disable=not bar))
    return [r[0] for r in results], [r[1] for r in results], [r[2] for r in results]


def _fit_predict_one(model, X_train, y_train, X_test) -> tuple:
    """The fitted model, its predictions for ``X_test`` and the seconds both took."""
    tic = time.perf_counter()
    labels = model.fit(X_train, y_train).predict(X_test)
    return model, labels, time.perf_counter() - tic


def fit_predict_together(models, X_train, y_train, X_test) -> list[np.ndarray]:
    """Fit ``models[k]`` on ``(X_train[k], y_train[k])`` and predict ``X_test[k]``, side by side.

    Every network run of the K fits (and then of the K predictions) that is due at the same
    time is one :func:`~spikeloom.run_batch`: on the JAX backend one program vectorised over
    the K trials, on Numba the same runs one after the other. Each model ends as after its
    own ``fit`` when the training sets have equal sizes (otherwise the shorter ones run
    silent samples at the end of each epoch, which shifts the time of their later runs).

    Parameters
    ----------
    models : sequence of MemristiveSNNClassifier
        Unfitted, with the same parameters but ``random_state`` (the same network structure).
    X_train, y_train, X_test : sequences of arrays
        One training set and one test set per model.

    Returns
    -------
    list of ndarray
        The predicted labels of each ``X_test[k]``.
    """
    models = list(models)
    if not (len(models) == len(X_train) == len(y_train) == len(X_test)):
        raise ValueError(f"fit_predict_together: {len(models)} models need as many training "
                         f"and test sets, got {len(X_train)}, {len(y_train)}, {len(X_test)}")
    shared = [{k: v for k, v in m.get_params(deep=False).items() if k != "random_state"}
              for m in models]
    if any(repr(params) != repr(shared[0]) for params in shared):
        raise ValueError("fit_predict_together: the models must have the same parameters "
                         "but random_state (one network structure for the batch)")
    run_requests([m._fit_runs(X, y) for m, X, y in zip(models, X_train, y_train)])
    counts = run_requests([m._count_runs(X) for m, X in zip(models, X_test)])
    return [m.classes_[m.decoder_.predict(c)] for m, c in zip(models, counts)]
