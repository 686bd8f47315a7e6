"""The autograding kernel's sandbox (Linux, bubblewrap).

``nbgrader autograde`` starts each submission's kernel through the kernel spec
``course/kernels/nn-sandbox`` (see ``course.grading.GradingExecute``), whose command is
``python -m course.sandbox -f {connection_file}``. This module then runs ipykernel under
``bwrap`` with:

- the Python environment (the interpreter, the virtual environment, the ``course``
  package), ``/usr`` and ``/etc`` read-only, and nothing else of the machine: no
  ``source/``, no ``gradebook.db``, no other submission, no exchange, no home folder;
- a private writable copy of the submission's folder (the notebook's working directory),
  at the same path, and a private ``/tmp`` (the kernel's home is in it), and a copy of the
  grader's MNIST files (``$COURSE_DATA_DIR``: the capstone loads them, and checks them);
- no network (``--unshare-net``: the kernel talks to the grader over Unix sockets in a
  folder of its own, ``KernelManager.transport = "ipc"``), its own process, IPC and host
  namespaces, and death with its parent;
- limits on memory, file size and open files (``setrlimit``, inherited), and on
  processes, set inside the sandbox (``prlimit``): there the count is the sandbox's own
  (its own user id as root, its own user namespace otherwise), so a fork bomb in one
  submission cannot stop the kernels of the others;
- as root, an unprivileged user id of its own, with no account (``setpriv``, no
  capabilities, no new privileges).

``python -m course.sandbox --check`` says whether the sandbox can run here (exit 0) or
why not (exit 1).
"""

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

KERNEL_NAME = "nn-sandbox"
BWRAP = os.environ.get("BWRAP") or "bwrap"  # make autograde BWRAP=/path/to/bwrap
KERNELS = str(Path(__file__).resolve().parent / "kernels")

GIB, MIB = 1 << 30, 1 << 20
TMP_BYTES = 256 * MIB  # the private /tmp (memory)
# resource limits by name (module ``resource``, imported where used: nbgrader_config.py
# imports this module, also on systems without it)
LIMITS = {
    "RLIMIT_AS": 4 * GIB,       # address space: NumPy, OpenBLAS and a dataset fit
    "RLIMIT_FSIZE": 64 * MIB,   # largest file it may write
    "RLIMIT_NOFILE": 1024,
    "RLIMIT_CORE": 0,
}
# processes and threads of the kernel: no fork bomb. Set inside the sandbox, not inherited:
# a limit set before bwrap counts every process of the grader's user id (all the kernels
# of a batch, the grader itself); inside, a process is counted in its own user namespace
# (the grader is not root) or under its own user id (root)
NPROC = 512
# what the kernel keeps of the grader's environment; everything else is cleared
KEEP_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "MPLBACKEND", "NBGRADER_EXECUTION",
            "PYTHONHASHSEED", "PYTHONWARNINGS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
            "MKL_NUM_THREADS", "CAPSTONE_QUICK")


# As root, each kernel runs as SANDBOX_ID_BASE + the pid of the process that starts it: an
# id no other kernel running at the same time has (pids are unique) and no account uses.
# A process limit counts the processes of a user id, so with one shared user (``nobody``)
# a fork bomb left the next submission's kernel unable to start. The base is above the
# ids Debian gives accounts and systemd's dynamic users, in a range of 2^22 (pid_max).
SANDBOX_ID_BASE = 0x5C000000


def _sandbox_user():
    """(uid, gid) for this kernel when the grader is root, else None (stay who we are)."""
    if os.geteuid() != 0:
        return None
    uid = SANDBOX_ID_BASE + os.getpid()
    return uid, uid


def _course_dir():
    """The ``course`` package the grader itself imports (the kernel imports the same)."""
    import course

    return str(Path(course.__file__).resolve().parent)


def _environment_dirs():
    """The read-only folders the kernel's Python needs, outside /usr."""
    dirs = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
            os.path.realpath(os.path.dirname(sys.executable)), _course_dir()}
    return sorted(d for d in dirs if not d.startswith("/usr/"))


def _mnist_files():
    """The grader's copies of the four MNIST files, found as ``load_mnist`` finds them (no
    download), or [] when it has none."""
    from course import data

    try:
        return [data.locate(name, download=False, progressbar=False) for name in data.MNIST_FILES]
    except data.DataError:
        return []


def bwrap_command(cwd, share, command, user=None):
    """The bwrap command line that runs ``command`` in the sandbox.

    ``cwd``: the private copy of the submission folder, seen at ``mount_at`` inside;
    ``share``: the folder shared with the grader (connection file, sockets), seen at the
    same path; ``command``: what to run inside; ``user``: (uid, gid) to drop to.
    """
    cwd, mount_at = cwd
    args = [BWRAP, "--die-with-parent", "--new-session", "--unshare-net",
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", "sandbox", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    # a private /tmp in memory, of bounded size
    args += ["--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--size", str(TMP_BYTES),
             "--tmpfs", "/tmp"]
    made = {"/", "/tmp", "/usr", "/etc"}

    def parents(path):
        out = []
        for parent in reversed(Path(path).parents):
            p = str(parent)
            if p not in made:
                made.add(p)
                out += ["--perms", "0755", "--dir", p]
        return out

    for d in _environment_dirs():
        args += parents(d) + ["--ro-bind", d, d]
        made.add(d)
    args += parents(share) + ["--bind", share, share]
    made.add(share)
    args += parents(mount_at) + ["--bind", cwd, mount_at, "--chdir", mount_at]
    args += ["--clearenv"]
    home = os.path.join(share, "home")
    env = {k: os.environ[k] for k in KEEP_ENV if k in os.environ}
    data = os.path.join(share, "data", "mnist")
    if os.path.isdir(data):  # the kernel's copy of MNIST (see _prepare)
        env["COURSE_DATA_DIR"] = data
    env.update(HOME=home, PATH=f"{os.path.dirname(sys.executable)}:/usr/bin:/bin",
               PYTHONPATH=str(Path(_course_dir()).parent),
               MPLCONFIGDIR=os.path.join(home, ".config", "matplotlib"),
               PYTHONDONTWRITEBYTECODE="1", USER="student", LOGNAME="student")
    for k, v in sorted(env.items()):
        args += ["--setenv", k, v]
    if user is not None:
        uid, gid = user
        args += ["--", "setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                 "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all"]
    return args + ["--", "prlimit", f"--nproc={NPROC}:{NPROC}", "--", *command]


def _set_limits():
    import resource

    for name, value in LIMITS.items():
        which = getattr(resource, name)
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


def _chown_tree(path, user):
    if user is None:
        return
    uid, gid = user
    for root, dirs, files in os.walk(path):
        os.lchown(root, uid, gid)
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, gid)


def _prepare(share, user):
    """A copy of the working directory and a home folder, both in ``share``."""
    work = os.path.join(share, "work")
    # symlinks stay links: one pointing out of the submission leads nowhere inside
    shutil.copytree(os.getcwd(), work, symlinks=True)
    home = os.path.join(share, "home")
    mpl_cache = os.path.join(home, ".config", "matplotlib")
    os.makedirs(mpl_cache)
    # matplotlib's font list, so that every kernel does not rebuild it (seconds)
    try:
        import matplotlib

        for f in glob.glob(os.path.join(matplotlib.get_cachedir(), "fontlist-*.json")):
            shutil.copy(f, mpl_cache)
    except Exception:  # noqa: BLE001 (no cache to copy: matplotlib builds one)
        pass
    # a copy of MNIST (11 MB, gzip) for the capstone: the grader's own files may sit in a
    # home folder the sandbox user cannot enter, or be readable by their owner only
    files = _mnist_files()
    if files:
        data = os.path.join(share, "data", "mnist")
        os.makedirs(data)
        for f in files:
            shutil.copy(f, data)
            os.chmod(os.path.join(data, os.path.basename(f)), 0o444)
    _chown_tree(share, user)
    return work


def run_kernel(argv):
    """Exec ipykernel in the sandbox; ``argv`` is ipykernel's (``-f <connection file>`` ...)."""
    connection_file = os.path.realpath(argv[argv.index("-f") + 1])
    share = os.path.dirname(connection_file)
    user = _sandbox_user()
    work = _prepare(share, user)
    command = bwrap_command((work, os.getcwd()), share,
                            [sys.executable, "-m", "ipykernel_launcher", *argv], user)
    _set_limits()
    os.execvp(command[0], command)


def start(share, command, **popen_kwargs):
    """Start ``command`` in a sandbox whose working folder is ``share``/work (made here,
    empty), as a kernel's would be: a ``subprocess.Popen``."""
    user = _sandbox_user()
    work = os.path.join(share, "work")
    os.makedirs(work, exist_ok=True)
    _chown_tree(share, user)
    return subprocess.Popen(bwrap_command((work, work), share, command, user),
                            preexec_fn=_set_limits, **popen_kwargs)


def check():
    """None if the sandbox runs here, else why not (one line)."""
    if shutil.which(BWRAP) is None:
        return f"bubblewrap ({BWRAP}) is not installed"
    import tempfile

    share = tempfile.mkdtemp(prefix="nn-sandbox-check-")
    try:
        try:
            proc = start(share, [sys.executable, "-c", "import numpy, ipykernel"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        except OSError as e:
            return f"bwrap could not run: {e}"
        try:
            stdout, stderr = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired as e:
            proc.kill()
            proc.communicate()
            return f"bwrap could not run: {e}"
        if proc.returncode != 0:
            lines = (stderr or stdout).strip().splitlines()
            return f"bwrap could not run: {lines[-1] if lines else proc.returncode}"
        return None
    finally:
        shutil.rmtree(share, ignore_errors=True)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--check"]:
        reason = check()
        if reason:
            print(f"the autograding sandbox cannot run here: {reason}")
            return 1
        print("the autograding sandbox runs here")
        return 0
    run_kernel(argv)


if __name__ == "__main__":
    sys.exit(main())
