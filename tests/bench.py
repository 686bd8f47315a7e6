"""Benchmarks (`make bench`): how long each notebook takes to run and how fast each
Explore panel answers a slider move. Prints figures; asserts nothing.

- notebook: wall time of a top-to-bottom run in a fresh kernel (nbclient), as nbval and
  nbgrader run it;
- panel: median time of one ``experiment(**defaults)`` call over 7 runs, the delay a
  learner feels after moving a slider (before drawing);
- peak memory: the largest resident size this process reached while running the panels.
"""

import resource
import statistics
import sys
import time

import nbformat
from nbclient import NotebookClient

from tests.conftest import ASSIGNMENTS, ROOT
from tests.nbns import namespace


def notebook_seconds(assignment):
    path = ROOT / "source" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def panel_seconds(assignment):
    times = []
    for panel in namespace(assignment)["__panels__"]:
        defaults = {key: w.value for key, w in panel.controls.items()}
        runs = []
        for _ in range(7):
            start = time.perf_counter()
            panel.experiment(**defaults)
            runs.append(time.perf_counter() - start)
        times.append(statistics.median(runs))
    return times


def main():
    print(f"{'step':<22} {'notebook run (s)':>17} {'slider response (ms)':>21}")
    for assignment in ASSIGNMENTS:
        nb = notebook_seconds(assignment)
        panels = ", ".join(f"{1000 * t:.1f}" for t in panel_seconds(assignment))
        print(f"{assignment:<22} {nb:>17.2f} {panels:>21}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
