"""Brian2's run of the SWC cell of ``swc_cell.py``, written to ``swc_reference.json``.

Run with Brian2's interpreter (its own environment, never spikeloom's)::

    .venvs/brian2/bin/python tests/multicompartment/make_swc_reference.py

Brian2's numpy target (plain IEEE double arithmetic, no compiler: the most reproducible
reference).
"""

from __future__ import annotations

import datetime
import json
import sys
import time
from pathlib import Path

import brian2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import swc_cell


def main() -> None:
    brian2.prefs.codegen.target = "numpy"
    start = time.perf_counter()
    result = swc_cell.simulate(brian2)
    result["meta"] = {"brian2": brian2.__version__, "codegen_target": "numpy",
                      "wall_s": round(time.perf_counter() - start, 1),
                      "date": datetime.date.today().isoformat(),
                      "command": "python tests/multicompartment/make_swc_reference.py"}
    (HERE / "swc_reference.json").write_text(json.dumps(result))
    print(f"{len(result['spikes'])} spikes, {result['meta']['wall_s']} s")


if __name__ == "__main__":
    main()
