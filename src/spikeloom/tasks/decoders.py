"""Read class labels out of output spike counts (one row per sample, one column per neuron).

* :class:`OwnRateDecoder` -- the Kurchatov group's "own-rate" rule (Sboev et al.): each
  output neuron learns its mean spike count on the samples of its own class, and a sample
  goes to the class whose neurons fire closest to their own rates.
* :func:`make_decoder` -- that rule, or a conventional classifier (logistic regression,
  gradient boosting) on the same counts, by name.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._names import DECODERS

"""Names accepted by :func:`make_decoder`."""


def _check_counts(owner: str, X: np.ndarray) -> np.ndarray:
    """Spike counts (or rates) must be >= 0; name the first bad entry."""
    bad = X < 0
    if bad.any():
        row, col = np.argwhere(bad)[0]
        # "Negative values in data" is the phrase scikit-learn's checks look for
        raise ValueError(f"{owner}: Negative values in data passed to X (spike counts must "
                         f"be >= 0), got {float(X[row, col])!r} at row {row}, column {col}")
    return X


class OwnRateDecoder(ClassifierMixin, BaseEstimator):
    """The "own-rate" decoding rule of Sboev et al. for class-wise spiking networks.

    Fitting: each output neuron j belongs to one class c(j); its *own rate* r_j is its
    mean spike count over the training samples of class c(j). Prediction: for each class
    c, the distance of a sample is the mean over the neurons of c of ``|count_j - r_j|``, and
    the sample goes to the class with the smallest distance (ties: the class that comes
    first in ``classes_``). With one neuron per class this is
    ``classes_[argmin_c |counts[:, c] - own_rate_[c]|]``.

    Parameters
    ----------
    neuron_classes : None, 'auto' or array-like of shape (n_neurons,)
        Which class each output neuron (column of X) belongs to.

        * ``None`` (default) -- one neuron per class: X must have exactly n_classes
          columns, and column c belongs to ``classes_[c]`` (the class-wise network).
        * ``'auto'`` -- for a winner-take-all layer with any number of neurons, each
          neuron takes the class on whose training samples its mean count is highest
          (Diehl & Cook 2015 labelling; ties go to the first class). A class that no
          neuron takes is never predicted.
        * an array of class labels, one per column of X, each present in y. A class
          with no neuron is never predicted.

    Attributes
    ----------
    classes_ : ndarray, shape (n_classes,)
        Sorted class labels.
    neuron_class_ : ndarray of int, shape (n_neurons,)
        Index into ``classes_`` of each neuron's class.
    class_mean_counts_ : ndarray, shape (n_classes, n_neurons)
        Mean training count of every neuron on the samples of every class.
    own_rate_ : ndarray, shape (n_neurons,)
        Mean training count of each neuron on the samples of its own class (spikes per
        sample, in the units of X).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> counts = np.array([[9, 2], [11, 2], [4, 8], [4, 12]])
    >>> dec = OwnRateDecoder().fit(counts, [0, 0, 1, 1])
    >>> dec.own_rate_.tolist(), dec.predict([[10, 0], [1, 10]]).tolist()
    ([10.0, 10.0], [0, 1])
    """

    def __init__(self, neuron_classes=None) -> None:
        self.neuron_classes = neuron_classes

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # spike counts are never negative
        tags.input_tags.positive_only = True
        # a readout for trained spiking layers: on raw features (as in the estimator
        # checks' blobs) one column per class carries too little to score high
        tags.classifier_tags.poor_score = True
        return tags

    def fit(self, X, y):
        """Learn each neuron's class and own rate from counts ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_neurons)
            Spike counts (or rates) of the output neurons, >= 0.
        y : array-like, shape (n_samples,)
            Class labels, at least two distinct ones.
        """
        owner = "OwnRateDecoder"
        X, y = validate_data(self, X, y, dtype=np.float64)
        _check_counts(owner, X)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_classes = self.classes_.size
        if n_classes < 2:
            raise ValueError(f"{owner}: y has only one class ({self.classes_.tolist()[0]!r}); "
                             f"a classifier needs at least two")
        onehot = np.eye(n_classes)[y_index]
        self.class_mean_counts_ = (onehot.T @ X) / onehot.sum(axis=0)[:, None]
        self.neuron_class_ = self._assign_neurons(owner, X.shape[1])
        neurons = np.arange(X.shape[1])
        self.own_rate_ = self.class_mean_counts_[self.neuron_class_, neurons]
        return self

    def _assign_neurons(self, owner: str, n_neurons: int) -> np.ndarray:
        """Index into classes_ of each neuron's class, following ``neuron_classes``."""
        n_classes = self.classes_.size
        spec = self.neuron_classes
        if spec is None:
            if n_neurons != n_classes:
                raise ValueError(f"{owner}: X must have one column (output neuron) per class, "
                                 f"got {n_neurons} columns for {n_classes} classes; pass "
                                 f"neuron_classes='auto' or an array to group neurons")
            return np.arange(n_classes)
        if isinstance(spec, str):
            if spec != "auto":
                raise ValueError(f"{owner}: neuron_classes must be None, 'auto' or an array "
                                 f"of class labels, got {spec!r}")
            # argmax returns the first maximum: ties go to the first class
            return np.argmax(self.class_mean_counts_, axis=0)
        labels = np.asarray(spec)
        if labels.shape != (n_neurons,):
            raise ValueError(f"{owner}: neuron_classes must have one label per column of X "
                             f"({n_neurons}), got shape {labels.shape}")
        unknown = ~np.isin(labels, self.classes_)
        if unknown.any():
            bad = labels[unknown].tolist()[0]
            raise ValueError(f"{owner}: neuron_classes contains {bad!r}, which is not a class "
                             f"of y (classes: {self.classes_.tolist()})")
        return np.searchsorted(self.classes_, labels)

    def class_distances(self, X) -> np.ndarray:
        """Mean ``|count - own rate|`` over each class's neurons, shape (n_samples, n_classes).

        Classes without neurons get ``inf``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        _check_counts("OwnRateDecoder", X)
        gap = np.abs(X - self.own_rate_)
        member = np.eye(self.classes_.size)[self.neuron_class_]  # (n_neurons, n_classes)
        size = member.sum(axis=0)
        total = gap @ member
        return np.divide(total, size, out=np.full_like(total, np.inf), where=size > 0)

    def predict(self, X) -> np.ndarray:
        """Class of each row of counts ``X`` (the nearest own rate; ties: first class)."""
        distances = self.class_distances(X)  # first: it raises NotFittedError before fit
        return self.classes_[np.argmin(distances, axis=1)]


def make_decoder(name: str, random_state=None):
    """A fresh, unfitted decoder for spike counts, by name.

    Parameters
    ----------
    name : {'own-rate', 'logistic', 'boosting'}
        * ``'own-rate'`` -- :class:`OwnRateDecoder` (one output neuron per class);
        * ``'logistic'`` -- standard scaling then multinomial logistic regression;
        * ``'boosting'`` -- :class:`~sklearn.ensemble.GradientBoostingClassifier`
          (fast enough on ~1500 samples x 10 neurons; the histogram variant is slower at
          that size).
    random_state : int, RandomState or None
        Seed of the boosting model (the others are deterministic).

    Returns
    -------
    estimator
        A scikit-learn classifier.
    """
    if not isinstance(name, str) or name not in DECODERS:
        allowed = ", ".join(repr(d) for d in DECODERS)
        raise ValueError(f"make_decoder: name must be one of {allowed}, got {name!r}")
    if name == "own-rate":
        return OwnRateDecoder()
    if name == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    return GradientBoostingClassifier(random_state=random_state)
