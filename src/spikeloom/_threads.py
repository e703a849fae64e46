"""How many threads a run loop may use: ``SPIKELOOM_THREADS`` (default 1).

Threaded loops give bit-identical results (elements are independent; spikes are packed in
index order; each target receives its events in spike order), but they only pay where memory
bandwidth grows with the cores: on the 2-core benchmark machine a 400 000-neuron COBA run was
no faster with two threads (see benchmarks/README.md), so threads are opt-in.
"""

from __future__ import annotations

import os


def requested_threads() -> int:
    """The value of ``SPIKELOOM_THREADS`` (an integer >= 1; 1 when unset)."""
    text = os.environ.get("SPIKELOOM_THREADS", "1").strip() or "1"
    try:
        threads = int(text)
    except ValueError:
        raise ValueError(f"SPIKELOOM_THREADS must be a positive integer, got {text!r}") from None
    if threads < 1:
        raise ValueError(f"SPIKELOOM_THREADS must be a positive integer, got {threads}")
    return threads
