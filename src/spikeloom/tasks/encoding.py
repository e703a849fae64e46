"""From feature vectors to spike inputs: scaling, Gaussian receptive fields, rate and latency codes.

The Kurchatov group's pipeline (Sboev et al.) is ``scale -> receptive fields -> spike code``:

* :class:`FeatureScaler` -- min-max, L2, standard or L2-then-min-max scaling;
* :class:`GaussianReceptiveFields` -- each feature spread over ``n_fields`` overlapping
  Gaussian tuning curves (Yu et al. 2014);
* :class:`RateEncoder` -- rate coding (Poisson input rates), as in the group's earlier work
  (Sboev et al. 2020, Math. Meth. Appl. Sci.);
* :class:`LatencyEncoder` -- temporal (time-to-first-spike) coding, as in Sboev et al. 2021.

All are scikit-learn transformers: parameters are checked in ``fit``, learned values end
in ``_``, and they chain in a :class:`sklearn.pipeline.Pipeline`.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from .. import units
from ..models._validation import check_int, check_quantity, check_real, check_time
from ..units import get_dim

HERTZ = get_dim(units.Hz)

SCALER_METHODS = ("minmax", "l2", "standard", "l2-minmax", None)


def _check_rate(owner: str, name: str, value) -> float:
    """A scalar, finite, non-negative rate (dimension 1/second); returns it in Hz."""
    return check_quantity(owner, name, value, HERTZ, "10*Hz", nonnegative=True)[1]


def _minmax_fit(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature minimum and 1/range (0 for a constant feature, which then maps to 0)."""
    low = X.min(axis=0)
    span = X.max(axis=0) - low
    inv = np.divide(1.0, span, out=np.zeros_like(span), where=span > 0)
    return low, inv


def _l2_rows(X: np.ndarray) -> np.ndarray:
    """Each row divided by its Euclidean norm; all-zero rows stay zero."""
    norm = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norm, out=np.zeros_like(X), where=norm > 0)


class FeatureScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale features before receptive-field or spike encoding.

    Parameters
    ----------
    method : {'minmax', 'l2', 'standard', 'l2-minmax'} or None
        * ``'minmax'`` -- to [0, 1] by the training minimum and maximum of each feature;
          test values outside the training range are clipped into [0, 1], and a constant
          training feature maps to 0.
        * ``'l2'`` -- each sample divided by its L2 norm (nothing learned; zero rows stay
          zero).
        * ``'standard'`` -- zero mean and unit variance per feature (population standard
          deviation); a constant training feature maps to 0.
        * ``'l2-minmax'`` -- ``'l2'`` then ``'minmax'``, the min/max taken over the
          normalised training samples (the group's 2020 choice).
        * ``None`` -- identity (a float64 copy).

    Attributes
    ----------
    data_min_, data_inv_range_ : ndarray, shape (n_features,)
        Training minimum and 1/(max - min) (0 for a constant feature); 'minmax' and
        'l2-minmax' only, taken after L2 normalisation for the latter.
    mean_, scale_ : ndarray, shape (n_features,)
        Training mean and standard deviation ('standard' only).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> FeatureScaler().fit_transform(np.array([[0.0], [2.0], [4.0]])).ravel().tolist()
    [0.0, 0.5, 1.0]
    """

    def __init__(self, method: str | None = "minmax") -> None:
        self.method = method

    def _checked_method(self) -> str | None:
        if self.method is not None and (not isinstance(self.method, str)
                                        or self.method not in SCALER_METHODS):
            allowed = ", ".join(repr(m) for m in SCALER_METHODS)
            raise ValueError(f"FeatureScaler: method must be one of {allowed}, "
                             f"got {self.method!r}")
        return self.method

    def fit(self, X, y=None):
        """Learn the per-feature statistics of ``X`` (shape (n_samples, n_features))."""
        method = self._checked_method()
        X = validate_data(self, X, dtype=np.float64)
        if method in ("minmax", "l2-minmax"):
            base = _l2_rows(X) if method == "l2-minmax" else X
            self.data_min_, self.data_inv_range_ = _minmax_fit(base)
        elif method == "standard":
            self.mean_ = X.mean(axis=0)
            self.scale_ = X.std(axis=0)
        return self

    def transform(self, X):
        """Scaled copy of ``X`` (float64, same shape)."""
        check_is_fitted(self)
        method = self._checked_method()
        X = validate_data(self, X, dtype=np.float64, reset=False, copy=True)
        if method in ("l2", "l2-minmax"):
            X = _l2_rows(X)
        if method in ("minmax", "l2-minmax"):
            return np.clip((X - self.data_min_) * self.data_inv_range_, 0.0, 1.0)
        if method == "standard":
            centred = X - self.mean_
            return np.divide(centred, self.scale_, out=np.zeros_like(X),
                             where=self.scale_ > 0)
        return X


class GaussianReceptiveFields(TransformerMixin, BaseEstimator):
    r"""Population coding of each feature by overlapping Gaussian receptive fields.

    For a feature with training range [a, b], field j = 0..n_fields-1 has centre
    μ_j = a + j·(b - a)/(n_fields - 1) and every field the width
    σ = (2/3)·(b - a)/(n_fields - 2) (the rule of Yu et al. 2014 as used by Sboev et al.).
    The response to x is exp(-(x - μ_j)² / (2σ²)), 1 at the centre; responses below
    ``cutoff`` are set to 0 (so that, after latency coding, weakly driven inputs stay
    silent). Test values outside [a, b] are not clipped: they drive the edge fields less.

    A constant training feature (a == b) gets the fields of the unit range
    [a - 0.5, a + 0.5], so its training value sits at the centre of that range and the
    width is (2/3)/(n_fields - 2) -- finite, no division by zero.

    Parameters
    ----------
    n_fields : int
        Fields per feature (>= 3: the width rule divides by n_fields - 2).
    cutoff : float
        Responses below this value become 0 (in [0, 1); 0 keeps everything).

    Attributes
    ----------
    centers_ : ndarray, shape (n_features, n_fields)
        Field centres, in the units of each feature.
    sigma_ : ndarray, shape (n_features,)
        Field width of each feature (same units).
    n_features_in_ : int

    Notes
    -----
    The output has shape (n_samples, n_features·n_fields) and is feature-major: columns
    0..n_fields-1 are feature 0's fields, and so on.

    Examples
    --------
    >>> import numpy as np
    >>> grf = GaussianReceptiveFields(n_fields=3, cutoff=0.0).fit(np.array([[0.0], [1.0]]))
    >>> grf.sigma_.round(4).tolist(), grf.transform([[0.5]]).round(4).tolist()
    ([0.6667], [[0.7548, 1.0, 0.7548]])
    """

    def __init__(self, n_fields: int = 7, cutoff: float = 0.09) -> None:
        self.n_fields = n_fields
        self.cutoff = cutoff

    def fit(self, X, y=None):
        """Place the fields over each feature's training range of ``X``."""
        owner = "GaussianReceptiveFields"
        n = check_int(owner, "n_fields", self.n_fields, 3)
        check_real(owner, "cutoff", self.cutoff, 0.0, 1.0, high_open=True)
        X = validate_data(self, X, dtype=np.float64)
        low, high = X.min(axis=0), X.max(axis=0)
        # a constant feature gets a unit range centred on its value (see the class notes)
        flat = high == low
        low = np.where(flat, low - 0.5, low)
        high = np.where(flat, high + 0.5, high)
        span = high - low
        self.centers_ = low[:, None] + span[:, None] * np.linspace(0.0, 1.0, n)[None, :]
        self.sigma_ = (2.0 / 3.0) * span / (n - 2)
        return self

    def transform(self, X):
        """Field responses in [0, 1], shape (n_samples, n_features·n_fields)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        dist = X[:, :, None] - self.centers_[None, :, :]
        resp = np.exp(-dist**2 / (2.0 * self.sigma_[None, :, None] ** 2))
        resp[resp < self.cutoff] = 0.0
        return resp.reshape(X.shape[0], -1)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Output names ``'<feature>_grf<j>'`` in the feature-major column order."""
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        n = self.centers_.shape[1]
        return np.asarray([f"{name}_grf{j}" for name in names for j in range(n)],
                          dtype=object)


class _SpikeEncoder(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Common part of the spike codes: values clipped to [0, 1], one column per input."""

    _owner = "_SpikeEncoder"

    def _durations(self) -> tuple[float, float]:
        """(stimulus, pause) durations in seconds, validated."""
        raise NotImplementedError

    def _check_params(self) -> None:
        """Validate the code-specific parameters (time ones are checked by _durations)."""

    def sample_period(self) -> float:
        """Time from one sample's onset to the next one's (stimulus + pause), in seconds."""
        return float(sum(self._durations()))

    def fit(self, X, y=None):
        """Check the parameters and record the number of inputs of ``X``."""
        self._check_params()
        self.period_ = self.sample_period()
        validate_data(self, X, dtype=np.float64)
        return self

    def transform(self, X):
        """The code of ``X`` (clipped to [0, 1]), float64 of the same shape."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self._encode(np.clip(X, 0.0, 1.0))

    def _encode(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class RateEncoder(_SpikeEncoder):
    """Rate code: each input value becomes the rate of a Poisson spike source.

    ``rate = low + x·(high - low)`` for x clipped to [0, 1], held for ``presentation``
    and followed by a silent ``pause`` (so that the network relaxes between samples).
    The group's earlier work (Sboev et al. 2020) uses this rate coding; the 2021 paper
    uses temporal coding (:class:`LatencyEncoder`).

    Parameters
    ----------
    low, high : Quantity (rate)
        Rates for x = 0 and x = 1 (0 <= low < high).
    presentation : Quantity (time)
        How long one sample is presented (> 0).
    pause : Quantity (time)
        Silence after each sample (>= 0).

    Attributes
    ----------
    period_ : float
        ``presentation + pause`` in seconds.
    n_features_in_ : int

    Examples
    --------
    >>> from spikeloom import units
    >>> enc = RateEncoder(low=0 * units.Hz, high=100 * units.Hz).fit([[0.0], [1.0]])
    >>> enc.transform([[0.25], [2.0]]).ravel().tolist(), enc.period_
    ([25.0, 100.0], 0.4)
    """

    _owner = "RateEncoder"

    def __init__(self, low=0.1 * units.Hz, high=400 * units.Hz, presentation=350 * units.ms,
                 pause=50 * units.ms) -> None:
        self.low = low
        self.high = high
        self.presentation = presentation
        self.pause = pause

    def _rates(self) -> tuple[float, float]:
        """(low, high) in Hz, validated."""
        low = _check_rate(self._owner, "low", self.low)
        high = _check_rate(self._owner, "high", self.high)
        if high <= low:
            raise ValueError(f"{self._owner}: high must be larger than low, got "
                             f"low={self.low!r}, high={self.high!r}")
        return low, high

    def _durations(self) -> tuple[float, float]:
        _, stim = check_time(self._owner, "presentation", self.presentation)
        _, pause = check_time(self._owner, "pause", self.pause, positive=False,
                              nonnegative=True)
        return stim, pause

    def _check_params(self) -> None:
        self._rates()

    def _encode(self, x: np.ndarray) -> np.ndarray:
        """Rates in Hz."""
        low, high = self._rates()
        return low + x * (high - low)


class LatencyEncoder(_SpikeEncoder):
    """Temporal (time-to-first-spike) code: one spike per input, earlier for larger values.

    For x clipped to [0, 1], the spike comes ``window·(1 - x)`` after the sample's onset
    when x > ``threshold`` (x = 1 at once, values near the threshold late in the window);
    inputs with x <= threshold send no spike (latency ``inf``), so receptive-field
    responses cut to 0 stay silent. A ``pause`` follows each window. Sboev et al. 2021 use
    this temporal coding; the group's earlier work used rate coding (:class:`RateEncoder`).

    Parameters
    ----------
    window : Quantity (time)
        Coding window: latencies lie in [0, window) (> 0).
    pause : Quantity (time)
        Silence after each window (>= 0).
    threshold : float
        Values at or below it send no spike (in [0, 1)).

    Attributes
    ----------
    period_ : float
        ``window + pause`` in seconds.
    n_features_in_ : int

    Examples
    --------
    >>> enc = LatencyEncoder().fit([[0.0], [1.0]])
    >>> enc.transform([[0.25], [0.0]]).ravel().tolist()
    [0.015, inf]
    """

    _owner = "LatencyEncoder"

    def __init__(self, window=20 * units.ms, pause=30 * units.ms, threshold: float = 0.0) -> None:
        self.window = window
        self.pause = pause
        self.threshold = threshold

    def _durations(self) -> tuple[float, float]:
        _, window = check_time(self._owner, "window", self.window)
        _, pause = check_time(self._owner, "pause", self.pause, positive=False,
                              nonnegative=True)
        return window, pause

    def _check_params(self) -> None:
        check_real(self._owner, "threshold", self.threshold, 0.0, 1.0, high_open=True)

    def _encode(self, x: np.ndarray) -> np.ndarray:
        """Latencies in seconds (inf: no spike)."""
        window, _ = self._durations()
        latency = window * (1.0 - x)
        return np.where(x > float(self.threshold), latency, np.inf)

