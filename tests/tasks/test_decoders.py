"""The own-rate readout and the named decoders of output spike counts."""

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from spikeloom.tasks.decoders import DECODERS, OwnRateDecoder, make_decoder

# Three output neurons, one per class; own rates: neuron 0 on class 0 -> (5 + 7)/2 = 6,
# neuron 1 on class 1 -> (4 + 6)/2 = 5, neuron 2 on class 2 -> (9 + 11)/2 = 10.
COUNTS = np.array([[5, 1, 0], [7, 1, 2],
                   [0, 4, 1], [2, 6, 1],
                   [1, 1, 9], [1, 3, 11]])
LABELS = np.array([0, 0, 1, 1, 2, 2])


# The default (one neuron per class) needs exactly one column per class, which the generic
# checks' data sets do not have; 'auto' accepts any number of columns and runs every check.
@parametrize_with_checks([OwnRateDecoder(neuron_classes="auto")])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_own_rates_are_class_means_of_each_neuron():
    dec = OwnRateDecoder().fit(COUNTS, LABELS)
    np.testing.assert_allclose(dec.own_rate_, [6.0, 5.0, 10.0])
    np.testing.assert_allclose(dec.class_mean_counts_[:, 0], [6.0, 1.0, 1.0])
    assert dec.neuron_class_.tolist() == [0, 1, 2]


@pytest.mark.parametrize(("sample", "expected"), [
    ([6, 0, 0], 0),    # distances 0, 5, 10
    ([0, 5, 0], 1),    # 6, 0, 10
    ([0, 0, 9], 2),    # 6, 5, 1
    ([20, 5, 1], 1),   # 14, 0, 9: nearest own rate, although neuron 0 fires most
    ([3, 2, 7], 0),    # 3, 3, 3: a tie goes to the first class
    ([8, 8, 8], 0),    # 2, 3, 2: tie between classes 0 and 2
])
def test_own_rate_prediction_by_hand(sample, expected):
    dec = OwnRateDecoder().fit(COUNTS, LABELS)
    assert dec.predict([sample]).tolist() == [expected]


def test_class_distances_and_string_labels():
    dec = OwnRateDecoder().fit(COUNTS, np.array(["a", "a", "b", "b", "c", "c"]))
    np.testing.assert_allclose(dec.class_distances([[20, 5, 1]]), [[14.0, 0.0, 9.0]])
    assert dec.predict([[20, 5, 1], [0, 0, 9]]).tolist() == ["b", "c"]


# Four neurons, two classes. Class means: class 0 -> (5, 1, 1, 2), class 1 -> (1, 5, 2, 2);
# 'auto' labels neurons 0, 1, 2, 3 as classes 0, 1, 1 and 0 (tie -> first class), and the
# own rates are 5, 5, 2, 2.
WTA_COUNTS = np.array([[4, 0, 1, 3], [6, 2, 1, 1], [0, 5, 3, 2], [2, 5, 1, 2]])
WTA_LABELS = np.array([0, 0, 1, 1])


def test_auto_labelling_assigns_each_neuron_its_strongest_class():
    dec = OwnRateDecoder(neuron_classes="auto").fit(WTA_COUNTS, WTA_LABELS)
    assert dec.neuron_class_.tolist() == [0, 1, 1, 0]
    np.testing.assert_allclose(dec.own_rate_, [5.0, 5.0, 2.0, 2.0])
    # class 0: mean(|5-5|, |2-2|) = 0, class 1: mean(|0-5|, |0-2|) = 3.5
    # class 0: mean(|0-5|, |6-2|) = 4.5, class 1: mean(|5-5|, |2-2|) = 0
    np.testing.assert_allclose(dec.class_distances([[5, 0, 0, 2], [0, 5, 2, 6]]),
                               [[0.0, 3.5], [4.5, 0.0]])
    assert dec.predict([[5, 0, 0, 2], [0, 5, 2, 6]]).tolist() == [0, 1]


def test_explicit_neuron_classes_use_class_labels():
    y = np.array(["a", "a", "b", "b"])
    dec = OwnRateDecoder(neuron_classes=["b", "a", "a", "b"]).fit(WTA_COUNTS, y)
    assert dec.neuron_class_.tolist() == [1, 0, 0, 1]
    # own rates: neuron 0 on 'b' -> 1, neuron 1 on 'a' -> 1, neuron 2 on 'a' -> 1,
    # neuron 3 on 'b' -> 2
    np.testing.assert_allclose(dec.own_rate_, [1.0, 1.0, 1.0, 2.0])


def test_a_class_without_neurons_is_never_predicted():
    dec = OwnRateDecoder(neuron_classes=[0, 0]).fit([[1, 1], [5, 5]], [0, 1])
    dist = dec.class_distances([[1, 1], [100, 100]])
    assert np.isinf(dist[:, 1]).all()
    assert dec.predict([[1, 1], [100, 100]]).tolist() == [0, 0]


@pytest.mark.parametrize(("params", "X", "y", "message"), [
    ({}, np.ones((4, 2)), [0, 1, 2, 2],
     r"OwnRateDecoder: X must have one column \(output neuron\) per class, got 2 columns "
     r"for 3 classes"),
    ({"neuron_classes": "max"}, np.ones((2, 2)), [0, 1],
     r"neuron_classes must be None, 'auto' or an array of class labels, got 'max'"),
    ({"neuron_classes": [0, 1, 1]}, np.ones((2, 2)), [0, 1],
     r"neuron_classes must have one label per column of X \(2\), got shape \(3,\)"),
    ({"neuron_classes": [0, 7]}, np.ones((2, 2)), [0, 1],
     r"neuron_classes contains 7, which is not a class of y \(classes: \[0, 1\]\)"),
    ({}, np.ones((3, 1)), [4, 4, 4],
     r"OwnRateDecoder: y has only one class \(4\); a classifier needs at least two"),
    ({}, [[1, 0], [0, -1]], [0, 1],
     r"Negative values in data passed to X \(spike counts must be >= 0\), got -1.0 at row 1, "
     r"column 1"),
])
def test_own_rate_rejects_bad_input(params, X, y, message):
    with pytest.raises(ValueError, match=message):
        OwnRateDecoder(**params).fit(X, y)


def test_predict_checks_counts_and_width():
    dec = OwnRateDecoder().fit(COUNTS, LABELS)
    with pytest.raises(ValueError, match="Negative values in data"):
        dec.predict([[1, -2, 0]])
    with pytest.raises(ValueError, match="X has 2 features, but OwnRateDecoder is expecting 3"):
        dec.predict([[1, 2]])


def test_make_decoder_builds_the_named_models():
    assert DECODERS == ("own-rate", "logistic", "boosting")
    own = make_decoder("own-rate")
    assert isinstance(own, OwnRateDecoder) and own.neuron_classes is None
    logistic = make_decoder("logistic")
    assert isinstance(logistic, Pipeline)
    scaler, model = (step for _, step in logistic.steps)
    assert isinstance(scaler, StandardScaler) and isinstance(model, LogisticRegression)
    assert model.max_iter == 2000
    boosting = make_decoder("boosting", random_state=3)
    assert isinstance(boosting, GradientBoostingClassifier) and boosting.random_state == 3
    assert make_decoder("own-rate") is not own


def test_make_decoder_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"make_decoder: name must be one of 'own-rate', "
                       r"'logistic', 'boosting', got 'svm'"):
        make_decoder("svm")
