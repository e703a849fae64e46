"""The spikeloom command and the demo (Agg backend)."""

import re

import numpy as np

from spikeloom.cli import main


def test_cli_demo_writes_raster_and_prints_plausible_rate(tmp_path, capsys):
    """A small COBA network: the PNG exists and the mean rate is that of the spike count."""
    assert main(["demo", "--neurons", "800", "--duration", "200", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    png = tmp_path / "coba_raster.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    spikes = int(re.search(r"(\d+) spikes in", out).group(1))
    rate = float(re.search(r"mean rate: ([\d.]+) Hz", out).group(1))
    assert np.isclose(rate, spikes / (800 * 0.2), rtol=1e-3)
    assert 1 < rate < 200


def test_cli_error_exit_code(capsys):
    assert main(["demo", "--neurons", "-3", "--out", "/tmp"]) == 2
    assert "N must be a positive integer" in capsys.readouterr().err
