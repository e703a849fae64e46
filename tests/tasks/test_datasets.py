"""Benchmark data sets, the published reference scores and the shared input checks."""

import numpy as np
import pytest

from spikeloom.tasks.datasets import (
    DATASETS,
    GRF_FIELDS,
    PUBLISHED,
    check_classification_data,
    load_dataset,
)


@pytest.mark.parametrize(("name", "shape", "counts"), [
    ("iris", (150, 4), [50, 50, 50]),
    ("wisconsin", (569, 30), [212, 357]),
    ("digits", (1797, 64), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]),
])
def test_load_dataset_shapes_dtypes_and_class_sizes(name, shape, counts):
    X, y = load_dataset(name)
    assert X.shape == shape and X.dtype == np.float64
    assert y.shape == (shape[0],) and y.dtype == np.int64
    assert np.bincount(y).tolist() == counts


def test_breast_cancer_is_an_alias_of_wisconsin():
    X1, y1 = load_dataset("wisconsin")
    X2, y2 = load_dataset("breast_cancer")
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


def test_digits_are_raw_grey_levels_and_iris_in_centimetres():
    X, _ = load_dataset("digits")
    assert X.min() == 0.0 and X.max() == 16.0
    X, _ = load_dataset("iris")
    # first Iris sample: 5.1, 3.5, 1.4, 0.2 cm (Fisher 1936)
    np.testing.assert_array_equal(X[0], [5.1, 3.5, 1.4, 0.2])


def test_unknown_dataset_lists_the_allowed_names():
    with pytest.raises(ValueError, match=r"load_dataset: name must be one of 'iris', "
                       r"'wisconsin', 'digits', 'breast_cancer', got 'mnist'"):
        load_dataset("mnist")
    with pytest.raises(ValueError, match="got 3"):
        load_dataset(3)


def test_published_scores_and_field_counts():
    assert DATASETS == ("iris", "wisconsin", "digits")
    assert PUBLISHED == {"iris": (0.967, 0.030), "wisconsin": (0.904, 0.024),
                         "digits": (0.840, 0.007)}
    assert GRF_FIELDS == {"iris": 7, "wisconsin": 9, "digits": 5}
    assert set(PUBLISHED) == set(GRF_FIELDS) == set(DATASETS)


def test_check_classification_data_returns_float_matrix_and_labels():
    X, y = check_classification_data([[1, 2], [3, 4], [5, 6]], ["a", "b", "a"])
    assert X.dtype == np.float64 and X.shape == (3, 2)
    assert y.tolist() == ["a", "b", "a"]


@pytest.mark.parametrize(("X", "y", "message"), [
    ([[1.0, 2.0], [3.0, np.nan]], [0, 1],
     r"check_classification_data: X contains NaN or infinite values at row 1, column 1 \(nan\)"),
    ([[1.0, -np.inf], [3.0, 4.0]], [0, 1],
     r"X contains NaN or infinite values at row 0, column 1 \(-inf\)"),
    ([1.0, 2.0, 3.0], [0, 1, 0], r"X must be 2-D \(n_samples, n_features\), got shape \(3,\)"),
    (np.zeros((10, 2)), [0, 1] * 4 + [0], "X has 10 rows but y has 9 labels"),
    ([[1.0], [2.0], [3.0]], [0, 0, 0],
     r"y has only one class \(0\); a classifier needs at least two"),
    (np.zeros((0, 3)), [], r"X is empty \(shape \(0, 3\)\)"),
    ([[1.0], [2.0]], [[0], [1]], r"y must be 1-D .* got shape \(2, 1\)"),
    ([["a"], ["b"]], [0, 1], "X must be a numeric array"),
])
def test_check_classification_data_rejects_bad_input(X, y, message):
    with pytest.raises(ValueError, match=message):
        check_classification_data(X, y)
