"""Notebooks are committed clean, release/ is exactly what nbgrader regenerates, no
release notebook holds solution code or hidden tests, and graded cells follow the house
style (descriptive grade ids, a docstring first, never a bare expression last)."""

import ast
import filecmp
import re
import subprocess
import sys
from pathlib import Path

import pytest

import nbformat

from tests import gradecycle as gc
from tests.conftest import ASSIGNMENTS, ROOT

ALLOWED_NB_METADATA = {"kernelspec", "language_info", "nbgrader"}


def all_notebooks():
    return sorted(p for folder in ("source", "release") for p in (ROOT / folder).glob("*/*.ipynb"))


def test_every_step_is_released():
    released = sorted(p.name for p in (ROOT / "release").iterdir() if p.is_dir())
    steps = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir() and p.name[:2].isdigit())
    assert ASSIGNMENTS and set(ASSIGNMENTS) <= set(steps) and released == steps


def test_notebooks_are_clean_by_nbstripout():
    """`make clean` (nbstripout) would change nothing."""
    result = subprocess.run([str(Path(sys.executable).parent / "nbstripout"), "--dry-run",
                             *map(str, all_notebooks())], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), \
        f"notebooks that `make clean` would change:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_has_no_outputs_and_only_known_metadata(path):
    nb = gc.read(path)
    extra = set(nb.metadata) - ALLOWED_NB_METADATA
    assert not extra, f"notebook metadata to strip: {sorted(extra)}"
    for index, cell in enumerate(nb.cells):
        assert not cell.get("outputs"), f"cell {index} has outputs"
        assert cell.get("execution_count") is None, f"cell {index} has an execution count"
        unknown = set(cell.metadata) - {"nbgrader", "deletable", "editable"}
        assert not unknown, f"cell {index} metadata to strip: {sorted(unknown)}"


def test_release_is_what_nbgrader_regenerates(tmp_path):
    gc.make_course(tmp_path, ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        committed = ROOT / "release" / assignment
        fresh = tmp_path / "release" / assignment
        cmp = filecmp.dircmp(committed, fresh)
        assert not (cmp.left_only or cmp.right_only), \
            f"{assignment}: files differ: {cmp.left_only} vs {cmp.right_only}"
        _, mismatch, errors = filecmp.cmpfiles(committed, fresh, cmp.common_files, shallow=False)
        assert not mismatch and not errors, \
            f"release/{assignment} is stale: run `make release` ({mismatch})"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solution_or_hidden_test(assignment):
    source = gc.read(gc.notebook_path(ROOT, "source", assignment))
    release = gc.read(gc.notebook_path(ROOT, "release", assignment))
    text = "\n".join(c.source for c in release.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    public = {line.strip() for c in release.cells for line in c.source.split("\n")}
    # a line a student legitimately sees elsewhere (a shared check call) is not a leak;
    # a line that only the solution or the hidden tests hold must not appear
    secret, visible = gc.marked_lines(source)
    leaked = [line for line in secret - visible if line in public and len(line) > 3]
    assert not leaked, f"release shows solution or hidden-test lines: {leaked[:5]}"
    assert secret, "the source should have solutions and hidden tests"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_graded_cells_follow_the_house_style(assignment):
    source = gc.read(gc.notebook_path(ROOT, "source", assignment))
    ids = []
    for cell in source.cells:
        m = gc.meta(cell)
        if not m:
            continue
        gid = m["grade_id"]
        ids.append(gid)
        assert not gid.startswith("cell-"), f"{gid}: give the cell a descriptive grade_id"
        if m.get("grade") and not m.get("solution"):
            assert m.get("points", 0) > 0, f"{gid}: a test cell without points"
            tree = ast.parse(gc.strip_markers(cell.source))
            first, last = tree.body[0], tree.body[-1]
            assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                and isinstance(first.value.value, str), f"{gid}: start with a one-line docstring"
            bare = isinstance(last, ast.Expr) and not isinstance(last.value, ast.Call)
            assert len(tree.body) > 1 and not bare, \
                f"{gid}: a test cell must not end in a bare expression (it would always pass)"
            assert "BEGIN HIDDEN TESTS" in cell.source, f"{gid}: no hidden tests"
    assert len(ids) == len(set(ids)), "duplicate grade ids"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_follows_the_section_order(assignment):
    source = gc.read(gc.notebook_path(ROOT, "source", assignment))
    headings = [line for c in source.cells if c.cell_type == "markdown"
                for line in c.source.split("\n") if line.startswith("## ")]
    order = ["## Goal", "## Setup", "## Part", "## Explore", "## Practice", "## Summary"]
    positions = []
    for wanted in order:
        found = [i for i, h in enumerate(headings) if h.startswith(wanted)]
        assert found, f"no section '{wanted}'"
        positions.append(found[0])
    assert positions == sorted(positions), f"sections out of order: {headings}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_graded_functions_document_inputs_and_returns(assignment):
    """The docstring is where a graded function's conventions live (what a hidden test
    enforces is also exercised by a visible one: tests/test_parts.py)."""
    from tests.test_grade_cycle import graded_functions

    source = gc.read(gc.notebook_path(ROOT, "source", assignment))
    functions = graded_functions(assignment)
    seen = set()
    for cell in source.cells:
        if cell.cell_type == "code" and gc.meta(cell).get("solution"):
            for node in ast.parse(gc.strip_markers(cell.source)).body:
                if isinstance(node, ast.FunctionDef) and node.name in functions:
                    doc = ast.get_docstring(node) or ""
                    assert "Inputs" in doc and "Returns" in doc, \
                        f"{node.name}: the docstring needs Inputs and Returns sections"
                    seen.add(node.name)
    assert seen == functions


# PyTorch is the bridge notebook's subject and the tests' oracle; every other notebook,
# and the course package, is NumPy only (a learner without the torch extra runs them all).
TORCH_NOTEBOOK = "12_pytorch_bridge"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_only_the_bridge_notebook_imports_torch(assignment):
    nb = nbformat.read(str(ROOT / "source" / assignment / f"{assignment}.ipynb"), as_version=4)
    imports = [c.source for c in nb.cells if c.cell_type == "code"
               and re.search(r"^\s*(import torch|from torch)", c.source, re.M)]
    if assignment == TORCH_NOTEBOOK:
        assert imports, "the bridge notebook imports torch"
    else:
        assert not imports, f"{assignment} imports torch"
    earlier = ROOT / "source" / assignment / "earlier_steps.py"
    if earlier.exists():
        assert not re.search(r"^\s*(import torch|from torch)", earlier.read_text(), re.M)


def test_course_package_does_not_import_torch():
    for path in (ROOT / "course").rglob("*.py"):
        assert not re.search(r"^\s*(import torch|from torch)", path.read_text(), re.M), path
