"""The backend-neutral intermediate representation of one run (see ``_plan.py``)."""

from ..integrators._base import Statement as Statement
from ._optimise import eliminate_common_subexpressions as eliminate_common_subexpressions
from ._optimise import hoist_invariants as hoist_invariants
from ._plan import (
    ArrayDecl as ArrayDecl,
)
from ._plan import (
    Block as Block,
)
from ._plan import (
    Draw as Draw,
)
from ._plan import (
    ElementLoop as ElementLoop,
)
from ._plan import (
    GeneratorEmit as GeneratorEmit,
)
from ._plan import (
    Kernel as Kernel,
)
from ._plan import (
    LookupTable as LookupTable,
)
from ._plan import (
    Pathway as Pathway,
)
from ._plan import (
    Plan as Plan,
)
from ._plan import (
    RecordRate as RecordRate,
)
from ._plan import (
    RecordSpikes as RecordSpikes,
)
from ._plan import (
    RecordState as RecordState,
)
from ._plan import (
    Ref as Ref,
)
from ._plan import (
    SpikeLoop as SpikeLoop,
)
from ._plan import (
    Summed as Summed,
)
from ._plan import (
    Threshold as Threshold,
)
from ._plan import (
    TreeSolve as TreeSolve,
)
from ._plan import (
    UserFunction as UserFunction,
)
from ._plan import block_arrays as block_arrays
from ._plan import commute as commute
from ._plan import guard_groups as guard_groups
from ._plan import guarded_draws as guarded_draws
from ._plan import symbol_names as symbol_names
