"""``NeuronGroup.run_regularly``: statements run over all neurons at a regular interval."""

from __future__ import annotations

from .. import ir
from ..equations import parse_statements
from ._base import SimObject
from ._codegen import KernelBuilder


class RegularOperation(SimObject):
    """Brian2's ``run_regularly`` code runner: ``code`` for every neuron of ``group`` (a
    NeuronGroup or a Subgroup of one).

    Created by :meth:`NeuronGroup.run_regularly`; it belongs to the group (a ``Network``
    that contains the group contains it). It runs at every multiple of its ``dt`` since
    t = 0, in the schedule slot ``when`` (default ``'start'``: before the state update).
    As in Brian2, writes to ``(unless refractory)`` variables take effect only outside the
    refractory period.
    """

    _default_name = "regularoperation"

    def __init__(self, group, code: str, *, dt=None, clock=None, when: str = "start",
                 order: int = 0, name: str | None = None) -> None:
        if dt is None and clock is None:
            clock = group.clock
        if type(self)._default_name == RegularOperation._default_name:  # not a subclass's
            self._default_name = f"{group.name}_run_regularly"  # Brian2's automatic name
        super().__init__(name=name, when=when, order=order, dt=dt, clock=clock)
        self.group = group
        self.code = code
        self._lines = parse_statements(code, f"{self.owner}: code")

    @property
    def owner(self) -> str:
        return f"run_regularly {self.name!r} of {self.group.owner}"

    def lower(self, lctx) -> None:
        every = lctx.every(self.clock, self.owner)
        dt_name = lctx.scalar(f"dt_{self.name}", self.clock.dt_)
        builder = KernelBuilder(self.group.scope(lctx.run_namespace), lctx, lctx.tag())
        builder.add_code(self._lines, f"{self.owner}: code")
        start = getattr(self.group, "start", 0)  # a Subgroup runs over its slice only
        stop = getattr(self.group, "stop", None)
        if stop is None:
            stop = lctx.scalar(f"N_{self.group.name}", self.group.N, "int64")
        lctx.add_block(self, ir.ElementLoop(self.name, every, dt_name, start=start, stop=stop,
                                            kernel=builder.build()))
