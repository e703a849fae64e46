"""Recordings in the field's exchange formats: Neo objects and NWB files.

The monitors and :class:`~spikeloom.Network` convert themselves (``SpikeMonitor.to_neo()``,
``StateMonitor.to_neo()``, ``PopulationRateMonitor.to_neo()``, ``Network.to_neo()``,
``Network.to_nwb(path)``); this package gathers the same functions for objects and blocks.
They need the optional packages of the ``neo`` extra (``pip install "spikeloom[neo]"``).
"""

from ..core._neo import write_nwb


def to_neo(obj):
    """``obj.to_neo()``: a monitor's or a network's recordings as Neo objects.

    Parameters
    ----------
    obj : SpikeMonitor, StateMonitor, PopulationRateMonitor or Network
        What to convert.

    Returns
    -------
    list of neo.SpikeTrain, list of neo.AnalogSignal, neo.AnalogSignal or neo.Block
        As the object's own ``to_neo`` returns.
    """
    if not hasattr(obj, "to_neo"):
        raise TypeError(f"to_neo: {type(obj).__name__} cannot be converted; give a monitor or "
                        f"a Network")
    return obj.to_neo()


__all__ = ["to_neo", "write_nwb"]
