"""Every error and warning spikeloom raises on purpose.

Each subclasses a builtin so that ``except ValueError`` keeps working for users who do not
know spikeloom's names. Messages follow *where — what was expected — what was got — the fix*.
"""

from __future__ import annotations


class EquationError(ValueError):
    """A model string (equations, threshold, reset, on_pre...) cannot be parsed or is invalid."""


class UnitError(ValueError):
    """Dimensions do not match (wraps the mismatch with the offending line and both units)."""


class UnresolvedNameError(KeyError):
    """A name used in model code is neither a variable of the model nor found in any namespace."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return str(self.args[0]) if self.args else ""


class UnsupportedEquationsError(ValueError):
    """No requested integration method can integrate the given equations."""


class SimulationError(RuntimeError):
    """A fault detected inside the compiled run loop (NaN, full buffer...)."""


class MagicError(RuntimeError):
    """``run()`` without a network found objects it ran before together with new ones."""


class BuildError(RuntimeError):
    """Code generation or compilation of the run loop failed."""


class CheckpointError(ValueError):
    """A checkpoint or stored-state file cannot be loaded: not spikeloom's format, corrupted
    or truncated (checksum), unsafe (pickled objects), or from a network of another
    structure."""


class MemoryEstimateError(MemoryError):
    """An allocation (synapses of a ``connect``, monitor buffers or state arrays of a run)
    would not fit in the memory available, by an estimate made before allocating.

    Attributes
    ----------
    needed : int
        Estimated bytes.
    available : int
        Bytes the estimate was compared with (the available memory times
        ``prefs.spikeloom.memory_check_fraction``).
    """

    def __init__(self, message: str, needed: int = 0, available: int = 0) -> None:
        super().__init__(message)
        self.needed = needed
        self.available = available
