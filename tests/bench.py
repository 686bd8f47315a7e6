"""Benchmarks (`make bench`, or a part: `make bench BENCH="capstone steps browser"`): the
capstone against PyTorch (tests/bench_capstone.py), how long each notebook takes to run and
how fast each Explore panel answers a slider move. Prints figures; asserts nothing.

- notebook: wall time of a top-to-bottom run in a fresh kernel (nbclient), as nbval and
  nbgrader run it;
- panel, kernel: median time of one ``experiment(**defaults)`` call over 7 runs, and of
  one whole redraw in the kernel (experiment, draw on the panel's figure, PNG);
- panel, browser: median time from releasing the lr slider to the new plot loaded in a
  real JupyterLab (`make lab`, headless Chromium), over 7 drags per panel; the course's
  target is 150 ms;
- peak memory: the largest resident size this process reached while running the panels;
- autograding throughput: students per minute for step 01 (copies of the model solution),
  ``make autograde`` with one process and with one per core (``course/autograde.py``).
"""

import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

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


def median_seconds(fn, runs=7):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def panel_seconds(assignment):
    """[(experiment seconds, whole redraw seconds)] per panel, in this process."""
    times = []
    for panel in namespace(assignment)["__panels__"]:
        defaults = {key: w.value for key, w in panel.controls.items()}
        times.append((median_seconds(lambda: panel.experiment(**defaults)),
                      median_seconds(panel.update)))
    return times


def browser_latencies():
    """{assignment: [median ms per panel]} measured in a real JupyterLab."""
    from tests import labdriver

    if labdriver.chromium_path() is None:
        print("no Chromium: run `make browser` for the browser figures")
        return {}
    root = Path(tempfile.mkdtemp(prefix="bench-lab-"))
    for assignment in ASSIGNMENTS:  # the whole folder: a step may import earlier_steps.py
        shutil.copytree(ROOT / "source" / assignment, root / "solutions" / assignment)
    result = {}
    try:
        with labdriver.lab_server(root) as base, labdriver.chromium() as browser:
            for assignment in ASSIGNMENTS:
                page = labdriver.open_and_run(browser, base, f"solutions/{assignment}/{assignment}.ipynb",
                                              assignment)
                panels = labdriver.lr_panels(page)
                panels.first.wait_for(state="attached", timeout=120_000)
                labdriver.wait_until_run(page)
                result[assignment] = [
                    labdriver.median(labdriver.measure_panel(page, panels.nth(i), i,
                                                             drags=7)["latencies_ms"])
                    for i in range(panels.count())]
                page.close()
                labdriver.shut_down_kernels(base)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return result


def autograde_throughput(students=16, assignment="01_linear_layer"):
    """{jobs: students per minute} for ``make autograde JOBS=jobs`` on a copy of the course."""
    import os
    import subprocess

    from tests import gradecycle as gc

    solution = gc.read(gc.notebook_path(ROOT, "source", assignment))
    result = {}
    for jobs in sorted({1, os.cpu_count() or 1}):
        workdir = gc.make_course(Path(tempfile.mkdtemp(prefix="bench-grade-")), [assignment])
        try:
            gc.hand_in(workdir, assignment, {f"s{i:03d}": solution for i in range(students)})
            start = time.perf_counter()
            gc.run([sys.executable, "-m", "course.autograde", assignment, f"--jobs={jobs}",
                    "--log-level=ERROR"], cwd=workdir)
            result[jobs] = 60 * students / (time.perf_counter() - start)
            graded = gc.scores(workdir, assignment)
            assert len(graded) == students and all(graded.values()), "a grade was lost"
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def main(parts):
    if "capstone" in parts:
        from tests import bench_capstone

        bench_capstone.main()
        print()
    if "steps" in parts:
        steps()
    if "browser" in parts:
        browser()
    return 0


def steps():
    print(f"{'step':<22} {'notebook run (s)':>17} {'experiment (ms)':>16} "
          f"{'redraw in kernel (ms)':>22}")
    for assignment in ASSIGNMENTS:
        nb = notebook_seconds(assignment)
        panels = panel_seconds(assignment)
        exp = ", ".join(f"{1000 * e:.1f}" for e, _ in panels)
        whole = ", ".join(f"{1000 * w:.0f}" for _, w in panels)
        print(f"{assignment:<22} {nb:>17.2f} {exp:>16} {whole:>22}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MiB")
    print()
    for jobs, rate in autograde_throughput().items():
        print(f"autograde 01_linear_layer, {jobs} process(es): {rate:.1f} students per minute")
    print()


def browser():
    print("Explore redraw in the browser: slider released -> new plot loaded, median of 7 "
          "drags (target 150 ms)")
    worst = 0.0
    for assignment, values in browser_latencies().items():
        worst = max([worst, *values])
        print(f"{assignment:<22} " + ", ".join(f"{v:.0f} ms" for v in values))
    if worst:
        print(f"slowest panel: {worst:.0f} ms ({'within' if worst <= 150 else 'over'} "
              "the 150 ms target)")


PARTS = ("capstone", "steps", "browser")

if __name__ == "__main__":
    wanted = sys.argv[1:] or ["all"]
    unknown = set(wanted) - {"all", *PARTS}
    if unknown:
        sys.exit(f"unknown benchmark part(s) {sorted(unknown)}: choose from all, {', '.join(PARTS)}")
    sys.exit(main(PARTS if "all" in wanted else wanted))
