"""``make autograde`` on every core: ``python -m course.autograde STEP [--jobs N] [ARGS]``.

nbgrader grades one submission after another. This runs ``--jobs`` (default: the
machine's cores) ``nbgrader autograde STEP`` processes at once, each given its share of
the students (the others excluded with nbgrader's own ``CourseDirectory.student_id_exclude``),
all writing the one gradebook: SQLite lets one writer in at a time, and
``nbgrader_config.py`` gives the gradebook a busy timeout, so a process waits for the lock
instead of failing. ARGS go to every ``nbgrader autograde`` unchanged. The exit status is
non-zero when any of them reported a submission it could not grade; the others are graded
all the same.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def students(course, assignment):
    """The students who handed ``assignment`` in: ``submitted/<student>/<assignment>/``."""
    folder = Path(course) / "submitted"
    return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())


def shares(names, jobs):
    """``names`` dealt round-robin into at most ``jobs`` non-empty shares."""
    jobs = max(1, min(jobs, len(names)))
    return [names[i::jobs] for i in range(jobs)]


def commands(assignment, names, jobs, args=(), nbgrader="nbgrader"):
    """One ``nbgrader autograde`` command per share; each excludes everyone else."""
    result = []
    for share in shares(names, jobs):
        others = sorted(set(names) - set(share))
        exclude = [f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []
        result.append([nbgrader, "autograde", assignment, *exclude, *args])
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="nbgrader processes at once (default: the number of cores)")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    opts, args = parser.parse_known_args(argv)
    names = students(opts.course, opts.assignment)
    if not names:
        print(f"{opts.assignment}: no submission to grade")
        return 0
    nbgrader = str(Path(sys.executable).with_name("nbgrader"))
    cmds = commands(opts.assignment, names, opts.jobs, args, nbgrader=nbgrader)
    # the cores shared out: each kernel's BLAS gets cores // processes threads (two
    # processes that each want every core run slower than one that has them)
    env = dict(os.environ)
    if len(cmds) > 1:
        threads = str(max(1, (os.cpu_count() or 1) // len(cmds)))
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, threads)
    start = time.monotonic()
    procs = [subprocess.Popen(cmd, cwd=opts.course, env=env) for cmd in cmds]
    codes = [p.wait() for p in procs]
    seconds = time.monotonic() - start
    print(f"{opts.assignment}: {len(names)} submissions graded by {len(cmds)} processes "
          f"in {seconds:.0f} s ({60 * len(names) / max(seconds, 1e-9):.1f} per minute)")
    return 1 if any(codes) else 0


if __name__ == "__main__":
    sys.exit(main())
