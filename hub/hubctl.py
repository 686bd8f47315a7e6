"""The course for a class on one Linux server: JupyterHub 5, one Unix user per student,
nbgrader's exchange on local disk, the Formgrader as a hub service run by a grader account,
and autograding in the course's sandbox (``make hub``; root).

``python hub/hubctl.py serve`` prepares what the hub needs, then runs it in the foreground:

- the grader account (a Unix user, created if missing) that owns the course directory
  (``<srv>/course``: the release's sources, the course's ``nbgrader_config.py``, later the
  gradebook and the submissions; mode 0700) and runs the Formgrader;
- the exchange (``<srv>/exchange``, mode 0777 as nbgrader requires; inbound 2733);
- nbgrader's global configuration in the hub's environment (``hub/.venv/etc/jupyter``): it
  reaches everything the hub runs and nothing else on the machine;
- JupyterHub on ``HUB_IP:HUB_PORT`` (127.0.0.1:8000), with PAM logins for the listed users.

Settings, from the environment (``make hub HUB_STUDENTS=alice,bob ...``): HUB_IP, HUB_PORT,
HUB_SRV (/srv/nn-from-scratch), HUB_GRADER (grader), HUB_INSTRUCTORS and HUB_STUDENTS
(comma-separated Unix users). ``tests/test_hub.py`` drives the same code (``hub/cycle.py``).
"""

import os
import pwd
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HUB_DIR = Path(__file__).resolve().parent
REPO = HUB_DIR.parent
VENV = HUB_DIR / ".venv"
CHP = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
COURSE = "nn-from-scratch"
KEEP_ENV = ("LANG", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TZ")


@dataclass
class Settings:
    ip: str = "127.0.0.1"
    port: int = 8000
    srv: Path = Path("/srv/nn-from-scratch")
    grader: str = "grader"
    instructors: list = field(default_factory=list)
    students: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # the steps to put in source/ (empty: all)
    password: str = ""  # set: one shared password for the listed users (tests); else PAM
    admin_token: str = ""  # set: a token-only service "hub-admin" (tests)

    @property
    def course_dir(self):
        return self.srv / "course"

    @property
    def exchange(self):
        return self.srv / "exchange"

    @property
    def state(self):
        return self.srv / "hub"

    @classmethod
    def from_environment(cls):
        env = os.environ.get
        names = (lambda text: [n for n in (text or "").replace(" ", ",").split(",") if n])
        return cls(ip=env("HUB_IP") or "127.0.0.1", port=int(env("HUB_PORT") or 8000),
                   srv=Path(env("HUB_SRV") or "/srv/nn-from-scratch"), grader=env("HUB_GRADER") or "grader",
                   instructors=names(env("HUB_INSTRUCTORS")), students=names(env("HUB_STUDENTS")))


def ensure_user(name):
    """The Unix user ``name``, created if missing, with a home only they can read (Debian's
    default, 0755, would let every student read every other's notebooks)."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "-m", "-K", "HOME_MODE=0700", "-s", "/bin/bash", name], check=True)


def prepare(s):
    """The grader account, the course directory, the exchange and nbgrader's global config."""
    ensure_user(s.grader)
    s.srv.mkdir(parents=True, exist_ok=True)
    os.chmod(s.srv, 0o755)
    source = s.course_dir / "source"
    source.mkdir(parents=True, exist_ok=True)
    for step in s.steps or sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir()):
        if not (source / step).exists():  # the instructor's own edits there are kept
            shutil.copytree(REPO / "source" / step, source / step)
    shutil.copy(REPO / "nbgrader_config.py", s.course_dir)
    subprocess.run(["chown", "-R", f"{s.grader}:{s.grader}", str(s.course_dir)], check=True)
    os.chmod(s.course_dir, 0o700)
    s.exchange.mkdir(exist_ok=True)
    subprocess.run(["chown", f"{s.grader}:{s.grader}", str(s.exchange)], check=True)
    os.chmod(s.exchange, 0o777)  # nbgrader's release_assignment insists on it
    etc = VENV / "etc" / "jupyter"
    etc.mkdir(parents=True, exist_ok=True)
    text = (HUB_DIR / "nbgrader_global_config.py").read_text()
    (etc / "nbgrader_config.py").write_text(text.replace("EXCHANGE_ROOT", str(s.exchange)))
    s.state.mkdir(mode=0o700, exist_ok=True)


def remove_global_config():
    (VENV / "etc" / "jupyter" / "nbgrader_config.py").unlink(missing_ok=True)


def environment(s):
    """The hub's environment: jupyterhub_config.py reads its settings from it."""
    env = {k: os.environ[k] for k in KEEP_ENV if k in os.environ}
    env.update(PATH=f"{VENV}/bin:/usr/local/bin:/usr/bin:/bin", HOME="/root",
               HUB_IP=s.ip, HUB_PORT=str(s.port), HUB_COURSE=COURSE, HUB_COURSE_DIR=str(s.course_dir),
               HUB_GRADER=s.grader, HUB_INSTRUCTORS=",".join(s.instructors),
               HUB_STUDENTS=",".join(s.students), HUB_VENV=str(VENV), HUB_CHP=str(CHP),
               HUB_STATE_DIR=str(s.state), HUB_USER_CONFIG=str(HUB_DIR / "student-config"))
    if s.password:
        env["HUB_SHARED_PASSWORD"] = s.password
    if s.admin_token:
        env["HUB_ADMIN_TOKEN"] = s.admin_token
    return env


def command():
    return [str(VENV / "bin" / "jupyterhub"), "-f", str(HUB_DIR / "jupyterhub_config.py")]


def start(s, log):
    """JupyterHub in a new session (its process group holds the proxy and the service)."""
    return subprocess.Popen(command(), cwd=s.state, env=environment(s), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def run_as(user, line, cwd=None, check=True):
    """A shell ``line`` as ``user``, with a clean environment and the hub's Python first."""
    home = pwd.getpwnam(user).pw_dir
    env = [f"HOME={home}", f"USER={user}", f"LOGNAME={user}", f"PATH={VENV}/bin:/usr/local/bin:/usr/bin:/bin"]
    env += [f"{k}={os.environ[k]}" for k in KEEP_ENV if k in os.environ]
    r = subprocess.run(["runuser", "-u", user, "--", "env", "-i", *env, "bash", "-c", f"cd {cwd or home} && {line}"],
                       capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"as {user}: {line} -> exit {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def serve():
    if os.geteuid() != 0:
        sys.exit("the class hub needs root (one Unix user per student, LocalProcessSpawner)")
    if not (VENV / "bin" / "jupyterhub").exists() or not CHP.exists():
        sys.exit("no hub environment: run `make hub-env` (or `make hub`) first")
    s = Settings.from_environment()
    for name in s.instructors + s.students:
        try:
            pwd.getpwnam(name)
        except KeyError:
            sys.exit(f"{name} is not a Unix user: create it first "
                     f"(useradd -m -K HOME_MODE=0700 {name} && passwd {name})")
    prepare(s)
    sandbox = run_as(s.grader, "python -m course.sandbox --check", check=False)
    if sandbox.returncode != 0:
        print(f"warning: the autograding sandbox cannot run as {s.grader}: "
              f"{(sandbox.stdout + sandbox.stderr).strip()}", file=sys.stderr)
    print(f"course directory {s.course_dir} (owner {s.grader}), exchange {s.exchange}\n"
          f"JupyterHub on http://{s.ip}:{s.port}/ (instructors: {', '.join(s.instructors) or 'none'}; "
          f"students: {len(s.students)}); the Formgrader: http://{s.ip}:{s.port}/services/{COURSE}/formgrader",
          flush=True)
    started = time.monotonic()
    try:
        return subprocess.run(command(), cwd=s.state, env=environment(s)).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        print(f"the hub ran {time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:] != ["serve"]:
        sys.exit("usage: python hub/hubctl.py serve   (settings: HUB_IP, HUB_PORT, HUB_SRV, "
                 "HUB_GRADER, HUB_INSTRUCTORS, HUB_STUDENTS)")
    sys.exit(serve())
