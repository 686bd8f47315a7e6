"""Test cells evaluated outside the submission's kernel.

When ``nbgrader autograde`` grades a notebook (``course.grading.GradingExecute``), a test
cell's code does not run in the submission's kernel. It runs here, in the grader, in a
namespace built from the instructor's own cells (the release's first code cell, the
imports, and every read-only cell, such as the test helpers). Every other name the test
uses is looked up in the submission's kernel and comes back as plain data
(``course.plaindata``): a value as numbers, strings and arrays, a function as a stand-in
that calls it in the kernel with plain-data arguments and returns a plain-data result.

So nothing the submission does to its own interpreter (patching ``numpy.testing`` or the
course's checks, disabling ``assert``, rewriting cells through IPython, returning objects
whose ``__eq__`` is always true) reaches a test's verdict: the test's code, its NumPy
and its checks are the grader's. A change a function makes to its arguments is copied
back, and a result that is one of its arguments comes back as that same object, so
tests of "in place" and "no side effect" mean what they say.

In the learner's JupyterLab nothing changes: the same test cells run in the kernel.
"""

import ast
import builtins
import contextlib
import hashlib
import io
import sys
import traceback

import numpy as np
from IPython.core.inputtransformer2 import TransformerManager

from course import plaindata

AGENT_NAME = "_nn_grader_agent"
AGENT_SETUP = (f"from course.outside import Agent as _nn_grader_Agent\n{AGENT_NAME} = _nn_grader_Agent()\n"
               "del _nn_grader_Agent")
PROMPT = "\x1enn-grader "  # an input() prompt that is the agent talking to the grader
MAX_REPLY = 128 * 2**20  # characters of one message from the kernel
MAX_MESSAGE = 4000  # characters of an error message from the kernel
MAX_PRINTED = 200_000  # characters of what one call into the kernel printed that the grader keeps


class KernelDied(BaseException):
    """The kernel stopped while the grader waited for it."""


class GraderTimeout(BaseException):
    """The submission's code ran past the cell's time; the kernel was interrupted."""


class KernelError(Exception):
    """The kernel could not answer (the agent is gone, or its answer is not understood)."""


def _digest(text):
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


_EXCEPTIONS = {name: value for name, value in vars(builtins).items()
               if isinstance(value, type) and issubclass(value, Exception)}


def _exception(type_name, message):
    """An exception by name: the builtin of that name, or a new class with the name."""
    cls = _EXCEPTIONS.get(type_name)
    if cls is None:
        cls = type(type_name if type_name.isidentifier() and len(type_name) < 100 else "Error", (RuntimeError,), {})
    return cls(message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + " [...]")


class Agent:
    """The kernel's side: looks names up, calls functions and reads attributes for the
    grader, in plain data; calls the tests' own functions back through ``input()``.

    It runs in the submission's process, so the submission can change it; that gains
    nothing, since all it can do is send other plain data, which its own functions
    could have returned anyway.
    """

    def __init__(self):
        self.objects = {}  # number -> object the grader holds a handle to
        self.numbers = {}  # id(object) -> number
        self.calls = []  # active requests: [values, digests of what the grader last saw, their paths]
        self.graphs = {}  # number -> (a result tensor with an autograd graph, the argument tensors it came from)

    def _handle(self, value):
        number = self.numbers.get(id(value))
        if number is None or self.objects.get(number) is not value:
            number = len(self.objects) + 1
            self.objects[number], self.numbers[id(value)] = value, number
        return {"t": "h", "side": "kernel", "id": number, "type": type(value).__name__,
                "name": str(getattr(value, "__name__", ""))[:200]}

    def _resolve(self, tree):
        if tree.get("side") == "grader":
            return self._grader_function(int(tree["id"]), str(tree.get("name", "function")))
        return self.objects[int(tree["id"])]

    def _encode(self, value, refs=None, kept=None, graph=None):
        try:
            return plaindata.dumps(plaindata.encode(value, refs, self._handle, kept=kept, graph=graph))
        except Exception as e:  # noqa: BLE001 (whatever the value does, the grader gets an answer)
            return plaindata.dumps({"t": "opaque", "type": f"unencodable ({type(e).__name__})"})

    def lookup(self, names):
        """The notebook's values of ``names`` (a list): {name: JSON text}, without the missing ones."""
        import __main__

        namespace = vars(__main__)
        return plaindata.dumps({name: self._encode(namespace[name]) for name in names if name in namespace})

    def op(self, request):
        """Do what the grader asks (a JSON request); the answer as JSON text."""
        import json

        import __main__

        request = json.loads(request)
        target = self.objects.get(int(request.get("id", 0)))
        args, kwargs = plaindata.decode(request["args"], handle=self._resolve)
        values = [*args, *kwargs.values()]
        paths = plaindata.mutable_paths(values)
        self.calls.append([values, [_digest(self._encode(v, kept=paths)) for v in values], paths])
        # the test's np.errstate (a test that wants overflow to raise gets it raised here)
        errstate = {key: value for key, value in dict(request.get("errstate") or {}).items()
                    if key in ("divide", "over", "under", "invalid") and value in ("ignore", "warn", "raise", "print")}
        printed = io.StringIO()  # what the submission prints: it goes under the test cell
        try:
            kind, name = request["op"], request.get("name")
            if kind == "call":
                with np.errstate(**errstate), contextlib.redirect_stdout(printed):
                    result = target(*args, **kwargs)
            elif kind == "getattr":
                result = getattr(target, name)
            elif kind == "setattr":
                result = setattr(target, name, args[0])
            elif kind == "swap":  # a global of the notebook replaced for a while (course.checks.stand_in)
                result = vars(__main__).get(name)
                vars(__main__)[name] = args[0]
            elif kind == "vjp":  # gradients through a result's graph (step 12's autograd tests)
                result = self._vjp(int(request.get("id", 0)), args[0])
            else:
                raise ValueError(f"unknown request {kind!r}")
        except Exception as e:  # noqa: BLE001 (the test sees the submission's error)
            self.calls.pop()
            return plaindata.dumps({"t": "raised", "type": type(e).__name__, "message": str(e),
                                    "stdout": printed.getvalue()[:MAX_PRINTED + 1]})
        changed = self._changed()
        self.calls.pop()
        inputs = [(path, value) for key, path in paths.items()
                  for value in [plaindata.at(values, path)] if plaindata.is_tensor(value) and value.requires_grad]

        def graph(tensor):
            number = len(self.graphs) + 1
            self.graphs[number] = (tensor, [value for _, value in inputs])
            return {"n": number, "p": [path for path, _ in inputs]}

        return plaindata.dumps({"t": "returned", "value": self._encode(result, paths, graph=graph), "changed": changed,
                                "stdout": printed.getvalue()[:MAX_PRINTED + 1]})

    def _vjp(self, number, grad):
        """The gradients of the argument tensors a result came from, for ``grad`` of the
        result: a list of arrays (None for one the result does not depend on)."""
        torch = plaindata.torch_module()

        result, inputs = self.graphs[number]
        grad = torch.as_tensor(np.asarray(grad), dtype=result.dtype).reshape(result.shape)
        grads = torch.autograd.grad([result], inputs, [grad], retain_graph=True, allow_unused=True)
        return [None if g is None else g.detach().numpy() for g in grads]

    def _changed(self):
        """[index, tree] of the current request's arguments changed since the grader last saw them."""
        values, digests, paths = self.calls[-1]
        changed = []
        for k, value in enumerate(values):
            encoded = self._encode(value, kept=paths)
            digest = _digest(encoded)
            if digest != digests[k]:
                changed.append([k, encoded])
                digests[k] = digest
        return changed

    def _grader_function(self, number, name):
        agent = self

        def grader_function(*args, **kwargs):
            return agent.callback(number, args, kwargs)

        grader_function.__name__ = name
        return grader_function

    def callback(self, number, args, kwargs):
        """Call the tests' function ``number`` in the grader: the request goes out as an
        ``input()`` prompt; the grader may answer with requests of its own first."""
        import json

        refs = self.calls[-1][2] if self.calls else None
        message = {"kind": "callback", "id": number, "changed": self._changed() if self.calls else [],
                   "args": self._encode([list(args), dict(kwargs)], refs)}
        while True:
            answer = json.loads(input(PROMPT + plaindata.dumps(message)))
            if answer.get("kind") != "op":
                break
            message = {"kind": "result", "reply": self.op(answer["request"])}
        if answer.get("t") == "raised":
            raise _exception(str(answer.get("type")), str(answer.get("message", "")))
        return plaindata.decode(json.loads(answer["value"]), handle=self._resolve)


class Remote:
    """An object of the submission (a function, a class, an instance), used through its
    kernel: calling it or reading an attribute gives plain data or another ``Remote``.
    It equals only itself. It has no length, items or number value of its own: NumPy
    would probe them level after level (an object that answers every probe makes that
    endless), and a test that needs them wants plain data anyway."""

    __slots__ = ("_outside", "_number", "_type", "__name__")

    def __init__(self, outside, number, type_name, name):
        object.__setattr__(self, "_outside", outside)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_type", type_name)
        object.__setattr__(self, "__name__", name or type_name)

    def _ask(self, op, *args, name=None, **kwargs):
        return self._outside.request(self._number, op, args, kwargs, name)

    def __call__(self, *args, **kwargs):
        return self._ask("call", *args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __setattr__(self, name, value):
        self._ask("setattr", value, name=name)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f"<{self._type} {self.__name__} (the submission's)>"


transform_cell = TransformerManager().transform_cell  # IPython syntax (magics) -> Python


class MatplotlibOnlyShell:
    """``get_ipython()`` for notebook cells run without a kernel (instructor cells in the
    grader, notebooks run by the tests): it accepts ``%matplotlib`` and nothing else."""

    def run_line_magic(self, name, line):
        if name != "matplotlib":
            raise NotImplementedError(f"magic %{name} needs a kernel: only %matplotlib runs here")


class _Kept(io.StringIO):
    """stdout of a test cell: the first ``limit`` characters are kept, the rest counted
    (the grader cuts a cell's output further, in bytes, with a note)."""

    def __init__(self, limit):
        super().__init__()
        self.limit, self.dropped = limit, 0

    def write(self, text):
        room = self.limit - self.tell()
        if len(text) > room:
            self.dropped += len(text) - max(room, 0)
            text = text[:max(room, 0)]
        return super().write(text) if text else 0

    def getvalue(self):
        text = super().getvalue()
        return text + (f"\n[output cut by the grader: more than {self.limit} characters in this cell]\n"
                       if self.dropped else "")


class Outside:
    """Evaluates test cells in the grader for one notebook.

    - link: ``KernelLink``-like object with ``ask(request) -> str``; it calls
      ``outside.callback(text) -> str`` when the kernel calls one of the tests' functions.
    - trusted_sources: the instructor's cells that make the tests' namespace.
    """

    def __init__(self, link, trusted_sources, folder=None):
        self.link = link
        link.on_callback = self.callback
        self.proxies = {}  # kernel number -> Remote (one per object: `is` holds)
        self.functions = {}  # number -> a function of the tests the kernel may call back
        self.calls = []  # the values of the requests under way (what a callback may change)
        self.trusted = {"__name__": "__main__", "get_ipython": MatplotlibOnlyShell}
        sys.modules.pop("earlier_steps", None)  # every step has its own, next to its notebook
        if folder:
            sys.path.insert(0, folder)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                for source in trusted_sources:
                    exec(compile(transform_cell(source), "<instructor cell>", "exec"), self.trusted)
        finally:
            if folder:
                sys.path.remove(folder)
        self.trusted["stand_in"] = self.stand_in
        self.trusted_names = set(self.trusted)
        self._base = dict(self.trusted)
        self._helper_names = set()
        for source in trusted_sources:
            self._helper_names |= _names(source)

    # plain data with handles, both ways
    def _special(self, value):
        if isinstance(value, Remote):
            return {"t": "h", "side": "kernel", "id": value._number}
        if callable(value):
            for number, known in self.functions.items():
                if known is value:
                    break
            else:
                number = len(self.functions) + 1
                self.functions[number] = value
            return {"t": "h", "side": "grader", "id": number, "name": str(getattr(value, "__name__", "function"))}
        return {"t": "opaque", "type": type(value).__name__}

    def _proxy(self, tree):
        if tree.get("side") != "kernel":
            raise KernelError("the kernel sent a handle it does not own")
        number = int(tree["id"])
        if number not in self.proxies:
            self.proxies[number] = Remote(self, number, str(tree.get("type", "object")), str(tree.get("name", "")))
        return self.proxies[number]

    def _decode(self, tree, values=()):
        return plaindata.decode(tree, lambda path: plaindata.at(values, path), self._proxy,
                                graph=lambda tensor, info: self._graph(tensor, info, values))

    def _graph(self, tensor, info, values):
        """A result of the kernel that has an autograd graph there: a tensor of the grader
        whose backward asks the kernel for the gradients of the call's argument tensors."""
        inputs = [plaindata.at(values, path) for path in info["p"]]
        if not all(plaindata.is_tensor(value) and value.requires_grad for value in inputs):
            raise KernelError("the kernel's answer was not understood")
        if not inputs:
            return tensor
        return _remote_graph().apply(tensor, self, int(info["n"]), *inputs)

    def _loads(self, text):
        return plaindata.loads(text, MAX_REPLY)

    def request(self, number, op, args=(), kwargs=None, name=None):
        """Ask the kernel to do ``op`` on its object ``number``; the answer as plain data."""
        kwargs = dict(kwargs or {})
        values = [*args, *kwargs.values()]
        request = plaindata.dumps({"id": number, "op": op, "name": name, "errstate": np.geterr(),
                                   "args": plaindata.encode([list(args), kwargs], None, self._special)})
        self.calls.append(values)
        try:
            reply = self._loads(self.link.ask(request))
        finally:
            self.calls.pop()
        return self._answer(reply, values)

    def _answer(self, reply, values):
        printed = reply.get("stdout")
        if isinstance(printed, str) and printed:
            sys.stdout.write(printed[:MAX_PRINTED + 1])  # the test cell's output, as in the kernel
        if reply.get("t") == "raised":
            raise _exception(str(reply.get("type", "Exception")), str(reply.get("message", "")))
        if reply.get("t") != "returned":
            raise KernelError("the kernel's answer was not understood")
        self._sync(values, reply.get("changed", []))
        return self._decode(self._loads(reply["value"]), values)

    def _sync(self, values, changed):
        """Update the arguments in ``values`` the kernel changed (in place, as "kept" objects)."""
        for k, text in changed:
            if 0 <= int(k) < len(values):
                self._decode(self._loads(text), values)

    def callback(self, message):
        """The kernel calls one of the tests' functions (``message``: the agent's request);
        the answer, as the agent expects it."""
        values = self.calls[-1] if self.calls else []
        try:
            self._sync(values, message.get("changed", []))
            function = self.functions[int(message["id"])]
            args, kwargs = self._decode(self._loads(message["args"]), values)
            result = function(*args, **kwargs)
            return {"t": "returned", "value": plaindata.dumps(plaindata.encode(result, None, self._special))}
        except Exception as e:  # noqa: BLE001 (the submission's code sees the error)
            return {"t": "raised", "type": type(e).__name__, "message": str(e)}

    def lookup(self, names):
        """{name: value} of those of ``names`` the notebook defines, in one request."""
        self.calls.append([])
        try:
            found = self._loads(self.link.ask(None, lookup=sorted(names)))
        finally:
            self.calls.pop()
        if not isinstance(found, dict):
            raise KernelError("the kernel's answer was not understood")
        return {name: self._decode(self._loads(text)) for name, text in found.items()
                if name in names and isinstance(text, str)}

    @contextlib.contextmanager
    def stand_in(self, namespace, name, function):
        """``course.checks.stand_in`` for the grader: the kernel's global ``name`` calls the
        tests' ``function`` while the block runs (``namespace`` is the grader's, unused)."""
        before = self.request(0, "swap", (function,), name=name)
        try:
            yield
        finally:
            self.request(0, "swap", (before,), name=name)

    def namespace(self, source):
        """The names a test cell sees: the instructor's, then the submission's as data."""
        ns = self.trusted  # the helpers' functions see their globals: this very dict
        ns.clear()
        ns.update(self._base)  # what an earlier test cell defined is gone
        wanted = {name for name in (_names(source) | self._helper_names) - self.trusted_names
                  if not hasattr(builtins, name)}
        if wanted:
            ns.update(self.lookup(wanted))
        return ns

    def run(self, source, name="<test cell>"):
        """Run a test cell; its outputs as nbformat dicts (stdout, and an error if it failed).
        ``KernelDied`` goes through to the caller."""
        out = _Kept(MAX_PRINTED)
        error = None
        try:
            code = compile(transform_cell(source), name, "exec")
            ns = self.namespace(source)
            with contextlib.redirect_stdout(out):
                exec(code, ns)
        except GraderTimeout as e:
            error = ("TimeoutError", str(e), [])
        except KernelError as e:
            error = ("KernelError", str(e), [])
        except Exception as e:  # noqa: BLE001 (a failing test is an error output, as in a kernel)
            lines = source.splitlines()
            frames = [f"line {f.lineno}: {lines[f.lineno - 1].strip() if 0 < f.lineno <= len(lines) else ''}"
                      for f in traceback.extract_tb(e.__traceback__) if f.filename == name]
            error = (type(e).__name__, str(e), frames)
        outputs = []
        if out.getvalue():
            outputs.append({"output_type": "stream", "name": "stdout", "text": out.getvalue()})
        if error:
            ename, evalue, frames = error
            outputs.append({"output_type": "error", "ename": ename, "evalue": evalue,
                            "traceback": [*frames, f"{ename}: {evalue}"]})
        return outputs


_REMOTE_GRAPH = []


def _remote_graph():
    """``torch.autograd.Function`` for a result of the kernel with a graph there (made when
    first needed: only step 12's grader imports torch)."""
    if _REMOTE_GRAPH:
        return _REMOTE_GRAPH[0]
    torch = plaindata.torch_module()

    class RemoteGraph(torch.autograd.Function):
        @staticmethod
        def forward(ctx, value, outside, number, *inputs):
            ctx.outside, ctx.number = outside, number
            ctx.inputs = [(t.shape, t.dtype) for t in inputs]
            return value.clone()

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, grad):
            grads = ctx.outside.request(ctx.number, "vjp", (grad.detach().contiguous().numpy(),))
            if not isinstance(grads, list) or len(grads) != len(ctx.inputs):
                raise KernelError("the kernel's gradients were not understood")
            out = []
            for g, (shape, dtype) in zip(grads, ctx.inputs):
                if g is None:
                    out.append(None)
                elif isinstance(g, np.ndarray) and g.shape == tuple(shape) and g.dtype.kind == "f":
                    out.append(torch.from_numpy(g).to(dtype))
                else:
                    raise KernelError("the kernel's gradients were not understood")
            return (None, None, None, *out)

    _REMOTE_GRAPH.append(RemoteGraph)
    return RemoteGraph


class KernelLink:
    """Requests to the agent in a running kernel, over a blocking client of its own.

    A request at the top goes as an ``execute_request`` whose user expression asks the
    agent; while the agent is inside a callback (blocked in ``input()``), a request goes
    as the answer to its prompt instead. ``deadline()`` is the monotonic time the current
    cell must end by; past it the kernel is interrupted. ``alive()`` and ``interrupt()``
    reach the kernel's manager.
    """

    def __init__(self, client, alive, interrupt, deadline):
        self.client, self.alive, self.interrupt, self.deadline = client, alive, interrupt, deadline
        self.on_callback = None
        self.depth = 0  # callbacks under way
        self.nonce = 0

    def setup(self):
        self._execute(AGENT_SETUP, None)

    def ask(self, request, lookup=None):
        call = (f"{AGENT_NAME}.lookup({lookup!r})" if lookup is not None
                else f"{AGENT_NAME}.op({request!r})")
        if self.depth == 0:
            # as code, not as the user expression itself: ipykernel's input() (the callbacks)
            # works only while code runs; the nonce tells this answer from an earlier one
            self.nonce += 1
            answer = self._execute(f"{AGENT_NAME}.last = ({self.nonce}, {call})", f"{AGENT_NAME}.last")
            nonce, text = ast.literal_eval(answer) if answer.startswith("(") else (None, None)
            if nonce != self.nonce or not isinstance(text, str):
                raise KernelError("the kernel's answer was not understood")
            return text
        if lookup is not None:
            raise KernelError("no lookups during a callback")
        self.client.input(plaindata.dumps({"kind": "op", "request": request}))
        return self._wait(None)

    def _execute(self, code, expression):
        msg_id = self.client.execute(code, silent=True, store_history=False, allow_stdin=True,
                                     user_expressions={"r": expression} if expression else {})
        try:
            return self._wait(msg_id)
        except GraderTimeout:
            self._drain(msg_id)
            raise

    def _drain(self, msg_id, seconds=5.0):
        import time

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                msg = self.client.get_shell_msg(timeout=0.2)
            except Exception:  # noqa: BLE001 (queue.Empty)
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return

    def _wait(self, msg_id):
        """The reply to ``msg_id`` (an execute request), or with ``msg_id`` None the agent's
        next "result" prompt; callbacks that come first are answered on the way."""
        import time

        import zmq

        poller = zmq.Poller()
        shell, stdin = self.client.shell_channel, self.client.stdin_channel
        poller.register(shell.socket, zmq.POLLIN)
        poller.register(stdin.socket, zmq.POLLIN)
        while True:
            left = self.deadline() - time.monotonic()
            if left <= 0:
                self.interrupt()
                raise GraderTimeout("the submission's code ran past the time this cell has")
            ready = dict(poller.poll(timeout=int(min(left, 1.0) * 1000)))
            if not ready:
                if not self.alive():
                    raise KernelDied("the kernel stopped")
                continue
            if stdin.socket in ready:
                msg = stdin.get_msg(timeout=0)
                prompt = msg["content"].get("prompt", "")
                if not prompt.startswith(PROMPT):
                    self.client.input("")  # the submission's own input(): nothing to say
                    continue
                message = plaindata.loads(prompt[len(PROMPT):], MAX_REPLY)
                if message.get("kind") == "result" and msg_id is None:
                    return message["reply"]
                if message.get("kind") != "callback":
                    raise KernelError("the kernel's request was not understood")
                self.depth += 1
                try:
                    answer = self.on_callback(message)
                finally:
                    self.depth -= 1
                self.client.input(plaindata.dumps(answer))
                continue
            if shell.socket in ready:
                msg = shell.get_msg(timeout=0)
                if msg_id is None or msg["parent_header"].get("msg_id") != msg_id:
                    continue
                content = msg["content"]
                if content.get("status") != "ok":
                    raise KernelError(f"{content.get('ename')}: {content.get('evalue')}")
                if not content.get("user_expressions"):
                    return ""
                answer = content["user_expressions"].get("r", {})
                if answer.get("status") != "ok":
                    raise KernelError(f"{answer.get('ename')}: {answer.get('evalue')}")
                return answer.get("data", {}).get("text/plain", "")


def instructor_cells(nb):
    """The cells a test's namespace is built from: the first code cell (the imports) and every
    read-only cell that is not a test (the test helpers), in the release's own version."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    chosen = code[:1]
    for cell in code[1:]:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("locked") and not meta.get("grade") and not meta.get("solution"):
            chosen.append(cell)
    return [c.source for c in chosen]


def is_test(cell):
    """A cell nbgrader grades by running it (an autograder test)."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _names(source):
    """Every identifier a cell's code loads (its magics turned into Python first)."""
    try:
        tree = ast.parse(transform_cell(source))
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}

