"""Feature scaling, Gaussian receptive fields and the rate and latency spike codes."""

import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from spikeloom import units
from spikeloom.tasks.datasets import load_dataset
from spikeloom.tasks.encoding import (
    FeatureScaler,
    GaussianReceptiveFields,
    LatencyEncoder,
    RateEncoder,
)

# ---------------------------------------------------------------- scikit-learn contract

_QUANTITY_DEFAULTS = (
    "defaults are spikeloom Quantities (e.g. 350*ms), which scikit-learn's list of "
    "allowed default types (numbers, str, tuple, None, type, callables) does not include; "
    "they are immutable and stored unchanged, so clone/get_params work"
)


def _expected_failures(estimator):
    if isinstance(estimator, RateEncoder | LatencyEncoder):
        return {"check_parameters_default_constructible": _QUANTITY_DEFAULTS}
    return {}


@parametrize_with_checks(
    [FeatureScaler(), FeatureScaler(method="l2"), FeatureScaler(method="standard"),
     FeatureScaler(method="l2-minmax"), FeatureScaler(method=None),
     GaussianReceptiveFields(), RateEncoder(), LatencyEncoder()],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_clone_keeps_quantity_parameters():
    enc = clone(RateEncoder(low=2 * units.Hz, presentation=100 * units.ms))
    assert enc.low == 2 * units.Hz and enc.presentation == 100 * units.ms


# ---------------------------------------------------------------- FeatureScaler

def test_minmax_maps_training_range_to_unit_interval_and_clips_test_values():
    scaler = FeatureScaler().fit([[0.0, 10.0], [2.0, 10.0], [4.0, 10.0]])
    out = scaler.transform([[1.0, 10.0], [-2.0, 5.0], [6.0, 20.0]])
    # column 0: (x - 0)/4 clipped to [0, 1]; column 1 is constant in training -> 0
    np.testing.assert_allclose(out, [[0.25, 0.0], [0.0, 0.0], [1.0, 0.0]])


def test_l2_divides_each_sample_by_its_norm_and_keeps_zero_rows():
    out = FeatureScaler(method="l2").fit_transform([[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]])
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0], [0.0, -1.0]])


def test_standard_uses_population_sd_and_zeroes_constant_features():
    out = FeatureScaler(method="standard").fit_transform([[1.0, 7.0], [3.0, 7.0]])
    np.testing.assert_allclose(out, [[-1.0, 0.0], [1.0, 0.0]])


def test_l2_minmax_takes_min_max_after_normalising():
    # rows after L2: (0.6, 0.8), (0.8, 0.6), (1, 0); column ranges [0.6, 1] and [0, 0.8]
    out = FeatureScaler(method="l2-minmax").fit_transform([[3.0, 4.0], [4.0, 3.0], [1.0, 0.0]])
    np.testing.assert_allclose(out, [[0.0, 1.0], [0.5, 0.75], [1.0, 0.0]], atol=1e-12)


def test_no_method_is_an_identity_copy():
    X = np.array([[-1.5, 2.0]])
    scaler = FeatureScaler(method=None).fit(X)
    out = scaler.transform(X)
    np.testing.assert_array_equal(out, X)
    assert out is not X


def test_scaler_rejects_unknown_method():
    with pytest.raises(ValueError, match=r"FeatureScaler: method must be one of 'minmax', "
                       r"'l2', 'standard', 'l2-minmax', None, got 'zscore'"):
        FeatureScaler(method="zscore").fit([[1.0], [2.0]])


# ---------------------------------------------------------------- GaussianReceptiveFields

def test_grf_centres_and_width_follow_the_yu_rule():
    grf = GaussianReceptiveFields(n_fields=5).fit([[0.0, -1.0], [12.0, 1.0]])
    np.testing.assert_allclose(grf.centers_, [[0, 3, 6, 9, 12], [-1, -0.5, 0, 0.5, 1]])
    # sigma = (2/3) (max - min) / (n_fields - 2)
    np.testing.assert_allclose(grf.sigma_, [2 / 3 * 12 / 3, 2 / 3 * 2 / 3])


def test_grf_response_at_a_known_distance_and_peak_one():
    grf = GaussianReceptiveFields(n_fields=5, cutoff=0.0).fit([[0.0], [12.0]])
    sigma = 8 / 3
    out = grf.transform([[4.0], [6.0]])
    # x = 4 is 1 from the centre 3 and 2 from the centre 6
    assert out[0, 1] == pytest.approx(math.exp(-1 / (2 * sigma**2)))
    assert out[0, 2] == pytest.approx(math.exp(-4 / (2 * sigma**2)))
    assert out[1, 2] == 1.0


def test_grf_cutoff_zeroes_weak_responses_only():
    grf = GaussianReceptiveFields(n_fields=5, cutoff=0.09).fit([[0.0], [12.0]])
    sigma = 8 / 3
    # distance at which the field centred at 0 responds exactly 0.09
    edge = sigma * math.sqrt(2 * math.log(1 / 0.09))
    out = grf.transform([[edge - 0.05], [edge + 0.05]])
    assert out[0, 0] == pytest.approx(math.exp(-(edge - 0.05) ** 2 / (2 * sigma**2)))
    assert out[0, 0] > 0.09
    assert out[1, 0] == 0.0
    # the far field (centre 12) is below the cut-off for x = 0 and would be 4e-5 otherwise
    assert grf.transform([[0.0]])[0, 4] == 0.0
    assert GaussianReceptiveFields(n_fields=5, cutoff=0.0).fit([[0.0], [12.0]]).transform(
        [[0.0]])[0, 4] == pytest.approx(math.exp(-144 / (2 * sigma**2)))


def test_grf_output_is_feature_major():
    grf = GaussianReceptiveFields(n_fields=3, cutoff=0.0).fit([[0.0, 10.0], [1.0, 20.0]])
    out = grf.transform([[0.0, 20.0]])
    assert out.shape == (1, 6)
    # feature 0 sits on its first centre, feature 1 on its last centre
    assert out[0, 0] == 1.0 and out[0, 5] == 1.0
    np.testing.assert_allclose(out[0, :3], out[0, 3:][::-1])
    assert out[0, 1] < 1.0


def test_grf_constant_feature_uses_a_unit_range_around_its_value():
    grf = GaussianReceptiveFields(n_fields=5).fit([[3.0], [3.0]])
    np.testing.assert_allclose(grf.centers_, [[2.5, 2.75, 3.0, 3.25, 3.5]])
    assert grf.sigma_[0] == pytest.approx(2 / 3 / 3)
    out = grf.transform([[3.0]])
    assert np.all(np.isfinite(out)) and out[0, 2] == 1.0


def test_grf_feature_names():
    grf = GaussianReceptiveFields(n_fields=3).fit(np.ones((2, 2)))
    assert grf.get_feature_names_out().tolist() == [
        "x0_grf0", "x0_grf1", "x0_grf2", "x1_grf0", "x1_grf1", "x1_grf2"]
    assert grf.get_feature_names_out(["a", "b"])[3] == "b_grf0"


@pytest.mark.parametrize(("params", "error", "message"), [
    ({"n_fields": 2}, ValueError,
     r"GaussianReceptiveFields: n_fields must be an integer >= 3, got 2"),
    ({"n_fields": 4.0}, ValueError, r"n_fields must be an integer >= 3, got 4.0"),
    ({"cutoff": 1.0}, ValueError, r"cutoff must be in \[0.0, 1.0\), got 1.0"),
    ({"cutoff": -0.1}, ValueError, r"cutoff must be in \[0.0, 1.0\), got -0.1"),
    ({"cutoff": "0.1"}, TypeError, r"cutoff must be a real number, got '0.1'"),
])
def test_grf_rejects_bad_parameters(params, error, message):
    with pytest.raises(error, match=message):
        GaussianReceptiveFields(**params).fit([[0.0], [1.0]])


# ---------------------------------------------------------------- RateEncoder

def test_rate_encoder_maps_linearly_and_clips():
    enc = RateEncoder().fit([[0.0, 0.5]])
    rates = enc.transform([[0.25, -1.0], [2.0, 1.0]])
    assert rates.dtype == np.float64
    # 0.1 Hz + x (400 - 0.1) Hz, x clipped to [0, 1]
    np.testing.assert_allclose(rates, [[0.1 + 0.25 * 399.9, 0.1], [400.0, 400.0]])


def test_rate_encoder_period():
    enc = RateEncoder(presentation=200 * units.ms, pause=0 * units.ms)
    assert enc.sample_period() == pytest.approx(0.2)
    assert RateEncoder().fit([[0.0]]).period_ == pytest.approx(0.4)


@pytest.mark.parametrize(("params", "error", "message"), [
    ({"low": 10 * units.Hz, "high": 10 * units.Hz}, ValueError,
     r"RateEncoder: high must be larger than low, got low=.*10.*, high=.*10"),
    ({"low": -1 * units.Hz}, ValueError, r"RateEncoder: low must be >= 0"),
    ({"high": 5}, TypeError, r"RateEncoder: high must be a hertz quantity \(e.g. 10\*Hz\), "
     r"got 5"),
    ({"low": 5 * units.ms}, TypeError, r"RateEncoder: low must be a hertz quantity"),
    ({"presentation": 0 * units.ms}, ValueError, r"RateEncoder: presentation must be positive"),
    ({"pause": -1 * units.ms}, ValueError, r"RateEncoder: pause must be >= 0"),
    ({"pause": 1 * units.Hz}, TypeError, r"RateEncoder: pause must be a second quantity"),
])
def test_rate_encoder_rejects_bad_parameters(params, error, message):
    with pytest.raises(error, match=message):
        RateEncoder(**params).fit([[0.5]])


# ---------------------------------------------------------------- LatencyEncoder

def test_latency_is_window_times_one_minus_x():
    enc = LatencyEncoder().fit(np.zeros((1, 5)))
    lat = enc.transform([[0.25, 1.0, 0.0, 1.5, -0.2]])
    # 20 ms (1 - 0.25) = 15 ms; x = 1 at once; x <= 0 no spike; 1.5 clipped to 1
    np.testing.assert_allclose(lat, [[0.015, 0.0, np.inf, 0.0, np.inf]])
    assert lat.dtype == np.float64


def test_latency_threshold_silences_weak_inputs():
    enc = LatencyEncoder(window=10 * units.ms, threshold=0.5).fit(np.zeros((1, 3)))
    np.testing.assert_allclose(enc.transform([[0.5, 0.6, 0.4]]), [[np.inf, 0.004, np.inf]])


def test_latency_period():
    assert LatencyEncoder().sample_period() == pytest.approx(0.05)
    enc = LatencyEncoder(window=5 * units.ms, pause=1 * units.ms).fit([[0.0]])
    assert enc.period_ == pytest.approx(0.006)


@pytest.mark.parametrize(("params", "error", "message"), [
    ({"window": 0 * units.ms}, ValueError, r"LatencyEncoder: window must be positive"),
    ({"window": 20}, TypeError, r"LatencyEncoder: window must be a second quantity"),
    ({"pause": -5 * units.ms}, ValueError, r"LatencyEncoder: pause must be >= 0"),
    ({"threshold": 1.0}, ValueError, r"LatencyEncoder: threshold must be in \[0.0, 1.0\), "
     r"got 1.0"),
])
def test_latency_encoder_rejects_bad_parameters(params, error, message):
    with pytest.raises(error, match=message):
        LatencyEncoder(**params).fit([[0.5]])


def test_grf_cut_responses_send_no_spike_in_the_full_pipeline():
    X, _ = load_dataset("iris")
    pipe = make_pipeline(FeatureScaler(), GaussianReceptiveFields(n_fields=7),
                         LatencyEncoder())
    lat = pipe.fit_transform(X)
    resp = pipe[:2].transform(X)
    assert lat.shape == (150, 28)
    np.testing.assert_array_equal(np.isinf(lat), resp == 0.0)
    finite = np.isfinite(lat)
    np.testing.assert_allclose(lat[finite], 0.02 * (1 - resp[finite]))
