"""``python -m spikeloom.pynn.install`` makes ``import pyNN.spikeloom`` work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pyNN = pytest.importorskip("pyNN")

from spikeloom.pynn import install


def test_shim_into_a_copy_of_pyNN(tmp_path):
    # a minimal pyNN package in a temporary directory, in front of the real one
    package = tmp_path / "pyNN"
    package.mkdir()
    real = Path(pyNN.__path__[0])
    (package / "__init__.py").write_text(
        f"__path__.append({str(real)!r})\nexec(open({str(real / '__init__.py')!r}).read())\n")
    path = install.install(tmp_path)
    assert path == package / "spikeloom.py" and path.read_text() == install.SHIM
    code = ("import pyNN.spikeloom as sim, spikeloom.pynn as backend\n"
            "assert sim is backend, (sim, backend)\n"
            "sim.setup(); p = sim.Population(1, sim.IF_curr_exp()); sim.run(1.0)\n"
            "print(sim.get_current_time())\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path)] + sys.path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1.0"
    assert install.uninstall(tmp_path) and not path.exists()
    assert not install.uninstall(tmp_path)


def test_uninstall_refuses_a_foreign_module(tmp_path):
    (tmp_path / "pyNN").mkdir()
    (tmp_path / "pyNN" / "spikeloom.py").write_text("# someone else's\n")
    with pytest.raises(RuntimeError, match="not written by"):
        install.uninstall(tmp_path)


def test_install_needs_a_pyNN_package(tmp_path):
    with pytest.raises(FileNotFoundError, match="no pyNN package"):
        install.install(tmp_path)
