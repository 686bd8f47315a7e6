"""Typical mistakes in step 06 (backpropagation). Each function is one wrong hand-in."""

import numpy as np

from tests.buggy import bug

# --- value_mul ------------------------------------------------------------------------


@bug("value_mul", "assigns the gradient (=) instead of adding it: x * x gets x, not 2x")
def mul_assigns(a, b):
    out = Value(a.data * b.data, (a, b), "*")

    def _backward():
        a.grad = b.data * out.grad
        b.grad = a.data * out.grad

    out._backward = _backward
    return out


@bug("value_mul", "sends each parent its own value instead of the other's")
def mul_own_value(a, b):
    out = Value(a.data * b.data, (a, b), "*")

    def _backward():
        a.grad += a.data * out.grad
        b.grad += b.data * out.grad

    out._backward = _backward
    return out


@bug("value_mul", "forgets the upstream gradient out.grad (the local derivative alone)")
def mul_no_upstream(a, b):
    out = Value(a.data * b.data, (a, b), "*")

    def _backward():
        a.grad += b.data
        b.grad += a.data

    out._backward = _backward
    return out


@bug("value_mul", "records no parents, so a backward pass never reaches a and b")
def mul_no_parents(a, b):
    out = Value(a.data * b.data)

    def _backward():
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = _backward
    return out


# --- value_relu -----------------------------------------------------------------------


@bug("value_relu", "slope 1 at exactly 0 (a.data >= 0)")
def relu_slope_one_at_zero(a):
    out = Value(max(a.data, 0.0), (a,), "relu")

    def _backward():
        a.grad += (1.0 if a.data >= 0 else 0.0) * out.grad

    out._backward = _backward
    return out


@bug("value_relu", "assigns the gradient (=) instead of adding it")
def relu_assigns(a):
    out = Value(max(a.data, 0.0), (a,), "relu")

    def _backward():
        a.grad = (1.0 if a.data > 0 else 0.0) * out.grad

    out._backward = _backward
    return out


@bug("value_relu", "passes the gradient through unmasked, as if relu were the identity")
def relu_no_mask(a):
    out = Value(max(a.data, 0.0), (a,), "relu")

    def _backward():
        a.grad += out.grad

    out._backward = _backward
    return out


@bug("value_relu", "forward keeps negative values (no clamp at 0)")
def relu_no_clamp(a):
    out = Value(a.data, (a,), "relu")

    def _backward():
        a.grad += (1.0 if a.data > 0 else 0.0) * out.grad

    out._backward = _backward
    return out


# --- value_backward -------------------------------------------------------------------


@bug("value_backward", "calls _backward in forward order (the list not reversed)")
def backward_forward_order(root):
    order, visited = [], set()

    def visit(node):
        if id(node) in visited:
            return
        visited.add(id(node))
        for parent in node._prev:
            visit(parent)
        order.append(node)

    visit(root)
    root.grad = 1.0
    for node in order:
        node._backward()


@bug("value_backward", "no visited set: a node reached twice has its _backward called twice")
def backward_no_visited(root):
    order = []

    def visit(node):
        for parent in node._prev:
            visit(parent)
        order.append(node)

    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()


@bug("value_backward", "forgets to seed root.grad = 1, so every gradient stays 0")
def backward_no_seed(root):
    order, visited = [], set()

    def visit(node):
        if id(node) in visited:
            return
        visited.add(id(node))
        for parent in node._prev:
            visit(parent)
        order.append(node)

    visit(root)
    for node in reversed(order):
        node._backward()


@bug("value_backward", "breadth-first from the root, not a topological order: a shared "
     "node passes its gradient on before it has collected all of it")
def backward_breadth_first(root):
    root.grad = 1.0
    queue, seen = [root], {id(root)}
    while queue:
        node = queue.pop(0)
        node._backward()
        for parent in node._prev:
            if id(parent) not in seen:
                seen.add(id(parent))
                queue.append(parent)


# --- mlp_forward ----------------------------------------------------------------------


@bug("mlp_forward", "forgets the ReLU between the layers")
def forward_no_relu(X, params):
    z1, cache1 = linear_forward(X, params["W1"], params["b1"])
    scores, cache2 = linear_forward(z1, params["W2"], params["b2"])
    return scores, (cache1, z1, cache2)


@bug("mlp_forward", "applies a ReLU to the scores too")
def forward_relu_on_scores(X, params):
    z1, cache1 = linear_forward(X, params["W1"], params["b1"])
    h1, cache_relu = relu_forward(z1)
    z2, cache2 = linear_forward(h1, params["W2"], params["b2"])
    scores, _ = relu_forward(z2)
    return scores, (cache1, cache_relu, cache2)


@bug("mlp_forward", "keeps the caches in backward order (cache2 first)")
def forward_caches_reversed(X, params):
    z1, cache1 = linear_forward(X, params["W1"], params["b1"])
    h1, cache_relu = relu_forward(z1)
    scores, cache2 = linear_forward(h1, params["W2"], params["b2"])
    return scores, (cache2, cache_relu, cache1)


@bug("mlp_forward", "feeds the second layer z1 (before the ReLU) instead of h1")
def forward_second_layer_on_z1(X, params):
    z1, cache1 = linear_forward(X, params["W1"], params["b1"])
    h1, cache_relu = relu_forward(z1)
    scores, cache2 = linear_forward(z1, params["W2"], params["b2"])
    return scores, (cache1, cache_relu, cache2)


# --- mlp_backward ---------------------------------------------------------------------


@bug("mlp_backward", "ReLU mask from the wrong tensor: the upstream gradient dh1 > 0")
def backward_mask_from_dh1(dscores, cache):
    cache1, cache_relu, cache2 = cache
    dh1, dW2, db2 = linear_backward(dscores, cache2)
    dz1 = dh1 * (dh1 > 0)
    _, dW1, db1 = linear_backward(dz1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


@bug("mlp_backward", "skips the ReLU's backward (dz1 = dh1)")
def backward_no_relu(dscores, cache):
    cache1, cache_relu, cache2 = cache
    dh1, dW2, db2 = linear_backward(dscores, cache2)
    _, dW1, db1 = linear_backward(dh1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


@bug("mlp_backward", "divides dscores by N again (the mean's 1/N twice)")
def backward_extra_mean(dscores, cache):
    cache1, cache_relu, cache2 = cache
    dh1, dW2, db2 = linear_backward(dscores / len(dscores), cache2)
    dz1 = relu_backward(dh1, cache_relu)
    _, dW1, db1 = linear_backward(dz1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


@bug("mlp_backward", "hand-written dW1 with the wrong tensor: X.T @ dh1 (the mask forgotten "
     "on the weights only)")
def backward_dW1_unmasked(dscores, cache):
    (X, W1), z1, (h1, W2) = cache
    dW2 = h1.T @ dscores
    db2 = dscores.sum(axis=0)
    dh1 = dscores @ W2.T
    dz1 = dh1 * (z1 > 0)
    return {"W1": X.T @ dh1, "b1": dz1.sum(axis=0), "W2": dW2, "b2": db2}


# --- grad_check -----------------------------------------------------------------------


@bug("grad_check", "one-sided difference (f(x + h) - f(x)) / h: error of order h")
def check_forward_difference(f, x, analytic, h=1e-5):
    worst = 0.0
    for i in np.ndindex(x.shape):
        old = x[i]
        base = f()
        x[i] = old + h
        plus = f()
        x[i] = old
        g = (plus - base) / h
        worst = max(worst, abs(analytic[i] - g) / max(1e-12, abs(analytic[i]) + abs(g)))
    return float(worst)


@bug("grad_check", "the mean relative error, not the largest: one wrong entry hides")
def check_mean(f, x, analytic, h=1e-5):
    errors = []
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f()
        x[i] = old - h
        minus = f()
        x[i] = old
        g = (plus - minus) / (2 * h)
        errors.append(abs(analytic[i] - g) / max(1e-12, abs(analytic[i]) + abs(g)))
    return float(np.mean(errors))


@bug("grad_check", "divides by h instead of 2h: every numerical gradient twice too large")
def check_half_step(f, x, analytic, h=1e-5):
    worst = 0.0
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f()
        x[i] = old - h
        minus = f()
        x[i] = old
        g = (plus - minus) / h
        worst = max(worst, abs(analytic[i] - g) / max(1e-12, abs(analytic[i]) + abs(g)))
    return float(worst)


@bug("grad_check", "absolute error |a - g|, not relative: scale decides the verdict")
def check_absolute(f, x, analytic, h=1e-5):
    worst = 0.0
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f()
        x[i] = old - h
        minus = f()
        x[i] = old
        worst = max(worst, abs(analytic[i] - (plus - minus) / (2 * h)))
    return float(worst)


@bug("grad_check", "restores x by adding h back instead of the saved value: x drifts")
def check_no_restore(f, x, analytic, h=1e-5):
    worst = 0.0
    for i in np.ndindex(x.shape):
        x[i] += h
        plus = f()
        x[i] -= 2 * h
        minus = f()
        x[i] += h
        g = (plus - minus) / (2 * h)
        worst = max(worst, abs(analytic[i] - g) / max(1e-12, abs(analytic[i]) + abs(g)))
    return float(worst)


@bug("grad_check", "ignores its h argument (always 1e-5)")
def check_fixed_h(f, x, analytic, h=1e-5):
    worst = 0.0
    step = 1e-5
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + step
        plus = f()
        x[i] = old - step
        minus = f()
        x[i] = old
        g = (plus - minus) / (2 * step)
        worst = max(worst, abs(analytic[i] - g) / max(1e-12, abs(analytic[i]) + abs(g)))
    return float(worst)
