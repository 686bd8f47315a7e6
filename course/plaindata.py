"""Values as plain data: what crosses between a submission's kernel and the grader.

The grader evaluates test cells in its own process (``course.outside``) and reaches the
submission's functions and values only through this encoding: numbers, strings, None,
NumPy arrays and scalars of numeric or boolean dtype, PyTorch tensors (their values,
``requires_grad`` and ``.grad``; step 12), and tuples, lists, sets and dicts of them. Anything else arrives as an ``Opaque`` stand-in that equals nothing, so an object
whose ``__eq__`` always answers True, or a subclass of ``float`` with its own comparisons,
never reaches a test. A function or any other object arrives as a handle: the grader calls it,
or asks for its attributes, through the kernel, and gets plain data back.

Decoding never runs code: no pickle, no object dtype, shapes and sizes checked against the
bytes that came.
"""

import base64
import json
import math
import sys

import numpy as np

KINDS = "biufc"  # NumPy dtype kinds that cross: bool, ints, floats, complex
MAX_DEPTH = 32


class Opaque:
    """Stands for a value that is not plain data; it equals nothing, not even itself."""

    __slots__ = ("type_name",)

    def __init__(self, type_name):
        self.type_name = type_name

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return True

    __hash__ = None

    def __repr__(self):
        return f"<{self.type_name} object (not plain data)>"


def _scalar(value):
    if isinstance(value, float) and not math.isfinite(value):
        return {"t": "float", "v": repr(value)}
    return {"t": "py", "v": value}


BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def torch_module():
    """The torch module this process has imported (a tensor can only arrive in a process
    that uses torch: the kernel of step 12's notebook, the grader of its tests); the course
    package itself never imports torch."""
    torch = sys.modules.get("torch")
    if torch is None:
        raise ValueError("a tensor arrived in a process that has not imported torch")
    return torch


def is_tensor(value):
    """Whether ``value`` is a PyTorch tensor (exactly ``torch.Tensor`` or a ``Parameter``;
    torch is not imported for this: a process that has no tensor has not imported it)."""
    torch = sys.modules.get("torch")
    return torch is not None and type(value) in (torch.Tensor, torch.nn.Parameter)


def _mutable(value):
    return isinstance(value, (np.ndarray, list, dict, np.random.Generator)) or is_tensor(value)


def encode(value, refs=None, handle=None, _depth=0, *, kept=None, graph=None, _inner=False):
    """``value`` as a JSON-able tree.

    - refs: ``{id(obj): path}`` of objects the other side already holds (the arguments of
      a call): such an object is sent as a reference to that path, so identity survives.
    - handle: function from a value that is not plain data to its tree (a handle the
      other side can call and ask about), or None (then such a value is opaque).
    - kept: ``{id(obj): path}`` of the arguments of a call (``mutable_paths``), to send
      back what a call changed: such an object is sent with its path and its new content,
      and the other side updates its own object in place (``update``); an object that is
      not in ``kept`` (a new array the call put into a dict) arrives as a new object.
    - graph: function from a tensor that has an autograd graph (not a leaf) to a number
      the other side can ask gradients of (``course.outside``), or None.
    """
    if _depth > MAX_DEPTH:
        return {"t": "opaque", "type": "nesting deeper than 32"}
    if refs and id(value) in refs and _mutable(value):
        return {"t": "ref", "p": refs[id(value)]}
    if kept and not _inner and id(value) in kept and _mutable(value):
        return {"t": "kept", "p": kept[id(value)],
                "v": encode(value, None, handle, _depth, kept=kept, graph=graph, _inner=True)}

    def inner(item):
        return encode(item, refs, handle, _depth + 1, kept=kept, graph=graph)

    kind = type(value)
    if value is None or kind in (bool, str):
        return {"t": "py", "v": value}
    if kind is int:
        return {"t": "int", "v": str(value)}
    if kind is float:
        return _scalar(value)
    if kind is complex:
        return {"t": "complex", "v": [repr(value.real), repr(value.imag)]}
    if kind is np.ndarray or isinstance(value, np.generic):
        array = np.asarray(value)
        if array.dtype.kind not in KINDS or array.dtype.fields is not None:
            return {"t": "opaque", "type": f"array of {array.dtype}"}
        data = base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")
        return {"t": "nd" if kind is np.ndarray else "ns", "d": array.dtype.str,
                "s": list(array.shape), "b": data}
    if kind in (tuple, list, set, frozenset):
        items = sorted(value, key=repr) if kind in (set, frozenset) else value
        return {"t": kind.__name__, "v": [inner(v) for v in items]}
    if kind is dict:
        return {"t": "dict", "v": [[inner(k), inner(v)] for k, v in value.items()]}
    if is_tensor(value):
        array = value.detach().cpu().resolve_conj().numpy()
        tree = {"t": "tensor", "v": encode(np.array(array), _depth=_depth + 1), "rg": bool(value.requires_grad),
                "leaf": bool(value.is_leaf)}
        if value.is_leaf and is_tensor(value.grad):
            tree["g"] = encode(value.grad, _depth=_depth + 1)
        if value.requires_grad and not value.is_leaf and graph is not None:
            tree["graph"] = graph(value)
        return tree
    if kind is np.random.Generator and type(value.bit_generator).__name__ in BIT_GENERATORS:
        return {"t": "rng", "v": encode(value.bit_generator.state, None, None, _depth + 1)}
    if kind is np.dtype:
        return {"t": "dtype", "v": value.str}
    if isinstance(value, type) and issubclass(value, np.generic):
        return {"t": "dtype", "v": np.dtype(value).str}
    if handle is not None:
        return handle(value)
    return {"t": "opaque", "type": kind.__name__}


def _number(text):
    if text not in ("nan", "inf", "-inf"):
        raise ValueError(f"not a number: {text!r}")
    return float(text)


TENSOR_KINDS = "biuf"  # NumPy dtype kinds a tensor may have when it crosses


def _tensor(tree, depth, graph):
    torch = torch_module()

    array = decode(tree["v"], _depth=depth + 1)
    if not isinstance(array, np.ndarray) or array.dtype.kind not in TENSOR_KINDS:
        raise ValueError("malformed tensor")
    value = torch.from_numpy(array)
    grad = decode(tree["g"], _depth=depth + 1) if tree.get("g") is not None else None
    if grad is not None and (not is_tensor(grad) or grad.shape != value.shape or grad.dtype != value.dtype):
        raise ValueError("malformed tensor gradient")
    if tree.get("rg") is True:
        if array.dtype.kind != "f":
            raise ValueError("only a float tensor can require gradients")
        if tree.get("graph") is not None and graph is not None:
            return graph(value, tree["graph"])
        value.requires_grad_(True)
    if grad is not None:
        value.grad = grad
    return value


def decode(tree, resolve=None, handle=None, _depth=0, *, graph=None):
    """The value ``encode`` encoded. ``resolve(path)``: the object a reference names;
    ``handle(tree)``: the stand-in for a handle (a tree whose "t" is "h"); ``graph(tensor,
    number)``: the tensor to stand for a result that has an autograd graph in the other
    process (without it, such a tensor arrives as a leaf that requires gradients).

    A tensor that requires gradients arrives as a leaf; a "kept" object (an argument a call
    changed) is updated in place (``update``) and is the object returned."""
    if _depth > MAX_DEPTH or not isinstance(tree, dict):
        raise ValueError("malformed plain data")
    t = tree.get("t")
    if t == "py":
        value = tree["v"]
        if value is not None and type(value) not in (bool, str, int, float):
            raise ValueError("malformed plain data")
        return value
    if t == "int":
        return int(tree["v"])
    if t == "float":
        return _number(tree["v"])
    if t == "complex":
        return complex(*(float(v) for v in tree["v"]))
    if t in ("nd", "ns"):
        dtype = np.dtype(tree["d"])
        if dtype.kind not in KINDS or dtype.fields is not None:
            raise ValueError(f"dtype {dtype} does not cross")
        shape = tuple(int(s) for s in tree["s"])
        if any(s < 0 for s in shape):
            raise ValueError("negative shape")
        data = base64.b64decode(tree["b"], validate=True)
        if len(data) != math.prod(shape) * dtype.itemsize:
            raise ValueError("array bytes do not match its shape")
        array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
        return array if t == "nd" else array[()]
    if t in ("tuple", "list", "set", "frozenset"):
        items = [decode(v, resolve, handle, _depth + 1, graph=graph) for v in tree["v"]]
        return {"tuple": tuple, "list": list, "set": set, "frozenset": frozenset}[t](items)
    if t == "dict":
        return {decode(k, resolve, handle, _depth + 1, graph=graph): decode(v, resolve, handle, _depth + 1, graph=graph)
                for k, v in tree["v"]}
    if t == "tensor":
        return _tensor(tree, _depth, graph)
    if t == "kept" and resolve is not None:
        return update(resolve(tree["p"]), decode(tree["v"], resolve, handle, _depth + 1, graph=graph))
    if t == "dtype":
        return np.dtype(tree["v"]).type
    if t == "ref" and resolve is not None:
        return resolve(tree["p"])
    if t == "rng":
        state = decode(tree["v"], _depth=_depth + 1)
        name = state.get("bit_generator") if isinstance(state, dict) else None
        if name not in BIT_GENERATORS:
            raise ValueError("malformed random generator")
        bit_generator = getattr(np.random, name)()
        bit_generator.state = state
        return np.random.Generator(bit_generator)
    if t == "h" and handle is not None:
        return handle(tree)
    if t == "opaque":
        return Opaque(str(tree.get("type", "object")))
    raise ValueError(f"malformed plain data: {t!r}")


def mutable_paths(values, prefix=()):
    """``{id(obj): path}`` for every array, tensor, list, dict and generator in ``values`` (nested)."""
    found = {}

    def walk(value, path, depth):
        if depth > MAX_DEPTH or id(value) in found:
            return
        if _mutable(value):
            found[id(value)] = list(path)
        if isinstance(value, (list, tuple)):
            for k, v in enumerate(value):
                walk(v, (*path, k), depth + 1)
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, (str, int)):
                    walk(v, (*path, k), depth + 1)

    walk(values, prefix, 0)
    return found


def at(values, path):
    """The object at ``path`` (a list of keys and indices) inside ``values``."""
    for key in path:
        values = values[key]
    return values


def update(original, new):
    """Make ``original`` (an argument a call changed) hold what ``new`` holds, in place
    where it can: an array or tensor of the same shape and dtype gets the new values (a
    tensor also its ``.grad``), a dict or list the new items (which are themselves the
    updated originals, or new objects where the call put new ones), a generator the new
    state. Returns the object the argument now is (``new`` where it could not be done in place)."""
    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
        if original.shape == new.shape and original.dtype == new.dtype and original.flags.writeable:
            if not np.array_equal(original, new, equal_nan=original.dtype.kind in "fc"):
                np.copyto(original, new)
            return original
        return new
    if is_tensor(original) and is_tensor(new):
        return _update_tensor(original, new)
    if isinstance(original, np.random.Generator) and isinstance(new, np.random.Generator):
        if type(original.bit_generator) is type(new.bit_generator):
            original.bit_generator.state = new.bit_generator.state
            return original
        return new
    if type(original) is dict and type(new) is dict:
        original.clear()
        original.update(new)
        return original
    if type(original) is list and type(new) is list:
        original[:] = new
        return original
    return new


def _update_tensor(original, new):
    torch = torch_module()

    if original.shape != new.shape or original.dtype != new.dtype:
        return new
    if not torch.equal(original.detach(), new.detach()):
        with torch.no_grad():
            original.copy_(new)
    if original.is_leaf:
        if original.requires_grad != new.requires_grad and original.dtype.is_floating_point:
            original.requires_grad_(new.requires_grad)
        grad = new.grad if new.is_leaf else None
        if grad is None:
            original.grad = None
        elif original.grad is None or not torch.equal(original.grad, grad):
            original.grad = grad
    return original


def dumps(tree):
    return json.dumps(tree, separators=(",", ":"), allow_nan=False)


def loads(text, limit):
    if len(text) > limit:
        raise ValueError(f"more than {limit} bytes of data")
    return json.loads(text)
