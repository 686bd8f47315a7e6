"""Run the real nbgrader cycle on a temporary copy of the course.

Used by ``test_grade_cycle.py``: build submissions (the model solution, the untouched
release, one per typical bug, and a few broken ones), then ``nbgrader autograde``,
``generate_feedback`` and ``export`` exactly as an instructor would, and read the scores
back from the gradebook.
"""

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from tests.alternatives import alternatives_for, groups
from tests.buggy import bugs_for

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MARKER = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")
# a per-cell timeout short enough to keep the infinite-loop submission cheap
TEST_TIMEOUT = 10
# the capstone's cells train a network (its QUICK mode: two epochs) and load MNIST
TEST_TIMEOUTS = {"11_mnist_capstone": 60}
# Bugs are handed in grouped: submission m_bugs_<k> holds the k-th bug of every function
# (each must still cost its own function's cells). Five submissions a step instead of
# thirty keep `make test` within its 40 minutes; tests/test_parts.py checks every bug on
# its own, beside the model solution's other functions (a visible test must catch it).
GROUPED_BUGS = {"01_linear_layer", "02_perceptron", "03_activations", "04_losses", "05_optimizers",
                "06_backprop", "07_softmax", "08_cross_entropy", "09_split_leakage", "10_regularization",
                "11_mnist_capstone", "12_pytorch_bridge"}


def run(cmd, cwd, timeout=1200, check=True):
    """Run a command with the virtual environment first on PATH (nbgrader calls alembic),
    and this checkout's ``course`` package first on the path (nbgrader_config.py imports it;
    the environment's editable install may point at another checkout)."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])),
               MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n"
                           f"{result.stdout[-4000:]}\n{result.stderr[-8000:]}")
    return result


def nbgrader(*args, cwd, check=True):
    return run([str(BIN / "nbgrader"), *args], cwd=cwd, check=check)


def notebook_path(root, folder, assignment):
    return Path(root) / folder / assignment / f"{assignment}.ipynb"


def read(path):
    return nbformat.read(str(path), as_version=4)


def meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def marked_lines(nb, kinds=("SOLUTION", "HIDDEN TESTS")):
    """(stripped lines inside ``### BEGIN <kind>`` regions, stripped lines outside them)."""
    inside_lines, outside_lines = set(), set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.split("\n"):
            match = MARKER.match(line)
            if match and match.group(2) in kinds:
                inside = match.group(1) == "BEGIN"
            elif line.strip():
                (inside_lines if inside else outside_lines).add(line.strip())
    return inside_lines, outside_lines


def strip_markers(source):
    return "\n".join(line for line in source.split("\n") if not MARKER.match(line))


def filled(release_nb, source_nb):
    """The release notebook with every answer (code or written) filled in from the model
    solution."""
    answers = {meta(c)["grade_id"]: c.source for c in source_nb.cells if meta(c).get("solution")}
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        if meta(cell).get("solution"):
            cell.source = strip_markers(answers[meta(cell)["grade_id"]])
    return nb


def cell_defining(nb, function):
    for cell in nb.cells:
        if cell.cell_type == "code" and meta(cell).get("solution") and \
                re.search(rf"^def {re.escape(function)}\(", cell.source, re.M):
            return cell
    raise LookupError(f"no solution cell defines {function}()")


def first_code_cell(nb):
    return next(c for c in nb.cells if c.cell_type == "code")


def test_cells(nb):
    return [c for c in nb.cells if meta(c).get("grade") and not meta(c).get("solution")]


def submissions(assignment, root=ROOT):
    """Every submission the grade-cycle test hands in, by student id.

    Student ids sort so that the broken submissions are graded first: the good ones
    after them prove that a broken notebook does not stop the others.
    """
    source = read(notebook_path(root, "source", assignment))
    release = read(notebook_path(root, "release", assignment))
    good = filled(release, source)
    subs = {"z_solution": source, "z_blank": copy.deepcopy(release), "z_filled": good}

    loop = copy.deepcopy(good)
    first_code_cell(loop).source = "while True:\n    pass\n" + first_code_cell(loop).source
    subs["a_infinite_loop"] = loop

    kill = copy.deepcopy(good)
    first_code_cell(kill).source = ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
                                    + first_code_cell(kill).source)
    subs["a_kernel_killed"] = kill

    edited = copy.deepcopy(release)  # blank, with every test cell made to pass
    for cell in test_cells(edited):
        cell.source = "print('tests pass')"
    subs["e_edited_tests"] = edited

    deleted = copy.deepcopy(release)  # blank, with every test cell removed
    deleted.cells = [c for c in deleted.cells if c not in test_cells(deleted)]
    subs["e_deleted_tests"] = deleted

    for name, (returned, code) in ATTACKS.items():
        subs[name] = attack(release, source, returned, code)

    if assignment in GROUPED_BUGS:  # the k-th bug of every function in one submission
        for k, group in enumerate(bug_groups(assignment), start=1):
            nb = copy.deepcopy(good)
            for b in group:
                cell = cell_defining(nb, b.function)
                cell.source = cell.source + "\n\n\n# the learner's version\n" + b.code
            subs[f"m_bugs_{k}"] = nb
    else:
        for b in bugs_for(assignment):
            nb = copy.deepcopy(good)
            cell = cell_defining(nb, b.function)
            cell.source = cell.source + "\n\n\n# the learner's version\n" + b.code
            subs[f"m_bug_{b.name}"] = nb

    for k, group in enumerate(groups(alternatives_for(assignment)), start=1):
        nb = copy.deepcopy(good)
        for alt in group:
            cell = cell_defining(nb, alt.function)
            cell.source = cell.source + "\n\n\n# the learner's version\n" + alt.code
        subs[f"p_alt_{k}"] = nb
    return subs


# Dishonest submissions: the blank release, every graded function made to return an
# object equal to everything (it unpacks, compares and converts), and a way to make the
# tests pass without solving anything. With the tests evaluated in the grader (course/outside.py),
# each scores what the blank release scores.
ALWAYS_EQUAL = """
class _AlwaysEqual:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = object.__hash__
    def __getattr__(self, name): return self
    def __call__(self, *args, **kwargs): return self
    def __getitem__(self, key): return self
    def __iter__(self): return iter((self, self))
    def __len__(self): return 2
    def __bool__(self): return True
    def __float__(self): return 0.0
    def __int__(self): return 0
    def __add__(self, other): return self
    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __pow__ = __add__
    def __neg__(self): return self
    __abs__ = __pos__ = __neg__
"""
ATTACKS = {
    # numpy.testing's and course.checks' assertions made to do nothing
    "x_checks_patched": ("_AlwaysEqual()", """
import numpy.testing as _testing, course.checks as _checks
def _quiet(*args, **kwargs):
    return None
for _module in (_testing, _checks):
    for _name in dir(_module):
        if _name.startswith(("assert", "check", "report")):
            setattr(_module, _name, _quiet)
"""),
    # every assert statement removed from every cell (and the checks quiet), through IPython
    "x_asserts_removed": ("_AlwaysEqual()", """
import ast as _ast, course.checks as _checks
class _NoAsserts(_ast.NodeTransformer):
    def visit_Assert(self, node):
        return _ast.Pass()
    def visit_Raise(self, node):
        return _ast.Pass()
get_ipython().ast_transformers.append(_NoAsserts())
for _name in dir(_checks):
    if _name.startswith(("check", "report")):
        setattr(_checks, _name, lambda *args, **kwargs: None)
"""),
    # every test cell (a cell that starts with its docstring) rewritten to `pass`
    "x_tests_rewritten": ("_AlwaysEqual()", """
def _no_tests(lines):
    return ["pass\\n"] if lines and lines[0].startswith('\"\"\"') else lines
get_ipython().input_transformers_cleanup.append(_no_tests)
"""),
    # every graded function and answer is an object that equals everything
    "x_always_equal": ("_AlwaysEqual()", ""),
}


def attack(release, source, returned, code):
    """The blank ``release`` with ``code`` run first and every graded function of ``source``
    (and every answer) replaced by one that returns ``returned``."""
    nb = copy.deepcopy(release)
    first_code_cell(nb).source = ALWAYS_EQUAL + code + "\n" + first_code_cell(nb).source
    solutions = [c for c in source.cells if c.cell_type == "code" and meta(c).get("solution")]
    for cell in solutions:
        target = next(c for c in nb.cells if meta(c).get("grade_id") == meta(cell)["grade_id"])
        functions = re.findall(r"^def (\w+)\(", cell.source, re.M)
        answers = [] if functions else re.findall(r"^(\w+) = ", strip_markers(cell.source), re.M)
        lines = [f"def {f}(*args, **kwargs):\n    return {returned}" for f in functions]
        lines += [f"{a} = {returned}" for a in answers]
        target.source = "\n\n".join(lines) or target.source
    return nb


def bug_groups(assignment):
    """[[the first bug of each function], [the second of each], ...]."""
    by_function = {}
    for b in bugs_for(assignment):
        by_function.setdefault(b.function, []).append(b)
    depth = max((len(v) for v in by_function.values()), default=0)
    return [[v[k] for v in by_function.values() if len(v) > k] for k in range(depth)]


def bug_student(assignment, bug):
    """The submission id that holds ``bug``: its group's (GROUPED_BUGS), else its own."""
    if assignment not in GROUPED_BUGS:
        return f"m_bug_{bug.name}"
    for k, group in enumerate(bug_groups(assignment), start=1):
        if bug in group:
            return f"m_bugs_{k}"
    raise LookupError(bug.name)


def alternative_student(assignment, alt):
    """The submission id that holds ``alt`` (see ``tests.alternatives.groups``)."""
    for k, group in enumerate(groups(alternatives_for(assignment)), start=1):
        if alt in group:
            return f"p_alt_{k}"
    raise LookupError(alt.name)


def make_course(workdir, assignments):
    """A copy of the course's nbgrader set-up in ``workdir``, with a fresh gradebook."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", workdir)
    for assignment in assignments:
        shutil.copytree(ROOT / "source" / assignment, workdir / "source" / assignment)
        nbgrader("generate_assignment", assignment, "--force", cwd=workdir)
    return workdir


def hand_in(workdir, assignment, subs):
    for student, nb in subs.items():
        path = Path(workdir) / "submitted" / student / assignment / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))


def grade(workdir, assignment, jobs=1, extra=()):
    """autograde (``make autograde``'s ``course.autograde`` with ``jobs`` nbgrader processes
    on one gradebook), generate_feedback and export, as an instructor runs them.

    autograde exits non-zero when a submission could not be run through: that is
    reported, and the other students are graded all the same.
    """
    auto = run([str(BIN / "python"), "-m", "course.autograde", assignment, f"--jobs={jobs}",
                "--force", f"--Execute.timeout={TEST_TIMEOUTS.get(assignment, TEST_TIMEOUT)}", *extra],
               cwd=workdir, check=False)
    nbgrader("generate_feedback", assignment, "--force", cwd=workdir)
    nbgrader("export", cwd=workdir)
    return auto


def scores(workdir, assignment):
    """{student: {grade_id: (score, max_score, auto)}} read back from the gradebook.

    A submission nbgrader could not grade at all has no notebook in the gradebook; it
    maps to an empty dict.
    """
    from nbgrader.api import Gradebook, MissingEntry

    result = {}
    with Gradebook(f"sqlite:///{Path(workdir) / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                nb = gb.find_submission_notebook(assignment, assignment, student.id)
            except MissingEntry:
                result[student.id] = {}
                continue
            result[student.id] = {
                g.name: (g.score, g.max_score, g.cell.cell_type == "code")
                for g in nb.grades
            }
    return result


def run_cycle(workdir, assignment, subs, workers=2, extra=()):
    """Grade ``subs`` in one course copy, ``workers`` nbgrader processes at once (two cores,
    two kernels) on its one gradebook: every submission must come back graded. ``extra``:
    more options for ``make autograde``."""
    course = make_course(Path(workdir) / "course", [assignment])
    hand_in(course, assignment, subs)
    log = grade(course, assignment, jobs=workers, extra=extra)
    return scores(course, assignment), [course], log.stdout + log.stderr
