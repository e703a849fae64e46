"""NIR (Neuromorphic Intermediate Representation) graphs in and out of spikeloom.

``from_nir`` builds spikeloom groups and synapses from a ``nir.NIRGraph`` (as exported by
snnTorch, Norse, Sinabs, Lava-dl, ...); ``to_nir`` writes a spikeloom network of LIF
neurons and static synapses as a NIR graph. Needs the ``nir`` package
(``pip install spikeloom[nir]``). See ``docs/nir.md`` for what maps to what.

This package sits above the model library: it uses :mod:`spikeloom.core` and
:mod:`spikeloom.models`, and nothing in spikeloom imports it.
"""

from ._export import to_nir as to_nir
from ._import import NIRNetwork as NIRNetwork
from ._import import from_nir as from_nir

__all__ = ["NIRNetwork", "from_nir", "to_nir"]
