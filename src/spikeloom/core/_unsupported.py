"""Brian2 names spikeloom does not provide yet: each raises a message naming what to use instead.

A Brian2 script that reaches one of these gets a clear :class:`NotImplementedError` at the
line that uses it, never a bare ``NameError``.
"""

from __future__ import annotations

_MULTICOMPARTMENT = ("multicompartment neurons (SpatialNeuron and morphologies) are not in "
                     "spikeloom yet; model the soma alone as a NeuronGroup with the same "
                     "membrane equations, or couple compartments with Synapses")


class _Unsupported:
    """Base of the placeholders: constructing one raises with the class's ``MESSAGE``."""

    MESSAGE = ""

    def __init__(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"{type(self).__name__}: {self.MESSAGE}")


class SpatialNeuron(_Unsupported):
    MESSAGE = _MULTICOMPARTMENT


class Morphology(_Unsupported):
    MESSAGE = _MULTICOMPARTMENT


class Soma(Morphology):
    pass


class Cylinder(Morphology):
    pass


class Section(Morphology):
    pass
