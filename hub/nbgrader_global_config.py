"""nbgrader's global configuration on the class hub.

Installed as <venv>/etc/jupyter/nbgrader_config.py (the environment's own config
folder, read by every nbgrader process of this environment: the students' servers, the
Formgrader service, the grader's command line), or as /etc/jupyter/nbgrader_config.py on
a machine that runs nothing else. The course directory's own nbgrader_config.py (course
id, grading) is read after it by the grader account. hub/hubctl.py fills in EXCHANGE_ROOT.
"""

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821

# the exchange on local disk: outbound/ (released), inbound/ (submissions, mode 2733:
# students can write, not list), feedback/ (unguessable file names)
c.Exchange.root = "EXCHANGE_ROOT"
# exchange paths are <root>/<course>/..., and fetched assignments <home>/<course>/<step>
c.Exchange.path_includes_course = True
# a student's courses are their hub groups nbgrader-<course> (and formgrade-<course>)
c.Authenticator.plugin_class = JupyterHubAuthPlugin
