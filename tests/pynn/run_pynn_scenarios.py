"""Run PyNN's own system-test scenarios against pyNN.spikeloom and list the outcomes.

PyNN's source distribution (``pip download --no-binary :all: --no-deps PyNN``, unpacked)
holds ``test/system/scenarios``: tests written once and run with each backend through
``@run_with_simulators("nest", "neuron", "brian2")``. This script copies them into a
temporary directory, makes every scenario run with ``"spikeloom"`` alone, installs the
``pyNN/spikeloom.py`` module (``spikeloom.pynn.install``) if it is missing, runs pytest
and removes the module again if it wrote it::

    python tests/pynn/run_pynn_scenarios.py <PyNN source>/test/system/scenarios [pytest args]

It is not collected by pytest (its name does not start with ``test_``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from spikeloom.pynn import install


def prepare(scenarios: Path, work: Path) -> Path:
    """Copy the scenarios into ``work/scenarios``, run with spikeloom only.

    Parameters
    ----------
    scenarios : pathlib.Path
        PyNN's ``test/system/scenarios`` directory.
    work : pathlib.Path
        An empty directory.

    Returns
    -------
    pathlib.Path
        The copied package.
    """
    target = work / "scenarios"
    shutil.copytree(scenarios, target)
    for path in target.glob("test_*.py"):
        text = re.sub(r"run_with_simulators\([^)]*\)", 'run_with_simulators("spikeloom")',
                      path.read_text())
        path.write_text(text)
    return target


def main(argv=None) -> int:
    """Run the scenarios (see the module's docstring).

    Parameters
    ----------
    argv : list of str, optional
        The scenarios' directory, then extra pytest arguments.

    Returns
    -------
    int
        pytest's exit status.
    """
    argv = sys.argv[1:] if argv is None else argv
    scenarios, extra = Path(argv[0]), argv[1:]
    wrote = not install.shim_path().exists()
    if wrote:
        install.install()
    try:
        with tempfile.TemporaryDirectory() as work:
            target = prepare(scenarios, Path(work))
            command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p",
                       "no:cacheprovider", "-o", "addopts=", "-rA", "-q", str(target),
                       *extra]
            return subprocess.run(command, cwd=work).returncode
    finally:
        if wrote:
            install.uninstall()


if __name__ == "__main__":
    sys.exit(main())
