"""Table of ``compare_versions.sh``'s measurements: medians of the old and new spikeloom.

``python benchmarks/compare_versions.py benchmarks/results/versions``
"""

import collections
import json
import statistics
import sys
from pathlib import Path


def main(folder: str) -> None:
    rows = collections.defaultdict(lambda: {"old": [], "new": []})
    for path in Path(folder).glob("*/results.json"):
        which = path.parent.name.split("_")[0]
        for row in json.loads(path.read_text())["rows"]:
            sim = row["sims"]["spikeloom"]
            if not sim.get("missing"):
                rows[(row["case"], row["n"])][which].append((sim["run_s"], sim["steady_s"]))
    print("| case | size | old run() (s) | new run() (s) | new ÷ old | old steady (s) | "
          "new steady (s) | new ÷ old | runs |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (case, n), found in sorted(rows.items()):
        old, new = found["old"], found["new"]
        if not old or not new:
            continue
        run_o, run_n = (statistics.median(x[0] for x in v) for v in (old, new))
        st_o, st_n = (statistics.median(x[1] for x in v) for v in (old, new))
        print(f"| {case} | {n} | {run_o:.3f} | {run_n:.3f} | {run_n / run_o:.2f} | {st_o:.3f} "
              f"| {st_n:.3f} | {st_n / st_o:.2f} | {len(old)} + {len(new)} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/versions")
