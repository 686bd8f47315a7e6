"""The whole nbgrader class cycle through a real JupyterHub 5, on loopback (root):
``tests/test_hub.py`` runs it, ``python hub/cycle.py`` too (exit 0: every check passed).

Each phase is timed:

  setup       Unix users (nnhub-*: an instructor, the grader account, two students) and,
              through hub/hubctl.py as ``make hub`` does, the course directory (step 01),
              the exchange and nbgrader's global config, in a temporary folder
  hub         JupyterHub and configurable-http-proxy on 127.0.0.1, the Formgrader service
  release     as the grader: nbgrader generate_assignment + release_assignment
  login       each student: the hub's login form (POST /hub/login with _xsrf), the server
              started through the hub API, /user/<name>/lab opened (OAuth with the server)
  fetch       each student: the Assignments tab's API (/user/<name>/assignments/fetch)
  submit      alice puts the solution notebook over the fetched one (contents API), bob
              keeps the blank release; both submit (/user/<name>/assignments/submit)
  grade       as the grader: collect, autograde (in the course's sandbox); the instructor
              grades the written answer in the Formgrader service; generate_feedback,
              release_feedback, export
  feedback    each student: /user/<name>/assignments/fetch_feedback
  checks      RBAC (tokens, cookies, the Formgrader service) and file permissions (runuser)
  screenshot  headless Chromium: alice's Assignment List in JupyterLab
"""

import argparse
import contextlib
import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hubctl  # noqa: E402

MAIN = hubctl.REPO
COURSE = hubctl.COURSE
STEP = "01_linear_layer"
INSTRUCTOR, GRADER = "nnhub-instructor", "nnhub-grader"
STUDENTS = ["nnhub-alice", "nnhub-bob"]
USERS = [INSTRUCTOR, GRADER, *STUDENTS]
SCREENSHOT = MAIN / "build" / "hub" / "assignments-alice.png"
PASSWORD = secrets.token_urlsafe(12)
ADMIN_TOKEN = secrets.token_hex(16)

TIMES = {}
RESULTS = []  # (check, ok, detail)
HUB = None  # the hub's Popen
SETTINGS = None  # hubctl.Settings of this run
BASE = ""


def free_ports(count=4):
    """A base port on 127.0.0.1 with ``count`` free ports from it (the proxy, the hub, the
    proxy's API, the Formgrader service)."""
    for _ in range(200):
        base = 20000 + secrets.randbelow(30000)
        try:
            socks = []
            for port in range(base, base + count):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free ports on 127.0.0.1")


@contextlib.contextmanager
def phase(name):
    t = time.monotonic()
    print(f"== {name}", flush=True)
    try:
        yield
    finally:
        TIMES[name] = round(time.monotonic() - t, 1)
        print(f"   {name}: {TIMES[name]} s", flush=True)


def check(name, ok, detail=""):
    RESULTS.append((name, bool(ok), detail))
    print(f"   [{'ok' if ok else 'FAIL'}] {name} {detail}", flush=True)
    return ok


def run_as(user, line, cwd=None, check_rc=True):
    return hubctl.run_as(user, line, cwd=cwd, check=check_rc)


# --- setup and teardown ------------------------------------------------------------------

def setup():
    global SETTINGS, BASE
    for user in USERS:
        hubctl.ensure_user(user)
    srv = Path(tempfile.mkdtemp(prefix="nn-hub-test-", dir="/var/tmp"))
    SETTINGS = hubctl.Settings(ip="127.0.0.1", port=free_ports(), srv=srv, grader=GRADER,
                               instructors=[INSTRUCTOR], students=list(STUDENTS), steps=[STEP],
                               password=PASSWORD, admin_token=ADMIN_TOKEN)
    BASE = f"http://127.0.0.1:{SETTINGS.port}"
    hubctl.prepare(SETTINGS)


def kill_user_processes():
    for user in USERS:
        r = subprocess.run(["pgrep", "-u", user], capture_output=True, text=True)
        for pid in r.stdout.split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)


def teardown():
    global HUB
    if HUB is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(HUB.pid, signal.SIGTERM)  # the hub stops the servers, the service, the proxy
        try:
            HUB.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(HUB.pid, signal.SIGKILL)  # whatever of its group is left
        HUB = None
    kill_user_processes()
    time.sleep(1)
    kill_user_processes()
    for user in USERS:
        subprocess.run(["userdel", "-r", user], capture_output=True)
    if SETTINGS is not None:
        shutil.rmtree(SETTINGS.srv, ignore_errors=True)
    hubctl.remove_global_config()


def start_hub():
    global HUB
    log = open(SETTINGS.state / "hub.log", "w")
    HUB = hubctl.start(SETTINGS, log)
    deadline = time.time() + 120
    while time.time() < deadline:
        if HUB.poll() is not None:
            raise RuntimeError("the hub exited:\n" + hub_log())
        with contextlib.suppress(requests.RequestException):
            r = requests.get(f"{BASE}/hub/api/services/{COURSE}",
                             headers={"Authorization": f"token {ADMIN_TOKEN}"}, timeout=2)
            # the service counts once it answers through the proxy
            if r.ok and requests.get(f"{BASE}/services/{COURSE}/api/status",
                                     timeout=5, allow_redirects=False).status_code in (200, 302, 403):
                return
        time.sleep(0.5)
    raise RuntimeError("the hub did not start:\n" + hub_log())


def hub_log():
    with contextlib.suppress(OSError):
        return (SETTINGS.state / "hub.log").read_text()[-4000:]
    return ""


def cookie(session, name, path_prefix):
    for c in session.cookies:
        if c.name == name and c.path.startswith(path_prefix):
            return c.value
    raise KeyError(f"no cookie {name} for {path_prefix}")


class Browserless:
    """A user's ``requests`` session through the hub, as a browser would hold it."""

    def __init__(self, name):
        self.name = name
        self.s = requests.Session()

    def login(self):
        r = self.s.get(f"{BASE}/hub/login")
        r.raise_for_status()
        xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', r.text).group(1)
        r = self.s.post(f"{BASE}/hub/login?next=", allow_redirects=False,
                        data={"username": self.name, "password": PASSWORD, "_xsrf": xsrf})
        if r.status_code != 302:
            raise RuntimeError(f"login {self.name}: {r.status_code} {r.text[:300]}")

    def hub(self, method, path, **kw):
        headers = {"X-XSRFToken": cookie(self.s, "_xsrf", "/hub")}
        return self.s.request(method, f"{BASE}/hub/api{path}", headers=headers, **kw)

    def start_server(self):
        r = self.hub("POST", f"/users/{self.name}/server")
        if r.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"spawn {self.name}: {r.status_code} {r.text}")
        deadline = time.time() + 120
        while time.time() < deadline:
            model = self.hub("GET", f"/users/{self.name}").json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"{self.name}'s server did not start")
        r = self.s.get(f"{BASE}/user/{self.name}/lab")  # OAuth with the server, then the page
        r.raise_for_status()

    def user(self, method, path, **kw):
        headers = {"X-XSRFToken": cookie(self.s, "_xsrf", f"/user/{self.name}")}
        return self.s.request(method, f"{BASE}/user/{self.name}{path}", headers=headers, **kw)

    def assignments(self):
        r = self.user("GET", "/assignments", params={"course_id": COURSE})
        r.raise_for_status()
        out = r.json()
        if not out.get("success"):
            raise RuntimeError(f"{self.name}: assignment list: {out}")
        return out["value"]

    def action(self, action):
        r = self.user("POST", f"/assignments/{action}",
                      json={"course_id": COURSE, "assignment_id": STEP})
        r.raise_for_status()
        out = r.json()
        if not out.get("success"):
            raise RuntimeError(f"{self.name}: {action}: {out}")
        return out["value"]


def entry(listing, status=None):
    for a in listing:
        if a["assignment_id"] == STEP and (status is None or a["status"] == status):
            return a
    return None


# --- the cycle ------------------------------------------------------------------------------

def grader(line):
    return run_as(GRADER, line, cwd=SETTINGS.course_dir)


def run(screenshot=True):
    """The cycle; the checks go to RESULTS (the caller calls teardown())."""
    RESULTS.clear()
    TIMES.clear()
    with phase("setup"):
        setup()
        r = run_as(GRADER, "python -m course.sandbox --check", check_rc=False)
        check("sandbox runs as the grader account (non-root)", r.returncode == 0,
              (r.stdout + r.stderr).strip()[-300:])
    with phase("hub"):
        start_hub()
        r = subprocess.run(["pgrep", "-u", GRADER, "-f", "jupyterhub-singleuser"],
                           capture_output=True)
        check("the Formgrader service runs as the grader account", r.returncode == 0)
    with phase("release"):
        grader(f"nbgrader generate_assignment {STEP} --force --log-level=WARN")
        grader(f"nbgrader release_assignment {STEP} --force --log-level=WARN")
        check("released to the exchange",
              (SETTINGS.exchange / COURSE / "outbound" / STEP / f"{STEP}.ipynb").exists())
    people = {name: Browserless(name) for name in STUDENTS}
    with phase("login"):
        for p in people.values():
            with phase(f"login.{p.name}"):  # per student: the login form, the spawn, the lab page
                p.login()
                p.start_server()
        check("students' servers run as their own Unix users", all(
            subprocess.run(["pgrep", "-u", n, "-f", "jupyterhub-singleuser"],
                           capture_output=True).returncode == 0 for n in STUDENTS))
    with phase("fetch"):
        for p in people.values():
            with phase(f"fetch.{p.name}"):
                listing = p.assignments()
                fetched = entry(p.action("fetch"), "fetched")
            check(f"{p.name} sees {STEP} released", entry(listing, "released"))
            check(f"{p.name} fetched {STEP}", fetched, fetched and fetched["path"])
            p.fetched = fetched
    with phase("submit"):
        alice, bob = people.values()
        nb_path = alice.fetched["notebooks"][0]["path"]
        solution = json.loads((MAIN / "source" / STEP / f"{STEP}.ipynb").read_text())
        r = alice.user("PUT", f"/api/contents/{nb_path}",
                       json={"type": "notebook", "format": "json", "content": solution})
        check("alice saved the solution through the contents API", r.ok, str(r.status_code))
        for p in people.values():
            with phase(f"submit.{p.name}"):
                listing = p.action("submit")
            sub = entry(listing, "submitted")
            check(f"{p.name} submitted", sub and sub.get("submissions"))
    with phase("grade"):
        grader(f"nbgrader collect {STEP} --log-level=WARN")
        t = time.monotonic()
        grader(f"nbgrader autograde {STEP} --force --log-level=WARN")
        TIMES["grade.autograde"] = round(time.monotonic() - t, 1)
        manual_grading(people)
        grader(f"nbgrader generate_feedback {STEP} --force --log-level=WARN")
        grader(f"nbgrader release_feedback {STEP} --log-level=WARN")
        grader("nbgrader export --log-level=WARN")
        rows = {r["student_id"]: r for r in csv.DictReader(open(SETTINGS.course_dir / "grades.csv"))
                if r["assignment"] == STEP}
        a, b = rows.get("nnhub-alice"), rows.get("nnhub-bob")
        check("grades: alice full marks (auto + manual)",
              a and float(a["score"]) == float(a["max_score"]) > 0,
              a and f"{a['score']}/{a['max_score']} sandbox={a.get('graded_in_sandbox')}")
        check("grades: bob zero", b and float(b["score"]) == 0,
              b and f"{b['score']}/{b['max_score']} sandbox={b.get('graded_in_sandbox')}")
    with phase("feedback"):
        for p in people.values():
            with phase(f"feedback.{p.name}"):
                listing = p.action("fetch_feedback")
            sub = entry(listing, "submitted")
            subs = (sub or {}).get("submissions") or []
            local = [s for s in subs if s.get("has_local_feedback")]
            check(f"{p.name} fetched feedback", local,
                  local and str(local[0].get("local_feedback_path")))
    with phase("checks"):
        security_checks(people)
    if screenshot:
        with phase("screenshot"):
            take_screenshot("nnhub-alice", SCREENSHOT)


def manual_grading(people):
    """The instructor, through the hub, grades the written answers in the Formgrader
    service (its REST API, as its pages do): full marks for alice, zero for bob."""
    inst = Browserless(INSTRUCTOR)
    inst.login()
    svc = f"{BASE}/services/{COURSE}/formgrader"
    r = inst.s.get(svc)
    check("instructor opens the Formgrader service (run by the grader account)",
          r.status_code == 200, f"{r.status_code} {r.url}")
    hdr = {"X-XSRFToken": cookie(inst.s, "_xsrf", f"/services/{COURSE}")}
    subs = inst.s.get(f"{svc}/api/submitted_notebooks/{STEP}/{STEP}", headers=hdr)
    check("formgrader lists the submitted notebooks", subs.ok, str(subs.status_code))
    for sub in subs.json():
        grades = inst.s.get(f"{svc}/api/grades", params={"submission_id": sub["id"]},
                            headers=hdr).json()
        for g in grades:
            if g["auto_score"] is None:  # a manually graded cell
                score = g["max_score"] if sub["student"] == "nnhub-alice" else 0
                r = inst.s.put(f"{svc}/api/grade/{g['id']}", headers=hdr,
                               json={"manual_score": score, "extra_credit": 0})
                check(f"manual grade {sub['student']}/{g['name']} = {score}", r.ok,
                      str(r.status_code))
    t = time.monotonic()
    r = inst.s.post(f"{svc}/api/submission/{STEP}/nnhub-bob/autograde", headers=hdr)
    TIMES["grade.formgrader_autograde_bob"] = round(time.monotonic() - t, 1)
    out = r.json() if r.ok else {}
    check("autograde bob again from the Formgrader service (sandbox, grader account)",
          out.get("success"), "" if out.get("success") else str(out)[-300:])
    r = inst.s.get(f"{svc}/api/assignments", headers=hdr)
    names = [a.get("name") for a in r.json()] if r.ok else []
    check("formgrader API lists the step", STEP in names, f"{r.status_code} {names}")


def security_checks(people):
    alice, bob = people["nnhub-alice"], people["nnhub-bob"]
    r = alice.hub("POST", f"/users/{alice.name}/tokens", json={"note": "cycle", "expires_in": 600})
    check("alice creates an API token", r.status_code in (200, 201), str(r.status_code))
    token = r.json()["token"]
    auth = {"Authorization": f"token {token}"}
    r = requests.get(f"{BASE}/user/{alice.name}/api/contents", headers=auth)
    check("alice's token on her own server: 200", r.status_code == 200, str(r.status_code))
    r = requests.get(f"{BASE}/user/{bob.name}/api/contents", headers=auth, allow_redirects=False)
    check("alice's token on bob's server: 403", r.status_code == 403, str(r.status_code))
    r = requests.get(f"{BASE}/hub/api/users/{bob.name}", headers=auth)
    check("alice's token reads bob's hub model: 403/404", r.status_code in (403, 404),
          str(r.status_code))
    r = alice.s.get(f"{BASE}/user/{bob.name}/api/contents", allow_redirects=True)
    check("alice's browser session on bob's server: refused", r.status_code in (403, 404),
          f"{r.status_code} {r.url}")
    r = alice.s.get(f"{BASE}/services/{COURSE}/formgrader", allow_redirects=True)
    check("alice cannot open the Formgrader service", r.status_code == 403,
          f"{r.status_code} {r.url}")
    # files, as bob (runuser)
    COURSE_DIR, EXCHANGE = SETTINGS.course_dir, SETTINGS.exchange  # noqa: N806
    inbound = EXCHANGE / COURSE / "inbound"
    alice_sub = next(inbound.glob("nnhub-alice+*"))
    feedback = list((EXCHANGE / COURSE / "feedback").glob("*.html"))
    r = alice.user("GET", "/formgrader", allow_redirects=False)
    check("no Formgrader in a student's own server", r.status_code == 404, str(r.status_code))
    for what, cmd in [
        ("course source/", f"ls {COURSE_DIR}/source"),
        ("gradebook.db", f"head -c1 {COURSE_DIR}/gradebook.db"),
        ("list the inbound exchange", f"ls {inbound}"),
        ("alice's home", "ls /home/nnhub-alice"),
        ("list the feedback exchange", f"ls {EXCHANGE}/{COURSE}/feedback"),
    ]:
        r = run_as(bob.name, cmd, check_rc=False)
        check(f"bob cannot read {what}", r.returncode != 0, (r.stderr or r.stdout).strip()[-120:])
    r = run_as(bob.name, f"head -c1 '{alice_sub}/{STEP}.ipynb'", check_rc=False)
    RESULTS.append(("note: a submission is readable by whoever knows its folder's name",
                    r.returncode == 0, "info"))
    print(f"   [info] alice's submission readable by bob given its exact path: "
          f"{r.returncode == 0} ({alice_sub.name}: the random suffix is the protection)")
    if feedback:
        r = run_as(bob.name, f"head -c1 '{feedback[0]}'", check_rc=False)
        RESULTS.append(("note: feedback file readable by name", r.returncode == 0, "info"))
        print(f"   [info] a feedback file is readable by anyone who knows its name: "
              f"{r.returncode == 0} (names are hashes)")


def take_screenshot(name, out):
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{BASE}/hub/login")
        page.fill("input[name=username]", name)
        page.fill("input[name=password]", PASSWORD)
        page.click("#login_submit")
        page.wait_for_load_state()
        page.goto(f"{BASE}/user/{name}/lab")
        page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
        page.get_by_role("menuitem", name="Nbgrader").click()
        page.get_by_role("menuitem", name="Assignment List").click()
        panel = page.locator(".jp-Activity:has-text('Released assignments'), "
                             ".lm-Widget:has(#fetched_assignments_list)").last
        page.wait_for_selector(f"text={STEP}", timeout=60_000)
        time.sleep(1)
        page.screenshot(path=str(out))
        check("no Create Assignment panel for a student",
              page.get_by_text("Create Assignment").count() == 0)
        with contextlib.suppress(Exception):
            panel.screenshot(path=str(out.with_name(out.stem + "-panel.png")))
        browser.close()
    check("screenshot of alice's Assignment List", out.exists(), str(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-screenshot", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("the hub cycle needs root (Unix users, LocalProcessSpawner, runuser)")
    t = time.monotonic()
    try:
        run(screenshot=not args.no_screenshot)
    except Exception as e:  # noqa: BLE001 (reported as a failed check)
        check("cycle ran to the end", False, f"{type(e).__name__}: {e}")
    finally:
        TIMES["total"] = round(time.monotonic() - t, 1)
        with phase("teardown"):
            teardown()
    failed = [r for r in RESULTS if not r[1] and r[2] != "info"]
    print(json.dumps(TIMES))
    print(f"{len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
