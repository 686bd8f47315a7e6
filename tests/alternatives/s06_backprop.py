"""Correct alternatives for step 06 (backpropagation). Each must score full marks."""

import numpy as np

from tests.alternatives import alternative

# --- value_mul ------------------------------------------------------------------------


@alternative("value_mul", "local derivatives named first, then the chain rule")
def mul_local_derivatives(a, b):
    out = Value(a.data * b.data, prev=(a, b), op="*")
    da_local, db_local = b.data, a.data

    def _backward():
        a.grad = a.grad + da_local * out.grad
        b.grad = b.grad + db_local * out.grad

    out._backward = _backward
    return out


@alternative("value_mul", "parents and local derivatives as pairs, looped over")
def mul_pairs(a, b):
    out = Value(a.data * b.data, (a, b), "*")
    edges = [(a, b.data), (b, a.data)]

    def _backward():
        for parent, local in edges:
            parent.grad += local * out.grad

    out._backward = _backward
    return out


# --- value_relu -----------------------------------------------------------------------


@alternative("value_relu", "mask from the output (out.data > 0, the same set as a.data > 0)")
def relu_mask_from_output(a):
    out = Value(a.data if a.data > 0 else 0.0, (a,), "relu")

    def _backward():
        a.grad += float(out.data > 0) * out.grad

    out._backward = _backward
    return out


@alternative("value_relu", "an if statement in the backward function")
def relu_if(a):
    out = Value(np.maximum(a.data, 0.0), (a,), "relu")

    def _backward():
        if a.data > 0:
            a.grad += out.grad

    out._backward = _backward
    return out


# --- value_backward -------------------------------------------------------------------


@alternative("value_backward", "Kahn's algorithm: count each node's consumers, release a "
             "node when all of them have sent their gradient")
def backward_kahn(root):
    consumers, stack, seen = {}, [root], {id(root)}
    while stack:
        node = stack.pop()
        for parent in node._prev:
            consumers[id(parent)] = consumers.get(id(parent), 0) + 1
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    root.grad = 1.0
    ready = [root]
    while ready:
        node = ready.pop()
        node._backward()
        for parent in set(node._prev):
            consumers[id(parent)] -= node._prev.count(parent)
            if consumers[id(parent)] == 0:
                ready.append(parent)


@alternative("value_backward", "iterative depth-first search with an explicit stack")
def backward_iterative(root):
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node._prev:
            if id(parent) not in visited:
                stack.append((parent, False))
    root.grad = 1.0
    for node in order[::-1]:
        node._backward()


# --- mlp_forward ----------------------------------------------------------------------


@alternative("mlp_forward", "written out in NumPy without the earlier layers, same cache")
def forward_inline(X, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0)
    scores = h1 @ W2 + b2
    return scores, ((X, W1), z1, (h1, W2))


@alternative("mlp_forward", "np.einsum and np.where")
def forward_einsum(X, params):
    z1 = np.einsum("nd,dh->nh", X, params["W1"]) + params["b1"]
    h1 = np.where(z1 > 0, z1, 0.0)
    scores = np.einsum("nh,hc->nc", h1, params["W2"]) + params["b2"]
    return scores, ((X, params["W1"]), z1, (h1, params["W2"]))


# --- mlp_backward ---------------------------------------------------------------------


@alternative("mlp_backward", "the matrix formulas written out, mask from h1 > 0")
def backward_inline(dscores, cache):
    (X, W1), z1, (h1, W2) = cache
    dW2 = h1.T @ dscores
    db2 = dscores.sum(axis=0)
    dz1 = (dscores @ W2.T) * (h1 > 0)
    return {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": dW2, "b2": db2}


@alternative("mlp_backward", "np.einsum, and np.where for the mask")
def backward_einsum(dscores, cache):
    (X, W1), z1, (h1, W2) = cache
    dh1 = np.einsum("nc,hc->nh", dscores, W2)
    dz1 = np.where(z1 > 0, dh1, 0.0)
    return {"W2": np.einsum("nh,nc->hc", h1, dscores), "b2": np.einsum("nc->c", dscores),
            "W1": np.einsum("nd,nh->dh", X, dz1), "b1": np.einsum("nh->h", dz1)}


# --- grad_check -----------------------------------------------------------------------


@alternative("grad_check", "the numerical gradient first (np.nditer), then the error vectorized")
def check_vectorized(f, x, analytic, h=1e-5):
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = f()
        x[i] = old - h
        minus = f()
        x[i] = old
        g[i] = (plus - minus) / (2 * h)
        it.iternext()
    return float(np.max(np.abs(analytic - g) / np.maximum(1e-12, np.abs(analytic) + np.abs(g))))


@alternative("grad_check", "a flat view of x, and course.gradcheck.rel_error for the comparison")
def check_flat(f, x, analytic, h=1e-5):
    from course.gradcheck import rel_error
    flat = x.reshape(-1)  # a view: writing to it changes x
    g = np.zeros(flat.size)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + h
        plus = f()
        flat[k] = old - h
        minus = f()
        flat[k] = old
        g[k] = (plus - minus) / (2 * h)
    return rel_error(np.asarray(analytic).reshape(-1), g)
