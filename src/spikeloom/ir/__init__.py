"""The backend-neutral intermediate representation of one run (see ``_plan.py``)."""

from ._plan import (
    ArrayDecl as ArrayDecl,
    Block as Block,
    Draw as Draw,
    ElementLoop as ElementLoop,
    GeneratorEmit as GeneratorEmit,
    Kernel as Kernel,
    LookupTable as LookupTable,
    Pathway as Pathway,
    Plan as Plan,
    RecordRate as RecordRate,
    RecordSpikes as RecordSpikes,
    RecordState as RecordState,
    Ref as Ref,
    SpikeLoop as SpikeLoop,
    Summed as Summed,
    Threshold as Threshold,
)
from ..integrators._base import Statement as Statement
from ._optimise import hoist_invariants as hoist_invariants
