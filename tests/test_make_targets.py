"""The instructor's make targets on a copy of the course: release, autograde (with a
submission that kills its kernel among good ones; in the sandbox, and where bubblewrap
cannot run), feedback, grades, clean."""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import gradecycle as gc
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
STEP = "01_linear_layer"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of the course folder whose make targets use this test's environment."""
    root = tmp_path_factory.mktemp("course")
    for name in ("Makefile", "nbgrader_config.py", "pyproject.toml", "requirements.lock",
                 "requirements-test.lock"):
        shutil.copy2(ROOT / name, root)
    for folder in ("lab", "tools"):
        shutil.copytree(ROOT / folder, root / folder)
    for folder in ("source", "release"):  # one step: make release regenerates every step it finds
        shutil.copytree(ROOT / folder / STEP, root / folder / STEP)
    stamp = root / ".installed"
    stamp.touch()  # newer than the copied lock files: nothing to install
    return root, stamp


def make(course, *targets):
    root, stamp = course
    # this checkout's course package (nbgrader_config.py imports it), whatever the
    # environment's editable install points at
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.run(["make", "-s", "-C", str(root), *targets, f"VENV={Path(sys.prefix)}",
                           f"RUNTIME={stamp}"], capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=path))


def submit(root, student, nb):
    path = root / "submitted" / student / STEP / f"{STEP}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    gc.nbformat.write(nb, str(path))


def test_instructor_cycle_through_make(course):
    root, _ = course
    subs = gc.submissions(STEP)
    submit(root, "ada", subs["z_solution"])
    submit(root, "bo", subs["z_blank"])
    submit(root, "ann", subs["a_kernel_killed"])  # graded before bo: must not stop bo
    class_ = ["ada", "bo", "ann", "al", "bea", "cal"]
    for student in class_[3:]:  # more of the class, for the two grading processes
        submit(root, student, subs["z_filled"])

    released = make(course, "release")
    assert released.returncode == 0, released.stderr
    assert (root / "release" / STEP / f"{STEP}.ipynb").read_bytes() == \
        (ROOT / "release" / STEP / f"{STEP}.ipynb").read_bytes()

    graded = make(course, "autograde", "JOBS=2")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "WITHOUT the sandbox" not in graded.stdout + graded.stderr
    assert f"{STEP}: 6 submissions graded by 2 processes" in graded.stdout
    # a kernel that died is graded on what ran (nothing here), and the others all the same
    for student in class_:
        assert (root / "autograded" / student / STEP).is_dir()

    feedback = make(course, "feedback")
    assert feedback.returncode == 0, feedback.stderr
    for student in class_:
        assert (root / "feedback" / student / STEP / f"{STEP}.html").exists()

    exported = make(course, "grades")
    assert exported.returncode == 0, exported.stderr
    with open(root / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == STEP}
    auto_max = float(rows["ada"]["max_score"]) - 2  # the written answer is graded by hand
    assert set(rows) == set(class_), "one gradebook, every student's grade"
    for student in ("ada", *class_[3:]):
        assert float(rows[student]["raw_score"]) == auto_max, student
    assert float(rows["bo"]["raw_score"]) == 0
    assert float(rows["ann"]["raw_score"]) == 0  # in the gradebook, at zero
    assert {r["graded_in_sandbox"] for r in rows.values()} == {"yes"}


def test_make_clean_strips_outputs(course):
    root, _ = course
    path = root / "source" / STEP / f"{STEP}.ipynb"
    nb = gc.read(path)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.execution_count = 3
    code.outputs = [gc.nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    gc.nbformat.write(nb, str(path))
    cleaned = make(course, "clean")
    assert cleaned.returncode == 0, cleaned.stderr
    assert path.read_bytes() == (ROOT / "source" / STEP / f"{STEP}.ipynb").read_bytes()


def test_autograde_stops_where_bubblewrap_cannot_run_unless_told(course):
    root, _ = course
    shutil.rmtree(root / "submitted", ignore_errors=True)
    shutil.rmtree(root / "autograded", ignore_errors=True)
    submit(root, "cy", gc.submissions(STEP)["z_solution"])
    stopped = make(course, "autograde", "BWRAP=/nonexistent/bwrap")
    assert stopped.returncode != 0
    assert "sandbox cannot run here" in stopped.stdout and "SANDBOX=off" in stopped.stdout
    assert not (root / "autograded" / "cy").exists(), "nothing is graded"

    unsandboxed = make(course, "autograde", "BWRAP=/nonexistent/bwrap", "SANDBOX=off")
    assert unsandboxed.returncode == 0, unsandboxed.stdout + unsandboxed.stderr
    log = unsandboxed.stdout + unsandboxed.stderr
    assert "WARNING: grading WITHOUT the sandbox" in log
    assert "grading cy WITHOUT the sandbox" in log  # nbgrader's own log, per notebook
    assert (root / "autograded" / "cy" / STEP).is_dir()
    exported = make(course, "grades")
    assert exported.returncode == 0, exported.stderr
    with open(root / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == STEP}
    assert rows["cy"]["graded_in_sandbox"] == "NO"
