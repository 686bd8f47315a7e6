import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.name for p in (ROOT / "source").iterdir()
                     if p.is_dir() and p.name[:2].isdigit())
# while working on one step: COURSE_STEPS="03_activations" make test
if os.environ.get("COURSE_STEPS"):
    ASSIGNMENTS = sorted(os.environ["COURSE_STEPS"].split())

os.environ.setdefault("MPLBACKEND", "Agg")
# The capstone's training runs are a minute long. Everything the tests run of it (nbval,
# in this process, through nbgrader, in the sandbox, in JupyterLab) uses its QUICK mode
# (two epochs instead of twenty), except the claims test, which runs the default training
# in full in a process of its own (test_claims_11_mnist_capstone.py).
QUICK_ENV = "CAPSTONE_QUICK"
os.environ[QUICK_ENV] = "1"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def assignments():
    return ASSIGNMENTS


# --- figures for the closing lines of a run: notebook times and grade-cycle results ------

_notebook_seconds = {}


class _NotebookTimer:
    """Adds up the nbval cell times of each source notebook (registered as a global plugin:
    a conftest's own run hooks see only the items below it)."""

    def pytest_runtest_logreport(self, report):
        path = report.nodeid.split("::")[0]
        if path.endswith(".ipynb"):
            _notebook_seconds[path] = _notebook_seconds.get(path, 0.0) + report.duration


def pytest_configure(config):
    config.pluginmanager.register(_NotebookTimer(), "course-notebook-timer")


def pytest_terminal_summary(terminalreporter):
    write = terminalreporter.write_line
    if _notebook_seconds:
        terminalreporter.section("notebook execution (nbval, seconds)")
        for path, seconds in sorted(_notebook_seconds.items()):
            write(f"{path}: {seconds:.1f}")
    from tests import test_pythons
    if test_pythons.install_seconds:
        terminalreporter.section("make install on each Python (seconds)")
        for version, seconds in sorted(test_pythons.install_seconds.items()):
            write(f"CPython {version}: {seconds:.0f}")
    from tests import test_browser
    if test_browser.latencies:
        terminalreporter.section("Explore redraw in the browser (median ms per panel)")
        for assignment, values in sorted(test_browser.latencies.items()):
            write(f"{assignment}: " + ", ".join(f"{v:.0f}" for v in values))
    from tests import test_grade_cycle
    if test_grade_cycle._cycles:
        terminalreporter.section("grade cycle (autograded points)")
        for assignment, summary in sorted(test_grade_cycle.cycle_summaries().items()):
            write(f"{assignment}: {summary}")
    from tests import test_sandbox
    if test_sandbox._runs:
        terminalreporter.section("untrusted submissions: points and notebook size")
        for line in test_sandbox.attack_table():
            write(line)
