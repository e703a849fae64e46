"""Every unit by name, as Brian2's ``brian2.units.allunits`` (``mvolt``, ``cmetre2``...)."""

from ._registry import ALL_UNITS as _ALL_UNITS

globals().update(_ALL_UNITS)
__all__ = sorted(_ALL_UNITS)
