"""The learner's side of the set-up: the home page, the copy of the release into work/,
and `make progress`."""

import re

import nbformat
import pytest

from course import learner
from tests import gradecycle as gc
from tests.conftest import ASSIGNMENTS, ROOT

TIME = re.compile(r"\*\*Time:\*\* about (\d+) minutes")


def goal_minutes(assignment):
    nb = gc.read(gc.notebook_path(ROOT, "source", assignment))
    goal = next(c.source for c in nb.cells if c.cell_type == "markdown" and "## Goal" in c.source)
    found = TIME.findall(goal)
    assert found, f"{assignment}: the Goal says no time ('**Time:** about N minutes')"
    return int(found[0])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_step_takes_60_to_90_minutes(assignment):
    assert 45 <= goal_minutes(assignment) <= 90


def table_rows(text):
    """{assignment: row text} for the markdown table rows that link a step notebook."""
    rows = {}
    for line in text.splitlines():
        m = re.search(r"\((\d\d_\w+)/\1\.ipynb\)", line)
        if line.startswith("|") and m:
            rows[m.group(1)] = line
    return rows


def test_home_page_lists_every_step_in_order_with_its_goal_time():
    rows = table_rows((ROOT / "lab" / "START.md").read_text())
    assert list(rows) == ASSIGNMENTS, "lab/START.md must link every released step, in order"
    for assignment, row in rows.items():
        assert f"about {goal_minutes(assignment)} min" in row, \
            f"lab/START.md gives {assignment} another time than its Goal: {row}"


def test_home_page_steps_form_one_table():
    """A blank line between two step rows would end the table: a row after it shows as text."""
    lines = (ROOT / "lab" / "START.md").read_text().splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("| [")]
    assert rows == list(range(rows[0], rows[0] + len(rows))), "the step rows must be consecutive lines"
    assert lines[rows[0] - 1].startswith("|---") or set(lines[rows[0] - 1]) <= set("|-: "), \
        "the step rows must follow the table's header"


def test_readme_table_gives_each_step_its_time():
    readme = (ROOT / "README.md").read_text()
    for assignment in ASSIGNMENTS:
        number = assignment[:2]
        row = next((l for l in readme.splitlines() if l.startswith(f"| {number} |")), None)
        assert row, f"README's table has no row for step {number}"
        assert f"{goal_minutes(assignment)} min" in row, f"README: {row}"


def test_prepare_copies_new_steps_and_never_overwrites(tmp_path):
    work = tmp_path / "work"
    copied = learner.prepare(ROOT / "release", work, ROOT / "lab" / "START.md")
    assert sorted(str(p.parent) for p in copied) == ASSIGNMENTS
    assert (work / "START.md").read_text() == (ROOT / "lab" / "START.md").read_text()
    mine = work / ASSIGNMENTS[0] / f"{ASSIGNMENTS[0]}.ipynb"
    nb = nbformat.read(str(mine), as_version=4)
    # exactly what the kernel will report, so JupyterLab has nothing to change on open
    assert nb.metadata["language_info"] == learner.kernel_language_info()
    nb.cells[0].source = "my notes"
    nbformat.write(nb, str(mine))
    assert learner.prepare(ROOT / "release", work) == []
    assert nbformat.read(str(mine), as_version=4).cells[0].source == "my notes"


@pytest.mark.slow
def test_progress_table_runs_the_visible_tests(tmp_path, capsys):
    """make progress: blank -> not started, model answers -> all pass, one bug -> partly."""
    step = "01_linear_layer"
    work = tmp_path / "work"
    learner.prepare(ROOT / "release", work)
    for other in ASSIGNMENTS[1:]:
        (work / other / f"{other}.ipynb").unlink()
    release = gc.read(gc.notebook_path(ROOT, "release", step))
    source = gc.read(gc.notebook_path(ROOT, "source", step))
    done = gc.filled(release, source)
    other = work / "99_copy" / "99_copy.ipynb"
    other.parent.mkdir()
    nbformat.write(done, str(other))
    rows = {r[0]: r for r in learner.progress(work)}
    out = capsys.readouterr().out
    assert rows[step][1] == "not started" and rows[step][2] == 0
    assert rows["99_copy"][1] == "all visible tests pass"
    assert rows["99_copy"][2] == rows["99_copy"][3] > 0
    assert rows["99_copy"][4] == rows["99_copy"][5] > 0
    broken = gc.filled(release, source)
    cell = gc.cell_defining(broken, "linear_backward")
    cell.source += "\n\ndef linear_backward(dY, cache):\n    X, W = cache\n" \
                   "    return dY @ W.T, X.T @ dY, dY.mean(axis=0)\n"
    nbformat.write(broken, str(other))
    rows = {r[0]: r for r in learner.progress(work)}
    assert rows["99_copy"][1] == "in progress" and 0 < rows["99_copy"][2] < rows["99_copy"][3]
    assert "visible tests" in out and step in out
