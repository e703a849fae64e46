"""Brian2's ``brian2.spatialneuron.morphology`` module path: the morphology classes."""

from ..core._morphology import Children, Cylinder, Morphology, Section, Soma, Topology

__all__ = ["Children", "Cylinder", "Morphology", "Section", "Soma", "Topology"]
