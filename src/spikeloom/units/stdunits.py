"""The short unit names, as Brian2's ``brian2.units.stdunits`` (``mV``, ``ms``, ``nS``...)."""

from ._registry import SHORT_UNITS as _SHORT_UNITS

globals().update(_SHORT_UNITS)
__all__ = sorted(_SHORT_UNITS)
