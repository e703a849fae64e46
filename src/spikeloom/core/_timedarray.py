"""TimedArray: values given on a time grid, callable from model code as ``ta(t)``/``ta(t, i)``."""

from __future__ import annotations

import numpy as np

from .. import units
from ..units import DIMENSIONLESS, as_quantity, get_dim, si_value
from ._base import check_time, unique_name

SECOND = get_dim(units.second)


class TimedArray:
    """A function of time (and optionally of a neuron index) read from an array.

    Parameters
    ----------
    values : Quantity or array, shape (n_times,) or (n_times, n_columns)
        The values; their unit is the function's result unit.
    dt : Quantity, time
        Time between two rows: row ``k`` holds the value for ``k*dt <= t < (k+1)*dt``
        (Brian2's rounding). Times past the end keep the last row.
    name : str, optional

    Examples
    --------
    >>> ta = TimedArray([1, 2, 3] * units.mV, dt=1 * units.ms)
    >>> float(ta(1.5 * units.ms) / units.mV)
    2.0
    """

    def __init__(self, values, dt, name: str | None = None) -> None:
        self.name = unique_name(name, "timedarray", self)
        self.dim = get_dim(values)
        array = np.ascontiguousarray(si_value(values), dtype=np.float64)
        if array.ndim not in (1, 2) or array.shape[0] == 0:
            raise ValueError(f"TimedArray {self.name!r}: values must be a non-empty 1-D or 2-D "
                             f"array, got shape {array.shape}")
        if np.isnan(array).any():
            raise ValueError(f"TimedArray {self.name!r}: values contain NaN")
        self.values = array
        self.dt_ = check_time(dt, f"TimedArray {self.name!r}", "dt", allow_zero=False)
        self.arg_dims = (SECOND,) if array.ndim == 1 else (SECOND, DIMENSIONLESS)

    @property
    def dt(self) -> float:
        """The time between rows in seconds, a float (as Brian2's ``TimedArray.dt``)."""
        return self.dt_

    def K(self, group_dt: float) -> int:
        """Brian2's upsampling factor that keeps the rounding robust for any group dt."""
        return max(int(2 ** np.ceil(np.log2(8 / group_dt * self.dt_))), 1)

    def _index(self, t: np.ndarray) -> np.ndarray:
        K = self.K(self.dt_)
        epsilon = self.dt_ / K
        k = ((np.asarray(t, dtype=float) / epsilon + 0.5) / K).astype(np.int64)
        return np.clip(k, 0, self.values.shape[0] - 1)

    def _evaluate_si(self, t, i=None):
        k = self._index(t)
        if self.values.ndim == 1:
            return self.values[k]
        return self.values[k, np.asarray(i, dtype=np.int64)]

    def __call__(self, t, i=None):
        return as_quantity(self._evaluate_si(si_value(t), i), self.dim)
