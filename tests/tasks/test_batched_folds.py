"""Folds trained side by side (``fit_predict_together``, ``cross_validate(batch=True)``).

A batch must end every model exactly where its own ``fit`` ends: the same weights after
each epoch and the same predictions. On Numba the batch runs its trials one after the other
through ``run_batch``; on JAX it is one vectorised program, whose arithmetic differs from
Numba's only by rounding. A wrong per-trial namespace (every fold taught with fold 0's
teacher currents), shared spikes or a shuffled order of results would all change weights.
"""

from __future__ import annotations

import numpy as np
import pytest

import spikeloom as sl
from spikeloom.tasks import MemristiveSNNClassifier, cross_validate, fit_predict_together


def _three_clusters(n_per_class=4, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.1, 0.1], [0.5, 0.9], [0.9, 0.2]])
    X = np.vstack([c + 0.05 * rng.standard_normal((n_per_class, 2)) for c in centres])
    y = np.repeat([0, 1, 2], n_per_class)
    return X, y


def _folds(X, y, k=2):
    """k train/test splits with equal training sizes (every k-th sample is a test sample)."""
    index = np.arange(len(y))
    return [(index[index % k != f], index[index % k == f]) for f in range(k)]


def _fit_separately(params, seeds, X, y, splits):
    models = [MemristiveSNNClassifier(**params, random_state=s) for s in seeds]
    predicted = [m.fit(X[tr], y[tr]).predict(X[te]) for m, (tr, te) in zip(models, splits)]
    return models, predicted


def _fit_together(params, seeds, X, y, splits):
    models = [MemristiveSNNClassifier(**params, random_state=s) for s in seeds]
    predicted = fit_predict_together(models, [X[tr] for tr, _ in splits],
                                     [y[tr] for tr, _ in splits], [X[te] for _, te in splits])
    return models, predicted


TEMPORAL = {"rule": "nc", "encoding": "temporal", "epochs": 2, "n_fields": 4}


def test_folds_fitted_together_end_as_separate_fits_on_numba():
    X, y = _three_clusters(n_per_class=6)
    splits = _folds(X, y, k=3)
    seeds = (11, 12, 13)
    sl.set_device("numba")
    alone, predicted_alone = _fit_separately(TEMPORAL, seeds, X, y, splits)
    together, predicted_together = _fit_together(TEMPORAL, seeds, X, y, splits)
    for a, b, pa, pb in zip(alone, together, predicted_alone, predicted_together):
        np.testing.assert_array_equal(a.weight_history_, b.weight_history_)
        np.testing.assert_array_equal(a.train_counts_, b.train_counts_)
        np.testing.assert_array_equal(pa, pb)
    # the folds really differ (each was taught with its own samples and teacher currents)
    assert not np.array_equal(together[0].weights_, together[1].weights_)


def test_cross_validate_batch_gives_the_same_scores():
    kw = {"folds": 3, "params": {"epochs": 1}, "progress": False, "controls": False}
    sl.set_device("numba")
    alone = cross_validate("iris", "nc", encoding="temporal", **kw)
    together = cross_validate("iris", "nc", encoding="temporal", batch=True, **kw)
    np.testing.assert_array_equal(alone.f1, together.f1)
    np.testing.assert_array_equal(alone.predictions, together.predictions)


def test_folds_of_unequal_size_run_padded_and_score():
    """The shorter training set gets silent samples: its counts keep its own length."""
    X, y = _three_clusters(n_per_class=5)
    index = np.arange(len(y))
    splits = [(index[index % 2 == 0], index[index % 2 == 1]),
              (index[index % 3 != 0], index[index % 3 == 0])]  # 8 and 10 training samples
    sl.set_device("numba")
    models, predicted = _fit_together(TEMPORAL, (1, 2), X, y, splits)
    for model, (train, test), labels in zip(models, splits, predicted):
        assert model.train_counts_.shape == (len(train), 3)
        assert labels.shape == (len(test),)


def test_models_with_different_parameters_are_refused():
    X, y = _three_clusters()
    models = [MemristiveSNNClassifier(epochs=1), MemristiveSNNClassifier(epochs=2)]
    with pytest.raises(ValueError, match="same parameters but random_state"):
        fit_predict_together(models, [X, X], [y, y], [X, X])
    with pytest.raises(ValueError, match="2 models need as many"):
        fit_predict_together(models, [X], [y], [X])


# long (a cold run compiles several networks): in the slow set
@pytest.mark.slow
def test_folds_batched_on_jax_match_numba():
    pytest.importorskip("jax")
    X, y = _three_clusters(n_per_class=4)
    splits = _folds(X, y, k=2)
    params = {**TEMPORAL, "epochs": 1, "n_fields": 3}
    sl.set_device("numba")
    alone, predicted_alone = _fit_separately(params, (3, 4), X, y, splits)
    try:
        sl.set_device("jax")
        together, predicted_together = _fit_together(params, (3, 4), X, y, splits)
    finally:
        sl.set_device("numba")
    for a, b, pa, pb in zip(alone, together, predicted_alone, predicted_together):
        np.testing.assert_allclose(a.weight_history_, b.weight_history_, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(a.train_counts_, b.train_counts_)
        np.testing.assert_array_equal(pa, pb)


def test_run_batch_gives_each_trial_its_own_namespace():
    """Two trials read one name, ``drive``, bound to a different constant in each."""
    sl.start_scope()
    sl.set_device("numba")
    nets, groups = [], []
    for _ in range(2):
        G = sl.NeuronGroup(1, "dv/dt = drive/(10*ms) : 1")
        nets.append(sl.Network(G))
        groups.append(G)
    sl.run_batch(nets, 10 * sl.ms, namespaces=[{"drive": 1.0}, {"drive": 3.0}])
    # v = drive * t / tau exactly (forward Euler of a constant slope)
    np.testing.assert_allclose([g.v[0] for g in groups], [1.0, 3.0], rtol=1e-12)
    with pytest.raises(ValueError, match="not both"):
        sl.run_batch(nets, 1 * sl.ms, namespace={"drive": 1.0}, namespaces=[{}, {}])
    with pytest.raises(ValueError, match="one dict per network"):
        sl.run_batch(nets, 1 * sl.ms, namespaces=[{"drive": 1.0}])
