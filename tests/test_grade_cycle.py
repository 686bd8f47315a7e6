"""The nbgrader cycle, end to end, with the real commands on a copy of the course.

For every assignment: the model solution scores full marks, the untouched release
scores zero, every typical bug loses points on its own function's cells, every correct
alternative solution keeps full marks, broken
submissions (an infinite loop, a killed kernel) are graded zero without stopping the
others, edited and deleted test cells are restored, and the feedback students receive
holds no hidden test.
"""

import csv
import html
import re
from collections import defaultdict

import pytest

from tests import gradecycle as gc
from tests.alternatives import alternatives_for
from tests.buggy import bugs_for
from tests.conftest import ASSIGNMENTS

_cycles = {}


@pytest.fixture(scope="module")
def cycle(request, tmp_path_factory):
    def get(assignment):
        if assignment not in _cycles:
            subs = gc.submissions(assignment)
            workdir = tmp_path_factory.mktemp(f"grade_{assignment}")
            scores, dirs, log = gc.run_cycle(workdir, assignment, subs)
            _cycles[assignment] = {"subs": subs, "scores": scores, "dirs": dirs, "log": log}
        return _cycles[assignment]
    return get


def auto_cells(grades):
    """{grade_id: (score, max)} for the autograded (code) cells of one submission."""
    return {gid: (score or 0.0, mx) for gid, (score, mx, is_code) in grades.items() if is_code}


def totals(grades, prefix=""):
    cells = {k: v for k, v in auto_cells(grades).items() if k.startswith(prefix)}
    return sum(s for s, _ in cells.values()), sum(m for _, m in cells.values())


def cycle_summaries():
    """One line of figures per graded assignment, for the end of the test run."""
    lines = {}
    for assignment, result in _cycles.items():
        scores = result["scores"]
        sol, maximum = totals(scores["z_solution"])
        blank, _ = totals(scores["z_blank"])
        bugs = bugs_for(assignment)
        lost = sum(1 for b in bugs
                   if (lambda s, m: m > 0 and s < m)(*totals(scores[gc.bug_student(assignment, b)],
                                                             prefix=f"{b.function}_")))
        alts = alternatives_for(assignment)
        kept = sum(1 for a in alts
                   if (lambda s, m: m > 0 and s == m)(*totals(
                       scores[gc.alternative_student(assignment, a)], prefix=f"{a.function}_")))
        broken = [s for s in ("a_kernel_killed", "e_edited_tests", "e_deleted_tests")
                  if totals(scores[s])[0] == 0]
        loop = totals(scores["a_infinite_loop"])[0]
        attacks = {a: totals(scores[a])[0] for a in gc.ATTACKS}
        lines[assignment] = (f"solution {sol:g}/{maximum:g}, blank {blank:g}, "
                             f"bugs losing points {lost}/{len(bugs)}, "
                             f"alternatives at full marks {kept}/{len(alts)}, "
                             f"killed or tampered submissions at zero {len(broken)}/3, a loop in the first cell {loop:g}, "
                             "dishonest submissions " + ", ".join(f"{a[2:]} {v:g}" for a, v in attacks.items()))
    return lines


BUG_CASES = [(a, b) for a in ASSIGNMENTS for b in bugs_for(a)]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks(cycle, assignment):
    grades = cycle(assignment)["scores"]["z_solution"]
    cells = auto_cells(grades)
    assert cells, "the solution was not graded"
    missing = {gid: v for gid, v in cells.items() if v[0] != v[1]}
    assert not missing, f"the model solution loses points on {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_filled_release_scores_full_marks(cycle, assignment):
    """The release with the answers typed in scores like the solution (tests intact)."""
    grades = cycle(assignment)["scores"]["z_filled"]
    missing = {gid: v for gid, v in auto_cells(grades).items() if v[0] != v[1]}
    assert auto_cells(grades) and not missing, f"filled release loses points on {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_release_scores_zero(cycle, assignment):
    grades = cycle(assignment)["scores"]["z_blank"]
    cells = auto_cells(grades)
    assert cells, "the blank release was not graded"
    credited = {gid: v for gid, v in cells.items() if v[0] != 0}
    assert not credited, f"an untouched release earns points on {credited}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment,bug", BUG_CASES,
                         ids=[f"{a}-{b.name}" for a, b in BUG_CASES])
def test_bug_loses_points_on_its_function(cycle, assignment, bug):
    grades = cycle(assignment)["scores"][gc.bug_student(assignment, bug)]
    score, maximum = totals(grades, prefix=f"{bug.function}_")
    assert maximum > 0, f"no graded cells named {bug.function}_*"
    assert score < maximum, (f"{bug.function} with the bug '{bug.why}' still scores "
                             f"{score}/{maximum} on its cells")


ALT_CASES = [(a, alt) for a in ASSIGNMENTS for alt in alternatives_for(a)]


@pytest.mark.slow
@pytest.mark.parametrize("assignment,alt", ALT_CASES,
                         ids=[f"{a}-{alt.name}" for a, alt in ALT_CASES])
def test_correct_alternative_scores_full_marks(cycle, assignment, alt):
    student = gc.alternative_student(assignment, alt)
    grades = cycle(assignment)["scores"][student]
    score, maximum = totals(grades, prefix=f"{alt.function}_")
    assert maximum > 0, f"no graded cells named {alt.function}_*"
    assert score == maximum, (f"{alt.function} written another correct way ({alt.how}) "
                              f"scores {score}/{maximum} on its cells")
    lost = {gid: v for gid, v in auto_cells(grades).items() if v[0] != v[1]}
    assert not lost, f"{student} (alternatives handed in together) loses points on {lost}"


def graded_functions(assignment):
    source = gc.read(gc.notebook_path(gc.ROOT, "source", assignment))
    test_ids = [gc.meta(c)["grade_id"] for c in gc.test_cells(source)]
    functions = set()
    for cell in source.cells:
        if cell.cell_type == "code" and gc.meta(cell).get("solution"):
            for name in re.findall(r"^def (\w+)\(", cell.source, re.M):
                if any(t.startswith(f"{name}_") for t in test_ids):
                    functions.add(name)
    assert functions, "no graded functions found"
    return functions


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_two_correct_alternatives(assignment):
    count = defaultdict(int)
    for alt in alternatives_for(assignment):
        count[alt.function] += 1
    functions = graded_functions(assignment)
    short = {f: count[f] for f in functions if count[f] < 2}
    assert not short, f"graded functions with fewer than two correct alternatives: {short}"
    unknown = set(count) - functions
    assert not unknown, f"alternatives for functions that are not graded: {unknown}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_three_bugs(assignment):
    functions = graded_functions(assignment)
    count = defaultdict(int)
    for b in bugs_for(assignment):
        count[b.function] += 1
    short = {f: count[f] for f in functions if count[f] < 3}
    assert not short, f"graded functions with fewer than three buggy versions: {short}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("student", ["a_infinite_loop", "a_kernel_killed"])
def test_broken_submission_graded_on_what_ran_and_others_graded(cycle, assignment, student):
    """A killed kernel scores zero (nothing after it ran). The infinite loop is in the first
    cell, the imports: it is interrupted, and the learner's functions after it are graded on
    what they do without the imports (the tests bring their own), which is less than all."""
    result = cycle(assignment)
    score, maximum = totals(result["scores"][student])
    if student == "a_kernel_killed":
        assert maximum > 0 and score == 0, f"{student} scored {score}/{maximum}"
    else:
        assert maximum > 0 and score < maximum, f"{student} scored {score}/{maximum}"
    # graded before everyone else in its course copy, and the others were still graded
    later = [s for s in result["scores"] if s > student]
    assert later and all(result["scores"][s] for s in later)
    assert totals(result["scores"]["z_solution"])[0] == maximum


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("student", ["e_edited_tests", "e_deleted_tests"])
def test_tampered_test_cells_are_restored(cycle, assignment, student):
    result = cycle(assignment)
    score, maximum = totals(result["scores"][student])
    assert maximum > 0 and score == 0, f"{student} scored {score}/{maximum}"
    source = gc.read(gc.notebook_path(gc.ROOT, "source", assignment))
    expected = {gc.meta(c)["grade_id"]: c.source for c in gc.test_cells(source)}
    graded = None
    for d in result["dirs"]:
        path = d / "autograded" / student / assignment / f"{assignment}.ipynb"
        if path.exists():
            graded = gc.read(path)
    assert graded is not None, f"no autograded notebook for {student}"
    restored = {gc.meta(c)["grade_id"]: c.source for c in gc.test_cells(graded)}
    assert set(restored) == set(expected)
    # nbgrader may put a comment line above a cell it added back
    changed = [gid for gid, src in expected.items() if not restored[gid].endswith(src)]
    assert not changed, f"test cells not restored from the source: {changed}"


def inside_assignments():
    """Assignments whose test cells nbgrader_config.py still runs in the kernel."""
    import runpy

    from traitlets.config import Config

    config = Config()
    runpy.run_path(str(gc.ROOT / "nbgrader_config.py"), {"get_config": lambda: config})
    return list(config.GradingExecute.tests_inside)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("student", sorted(gc.ATTACKS))
def test_dishonest_submission_scores_no_more_than_blank(cycle, assignment, student):
    """Patched checks, removed asserts, test cells rewritten through IPython, always-equal
    objects: with the tests evaluated in the grader, none of them gains a point."""
    if assignment in inside_assignments():
        pytest.skip(f"{assignment}'s tests still run in the kernel (nbgrader_config.py: tests_inside)")
    scores = cycle(assignment)["scores"]
    score, maximum = totals(scores[student])
    blank, _ = totals(scores["z_blank"])
    assert maximum > 0 and score <= blank, f"{student} scored {score}/{maximum} (the blank release {blank})"


@pytest.mark.slow
def test_dishonest_submissions_gain_when_the_tests_run_in_the_kernel(tmp_path):
    """The same dishonest submissions of step 01, graded as plain nbgrader grades (the tests
    in the submission's kernel; sandbox on): each gains points over the blank release, so
    the test above can fail. The figures are the closing note's attack matrix."""
    assignment = "01_linear_layer"
    subs = {name: sub for name, sub in gc.submissions(assignment).items()
            if name in gc.ATTACKS or name == "z_blank"}
    scores, _, _ = gc.run_cycle(tmp_path, assignment, subs, extra=["--GradingExecute.tests_outside=False"])
    blank, maximum = totals(scores["z_blank"])
    gained = {name: totals(scores[name])[0] for name in gc.ATTACKS}
    print(f"tests in the kernel, {assignment}: blank {blank:g}/{maximum:g}, "
          + ", ".join(f"{name[2:]} {score:g}" for name, score in gained.items()))
    assert all(score > blank for score in gained.values()), gained


def test_every_step_runs_its_tests_in_the_grader():
    assert inside_assignments() == []


def hidden_lines(assignment):
    """Every distinctive line of the source's hidden-test regions that the release lacks."""
    source = gc.read(gc.notebook_path(gc.ROOT, "source", assignment))
    release = gc.read(gc.notebook_path(gc.ROOT, "release", assignment))
    # a hidden line that a student sees anyway (inside a visible line) is no secret
    public = "\n".join(c.source for c in release.cells)
    hidden, _ = gc.marked_lines(source, kinds=("HIDDEN TESTS",))
    lines = {line for line in hidden if len(line) >= 12 and line not in public}
    assert lines, "the source has no hidden tests"
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_holds_no_hidden_tests(cycle, assignment):
    result = cycle(assignment)
    secrets = hidden_lines(assignment) | {"BEGIN HIDDEN TESTS"}
    pages = [p for d in result["dirs"] for p in (d / "feedback").rglob("*.html")]
    students = {p.parts[-3] for p in pages}
    assert students >= {"z_solution", "z_blank"} and len(pages) >= len(result["subs"]) - 2
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        leaked = [s for s in secrets if s in text]  # substrings: tracebacks prefix lines
        assert not leaked, f"{page} shows hidden test lines: {leaked[:3]}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_grades_csv_has_every_student(cycle, assignment):
    result = cycle(assignment)
    rows = []
    for d in result["dirs"]:
        with open(d / "grades.csv", newline="") as f:
            rows += list(csv.DictReader(f))
    by_student = {r["student_id"]: r for r in rows if r["assignment"] == assignment}
    assert set(by_student) == set(result["subs"])
    # two nbgrader processes wrote the one gradebook: no submission lost its grades
    lost = [s for s in result["subs"] if not result["scores"].get(s)]
    assert not lost, f"graded by no process: {lost}"
    auto_max = totals(result["scores"]["z_solution"])[1]
    assert float(by_student["z_solution"]["raw_score"]) == auto_max
    assert float(by_student["z_blank"]["raw_score"]) == 0
    assert float(by_student["a_kernel_killed"]["raw_score"]) == 0
