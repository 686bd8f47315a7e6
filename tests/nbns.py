"""Run a source notebook's code cells in this process and hand back its namespace.

The tests use it to reach what a notebook defines (``experiment``, the learner's
functions in their model-solution form) without a kernel. IPython magics are turned
into calls on a stand-in that accepts only ``%matplotlib``.
"""

import contextlib
import io
from functools import lru_cache

import matplotlib

from course.outside import MatplotlibOnlyShell, transform_cell
from tests.gradecycle import ROOT, read


def run_cell(ns, source, name):
    """Run one cell's source (magics allowed) in the namespace ``ns``."""
    exec(compile(transform_cell(source), name, "exec"), ns)


@contextlib.contextmanager
def beside(folder):
    """Imports resolve next to the notebook, as in its kernel (a step's earlier_steps.py:
    every step has its own, so the cached module of another step is dropped)."""
    import sys

    sys.modules.pop("earlier_steps", None)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("earlier_steps", None)


def fresh_namespace():
    return {"__name__": "__notebook__", "get_ipython": MatplotlibOnlyShell}


def execute(nb, name="<notebook>", folder=None, until=None):
    """Run the code cells of ``nb``; the namespace's ``__panels__`` lists the Explore
    panels the notebook built, and ``__stdout__`` maps each code cell's index to what it
    printed. ``until``: stop after the cell with this nbgrader grade_id."""
    from course import widgets

    matplotlib.use("Agg")
    first_panel = len(widgets.panels)
    ns = fresh_namespace()
    printed = {}
    with beside(folder or ROOT):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            sink = io.StringIO()
            with contextlib.redirect_stdout(sink):
                run_cell(ns, cell.source, f"{name}[cell {index}]")
            printed[index] = sink.getvalue()
            if until is not None and cell.metadata.get("nbgrader", {}).get("grade_id") == until:
                break
    import matplotlib.pyplot as plt
    plt.close("all")
    ns["__panels__"] = widgets.panels[first_panel:]
    ns["__stdout__"] = printed
    return ns


@lru_cache(maxsize=None)
def namespace(assignment):
    """The namespace of ``source/<assignment>/<assignment>.ipynb`` after running it."""
    path = ROOT / "source" / assignment / f"{assignment}.ipynb"
    return execute(read(path), path.name, folder=path.parent)



def namespace_until(assignment, grade_id):
    """The namespace of ``source/<assignment>/<assignment>.ipynb`` run up to and including the cell
    with ``grade_id`` (not cached)."""
    path = ROOT / "source" / assignment / f"{assignment}.ipynb"
    return execute(read(path), path.name, folder=path.parent, until=grade_id)
