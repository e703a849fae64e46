"""Encoded samples → one spike list for a whole run (every sample scheduled inside the run).

Sample ``k`` of a run occupies ``[t0 + k·period, t0 + (k+1)·period)``: its input spikes fall in
the first ``presentation`` of that interval, the rest is a silent pause. Spike times lie on the
simulation grid (whole steps of ``dt``), one spike per input and step at most, as
:class:`~spikeloom.SpikeGeneratorGroup` requires.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SpikeSchedule:
    """Input spikes of ``n_samples`` consecutive samples.

    Attributes
    ----------
    indices : ndarray of int32
        Input neuron of each spike.
    steps : ndarray of int64
        Time step of each spike, counted from the run's start.
    n_samples : int
    period_steps : int
        Steps per sample (presentation and pause).
    """

    indices: np.ndarray
    steps: np.ndarray
    n_samples: int
    period_steps: int

    @property
    def n_steps(self) -> int:
        return self.n_samples * self.period_steps


def latency_schedule(latencies: np.ndarray, period_steps: int, dt: float) -> SpikeSchedule:
    """One spike per finite latency (seconds, ``inf``: no spike), rounded to the nearest step.

    Parameters
    ----------
    latencies : ndarray (n_samples, n_inputs)
        Spike time of each input after its sample's start, seconds.
    period_steps : int
        Steps per sample.
    dt : float
        Time step, seconds.
    """
    sample, index = np.nonzero(np.isfinite(latencies))
    offset = np.floor(latencies[sample, index] / dt + 0.5).astype(np.int64)
    if offset.size and offset.max() >= period_steps:
        raise ValueError(f"latency_schedule: a latency of {latencies[sample, index].max()} s "
                         f"does not fit in a sample of {period_steps} steps of {dt} s")
    return _sorted(sample, index, offset, latencies.shape[0], period_steps)


def poisson_schedule(rates: np.ndarray, presentation_steps: int, period_steps: int, dt: float,
                     seeds) -> SpikeSchedule:
    """Poisson trains at ``rates`` (Hz) during each sample's presentation window.

    The count of each (sample, input) is Poisson with mean ``rate·presentation``; its spikes
    fall on uniformly drawn steps. Two spikes drawn on the same step of one input merge into
    one (at 400 Hz and dt = 0.1 ms this removes 2 % of the spikes, the probability of a
    second spike in a step), which is the Bernoulli-per-step process of a PoissonGroup.

    Parameters
    ----------
    seeds : sequence of int or of int sequences
        One seed per sample: a sample's train depends on its seed only, not on the samples
        around it (so a prediction does not depend on the batch it is in).
    """
    mean = np.clip(rates, 0.0, None) * presentation_steps * dt
    samples, indices, offsets = [], [], []
    for k, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        counts = rng.poisson(mean[k])
        index = np.repeat(np.arange(rates.shape[1]), counts)
        offset = np.unique(index.astype(np.int64) * presentation_steps
                           + rng.integers(0, presentation_steps, size=index.size))
        indices.append(offset // presentation_steps)
        offsets.append(offset % presentation_steps)
        samples.append(np.full(offset.size, k, np.int64))
    if not samples:
        samples = indices = offsets = [np.zeros(0, np.int64)]
    return _sorted(np.concatenate(samples), np.concatenate(indices), np.concatenate(offsets),
                   rates.shape[0], period_steps)


def _sorted(sample, index, offset, n_samples: int, period_steps: int) -> SpikeSchedule:
    steps = sample.astype(np.int64) * period_steps + offset
    order = np.lexsort((index, steps))
    return SpikeSchedule(index[order].astype(np.int32), steps[order], int(n_samples),
                         int(period_steps))


def counts_per_sample(spike_indices: np.ndarray, spike_steps: np.ndarray, n_neurons: int,
                      schedule: SpikeSchedule) -> np.ndarray:
    """Spikes of each neuron in each sample's interval, shape (n_samples, n_neurons)."""
    sample = spike_steps // schedule.period_steps
    inside = (sample >= 0) & (sample < schedule.n_samples)
    flat = sample[inside] * n_neurons + spike_indices[inside]
    counts = np.bincount(flat, minlength=schedule.n_samples * n_neurons)
    return counts.reshape(schedule.n_samples, n_neurons)
