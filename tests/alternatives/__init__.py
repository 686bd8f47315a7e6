"""Correct alternative solutions, for the grade-cycle tests: each must score full marks.

Each module ``sNN_<step>.py`` holds the alternatives for one step, written as the whole
function a learner might hand in (other algebra, loops, ``np.einsum`` instead of ``@``,
another numerically stable form, another documented-equivalent convention), decorated
with ``@alternative(<function>, <how it differs>)``. Every graded function has at least
two. The grade-cycle test hands them in grouped: submission ``p_alt_<k>`` is the model
solution with the k-th alternative of every function put in its place, and each
alternative must keep full marks on its own function's cells (and the submission on
every cell). Grouping keeps the cycle short; a failure names the alternative.
"""

import importlib
import inspect
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Alternative:
    function: str  # the graded function it implements
    name: str  # a short id, unique within the step
    how: str  # how it differs from the model solution
    code: str  # the function's source, without the decorator


def alternative(function, how):
    """Register the decorated function as a correct version of ``function``."""
    def register(fn):
        lines = inspect.getsource(fn).splitlines()
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("def "))
        code = textwrap.dedent("\n".join(lines[start:]))
        code = code.replace(f"def {fn.__name__}(", f"def {function}(", 1)
        fn.alternative = Alternative(function, fn.__name__, how, code)
        return fn
    return register


def alternatives_for(assignment):
    """All alternatives registered for an assignment such as ``01_linear_layer``."""
    try:
        module = importlib.import_module(f"{__name__}.s{assignment}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.s{assignment}":
            raise
        return []
    found = [obj.alternative for obj in vars(module).values() if hasattr(obj, "alternative")]
    names = [a.name for a in found]
    assert len(names) == len(set(names)), f"duplicate alternative names in {module.__name__}"
    return found


def groups(alternatives):
    """[[the first alternative of each function], [the second of each], ...]."""
    by_function = {}
    for alt in alternatives:
        by_function.setdefault(alt.function, []).append(alt)
    depth = max((len(v) for v in by_function.values()), default=0)
    return [[v[k] for v in by_function.values() if len(v) > k] for k in range(depth)]
