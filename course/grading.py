"""nbgrader plumbing: keep hidden tests out of the feedback students receive.

``nbgrader_config.py`` puts ``ClearHiddenTestsAndTracebacks`` in the feedback
preprocessors. nbgrader's own ``ClearHiddenTests`` removes the hidden code from a test
cell, but the cell's error output still holds a traceback that quotes the failing hidden
line; this preprocessor also cuts such tracebacks down to the error's name and message
(which our checks write for learners: "dW has shape (3, 4), expected (4, 3)").
"""

from nbgrader.preprocessors import ClearHiddenTests


class ClearHiddenTestsAndTracebacks(ClearHiddenTests):
    """Remove hidden-test regions and the tracebacks of the cells that had them."""

    def preprocess_cell(self, cell, resources, cell_index):
        had_hidden = (cell.cell_type == "code"
                      and self.begin_test_delimeter in cell.source)
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if had_hidden:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: "
                                           f"{output.get('evalue', '')}"]
        return cell, resources


# --- Autograding: the sandboxed kernel, kernels that die, bounded time and output ---------

import csv  # noqa: E402
import glob  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from jupyter_core.paths import jupyter_path  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402
import nbformat  # noqa: E402
from nbformat.notebooknode import NotebookNode  # noqa: E402
from nbgrader.plugins import CsvExportPlugin  # noqa: E402
from nbgrader.preprocessors import Execute  # noqa: E402
from traitlets import Bool, Dict, Integer, List, Unicode  # noqa: E402

from course import outside, sandbox  # noqa: E402


class SandboxKernelManager(AsyncKernelManager):
    """A kernel in ``course.sandbox``: Unix sockets in a folder of its own (the sandbox has
    no network), found by absolute path, and the ``nn-sandbox`` kernel spec."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)
        self.kernel_spec_manager = KernelSpecManager(
            kernel_dirs=[sandbox.KERNELS, *jupyter_path("kernels")])
        self._sandbox_dirs = []

    async def _async_pre_start_kernel(self, **kw):
        share = tempfile.mkdtemp(prefix="nn-sandbox-")
        self._sandbox_dirs.append(share)
        self.connection_file = os.path.join(share, "kernel.json")
        self.ip = os.path.join(share, "kernel")  # absolute: both ends find the sockets
        return await super()._async_pre_start_kernel(**kw)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        while self._sandbox_dirs:
            shutil.rmtree(self._sandbox_dirs.pop(), ignore_errors=True)

    # AsyncKernelManager binds this name to the base class's function: nbclient calls it
    # after a kernel died, and the sandbox's folder must go then too
    cleanup_resources = _async_cleanup_resources


def _output_bytes(out):
    if out.output_type == "stream":
        return len(out.get("text", "").encode())
    return sum(len(v if isinstance(v, str) else str(v)) for v in out.get("data", {}).values())


def _sliced(get_msg, step=1.0):
    """``get_msg`` that waits at most ``step`` seconds per poll of its socket.

    A message that is already there is returned at once; one whose wake-up a poll missed
    (zmq's file descriptors are edge-triggered) is found at the next slice instead of
    when the whole timeout (300 s) has passed.
    """
    import time
    from queue import Empty

    async def sliced(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = step if deadline is None else max(0.0, min(step, deadline - time.monotonic()))
            try:
                return await get_msg(timeout=left)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    sliced.sliced = True
    return sliced


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GradingExecute(Execute):
    """nbgrader's ``Execute`` for ``nbgrader autograde``, made safe for untrusted work.

    - ``sandbox`` (default on): the kernel runs in ``course.sandbox``; where bubblewrap
      cannot run, grading stops with the reason, unless ``sandbox`` is turned off, which
      is logged as a warning for every notebook and recorded in its metadata.
    - A kernel that dies (``os._exit``, a signal, the memory limit) does not lose the
      notebook: the cell where it died gets the error, the cells after it are marked not
      run (their tests score zero), and the autograded notebook and its feedback exist.
    - ``notebook_budget`` seconds of cell execution per notebook (``notebook_budgets``
      per assignment): a cell's timeout is the smaller of ``timeout`` and what is left,
      and once it is spent the remaining cells are marked not run.
    - Output is kept up to ``max_cell_output`` bytes per cell and
      ``max_notebook_output`` bytes per notebook, counted as it arrives (nbgrader's
      ``LimitOutput`` counts lines: one 50 MB line passes it); what is cut is said on
      stdout (stderr would fail a test cell). Errors are always kept.
    """

    sandbox = Bool(True, help="Run each submission's kernel in the bubblewrap sandbox."
                   ).tag(config=True)
    notebook_budget = Integer(60, help="Seconds of execution for a whole notebook."
                              ).tag(config=True)
    notebook_budgets = Dict(help="Per assignment id: seconds for a whole notebook."
                            ).tag(config=True)

    tests_outside = Bool(True, help="Evaluate test cells in the grader (course.outside), not in "
                         "the submission's kernel.").tag(config=True)
    tests_inside = List(Unicode(), help="Assignments whose test cells still run in the kernel."
                        ).tag(config=True)

    max_cell_output = Integer(200_000, help="Bytes of output kept per cell.").tag(config=True)
    max_notebook_output = Integer(1_500_000, help="Bytes of output kept per notebook."
                                  ).tag(config=True)

    _checked = None

    def preprocess(self, nb, resources=None, km=None):
        assignment = (resources or {}).get("nbgrader", {}).get("assignment")
        self._budget = self.notebook_budgets.get(assignment, self.notebook_budget)
        self._spent = 0.0
        self._stopped = None  # why the remaining cells are not run
        self._kept = {}  # bytes of output kept, per cell index
        self._cut = set()  # cells whose output was cut
        if self.sandbox:
            if GradingExecute._checked is None:
                GradingExecute._checked = sandbox.check() or ""
            if GradingExecute._checked:
                raise RuntimeError(
                    f"the autograding sandbox cannot run here: {GradingExecute._checked} "
                    "(install bubblewrap, or grade without it: make autograde SANDBOX=off)")
        else:
            self.log.warning("grading %s WITHOUT the sandbox: the submission's code can read "
                             "and change everything the grader can",
                             (resources or {}).get("nbgrader", {}).get("student", "?"))
        nb.metadata.setdefault("nn_grading", {})["sandbox"] = bool(self.sandbox)
        self._outside = None
        self._release = None
        if self.tests_outside and assignment not in self.tests_inside:
            self._release = self._release_notebook(resources)
        nb.metadata["nn_grading"]["tests_outside"] = self._release is not None
        self._link_client = None
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._link_client is not None:
                self._link_client.stop_channels()

    def _release_notebook(self, resources):
        """The release's version of this notebook (its path), whose instructor cells make the
        namespace the test cells run in."""
        info = (resources or {}).get("nbgrader", {})
        course = self.config.CourseDirectory
        root = course.get("root") or os.getcwd()
        path = os.path.join(root, course.get("release_directory") or "release", info.get("assignment", ""),
                            f"{info.get('notebook', '')}.ipynb")
        if not os.path.exists(path):
            raise RuntimeError(f"cannot evaluate the tests outside the kernel: no release notebook {path} "
                               "(run nbgrader generate_assignment first)")
        return path

    def _run_outside(self, cell, index):
        """Run a test cell in the grader (course.outside), against the kernel's values."""
        import time

        from jupyter_core.utils import run_sync

        self._deadline = time.monotonic() + (self._get_timeout(cell) or 300)
        if self._outside is None:
            client = self.km.blocking_client()
            client.start_channels(shell=True, iopub=False, stdin=True, hb=False, control=False)
            self._link_client = client
            link = outside.KernelLink(client, alive=lambda: run_sync(self.km.is_alive)(),
                                      interrupt=lambda: run_sync(self.km.interrupt_kernel)(),
                                      deadline=lambda: self._deadline)
            try:
                link.setup()
            except (outside.KernelError, outside.GraderTimeout) as e:
                cell.outputs = [_error("KernelError", f"the grader could not reach the kernel: {e}")]
                cell.execution_count = None
                return
            release = nbformat.read(self._release, as_version=4)
            self._outside = outside.Outside(link, outside.instructor_cells(release), os.path.dirname(self._release))
        try:
            cell.outputs = []
            for out in self._outside.run(cell.source):
                out = nbformat.from_dict(out)
                if out.output_type != "stream" or self._keep(cell.outputs, out, index) is not None:
                    cell.outputs.append(out)
        finally:
            run_sync(self._drop_iopub)()
        cell.execution_count = None

    async def _drop_iopub(self):
        """Drop what the kernel published for the grader's own requests (two status
        messages each, hundreds for a test that calls a function in a loop): left queued,
        they delay the next cell's messages past nbclient's ``iopub_timeout``."""
        from queue import Empty

        while True:
            try:
                await self.kc.iopub_channel.get_msg(timeout=0)
            except Empty:
                return

    def create_kernel_manager(self):
        if self.sandbox:
            self.kernel_name = self.kernel_name or sandbox.KERNEL_NAME
            self.kernel_manager_class = SandboxKernelManager
        elif self.kernel_name == sandbox.KERNEL_NAME:
            self.kernel_name = ""  # the notebook's own kernel, as nbgrader does
        return super().create_kernel_manager()

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None or not outs or outs[-1] is not out or out.output_type == "error":
            return out
        outs.pop()
        out = self._keep(outs, out, cell_index)
        if out is not None:
            outs.append(out)
        return out

    def _keep(self, outs, out, cell_index):
        """``out`` if the cell's and the notebook's output caps leave room for it; else
        None, and the first time in a cell the part that fits and a note go into ``outs``."""
        size = _output_bytes(out)
        left = min(self.max_cell_output - self._kept.get(cell_index, 0),
                   self.max_notebook_output - sum(self._kept.values()))
        if size <= left:
            self._kept[cell_index] = self._kept.get(cell_index, 0) + size
            return out
        if cell_index not in self._cut:
            self._cut.add(cell_index)
            kept = out.text[:max(0, left)] if out.output_type == "stream" else ""
            note = (f"\n[output cut by the grader: more than {self.max_cell_output} bytes in "
                    f"this cell or {self.max_notebook_output} in the notebook]\n")
            outs.append(NotebookNode(output_type="stream", name="stdout", text=kept + note))
            self._kept[cell_index] = self._kept.get(cell_index, 0) + len(kept) + len(note)
        return None

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        left = max(1, int(self._budget - self._spent + 0.999))
        return left if timeout is None else min(timeout, left)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._stopped:
            cell.outputs = [_error("CellNotRun", self._stopped)]
            cell.execution_count = None
            return cell, resources
        import time

        for channel in (self.kc.shell_channel, self.kc.iopub_channel):
            if not getattr(channel.get_msg, "sliced", False):
                channel.get_msg = _sliced(channel.get_msg)
        start = time.monotonic()
        try:
            if self._release is not None and outside.is_test(cell):
                self._run_outside(cell, index)
                return cell, resources
            return super().preprocess_cell(cell, resources, index)
        except (DeadKernelError, outside.KernelDied) as e:
            self.log.warning("the kernel died in cell %d: %s", index, e)
            cell.outputs.append(_error(
                "KernelDied", "the kernel stopped while this cell ran (it exited or was "
                "killed); the cells after it were not run"))
            self._stopped = "not run: the kernel stopped in an earlier cell"
            return cell, resources
        finally:
            self._spent += time.monotonic() - start
            if not self._stopped and self._spent >= self._budget:
                self._stopped = (f"not run: the notebook used its {self._budget} s "
                                 "of grading time")


class SandboxCsvExport(CsvExportPlugin):
    """nbgrader's CSV export with one more column, ``graded_in_sandbox``: ``yes``, or
    ``NO`` when a notebook of that submission was autograded with ``SANDBOX=off`` (its
    code could read and change everything the grader can), or empty when not graded."""

    def export(self, gradebook):
        super().export(gradebook)
        dest = self.to or "grades.csv"
        coursedir = getattr(self.parent, "coursedir", None)
        with open(dest, newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows:
            return
        for row in rows:
            folder = (coursedir.format_path(coursedir.autograded_directory, row["student_id"],
                                            row["assignment"]) if coursedir else "")
            marks = [nbformat.read(p, as_version=4).metadata.get("nn_grading", {})
                     .get("sandbox") for p in glob.glob(os.path.join(folder, "*.ipynb"))]
            row["graded_in_sandbox"] = ("" if not marks
                                        else "yes" if all(m is True for m in marks) else "NO")
        with open(dest, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
