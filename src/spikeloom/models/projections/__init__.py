"""Projections (kinetics + connectivity + weight + output, with an explicit alignment) and
connectivity rules."""

from ._degree import FixedPostNum as FixedPostNum
from ._degree import FixedPreNum as FixedPreNum
from ._placement import STATE_ORDER as STATE_ORDER
from ._spatial import GaussianProb as GaussianProb
from .connectivity import AllToAll as AllToAll
from .connectivity import ConnectContext as ConnectContext
from .connectivity import Connectivity as Connectivity
from .connectivity import FixedProb as FixedProb
from .connectivity import FromIJ as FromIJ
from .connectivity import FromSparse as FromSparse
from .connectivity import OneToOne as OneToOne
from .projection import Projection as Projection

__all__ = ["Projection", "STATE_ORDER", "Connectivity", "ConnectContext", "FixedProb",
           "FixedPreNum", "FixedPostNum", "AllToAll", "OneToOne", "GaussianProb", "FromIJ",
           "FromSparse"]
