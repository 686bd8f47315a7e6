"""A class on JupyterHub, end to end on loopback (hub/cycle.py): an instructor releases step
01, two students log in through the hub's login page, fetch and submit through the
Assignments tab's API (one solution, one blank), the grader collects, autogrades in the
sandbox, returns feedback, and the students fetch it; the grades show full marks and zero.
Also: a student's token cannot open another student's server, a student cannot read the
course's source/, the gradebook or another student's files, and a screenshot of a
student's Assignments tab (build/hub/assignments-alice.png; the cycle's timings in
build/hub/cycle-times.json).

It needs root (it creates Unix users and removes them after); elsewhere it skips.
"""

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hub"))
import cycle  # noqa: E402
import hubctl  # noqa: E402

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub test needs root (it creates Unix users)")


def test_class_cycle_through_jupyterhub():
    assert (hubctl.VENV / "bin" / "jupyterhub").exists() and hubctl.CHP.exists(), \
        "no hub environment: `make test` as root runs `make hub-env` first"
    assert shutil.which("chromium"), "no chromium (make browser)"
    try:
        cycle.run(screenshot=True)
    finally:
        cycle.teardown()
    print("hub cycle times (s):", cycle.TIMES)
    # the figures stay beside the screenshot, for the run's report (pytest hides prints)
    cycle.SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    (cycle.SCREENSHOT.parent / "cycle-times.json").write_text(json.dumps(cycle.TIMES, indent=1) + "\n")
    failed = [f"{name}: {detail}" for name, ok, detail in cycle.RESULTS if not ok and detail != "info"]
    assert not failed, "\n".join(failed)
    assert len(cycle.RESULTS) > 30, "the cycle checked too little"
    assert cycle.SCREENSHOT.exists()
