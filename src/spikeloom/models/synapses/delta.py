"""Instantaneous synapse (``Delta``): each spike adds the weight to a postsynaptic variable."""

from __future__ import annotations

from ._base import Kinetics


class Delta(Kinetics):
    r"""Delta synapse: a presynaptic spike adds the weight to a postsynaptic variable.

    .. math::

        x_{post} \leftarrow x_{post} + w \text{ at each (delayed) presynaptic spike}

    Equations: none; the statement run at each spike is ``<target>_post += w``.

    Parameters
    ----------
    target : str
        The postsynaptic variable that jumps (default ``'V'``: BrainPy's delta input onto
        the membrane potential; the weight then has the unit of ``V``).

    Notes
    -----
    There is no synaptic state and no output model (``output=None``); the alignment is
    necessarily 'post'.

    References
    ----------
    .. [1] Brunel, N. (2000). Dynamics of sparsely connected networks of excitatory and
       inhibitory spiking neurons. J. Comput. Neurosci. 8, 183-208.
    """

    STATE = ()
    OUTPUT = ""
    LINEAR = True
    PRESYNAPTIC = False

    def __init__(self, target: str = "V") -> None:
        super().__init__()
        if not isinstance(target, str) or not target.isidentifier():
            raise ValueError(f"Delta: target must be a variable name, got {target!r}")
        self.target = target

    @property
    def valid_alignments(self) -> tuple[str, ...]:
        return ("post",)

    def why_invalid(self, alignment: str) -> str:
        if alignment != "post":
            return "Delta has no synaptic state: the spike acts on the postsynaptic variable"
        return ""

    def equations(self, unit: str = "1") -> str:
        return ""

    def on_spike(self, quantum: str = "1") -> str:
        return f"{self.target}_post += {quantum}"

    def key(self) -> tuple:
        return ("Delta", self.target)

    def __repr__(self) -> str:
        return f"Delta(target={self.target!r})"
