"""Brian2's example scripts keep the result recorded in ``status.json`` (see ``report.py``).

A script recorded as agreeing with Brian2 must still run and agree; one recorded as refused
must still stop with a message naming what is missing (never a NameError). Catches a
regression in any door a published script walks through (units under NumPy, module paths,
network operations, linked variables...) and any numerical change against Brian2's own runs.
"""

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import corpus
import report

STATUS = json.loads(report.STATUS.read_text()) if report.STATUS.exists() else {}
#: Quick scripts that agree with Brian2: run in the default suite as a smoke check.
QUICK = [s for s, e in sorted(STATUS.items()) if e["result"] == "agrees"
         and (e.get("wall_s") or 99) < 6][:6]


def _check(script: str) -> None:
    recorded = STATUS[script]
    if recorded["result"] in ("no reference", "fails", "differs"):
        pytest.xfail(f"recorded as {recorded['result']}: {recorded['detail'][:200]}")
    entry = report.classify(script, report.run_spikeloom(script))
    assert entry["result"] == recorded["result"], entry["detail"]


@pytest.mark.parametrize("script", QUICK)
def test_quick_script_agrees_with_brian2(script):
    _check(script)


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(STATUS))
def test_script_keeps_its_recorded_result(script):
    _check(script)


def test_corpus_is_at_least_40_scripts_with_brian2_runs():
    with_reference = [s for s in corpus.scripts()
                      if (corpus.load_reference(s) or {}).get("status") == "ok"]
    assert len(corpus.scripts()) >= 40 and len(with_reference) >= 40
