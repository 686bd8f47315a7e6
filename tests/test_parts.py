"""What a learner meets cell by cell, checked in this process (no kernel, no nbgrader):

- a part runs on its own after a kernel restart: Setup and the read-only test-helper cell,
  the learner's functions of this and earlier parts, then any one test cell gives its
  verdict (no NameError from a helper defined in an earlier test cell);
- the model solution passes every test cell that way, visible part alone and with the
  hidden tests, silently (nbgrader fails a test cell that writes to stderr);
- every typical bug in ``tests/buggy`` fails a *visible* test of its function, so a
  learner finds it before handing in: a convention that only a hidden test enforced would
  show up here as a bug that passes every visible test. A bug that no visible test can
  catch says why (``hidden_only``);
- no check cell of the model solution prints a failure verdict, and every printed
  "<number> (expect below <bound>)" holds.
"""

import contextlib
import functools
import io
import re
import warnings

import numpy as np
import pytest

from course.data import load_mnist as _real_load_mnist
from tests import gradecycle as gc
from tests.alternatives import alternatives_for
from tests.buggy import bugs_for
from tests.conftest import ASSIGNMENTS, ROOT
from tests.nbns import beside, fresh_namespace, namespace, run_cell

HIDDEN = re.compile(r"^\s*### BEGIN HIDDEN TESTS\s*$.*?^\s*### END HIDDEN TESTS\s*$\n?",
                    re.M | re.S)


def visible(source):
    return HIDDEN.sub("", source)


def sections(nb):
    """[(heading, [cell indices])] for the notebook's "## " sections, in order."""
    found = [("", [])]
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            heads = [line for line in cell.source.split("\n") if line.startswith("## ")]
            if heads:
                found.append((heads[0], []))
        found[-1][1].append(index)
    return found


def layout(assignment):
    """(notebook, setup cell indices, [(heading, solution indices, test indices)]) where
    setup is every code cell before the first part."""
    path = gc.notebook_path(ROOT, "source", assignment)
    nb = gc.read(path)
    nb.metadata["__folder__"] = str(path.parent)
    all_sections = sections(nb)
    first_part = next(i for i, (h, _) in enumerate(all_sections) if h.startswith("## Part"))
    setup = [i for _, cells in all_sections[:first_part] for i in cells
             if nb.cells[i].cell_type == "code"]
    parts = []
    for heading, cells in all_sections[first_part:]:
        # the learner's functions, and read-only code the part gives them (the capstone's
        # training loop): what a learner reruns after a restart before a part's tests
        solutions = [i for i in cells if nb.cells[i].cell_type == "code"
                     and (gc.meta(nb.cells[i]).get("solution")
                          or (gc.meta(nb.cells[i]).get("locked") and not gc.meta(nb.cells[i]).get("grade")))]
        tests = [i for i in cells if gc.meta(nb.cells[i]).get("grade")
                 and not gc.meta(nb.cells[i]).get("solution")]
        parts.append((heading, solutions, tests))
    return nb, setup, parts


class CellFailed(Exception):
    pass


def run_quietly(ns, source, name):
    """Run a cell; raise CellFailed when it raises or writes to stderr (warnings count)."""
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        warnings.simplefilter("always")
        try:
            run_cell(ns, source, name)
        except Exception as exc:  # noqa: BLE001 (the verdict of a test cell)
            raise CellFailed(f"{type(exc).__name__}: {exc}") from exc
    if caught:
        raise CellFailed(f"warning: {caught[0].category.__name__}: {caught[0].message}")
    if err.getvalue().strip():
        raise CellFailed(f"stderr: {err.getvalue().strip()[:300]}")


@functools.lru_cache(maxsize=1)
def _mnist():
    return _real_load_mnist(progressbar=False)


@contextlib.contextmanager
def mnist_loaded_once():
    """While Setup runs here, ``course.data.load_mnist()`` hands out copies of one decoded
    MNIST (the capstone's Setup loads it for every part and every bug)."""
    import course.data

    real = course.data.load_mnist

    def load_copy(*args, **kwargs):
        return type(_mnist())(*(a.copy() for a in _mnist()))

    course.data.load_mnist = load_copy
    try:
        yield
    finally:
        course.data.load_mnist = real


def up_to_tests_of(nb, parts, function):
    """The solution cells before the last test cell of ``function`` (what its tests need:
    not the capstone's training run further down)."""
    tests = [i for _, _, t in parts for i in t
             if gc.meta(nb.cells[i])["grade_id"].startswith(f"{function}_")]
    last = max(tests, default=len(nb.cells))
    return [i for _, s, _ in parts for i in s if i < last]


def base_namespace(nb, setup, solution_cells, replace=None, tolerate=False):
    """Setup and helper cells, then the given solution cells (``replace`` maps a cell
    index to the source to run instead). ``tolerate``: a solution cell that raises is
    passed over (with a bug in place, the capstone's training cell may fail; the bug's
    own test cells are what is checked)."""
    import matplotlib
    matplotlib.use("Agg")
    ns = fresh_namespace()
    with contextlib.redirect_stdout(io.StringIO()), beside(nb.metadata["__folder__"]), mnist_loaded_once():
        for i in setup:
            run_cell(ns, nb.cells[i].source, f"setup[cell {i}]")
        for i in solution_cells:
            try:
                run_cell(ns, (replace or {}).get(i, nb.cells[i].source), f"solution[cell {i}]")
            except Exception:  # noqa: BLE001 (see tolerate)
                if not tolerate:
                    raise
    import matplotlib.pyplot as plt
    plt.close("all")
    return ns


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_part_runs_on_its_own_after_a_restart(assignment):
    """For each part: Setup + helpers + the learner's functions up to this part, then each
    test cell alone (visible part, then whole) passes with the model solution."""
    nb, setup, parts = layout(assignment)
    assert any(gc.meta(nb.cells[i]).get("grade_id") == "test_helpers" for i in setup), \
        "no read-only test-helper cell (grade_id test_helpers) before the first part"
    helper = next(i for i in setup if gc.meta(nb.cells[i]).get("grade_id") == "test_helpers")
    assert gc.meta(nb.cells[helper]).get("locked"), "the test-helper cell must be read-only"
    failures = []
    solutions_so_far = []
    for heading, solutions, tests in parts:
        solutions_so_far += solutions
        if not tests:
            continue
        ns = base_namespace(nb, setup, solutions_so_far)
        for i in tests:
            gid = gc.meta(nb.cells[i])["grade_id"]
            for label, source in (("visible", visible(nb.cells[i].source)),
                                  ("with hidden tests", nb.cells[i].source)):
                try:
                    run_quietly(dict(ns), source, f"{gid}[{label}]")
                except CellFailed as exc:
                    failures.append(f"{heading} / {gid} ({label}): {exc}")
    assert not failures, "test cells that fail when their part is run alone after a " \
        "restart:\n" + "\n".join(failures)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_test_cell_defines_what_another_cell_uses(assignment):
    """Helpers live in the test-helper cell: a name a test cell defines (def, class or a
    top-level assignment) is not read by any later cell."""
    import ast

    nb, _, parts = layout(assignment)
    tests = [i for _, _, t in parts for i in t]
    leaks = []
    for i in tests:
        tree = ast.parse(gc.strip_markers(nb.cells[i].source))
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        if not defined:
            continue
        for j in range(i + 1, len(nb.cells)):
            cell = nb.cells[j]
            if cell.cell_type != "code":
                continue
            try:
                later = ast.parse(gc.strip_markers(cell.source.replace("%matplotlib", "#")))
            except SyntaxError:
                continue
            used = {n.id for n in ast.walk(later) if isinstance(n, ast.Name)}
            for name in sorted(defined & used):
                leaks.append(f"{name} (defined in {gc.meta(nb.cells[i])['grade_id']}, "
                             f"used in cell {j})")
    assert not leaks, "move these helpers to the test-helper cell: " + ", ".join(leaks)


BUG_CASES = [(a, b) for a in ASSIGNMENTS for b in bugs_for(a)]


@pytest.mark.parametrize("assignment,bug", BUG_CASES, ids=[f"{a}-{b.name}" for a, b in BUG_CASES])
def test_a_visible_test_catches_every_typical_bug(assignment, bug):
    nb, setup, parts = layout(assignment)
    solutions = up_to_tests_of(nb, parts, bug.function)
    cell = gc.cell_defining(nb, bug.function)
    index = nb.cells.index(cell)
    ns = base_namespace(nb, setup, solutions,
                        replace={index: cell.source + "\n\n\n# the learner's version\n" + bug.code},
                        tolerate=True)
    tests = [i for _, _, t in parts for i in t
             if gc.meta(nb.cells[i])["grade_id"].startswith(f"{bug.function}_")]
    assert tests, f"no test cells named {bug.function}_*"
    caught = []
    for i in tests:
        try:
            run_quietly(dict(ns), visible(nb.cells[i].source), gc.meta(nb.cells[i])["grade_id"])
        except CellFailed:
            caught.append(gc.meta(nb.cells[i])["grade_id"])
    if bug.hidden_only:
        assert not caught, (f"{bug.name} is marked hidden_only ({bug.hidden_only}) but "
                            f"visible tests catch it: {caught}; drop the mark")
    else:
        assert caught, (f"{bug.function} with the bug '{bug.why}' passes every visible test "
                        f"of {bug.function}; the convention it breaks must be visible")


FAILURE_WORDS = re.compile(r"TOO LARGE|TOO SMALL|\bFAIL(ED|S)?\b|\bWRONG\b|\bNOT OK\b|"
                           r"\bMISMATCH\b|\bERROR\b(?!:)")
EXPECT_BELOW = re.compile(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)[^\d\n(]{0,12}"
                          r"\(expect below ([-+]?(?:\d+\.?\d*)(?:[eE][-+]?\d+)?)\)")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_model_solution_prints_no_failure_verdict(assignment):
    printed = namespace(assignment)["__stdout__"]
    assert printed, "the notebook printed nothing"
    problems = []
    for index, text in printed.items():
        for line in text.splitlines():
            if FAILURE_WORDS.search(line):
                problems.append(f"cell {index}: {line.strip()}")
            for value, bound in EXPECT_BELOW.findall(line):
                if not float(value) < float(bound):
                    problems.append(f"cell {index}: {value} is not below {bound}: {line.strip()}")
    assert not problems, "check cells of the model solution report failures:\n" + \
        "\n".join(problems)


def test_verdict_scanner_can_fail():
    assert FAILURE_WORDS.search("gelu dx: relative error 3.1e-03 (expect below 1e-07) TOO LARGE")
    assert EXPECT_BELOW.findall("largest difference: 3.0e-05 (expect below 1e-12)") == \
        [("3.0e-05", "1e-12")]
    assert EXPECT_BELOW.findall("dX: relative error 2.1e-10 (expect below 1e-07) ok") == \
        [("2.1e-10", "1e-07")]
    assert not np.isnan(float("1e-07"))


ALT_CASES = [(a, alt) for a in ASSIGNMENTS for alt in alternatives_for(a)]


@pytest.mark.parametrize("assignment,alt", ALT_CASES, ids=[f"{a}-{x.name}" for a, x in ALT_CASES])
def test_a_correct_alternative_passes_every_test_of_its_function(assignment, alt):
    """The quick in-process twin of the grade cycle's check (which uses nbgrader)."""
    nb, setup, parts = layout(assignment)
    solutions = up_to_tests_of(nb, parts, alt.function)
    cell = gc.cell_defining(nb, alt.function)
    index = nb.cells.index(cell)
    ns = base_namespace(nb, setup, solutions,
                        replace={index: cell.source + "\n\n\n# the learner's version\n" + alt.code})
    failures = []
    for i in (i for _, _, t in parts for i in t):
        if gc.meta(nb.cells[i])["grade_id"].startswith(f"{alt.function}_"):
            try:
                run_quietly(dict(ns), nb.cells[i].source, gc.meta(nb.cells[i])["grade_id"])
            except CellFailed as exc:
                failures.append(f"{gc.meta(nb.cells[i])['grade_id']}: {exc}")
    assert not failures, f"{alt.function} written as '{alt.how}' fails:\n" + "\n".join(failures)
