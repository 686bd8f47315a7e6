"""Typical learner bugs, one function per bug, for the grade-cycle tests.

Each module ``sNN_<step>.py`` holds the bugs for one step. A bug is written as the whole
function a learner might hand in, decorated with ``@bug(<function>, <what is wrong>)``.
The grade-cycle test hands the bugs in grouped (submission ``m_bugs_<k>``: the model
solution with the k-th bug of every function in place) and asserts that each bug's
function's graded cells (``grade_id`` starting with ``<function>_``) lose points. ``tests/test_parts.py`` also
asserts that a *visible* test catches each bug (a learner finds it before handing in);
a bug only the hidden tests can catch says why with ``hidden_only="..."``.
"""

import importlib
import inspect
import pkgutil
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Bug:
    function: str  # the graded function it breaks
    name: str  # a short id, unique within the step
    why: str  # the learner's mistake, in words
    code: str  # the function's source, without the decorator
    hidden_only: str = ""  # why no visible test can catch it (empty: a visible one must)


def bug(function, why, hidden_only=""):
    """Register the decorated function as a buggy version of ``function``."""
    def register(fn):
        lines = inspect.getsource(fn).splitlines()
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("def "))
        code = textwrap.dedent("\n".join(lines[start:]))
        code = code.replace(f"def {fn.__name__}(", f"def {function}(", 1)
        fn.bug = Bug(function, fn.__name__, why, code, hidden_only)
        return fn
    return register


def bugs_for(assignment):
    """All bugs registered for an assignment such as ``01_linear_layer`` (none when the
    step has no bug module yet: the three-bugs test then says what is missing)."""
    try:
        module = importlib.import_module(f"{__name__}.s{assignment}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.s{assignment}":
            raise
        return []
    found = [obj.bug for obj in vars(module).values() if hasattr(obj, "bug")]
    names = [b.name for b in found]
    assert len(names) == len(set(names)), f"duplicate bug names in {module.__name__}"
    return found


def assignments_with_bugs():
    return sorted(m.name[1:] for m in pkgutil.iter_modules(__path__) if m.name.startswith("s"))
