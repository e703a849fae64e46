"""Brian2's ``brian2.devices.device`` module path (``from brian2.devices.device import ...``)."""

from ..core._device import (
    Device,
    device,
    get_device,
    reinit_devices,
    reset_device,
    set_device,
)

__all__ = ["Device", "device", "get_device", "reinit_devices", "reset_device", "set_device"]
