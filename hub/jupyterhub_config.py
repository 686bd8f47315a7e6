"""JupyterHub 5 for the course, graded by nbgrader (started by hub/hubctl.py: `make hub`).

One real Unix user per student (LocalProcessSpawner), the Formgrader as a hub-managed
service run by the grader account, nbgrader's groups and roles as in nbgrader's
demos/demo_multiple_classes (current RBAC keys). Every setting comes from the environment
so that one file serves the loopback test (tests/test_hub.py) and a real class:

  HUB_IP / HUB_PORT        where the proxy listens (127.0.0.1:8000); the hub and the proxy's
                           API use HUB_PORT+1 and HUB_PORT+2, the formgrader HUB_PORT+3
  HUB_COURSE               course id (nn-from-scratch): service name and group suffix
  HUB_COURSE_DIR           the course directory, owned by the grader account
  HUB_GRADER               the grader account (Unix user) that runs the formgrader
  HUB_INSTRUCTORS          comma-separated instructors (formgrade-<course> group, admin UI)
  HUB_STUDENTS             comma-separated students (nbgrader-<course> group)
  HUB_VENV                 the Python environment of the hub, the servers and nbgrader
  HUB_CHP                  configurable-http-proxy (node_modules/.bin/...)
  HUB_STATE_DIR            the hub's database and cookie secret
  HUB_USER_CONFIG          a Jupyter config folder for the users' servers (students):
                           the Formgrader, Create Assignment and Course List turned off
  HUB_SHARED_PASSWORD      set: SharedPasswordAuthenticator (tests only); unset: PAM
  HUB_ADMIN_TOKEN          set: a token-only service "hub-admin" for scripts (tests only)
"""

import os

c = get_config()  # noqa: F821

env = os.environ.get
ip = env("HUB_IP", "127.0.0.1")
port = int(env("HUB_PORT", "8000"))
course = env("HUB_COURSE", "nn-from-scratch")
course_dir = env("HUB_COURSE_DIR", f"/srv/nbgrader/{course}")
grader = env("HUB_GRADER", f"grader-{course}")
instructors = [u for u in env("HUB_INSTRUCTORS", "").split(",") if u]
students = [u for u in env("HUB_STUDENTS", "").split(",") if u]
venv = env("HUB_VENV", "/opt/hub/venv")
state = env("HUB_STATE_DIR", "/srv/jupyterhub")
vbin = os.path.join(venv, "bin")
path = f"{vbin}:/usr/local/bin:/usr/bin:/bin"

# --- network: everything on loopback by default ------------------------------------
c.JupyterHub.bind_url = f"http://{ip}:{port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
c.ConfigurableHTTPProxy.command = [env("HUB_CHP", "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{os.path.join(state, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "jupyterhub-proxy.pid")

# --- authentication -----------------------------------------------------------------
if env("HUB_SHARED_PASSWORD"):
    # tests: one password for the listed users only (JupyterHub >= 5.3)
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = env("HUB_SHARED_PASSWORD")
else:
    c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(instructors + students + [grader])

# --- one Unix user per student ------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [os.path.join(vbin, "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {"PATH": path}
if env("HUB_USER_CONFIG"):
    c.Spawner.environment["JUPYTER_CONFIG_PATH"] = env("HUB_USER_CONFIG")
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 90

# --- nbgrader's groups and roles ----------------------------------------------------
# formgrade-<course>: who may open the Formgrader service; nbgrader-<course>: students
# (nbgrader's JupyterHubAuthPlugin reads a user's courses from these group names).
c.JupyterHub.load_groups = {
    f"formgrade-{course}": {"users": instructors + [grader]},
    f"nbgrader-{course}": {"users": students},
    "instructors": {"users": instructors},
}
roles = [
    {"name": "instructor", "groups": ["instructors"],
     "scopes": ["admin-ui", "list:users", "admin:servers"]},
    {"name": f"formgrade-{course}", "groups": [f"formgrade-{course}"],
     "scopes": [f"access:services!service={course}", "list:services",
                f"read:services!service={course}"]},
    {"name": f"nbgrader-{course}", "groups": [f"nbgrader-{course}"],
     "scopes": ["list:services", f"read:services!service={course}"]},
    # a server's token may do what its owner may (the assignment list and the course list
    # ask the hub for the user's groups and the course's service)
    {"name": "server", "scopes": ["inherit"]},
    # the Formgrader service's own token: nbgrader's JupyterHubAuthPlugin reads the grader
    # account's groups (GET /hub/api/users/<grader>: without this, the Formgrader's pages
    # answer 500), and "add student" puts users into nbgrader-<course>
    {"name": f"service-{course}", "services": [course],
     "scopes": [f"read:users!user={grader}", "list:services",
                f"read:services!service={course}", "list:groups",
                f"groups!group=nbgrader-{course}"]},
]
c.JupyterHub.load_roles = roles

# --- the Formgrader: a hub-managed service run by the grader account ----------------
c.JupyterHub.services = [{
    "name": course,
    "url": f"http://127.0.0.1:{port + 3}",
    "command": [os.path.join(vbin, "jupyterhub-singleuser"), "--debug"],
    "user": grader,
    "cwd": course_dir,
    "environment": {"PATH": path, "JUPYTERHUB_DEFAULT_URL": "/lab"},
    "oauth_no_confirm": True,
}]
if env("HUB_ADMIN_TOKEN"):
    c.JupyterHub.services.append({"name": "hub-admin", "api_token": env("HUB_ADMIN_TOKEN")})
    roles.append({"name": "hub-admin", "services": ["hub-admin"],
                  "scopes": ["admin:users", "admin:servers", "list:services",
                             "read:services", "tokens"]})
