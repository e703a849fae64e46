"""Brian2's ``brian2.devices`` under spikeloom's name (see :mod:`spikeloom.core._device`)."""

import importlib as _importlib

from ..core._device import Device, get_device, reinit_devices, reset_device, set_device

#: Brian2's name for the ``devices.device`` module (scripts set ``active_device`` on it).
device_module = _importlib.import_module(f"{__name__}.device")
# importing the submodule bound its name here; ``device`` is the current device, as in Brian2
from ..core._device import device  # noqa: E402

#: Brian2's registry of devices by name; every one runs on spikeloom's compiled loop.
all_devices = device_module.all_devices

__all__ = ["Device", "all_devices", "device", "device_module", "get_device", "reinit_devices",
           "reset_device", "set_device"]
