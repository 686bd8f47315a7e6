"""Autograding untrusted submissions, with the real nbgrader commands on copies of the course.

Each attack is handed in, for every step, to the course as configured (``GradingExecute``:
the bubblewrap sandbox, kernels that die, bounded time and output), and for the first step
also to the same course with nbgrader's own ``Execute`` ("plain nbgrader"), which shows
that the attack works there (the looping submissions run on the first step only). The
sandboxed course must give every attack no more than the blank release, keep the solution
at full marks, interrupt a looping cell, grade a submission whose kernel dies on the cells
that ran, and keep an autograded notebook small whatever is printed.
"""

import copy
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from course import sandbox
from tests import gradecycle as gc
from tests.conftest import ASSIGNMENTS

pytestmark = pytest.mark.slow
# nbgrader's default autograde steps: what this course ran before it had its own
PLAIN = """
from nbgrader.preprocessors import Execute
c.Autograde.autograde_preprocessors = [
    Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata]
"""

# Finds the instructor's source notebook by walking up from the working directory (and
# from the environment, which lives in the course folder), and runs its version of a cell.
STEAL = '''import json as _json, pathlib as _pl, sys as _sys


def _steal(grade_id):
    here = _pl.Path.cwd()
    for root in [here, *here.parents, _pl.Path(_sys.prefix).parent]:
        try:
            paths = sorted(root.glob("source/*/*.ipynb"))
        except OSError:
            continue
        for path in paths:
            try:
                cells = _json.loads(path.read_text())["cells"]
            except (OSError, ValueError):
                continue
            for cell in cells:
                if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
                    return "".join(cell["source"])


_found = _steal(GRADE_ID)
print("instructor's cell found:", _found is not None)
if _found is None:
    raise NotImplementedError()
exec(_found, globals())
'''

# Lists what it can of the instructor's files, other students and the grader's home.
LOOK = '''import os as _os, pathlib as _pl, sys as _sys
_seen = {}
_here = _pl.Path.cwd()
for _root in [*_here.parents, _pl.Path(_sys.prefix).parent]:
    for _name in ("source", "gradebook.db", "submitted", "autograded", "nbgrader_config.py"):
        _p = _root / _name
        try:
            if _p.is_dir():
                _seen[str(_p)] = sorted(_os.listdir(_p))
            elif _p.exists():
                _seen[str(_p)] = len(open(_p, "rb").read())
        except OSError as _e:
            _seen[str(_p)] = type(_e).__name__
try:
    _home = sorted(_os.listdir(GRADER_HOME))
except OSError as _e:
    _home = type(_e).__name__
print("SEEN", repr(_seen))
print("HOME", repr(_home))
'''

NETWORK = '''import socket as _socket
try:
    with _socket.create_connection(("127.0.0.1", PORT), timeout=5) as _s:
        _s.sendall(STUDENT.encode())
    print("NETWORK connected")
except OSError as _e:
    print("NETWORK failed", type(_e).__name__)
'''


def code_cell(source):
    return gc.nbformat.v4.new_code_cell(source)


def after_first_test(nb, source):
    """``nb`` with a new code cell right after its first test cell."""
    nb = copy.deepcopy(nb)
    first = nb.cells.index(gc.test_cells(nb)[0])
    nb.cells.insert(first + 1, code_cell(source))
    return nb


class Listener:
    """A TCP server on 127.0.0.1 that records who connected (loopback only)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.heard = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    self.heard.append(conn.recv(100).decode())
                except OSError:
                    pass


def attacks(assignment, port):
    source = gc.read(gc.notebook_path(gc.ROOT, "source", assignment))
    release = gc.read(gc.notebook_path(gc.ROOT, "release", assignment))
    good = gc.filled(release, source)
    subs = {"z_solution": source, "z_blank": copy.deepcopy(release)}

    steal = copy.deepcopy(release)
    for cell in steal.cells:
        if cell.cell_type == "code" and gc.meta(cell).get("solution"):
            cell.source = STEAL.replace("GRADE_ID", repr(gc.meta(cell)["grade_id"]))
    subs["reads_source"] = steal

    look = copy.deepcopy(release)
    look.cells.insert(0, code_cell(LOOK.replace("GRADER_HOME", repr(str(Path.home())))))
    subs["lists_instructor_files"] = look

    net = copy.deepcopy(release)
    net.cells.insert(0, code_cell(NETWORK.replace("PORT", str(port))))
    subs["network"] = net

    subs["loop_in_a_cell"] = after_first_test(good, LOOP)
    subs["os_exit"] = after_first_test(good, "import os\nos._exit(0)\n")
    subs["sigkill"] = after_first_test(
        good, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    subs["prints_50mb"] = after_first_test(good, "print('x' * 50_000_000)\n")
    subs["prints_50mb_in_tests"] = after_first_test(good, LOUD)
    loops = copy.deepcopy(good)  # a looping cell after every test cell
    for cell in reversed(gc.test_cells(loops)):
        loops.cells.insert(loops.cells.index(cell) + 1, code_cell(LOOP))
    subs["loops_everywhere"] = loops
    if assignment == FORK_BOMB_STEP:
        subs["fork_bomb"] = after_first_test(good, FORK_BOMB)
    if assignment != CONTROL_STEP:
        subs = {k: v for k, v in subs.items() if k not in CONTROL_ONLY}
    return subs


LOOP = "while True:\n    pass\n"
# costs its many timeouts on plain nbgrader only: not handed in there
SANDBOXED_ONLY = {"loops_everywhere", "fork_bomb"}
# forks until the sandbox's process limit says no (5000 at most, should the limit be
# missing), holds the processes for 8 s while the other grading process runs the next
# submissions in sandboxes of their own, then reaps them; it is named to be graded first
FORK_BOMB_STEP = ASSIGNMENTS[1]
FORK_BOMB = """
import os, time
_children, _refused = [], None
while len(_children) < 5000:
    try:
        _pid = os.fork()
    except OSError as e:
        _refused = e
        break
    if _pid == 0:
        time.sleep(8)
        os._exit(0)
    _children.append(_pid)
print("FORKED", len(_children), "REFUSED", _refused, flush=True)
for _pid in _children:
    os.waitpid(_pid, 0)
"""
# What the grader does with time and a dying kernel is the same for every step: the
# looping submissions and the plain-nbgrader controls (which show that each attack works
# without this course's grader) run on this step only; every step gets the other attacks.
CONTROL_STEP = ASSIGNMENTS[0]
CONTROL_ONLY = {"loop_in_a_cell", "loops_everywhere", "prints_50mb_in_tests"}
# every function of the notebook prints when a test calls it (in the grader's tests, what
# it prints comes back under the test cell): 50 MB the first time, 200 kB after
LOUD = """
import functools as _functools, types as _types
_sizes = [50_000_000]
def _loud(f):
    @_functools.wraps(f)
    def loud(*args, **kwargs):
        print("x" * (_sizes.pop() if _sizes else 200_000))
        return f(*args, **kwargs)
    return loud
for _name, _f in list(globals().items()):
    if isinstance(_f, _types.FunctionType) and _f.__module__ == "__main__" and not _name.startswith("_"):
        globals()[_name] = _loud(_f)
"""


_runs = {}


def graded(tmp_path_factory, assignment):
    """{"sandboxed": result, "plain": result} for ``assignment``, graded once per run."""
    if assignment in _runs:
        return _runs[assignment]
    listener = Listener()
    subs = attacks(assignment, listener.port)
    results = {}
    # the control step grades both kinds at once, one process each; the others use both cores
    kinds = ("sandboxed", "plain") if assignment == CONTROL_STEP else ("sandboxed",)

    def one(kind):
        workdir = gc.make_course(tmp_path_factory.mktemp(f"{kind}_{assignment}"), [assignment])
        if kind == "plain":
            with open(workdir / "nbgrader_config.py", "a") as f:
                f.write(PLAIN)
        student_subs = {}
        for student, nb in subs.items():
            if kind == "plain" and student in SANDBOXED_ONLY:
                continue
            nb = copy.deepcopy(nb)
            for cell in nb.cells:
                if cell.source.startswith("import socket as _socket"):
                    cell.source = cell.source.replace("STUDENT", repr(f"{kind}:{student}"))
            student_subs[student] = nb
        gc.hand_in(workdir, assignment, student_subs)
        log = gc.grade(workdir, assignment, jobs=2 if len(kinds) == 1 else 1)
        results[kind] = {"dir": workdir, "scores": gc.scores(workdir, assignment),
                         "log": log.stdout + log.stderr, "returncode": log.returncode}

    threads = [threading.Thread(target=one, args=(k,)) for k in kinds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for kind in kinds:
        assert kind in results, f"the {kind} grading run failed (see the log above)"
        results[kind]["heard"] = [h.split(":", 1)[1] for h in listener.heard
                                  if h.startswith(f"{kind}:")]
    _runs[assignment] = results
    return results


def attack_table():
    """Lines of figures per graded assignment: each submission's points and autograded
    notebook size, plain nbgrader vs this course (for the end of the test run)."""
    lines = []
    for assignment, result in sorted(_runs.items()):
        lines.append(f"{assignment}: submission | plain nbgrader | this course (sandboxed)")
        for student in sorted(result["sandboxed"]["scores"]):
            cells = []
            for kind in ("plain", "sandboxed"):
                if kind not in result or student not in result[kind]["scores"]:
                    cells.append("not handed in")
                    continue
                score, maximum = total(result[kind], student)
                path = (result[kind]["dir"] / "autograded" / student / assignment
                        / f"{assignment}.ipynb")
                size = f"{path.stat().st_size / 1e6:.2f} MB" if path.exists() else "removed"
                extra = " connected" if student in result[kind].get("heard", []) else ""
                cells.append(f"{score:g}/{maximum:g}, notebook {size}{extra}")
            lines.append(f"  {student}: {cells[0]} | {cells[1]}")
    return lines


def total(result, student):
    grades = result["scores"].get(student, {})
    cells = [(s or 0.0, m) for s, m, is_code in grades.values() if is_code]
    return sum(s for s, _ in cells), sum(m for _, m in cells)


def autograded(result, student, assignment):
    path = result["dir"] / "autograded" / student / assignment / f"{assignment}.ipynb"
    return gc.read(path) if path.exists() else None


def outputs_text(nb):
    text = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text.append(out.get("text", "") or out.get("evalue", ""))
    return "\n".join(text)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return lambda assignment: graded(tmp_path_factory, assignment)


def test_sandbox_runs_here():
    assert sandbox.check() is None, sandbox.check()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_full_marks_and_blank_zero_in_the_sandbox(runs, assignment):
    result = runs(assignment)["sandboxed"]
    score, maximum = total(result, "z_solution")
    assert maximum > 0 and score == maximum, f"solution {score}/{maximum}"
    assert total(result, "z_blank")[0] == 0


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reading_the_instructors_source_gains_nothing(runs, assignment):
    result = runs(assignment)
    if "plain" in result:
        plain, maximum = total(result["plain"], "reads_source")
        assert plain == maximum > 0, "the attack should work on plain nbgrader (is it still an attack?)"
    sandboxed = result["sandboxed"]
    assert total(sandboxed, "reads_source")[0] <= total(sandboxed, "z_blank")[0]
    text = outputs_text(autograded(sandboxed, "reads_source", assignment))
    assert "instructor's cell found: False" in text and "found: True" not in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_sandbox_sees_no_instructor_file_other_student_or_home(runs, assignment):
    result = runs(assignment)
    seen = {kind: outputs_text(autograded(result[kind], "lists_instructor_files", assignment))
            for kind in ("plain", "sandboxed") if kind in result}
    if "plain" in seen:
        assert "gradebook.db': " in seen["plain"] and "z_solution" in seen["plain"]
    sandboxed = next(line for line in seen["sandboxed"].splitlines() if line.startswith("SEEN"))
    found = eval(sandboxed[len("SEEN "):])  # noqa: S307 (our own test's repr of a dict)
    # only the submission's own folder: its autograded/<student>/ parent, nothing else
    assert set(found) <= {str(result["sandboxed"]["dir"] / "autograded")}, found
    assert all(v == ["lists_instructor_files"] for v in found.values()), found
    home = next(line for line in seen["sandboxed"].splitlines() if line.startswith("HOME"))
    listed = eval(home[len("HOME "):])  # noqa: S307
    # at most the folders that lead to the Python environment (a pyenv interpreter)
    allowed = {Path(d).relative_to(Path.home()).parts[0] for d in sandbox._environment_dirs()
               if Path(d).is_relative_to(Path.home())}
    assert listed == "FileNotFoundError" or set(listed) <= allowed, listed


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_sandbox_cannot_reach_a_loopback_port(runs, assignment):
    result = runs(assignment)
    if "plain" in result:
        assert "network" in result["plain"]["heard"], "plain nbgrader should connect (the control)"
    assert "network" not in result["sandboxed"]["heard"]
    text = outputs_text(autograded(result["sandboxed"], "network", assignment))
    assert "NETWORK failed" in text


def test_a_looping_cell_is_interrupted_and_the_rest_graded(runs):
    assignment = CONTROL_STEP
    result = runs(assignment)["sandboxed"]
    nb = autograded(result, "loop_in_a_cell", assignment)
    loop = next(c for c in nb.cells if c.source.startswith("while True"))
    assert any(o.get("ename") == "CellTimeoutError" for o in loop.outputs), loop.outputs
    score, maximum = total(result, "loop_in_a_cell")
    assert score == maximum > 0


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("student", ["os_exit", "sigkill"])
def test_a_killed_kernel_is_graded_on_what_ran(runs, assignment, student):
    result = runs(assignment)
    if "plain" in result:
        plain = result["plain"]
        assert autograded(plain, student, assignment) is None, "plain nbgrader drops the notebook"
        assert total(plain, student)[0] == 0 and "Removing failed assignment" in plain["log"]
    sandboxed = result["sandboxed"]
    nb = autograded(sandboxed, student, assignment)
    assert nb is not None, "no autograded notebook"
    killer = next(i for i, c in enumerate(nb.cells) if c.source.startswith("import os"))
    assert [o.ename for o in nb.cells[killer].outputs if o.output_type == "error"] == \
        ["KernelDied"]
    grades = sandboxed["scores"][student]
    before = {gc.meta(c)["grade_id"] for c in gc.test_cells(nb) if nb.cells.index(c) < killer}
    after = {gc.meta(c)["grade_id"] for c in gc.test_cells(nb) if nb.cells.index(c) > killer}
    assert before and after
    assert all(grades[g][0] == grades[g][1] > 0 for g in before), "cells that ran lost points"
    assert all((grades[g][0] or 0) == 0 for g in after if grades[g][2])
    feedback = sandboxed["dir"] / "feedback" / student / assignment / f"{assignment}.html"
    assert feedback.exists()
    assert "KernelDied" in feedback.read_text()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_50mb_of_output_leaves_a_small_notebook(runs, assignment):
    result = runs(assignment)
    path = result["sandboxed"]["dir"] / "autograded" / "prints_50mb" / assignment
    size = (path / f"{assignment}.ipynb").stat().st_size
    assert size < 2_000_000, f"the autograded notebook has {size} bytes"
    if "plain" in result:
        plain = result["plain"]["dir"] / "autograded" / "prints_50mb" / assignment
        assert (plain / f"{assignment}.ipynb").stat().st_size > 50_000_000, "the control"
    nb = autograded(result["sandboxed"], "prints_50mb", assignment)
    assert "[output cut by the grader" in outputs_text(nb)
    score, maximum = total(result["sandboxed"], "prints_50mb")
    assert score == maximum > 0, "printing is no reason to lose points"


def test_50mb_printed_by_functions_the_tests_call_leaves_a_small_notebook(runs):
    """The tests run in the grader, but what the learner's functions print when a test calls
    them comes back under the test cell, as in the kernel, and is cut in the same way."""
    result = runs(CONTROL_STEP)["sandboxed"]
    path = result["dir"] / "autograded" / "prints_50mb_in_tests" / CONTROL_STEP / f"{CONTROL_STEP}.ipynb"
    assert path.stat().st_size < 2_000_000, f"the autograded notebook has {path.stat().st_size} bytes"
    nb = autograded(result, "prints_50mb_in_tests", CONTROL_STEP)
    cut = [c for c in gc.test_cells(nb) if any("[output cut by the grader" in (o.get("text") or "") for o in c.outputs)]
    assert cut, "no test cell shows the cut"
    score, maximum = total(result, "prints_50mb_in_tests")
    assert score == maximum > 0, "printing is no reason to lose points"


def test_a_fork_bomb_meets_the_process_limit_and_spares_the_others(runs):
    """The sandbox's process limit stops a fork bomb; the submissions graded meanwhile in
    the other process, each in its own sandbox, are graded as usual."""
    result = runs(FORK_BOMB_STEP)["sandboxed"]
    text = outputs_text(autograded(result, "fork_bomb", FORK_BOMB_STEP))
    line = next(line for line in text.splitlines() if line.startswith("FORKED"))
    forked = int(line.split()[1])
    assert 0 < forked < 1000 and "Resource temporarily unavailable" in line, line
    # the other process meanwhile starts kernels for lists_instructor_files, os_exit, ...
    # (with one user for every kernel, they died at start: no autograded notebook)
    lost = [s for s in result["scores"] if autograded(result, s, FORK_BOMB_STEP) is None]
    assert not lost, f"no autograded notebook for {lost}"
    assert "Kernel died before replying" not in result["log"]
    score, maximum = total(result, "fork_bomb")
    assert score == maximum, "the bomb's own kernel grades its (correct) functions once it reaped"


def test_loops_in_every_cell_cost_one_notebook_budget(runs):
    """With a 10 s per-cell timeout and the 60 s notebook budget, at most about six looping
    cells run; the cells after them are marked not run (no wall-clock time asserted)."""
    assignment = CONTROL_STEP
    nb = autograded(runs(assignment)["sandboxed"], "loops_everywhere", assignment)
    errors = [o.ename for c in nb.cells for o in c.get("outputs", [])
              if o.output_type == "error"]
    budget, timeout = 60, gc.TEST_TIMEOUT
    assert 1 <= errors.count("CellTimeoutError") <= budget // timeout + 1, errors
    assert "CellNotRun" in errors
    not_run = [o.evalue for c in nb.cells for o in c.get("outputs", [])
               if o.output_type == "error" and o.ename == "CellNotRun"]
    assert all(f"its {budget} s of grading time" in e for e in not_run), not_run


def test_sliced_polls_find_a_message_a_missed_wakeup_left_behind():
    """The grader polls the kernel's sockets in slices: a poll that misses its wake-up
    (here, the first two) is retried instead of waiting out the whole timeout."""
    import asyncio
    from queue import Empty

    from course.grading import _sliced

    calls = []

    async def get_msg(timeout=None):
        calls.append(timeout)
        if len(calls) < 3:
            raise Empty
        return {"msg": "reply"}

    assert asyncio.run(_sliced(get_msg, step=0.01)(timeout=300)) == {"msg": "reply"}
    assert len(calls) == 3 and all(t <= 0.01 for t in calls)

    async def never(timeout=None):
        raise Empty

    with pytest.raises(Empty):
        asyncio.run(_sliced(never, step=0.01)(timeout=0.05))


# Two sandboxes started by a grader that is not root: the first runs FORK_BOMB (forks until
# refused, holds its processes for 8 s), then the second starts a process with threads.
NON_ROOT_PAIR = r'''
import os, subprocess, sys, tempfile
sys.path.insert(0, __ROOT__)
from course import sandbox
BOMB = __BOMB__
NEXT = "import threading\nts = [threading.Thread(target=len, args=('',)) for _ in range(20)]\n" \
       "[t.start() for t in ts]\nprint('NEXT STARTED')"
def start(code):
    return sandbox.start(tempfile.mkdtemp(prefix="nn-sandbox-test-"), [sys.executable, "-c", code],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
bomb = start(BOMB)
print(bomb.stdout.readline().strip())
nxt = start(NEXT)
print(nxt.communicate(timeout=120)[0].strip()[-400:])
bomb.kill()
bomb.wait()
'''


def test_a_fork_bomb_spares_the_next_kernel_when_the_grader_is_not_root(tmp_path):
    """As a non-root grader (the hub's grader account) every sandbox keeps the grader's user
    id, in a user namespace of its own: the process limit, set inside, counts that
    namespace's processes, so a bomb in one sandbox leaves the next one room to start."""
    if os.geteuid() != 0:
        pytest.skip("needs root, to run the grader as another user")
    python = gc.ROOT / "hub" / ".venv" / "bin" / "python"  # made for other users (make hub-env)
    if not python.exists():
        pytest.skip("no interpreter other users can run (make hub-env)")
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(python)]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    tmp_path.chmod(0o777)
    if sandbox.check() is not None or gc.run([*as_nobody, "-m", "course.sandbox", "--check"],
                                            cwd=gc.ROOT, check=False).returncode != 0:
        pytest.skip("the sandbox cannot run as a non-root user here")
    out = subprocess.run([*as_nobody, "-c", NON_ROOT_PAIR.replace("__ROOT__", repr(str(gc.ROOT))).replace("__BOMB__", repr(FORK_BOMB))],
                         env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    text = out.stdout + out.stderr
    forked = next(line for line in text.splitlines() if line.startswith("FORKED"))
    assert 0 < int(forked.split()[1]) < 1000 and "Resource temporarily unavailable" in forked, text
    assert "NEXT STARTED" in text, text
