#!/bin/bash
# Regression check: spikeloom at an older commit against the working tree, alternating,
# each measurement a fresh `python -m benchmarks` process (spikeloom only).
#
#   bash benchmarks/compare_versions.sh OLD_COMMIT [ROUNDS] [EXTRA_PYTHONPATH]
#
# EXTRA_PYTHONPATH: packages the old commit needs and the current environment lacks (before
# the own units, spikeloom needed brainunit: pip install --target DIR brainunit saiunit
# --no-deps). Results: benchmarks/results/versions/{old,new}_<case>_<size>_<round>/ and a
# table printed by benchmarks/compare_versions.py.
set -eu
OLD=$1; ROUNDS=${2:-3}; EXTRA=${3:-}
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=$HERE/.venv/bin/python
OUT=$HERE/benchmarks/results/versions
TREE=$(mktemp -d)/old
git -C "$HERE" worktree add -f "$TREE" "$OLD" -q
rm -rf "$OUT"; mkdir -p "$OUT"
for round in $(seq 1 "$ROUNDS"); do
  for spec in "coba 4000" "coba 40000" "cuba 4000" "song 1000" "memristor 1000" "cobahh 4000"; do
    set -- $spec
    (cd "$TREE" && PYTHONPATH="$TREE/src${EXTRA:+:$EXTRA}" "$PY" -m benchmarks --cases "$1" \
       --sizes "$2" --repeat 1 --simulators spikeloom --out "$OUT/old_$1_$2_$round" >/dev/null)
    (cd "$HERE" && "$PY" -m benchmarks --cases "$1" --sizes "$2" --repeat 1 \
       --simulators spikeloom --out "$OUT/new_$1_$2_$round" >/dev/null)
  done
done
git -C "$HERE" worktree remove --force "$TREE"
"$PY" "$HERE/benchmarks/compare_versions.py" "$OUT"
