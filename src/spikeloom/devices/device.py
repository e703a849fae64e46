"""Brian2's ``brian2.devices.device`` module path (``from brian2.devices.device import ...``).

spikeloom has one :class:`Device` object for every device name: Brian2's runtime and
standalone devices all run on its compiled loop, so the names Brian2 gives to different
device objects here all refer to ``device``.
"""

from ..core._base import seed
from ..core._device import (
    Device,
    device,
    get_device,
    reinit_devices,
    reset_device,
    set_device,
)

#: Brian2's class of the runtime device; here the one class of devices.
RuntimeDevice = Device
#: Brian2's runtime device object and the currently active one: both are ``device``, whose
#: name says which backend runs (``set_device`` changes it in place).
runtime_device = device
active_device = device
#: Brian2's registry of devices by name; every one runs on spikeloom's compiled loop.
all_devices = {"runtime": device, "numba": device, "cpp_standalone": device,
               "cuda_standalone": device, "genn": device}


def reinit_and_delete() -> None:
    """Brian2's ``reinit_and_delete()``: :func:`reinit_devices`; spikeloom writes no
    standalone project files that would need deleting."""
    reinit_devices()


__all__ = ["Device", "RuntimeDevice", "active_device", "all_devices", "device", "get_device",
           "reinit_and_delete", "reinit_devices", "reset_device", "runtime_device", "seed",
           "set_device"]
