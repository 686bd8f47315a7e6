"""Test cells evaluated outside the submission's kernel (course/outside.py, course/plaindata.py).

The plain-data encoding on its own, then the grader's side against a real kernel: a test
reaches the kernel's functions and values only as plain data, a function of the test is
called back from inside the submission's code, changes to arguments come back, and
nothing the submission does to its own interpreter changes a verdict. The whole path
through nbgrader is in test_grade_cycle.py (the dishonest submissions).
"""

import time

import numpy as np
import pytest
from jupyter_client.manager import start_new_kernel

from course import outside, plaindata


def roundtrip(value):
    return plaindata.decode(plaindata.loads(plaindata.dumps(plaindata.encode(value)), 10**8))


@pytest.mark.parametrize("value", [
    None, True, 3, 2**80, -1.5, float("inf"), float("nan"), 1 + 2j, "text", (1, "a"), [1, [2.5]], {"a": 1, 2: (3,)},
    {1, 2}, frozenset({"x"}),
])
def test_python_values_cross(value):
    got = roundtrip(value)
    assert type(got) is type(value)
    assert got == value or (isinstance(value, float) and np.isnan(got))


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int64, np.uint16, np.float16, np.float32, np.float64,
                                   np.complex128])
def test_arrays_and_numpy_scalars_cross_with_dtype_and_shape(dtype):
    array = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    got = roundtrip(array)
    assert got.dtype == array.dtype and got.shape == (3, 4) and np.array_equal(got, array)
    assert got.flags.writeable
    scalar = roundtrip(array[1, 2])
    assert type(scalar) is type(array[1, 2]) and scalar == array[1, 2]
    assert roundtrip(np.zeros((0, 5), dtype)).shape == (0, 5)


def test_a_generator_crosses_with_its_state():
    rng = np.random.default_rng(7)
    rng.normal(size=3)
    copy = roundtrip(rng)
    assert np.array_equal(copy.normal(size=5), rng.normal(size=5))


def test_what_is_not_plain_data_is_opaque_and_equals_nothing():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    got = roundtrip(AlwaysEqual())
    assert isinstance(got, plaindata.Opaque)
    assert got != got and not (got == 1)
    assert isinstance(roundtrip(np.array([object()], dtype=object)), plaindata.Opaque)


@pytest.mark.parametrize("tree", [
    {"t": "nd", "d": "|O", "s": [1], "b": ""},  # object dtype
    {"t": "nd", "d": "<f8", "s": [2], "b": "AAAA"},  # bytes that do not match the shape
    {"t": "nd", "d": "<f8", "s": [-1], "b": ""},
    {"t": "pickle", "v": "..."},
    {"t": "py", "v": [1, 2]},
    {"t": "rng", "v": {"t": "dict", "v": [[{"t": "py", "v": "bit_generator"}, {"t": "py", "v": "os.system"}]]}},
    {"t": "float", "v": "1e400"},
])
def test_malformed_data_is_refused(tree):
    with pytest.raises(ValueError):
        plaindata.decode(tree)


def test_update_changes_arguments_in_place():
    a, d, lst = np.zeros(3), {"w": np.zeros(2), "n": 1}, [np.zeros(1)]
    w = d["w"]
    assert plaindata.update(a, np.ones(3)) is a and np.array_equal(a, np.ones(3))
    assert plaindata.update(d, {"w": w, "m": 5}) is d and d == {"w": w, "m": 5}
    fresh = np.full(2, 2.0)  # a new array the call put into the dict replaces the old one
    assert plaindata.update(d, {"w": fresh}) is d and d["w"] is fresh
    assert plaindata.update(lst, [np.ones(1), 3]) is lst and len(lst) == 2
    assert plaindata.update(np.zeros(2), np.zeros(3)).shape == (3,)  # a new shape: a new array


KERNEL_CODE = r'''
import numpy as np
class AlwaysEqual:
    def __eq__(self, other): return True
    def __array__(self, dtype=None, copy=None): return np.zeros(3)
def double(x): return 2 * x
def in_place(x): x *= 3
def same(x): return x
def calls_back(f, x): return [f(x + k) for k in range(3)]
def uses_double(x): return double(x) + 1
def perturbs(f, x):
    x[0] += 1.0
    value = f()
    x[0] -= 1.0
    return value
def cheat(x): return AlwaysEqual()
def overflows(x): return np.exp(np.asarray(x, dtype=np.float64))
def fails(x): raise ValueError(f"x has shape {np.shape(x)}, expected (4,)")
def loops(x):
    while True:
        pass
def chatty(x):
    print("chatty got", x)
    return x
def shouts(n):
    for _ in range(n):
        print("x" * 100_000)
class Node:
    def __init__(self, data): self.data, self.grad = data, 0.0
    def bump(self): self.grad += 1.0
answer = (3, 4)
'''


@pytest.fixture(scope="module")
def grader():
    km, kc = start_new_kernel(kernel_name="python3")
    kc.execute_interactive(KERNEL_CODE, timeout=60)
    client = km.blocking_client()
    client.start_channels(shell=True, iopub=False, stdin=True, hb=False, control=False)
    deadline = [0.0]
    link = outside.KernelLink(client, alive=km.is_alive, interrupt=km.interrupt_kernel, deadline=lambda: deadline[0])
    deadline[0] = time.monotonic() + 60
    link.setup()
    helpers = "import numpy as np\nfrom course.checks import check_close, check_equal\n"
    grader = outside.Outside(link, [helpers])

    def run(source, seconds=30):
        deadline[0] = time.monotonic() + seconds
        outputs = grader.run(source)
        errors = [o for o in outputs if o["output_type"] == "error"]
        return errors[0]["ename"] + ": " + errors[0]["evalue"] if errors else "passed"

    run.kernel = lambda code: kc.execute_interactive(code, timeout=60)
    run.outputs = grader.run
    yield run
    client.stop_channels()
    km.shutdown_kernel(now=True)


def test_values_and_functions_come_back_as_plain_data(grader):
    assert grader("check_close('double', double(np.arange(3.0)), [0.0, 2.0, 4.0])") == "passed"
    assert grader("check_equal('answer', answer, (3, 4))") == "passed"
    assert grader("assert type(double(np.float32(1.5))) is np.float32") == "passed"
    assert grader("assert 'nothing_here' not in globals()") == "passed"


def test_an_always_equal_object_fails(grader):
    assert grader("assert cheat(1) == 5").startswith("AssertionError")
    assert grader("check_close('cheat', cheat(1), np.zeros(3))").startswith("AssertionError")


def test_the_submissions_error_is_the_tests_error(grader):
    assert grader("fails(1)") == "ValueError: x has shape (), expected (4,)"
    assert grader("try:\n    fails(1)\nexcept ValueError:\n    pass") == "passed"


def test_the_tests_errstate_holds_in_the_kernel(grader):
    assert grader("with np.errstate(over='raise'):\n    overflows(1000.0)").startswith("FloatingPointError")
    assert grader("with np.errstate(over='ignore'):\n    assert overflows(1000.0) == np.inf") == "passed"


def test_changes_to_arguments_and_identity_come_back(grader):
    assert grader("x = np.ones(3)\nin_place(x)\ncheck_close('x', x, [3.0, 3.0, 3.0])") == "passed"
    assert grader("x = np.ones(3)\nassert same(x) is x\nassert double(x) is not x") == "passed"


def test_the_tests_functions_are_called_back_with_the_arguments_as_they_are(grader):
    assert grader("assert calls_back(lambda v: v * 10, 1) == [10, 20, 30]") == "passed"
    # the submission changes x, then calls the test's function, which reads the test's x
    assert grader("x = np.zeros(2)\nassert perturbs(lambda: float(x[0]), x) == 1.0\nassert x[0] == 0.0") == "passed"
    # and a callback may call the submission again
    assert grader("assert calls_back(lambda v: double(v), 1) == [2, 4, 6]") == "passed"


def test_objects_are_handles_with_attributes(grader):
    assert grader("n = Node(2.5)\nassert n.data == 2.5\nn.bump()\nn.bump()\nassert n.grad == 2.0\n"
                  "assert n is not Node(2.5)") == "passed"


def test_stand_in_replaces_a_kernel_global_for_the_block(grader):
    assert grader("with stand_in(globals(), 'double', lambda x: -1):\n    assert uses_double(5) == 0\n"
                  "assert uses_double(2) == 5") == "passed"


def test_what_the_submission_prints_is_the_test_cells_output_within_a_cap(grader):
    """As in the kernel, a learner's print inside a function a test calls shows under the
    test cell; 50 MB of it leaves a fraction of a megabyte."""
    [out] = grader.outputs("assert chatty(3) == 3\nprint('test done')")
    assert out["output_type"] == "stream" and out["text"] == "chatty got 3\ntest done\n"
    [out] = grader.outputs("shouts(500)")
    assert len(out["text"]) < outside.MAX_PRINTED + 100 and out["text"].endswith("characters in this cell]\n")


def test_a_loop_is_interrupted_at_the_cells_deadline(grader):
    start = time.monotonic()
    assert grader("loops(1)", seconds=3).startswith("TimeoutError")
    assert time.monotonic() - start < 15
    assert grader("check_close('double', double(1.0), 2.0)") == "passed"  # the kernel still answers


TORCH_CODE = r'''
import torch
def forward(X, params):
    return torch.clamp(X @ params["W"] + params["b"], min=0).sum(dim=1)
def through_numpy(X, params):
    return torch.tensor(X.numpy() @ params["W"].detach().numpy())
def mean_square(scores):
    return (scores ** 2).mean()
def step_(params, lr):
    with torch.no_grad():
        for p in params.values():
            p.sub_(lr * p.grad)
            p.grad = None
def rebinds(params, lr):
    with torch.no_grad():
        for k in list(params):
            params[k] = params[k] - lr * params[k].grad
'''


def test_tensors_cross_with_their_gradients_and_autograd_reaches_the_tests_leaves(grader):
    """Step 12: a kernel result with an autograd graph is a tensor of the grader whose backward
    asks the kernel for the gradients; a graph the submission broke stays broken."""
    torch = pytest.importorskip("torch")
    t = torch.tensor([[1.0, -2.0]], dtype=torch.float64, requires_grad=True)
    t.grad = torch.ones_like(t)
    back = plaindata.decode(plaindata.encode(t))
    assert back.dtype == torch.float64 and back.is_leaf and back.requires_grad and torch.equal(back.grad, t.grad)
    with pytest.raises(ValueError):  # an integer tensor cannot require gradients
        plaindata.decode({"t": "tensor", "v": plaindata.encode(np.arange(2)), "rg": True})
    grader.kernel(TORCH_CODE)
    setup = ("import torch\nX = torch.tensor(np.arange(6.0).reshape(3, 2) - 2)\n"
             "params = {'W': torch.tensor([[1.0, -1.0], [0.5, 2.0]], dtype=torch.float64, requires_grad=True),\n"
             "          'b': torch.tensor([0.1, -0.2], dtype=torch.float64, requires_grad=True)}\n"
             "ref = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}\n")
    assert grader(setup + "loss = mean_square(forward(X, params))\nassert loss.grad_fn is not None\nloss.backward()\n"
                  "(torch.clamp(X @ ref['W'] + ref['b'], min=0).sum(dim=1) ** 2).mean().backward()\n"
                  "for k in params:\n    check_close(k, params[k].grad.numpy(), ref[k].grad.numpy(), rtol=1e-12)") == "passed"
    assert grader(setup + "assert through_numpy(X, params).grad_fn is None") == "passed"
    assert grader(setup + "ids = {k: id(v) for k, v in params.items()}\nmean_square(forward(X, params)).backward()\n"
                  "step_(params, 0.5)\nassert {k: id(v) for k, v in params.items()} == ids\n"
                  "assert all(p.is_leaf and p.requires_grad and p.grad is None for p in params.values())\n"
                  "assert not torch.equal(params['W'], ref['W'])") == "passed"
    assert grader(setup + "ids = {k: id(v) for k, v in params.items()}\nmean_square(forward(X, params)).backward()\n"
                  "rebinds(params, 0.5)\nassert {k: id(v) for k, v in params.items()} != ids\n"
                  "assert not any(p.requires_grad for p in params.values())") == "passed"


TAMPER = r'''
import ast, numpy.testing, course.checks
numpy.testing.assert_allclose = course.checks.check_close = course.checks.check_equal = lambda *a, **k: None
class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(NoAsserts())
'''


def test_tampering_in_the_kernel_changes_no_verdict(grader):
    """(Last: the kernel stays tampered.)"""
    grader.kernel(TAMPER)
    assert grader("check_close('double', double(np.arange(3.0)), [9.0, 9.0, 9.0])").startswith("AssertionError")
    assert grader("assert double(1) == 3").startswith("AssertionError")
    assert grader("check_close('double', double(1.0), 2.0)") == "passed"
    grader.kernel("get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])")
    assert grader("check_close('double', double(1.0), 2.0)") != "passed"  # a kernel that runs nothing
