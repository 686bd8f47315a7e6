"""The learner's folder: set it up for `make lab`, and report progress for `make progress`.

Introduced with the course's set-up (no step teaches it). Two commands:

- ``python -m course.learner prepare RELEASE WORK HOME``: copy every release notebook
  that the learner does not have yet into WORK (never overwriting their work), and the
  course home page HOME into WORK.
- ``python -m course.learner progress WORK``: for each step in WORK, run the notebook as
  nbgrader's *Validate* button does and print a table of the visible tests it passes.

Why ``prepare`` rewrites ``language_info``: JupyterLab writes the running kernel's
``language_info`` (Python version, mimetype, lexer, ...) into a notebook's metadata as
soon as the kernel starts; when the file holds anything else, the notebook is marked as
modified before the learner has typed anything. The committed notebooks keep a short,
version-free ``language_info`` (they are shared by every Python); the learner's copy gets
exactly what their kernel will report, so opening it changes nothing.
"""

import argparse
import shutil
import sys
from pathlib import Path

import nbformat

STUB = "raise NotImplementedError()"


def kernel_language_info():
    """The ``language_info`` that this Python's IPython kernel reports."""
    from ipykernel.ipkernel import IPythonKernel

    return dict(IPythonKernel.language_info)


def prepare(release, work, home=None):
    """Copy new release notebooks (and the home page) into ``work``; return the copied
    notebooks' paths relative to ``work``."""
    release, work = Path(release), Path(work)
    work.mkdir(parents=True, exist_ok=True)
    info = kernel_language_info()
    copied = []
    for source in sorted(release.glob("*/*.ipynb")):
        target = work / source.relative_to(release)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = nbformat.read(str(source), as_version=4)
        nb.metadata["language_info"] = info
        nbformat.write(nb, str(target))
        for extra in source.parent.iterdir():  # data files beside a notebook, if any
            if extra.is_file() and extra.suffix != ".ipynb" and not (target.parent / extra.name).exists():
                shutil.copy2(extra, target.parent / extra.name)
        copied.append(target.relative_to(work))
    if home is not None:
        shutil.copyfile(home, work / Path(home).name)
    return copied


def _grade_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"
            and c.get("metadata", {}).get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution")]


def _started(nb):
    answers = [c for c in nb.cells if c.cell_type == "code"
               and c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    return any(STUB not in c.source for c in answers)


def step_progress(path, timeout=120):
    """(status, tests passed, tests, points, max points) of one notebook, run as the
    Validate button runs it (a fresh kernel, every cell in order)."""
    from nbgrader.validator import Validator
    from traitlets.config import Config

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    tests = _grade_cells(nb)
    points = sum(float(c.metadata["nbgrader"].get("points", 0)) for c in tests)
    if not _started(nb):
        return "not started", 0, len(tests), 0.0, points
    config = Config()
    config.Execute.timeout = timeout
    config.Execute.interrupt_on_timeout = True
    results = Validator(config=config).validate(str(path))
    if results.get("changed") or results.get("type_changed"):
        return "test cells were edited: restore them", 0, len(tests), 0.0, points
    failed = {cell["source"] for cell in results.get("failed", [])}
    passed = [c for c in tests if c.source.strip() not in failed]
    got = sum(float(c.metadata["nbgrader"].get("points", 0)) for c in passed)
    status = "all visible tests pass" if len(passed) == len(tests) else "in progress"
    return status, len(passed), len(tests), got, points


def progress(work):
    """Print the progress table for every step notebook in ``work``; return the rows."""
    work = Path(work)
    notebooks = sorted(work.glob("[0-9][0-9]_*/*.ipynb"))
    if not notebooks:
        print(f"no step notebooks in {work}/ yet: `make lab` puts them there")
        return []
    rows = []
    print(f"{'step':<22} {'visible tests':>13} {'points':>11}  status")
    for path in notebooks:
        status, ok, total, got, points = step_progress(path)
        rows.append((path.parent.name, status, ok, total, got, points))
        print(f"{path.parent.name:<22} {f'{ok}/{total}':>13} {f'{got:g}/{points:g}':>11}  {status}")
    print("Points count the visible tests only: the hidden tests with other shapes and values "
          "decide the grade.")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course.learner")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="copy new release notebooks into the learner's folder")
    p.add_argument("release")
    p.add_argument("work")
    p.add_argument("home", nargs="?")
    g = sub.add_parser("progress", help="which steps pass their visible tests")
    g.add_argument("work")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        for path in prepare(args.release, args.work, args.home):
            print(f"new in {args.work}/: {path}")
    else:
        progress(args.work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
