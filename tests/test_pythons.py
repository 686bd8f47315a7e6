"""The course on every CPython a learner may have (3.11 to 3.13).

Finds the CPythons 3.11-3.13 on this machine (on PATH, Debian's /usr/bin, pyenv's
versions), and for the oldest and the newest: `make install` into a fresh virtual
environment (the universal requirements.lock), one notebook executed by nbval, and one
grade cycle with the instructor's make targets (solution at full marks, blank at zero).
Every other one found is installed and imported. The full suite runs on the Python that
runs `make test`. Also: an unusable python3 gets, as the first line of output, which
versions work and how to pick one.
"""

import csv
import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import gradecycle as gc
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
STEP = "01_linear_layer"
# {version: seconds} of `make install`, for the run's closing lines
install_seconds = {}


def candidates():
    names = [f"python3.{minor}" for minor in (11, 12, 13)] + ["python3"]
    found = [str(Path(d) / n) for d in os.environ.get("PATH", "").split(os.pathsep) for n in names]
    found += [f"/usr/bin/{n}" for n in names] + [f"/usr/local/bin/{n}" for n in names]
    pyenv = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    found += sorted(glob.glob(f"{pyenv}/versions/3.1[1-3]*/bin/python3.1[1-3]"))
    return found


def interpreters():
    """{(major, minor, micro): path} of the runnable CPythons 3.11-3.13 found."""
    result = {}
    probe = "import platform, sys; print(platform.python_implementation(), *sys.version_info[:3])"
    for path in candidates():
        if not os.access(path, os.X_OK):
            continue
        try:
            out = subprocess.run([path, "-c", probe], capture_output=True, text=True,
                                 timeout=20).stdout.split()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if len(out) != 4 or out[0] != "CPython":
            continue
        version = tuple(int(v) for v in out[1:])
        if (3, 11) <= version[:2] <= (3, 13):
            result.setdefault(version, path)
    return result


FOUND = interpreters()
ENDS = sorted({min(FOUND), max(FOUND)}) if FOUND else []
# the Python running this suite is proved by the whole suite
MIDDLE = [v for v in sorted(FOUND) if v not in ENDS and v != tuple(sys.version_info[:3])]


def name(version):
    return ".".join(map(str, version))


def make(*args, cwd=ROOT, timeout=1500):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep)
                                  if not p.startswith(sys.prefix))
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(["make", "-s", "-C", str(cwd), *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def install(version, tmp_path_factory):
    venv = ROOT / "build" / "pythons" / name(version)
    start = time.perf_counter()
    result = make("install", f"VENV={venv}", f"PYTHON={FOUND[version]}")
    install_seconds[name(version)] = time.perf_counter() - start
    assert result.returncode == 0, f"make install with {FOUND[version]} failed:\n" \
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    python = venv / "bin" / "python"
    out = subprocess.run([str(python), "-c", "import sys, numpy, matplotlib, ipywidgets, "
                          "nbgrader, jupyterlab, course; print(*sys.version_info[:3])"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.split() == list(map(str, version)), out.stderr
    return venv


def test_the_machine_has_a_python_the_course_runs_on():
    assert FOUND, "no CPython 3.11-3.13 found"


@pytest.mark.parametrize("version", MIDDLE, ids=name)
def test_installs_on(version, tmp_path_factory):
    install(version, tmp_path_factory)


@pytest.mark.parametrize("version", ENDS, ids=name)
def test_notebook_and_grade_cycle_on(version, tmp_path_factory):
    venv = install(version, tmp_path_factory)
    python = venv / "bin" / "python"
    notebook = ROOT / "source" / STEP / f"{STEP}.ipynb"
    run = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--nbval-lax", "--nbval-current-env", str(notebook)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900,
                         env=dict(os.environ, MPLBACKEND="Agg"))
    assert run.returncode == 0, f"nbval on Python {name(version)}:\n{run.stdout[-3000:]}"

    course = tmp_path_factory.mktemp(f"course-{name(version)}")
    for file in ("Makefile", "nbgrader_config.py", "pyproject.toml", "requirements.lock"):
        shutil.copy2(ROOT / file, course)
    shutil.copytree(ROOT / "source" / STEP, course / "source" / STEP)
    shutil.copytree(ROOT / "lab", course / "lab")
    shutil.copytree(ROOT / "tools", course / "tools")
    args = [f"VENV={venv}", f"RUNTIME={venv / '.runtime-installed'}"]
    released = make("release", *args, cwd=course)
    assert released.returncode == 0, released.stderr[-3000:]
    source = gc.read(notebook)
    release = gc.read(course / "release" / STEP / f"{STEP}.ipynb")
    gc.hand_in(course, STEP, {"solution": source, "blank": release})
    graded = make("autograde", "feedback", "grades", *args, cwd=course)
    assert graded.returncode == 0, f"{graded.stdout[-2000:]}\n{graded.stderr[-3000:]}"
    with open(course / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert float(rows["blank"]["raw_score"]) == 0
    solution = float(rows["solution"]["raw_score"])
    auto_max = sum(float(gc.meta(c).get("points", 0)) for c in gc.test_cells(source)
                   if c.cell_type == "code")
    assert solution == auto_max > 0, f"solution {solution}/{auto_max} on Python {name(version)}"
    assert (course / "feedback" / "solution" / STEP / f"{STEP}.html").exists()


def test_an_unusable_python_is_named_on_the_first_line(tmp_path):
    fake = tmp_path / "python3.99"
    fake.write_text("#!/bin/sh\n[ \"$1\" = -V ] && { echo 'Python 3.99.0'; exit 0; }\nexit 1\n")
    fake.chmod(0o755)
    for python, says in ((fake, "is Python 3.99.0"), ("no-such-python", "is not found")):
        result = make("install", f"VENV={tmp_path / 'venv'}", f"PYTHON={python}")
        first = (result.stdout + result.stderr).strip().splitlines()[0]
        assert result.returncode != 0
        assert "runs on CPython 3.11, 3.12 or 3.13" in first and says in first, first
        assert "make lab PYTHON=python3.12" in first, first
        assert not (tmp_path / "venv").exists()
