"""Run every corpus script under Brian2 and keep what its monitors recorded.

Run with Brian2's interpreter (its own environment; Brian2 needs numpy < 2.4)::

    python3 -m venv brian2-venv && brian2-venv/bin/pip install brian2 "numpy<2.4" matplotlib
    brian2-venv/bin/python tests/brian2_corpus/make_reference.py [--only SCRIPT ...]

Each script runs in its own process (``run_script.py brian2``) with Brian2's numpy target
(IEEE arithmetic, no compiler: the most reproducible reference), writing
``reference/<script>.json``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import corpus


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+")
    args = parser.parse_args(argv)
    corpus.REFERENCE.mkdir(exist_ok=True)
    for script in args.only or corpus.scripts():
        command = [sys.executable, str(HERE / "run_script.py"), "brian2",
                   str(corpus.SCRIPTS / script), str(corpus.reference_path(script)),
                   "--brian2-target", "numpy"]
        for old, new in corpus.OVERRIDES.get(script, []):
            command += ["--replace", old, new]
        subprocess.run(command, timeout=1800)
        print(script, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
