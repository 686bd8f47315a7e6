"""How earlier steps' code reaches later steps, and that no solution arrives early.

Each step's ``earlier_steps.py`` (tools/earlier.py) holds the model solutions of the
earlier functions it imports. A release folder and the installed ``course`` package must
never hold the solution of a graded part of that step or of a later one: an instructor
hands out step k while step k+1 is still due.
"""

import ast
import importlib.util

import pytest

from tests import gradecycle as gc
from tests.conftest import ASSIGNMENTS, ROOT
from tools import earlier


def test_earlier_steps_modules_are_what_make_release_writes():
    stale = earlier.write_all(check=True)
    assert not stale, f"run `make release`: stale {[str(p.relative_to(ROOT)) for p in stale]}"


def solution_lines(assignment):
    """Distinctive lines of a step's solution regions that its release does not show."""
    source = gc.read(gc.notebook_path(ROOT, "source", assignment))
    secret, visible = gc.marked_lines(source, kinds=("SOLUTION",))
    return {line for line in secret - visible if len(line) >= 16 and not line.startswith("#")}


def files_of(folder):
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".py", ".ipynb", ".md",
                                                                          ".txt", ".json")]


ALL_STEPS = earlier.steps()


@pytest.mark.parametrize("assignment", ALL_STEPS)
def test_release_holds_no_solution_of_its_own_or_a_later_step(assignment):
    later = [s for s in ALL_STEPS if s >= assignment]
    secrets = {line: s for s in later for line in solution_lines(s)}
    assert secrets
    leaks = []
    for path in files_of(ROOT / "release" / assignment):
        text = path.read_text()
        leaks += [f"{path.relative_to(ROOT)}: {line!r} (step {step})"
                  for line, step in secrets.items() if line in text]
    assert not leaks, "solutions released too early:\n" + "\n".join(leaks[:10])


def test_course_package_holds_no_graded_solution():
    secrets = {line: s for s in ALL_STEPS for line in solution_lines(s)}
    leaks = []
    for path in files_of(ROOT / "course"):
        text = path.read_text()
        leaks += [f"{path.relative_to(ROOT)}: {line!r} (step {step})"
                  for line, step in secrets.items() if line in text]
    assert not leaks, "course/ holds graded solutions:\n" + "\n".join(leaks[:10])


def test_the_leak_check_can_fail(tmp_path):
    step = ALL_STEPS[0]
    line = sorted(solution_lines(step))[0]
    (tmp_path / "x.py").write_text(f"def f():\n    {line}\n")
    assert any(line in p.read_text() for p in files_of(tmp_path))


@pytest.mark.parametrize("assignment", [a for a in ASSIGNMENTS
                                        if (ROOT / "source" / a / "earlier_steps.py").exists()])
def test_earlier_steps_module_matches_the_earlier_solutions(assignment):
    path = ROOT / "source" / assignment / "earlier_steps.py"
    spec = importlib.util.spec_from_file_location(f"earlier_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    nb = gc.read(gc.notebook_path(ROOT, "source", assignment))
    for name in earlier.wanted(nb):
        assert callable(getattr(module, name)), f"{name} missing from {path.name}"
    defined = [n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef)]
    for name in defined:
        owners = [s for s in ALL_STEPS if s < assignment
                  and name in earlier.solution_functions(earlier.read(ROOT, s))]
        assert owners, f"{name} in {path.name} comes from no earlier step"
