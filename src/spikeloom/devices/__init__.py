"""Brian2's ``brian2.devices`` under spikeloom's name (see :mod:`spikeloom.core._device`)."""

from ..core._device import (
    Device,
    device,
    get_device,
    reinit_devices,
    reset_device,
    set_device,
)

#: Brian2's registry of devices by name; every one runs on spikeloom's compiled loop.
all_devices = {"runtime": device, "numba": device, "cpp_standalone": device,
               "cuda_standalone": device, "genn": device}

__all__ = ["Device", "all_devices", "device", "get_device", "reinit_devices", "reset_device",
           "set_device"]
