"""Runs the op-case table: forward against float64 numpy references, gradients against finite differences."""
import numpy as np
import pytest

import webtensor as tf
from cases import OpCase, all_cases
from conftest import TOLERANCES
from webtensor.core.registry import OPS

CASES = all_cases()
# Ops that exist only inside traced graphs or as helpers of other ops' gradients are covered elsewhere.
GRAPH_ONLY = {"placeholder", "constant", "read_variable", "assign_variable", "cond", "while_loop", "print", "while_loop_grad", "write_summary",
              "partitioned_call", "custom_gradient"}


def _flat(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _as_tensors(case, dtype):
    out = []
    for x in case.inputs:
        x = np.asarray(x)
        if x.dtype.kind == "f":
            x = x.astype(dtype)
        out.append(tf.constant(x))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_forward(case: OpCase, backend):
    if case.reference is None:
        pytest.skip("gradient-only case")
    expected = _flat(case.reference(*[np.asarray(x) for x in case.inputs]))
    for dtype in case.dtypes:
        got = _flat(case.fn(tf, *_as_tensors(case, dtype)))
        assert len(got) == len(expected), f"{case.name}: {len(got)} outputs, expected {len(expected)}"
        for g, e in zip(got, expected):
            e = np.asarray(e)
            g_np = np.asarray(g.numpy())
            assert tuple(g.shape) == e.shape, f"{case.name} [{dtype}]: shape {tuple(g.shape)} != {e.shape}"
            if e.dtype.kind in "biu":
                np.testing.assert_array_equal(g_np, e, err_msg=f"{case.name} [{dtype}]")
                continue
            if dtype == "float64":
                tol = dict(rtol=1e-10, atol=1e-12)
            else:
                tol = dict(TOLERANCES.get(backend, TOLERANCES["numpy"]))
                if case.rtol is not None:  # a case may loosen the backend's tolerance, never tighten it
                    tol["rtol"] = max(tol["rtol"], case.rtol)
                if case.atol is not None:
                    tol["atol"] = max(tol["atol"], case.atol)
            np.testing.assert_allclose(g_np.astype(np.float64), e.astype(np.float64), err_msg=f"{case.name} [{dtype}]",
                                       **tol)


def _loss(case, tensors, weights):
    outs = _flat(case.fn(tf, *tensors))
    total = None
    for o, w in zip(outs, weights):
        if w is None:
            continue
        term = tf.reduce_sum(tf.cast(o, tf.float64) * w)
        total = term if total is None else total + term
    return total


GRAD_CASES = [c for c in CASES if c.grad_inputs()]


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c.name for c in GRAD_CASES])
def test_gradient(case: OpCase, backend):
    """Analytic gradient of sum(w * op(x)) vs central finite differences, in float64.

    On backends without float64 (WebGPU) float64 tensors are placed on the CPU, so this would only
    repeat the numpy run; there the float32 gradients are compared with the numpy backend's instead.
    """
    if backend != "numpy":
        _gradient_matches_numpy(case, backend)
        return
    base = [np.asarray(x, dtype=np.float64) if np.asarray(x).dtype.kind == "f" else np.asarray(x)
            for x in case.inputs]
    outs = _flat(case.fn(tf, *[tf.constant(x) for x in base]))
    rng = np.random.default_rng(1)
    weights = [tf.constant(rng.uniform(0.5, 1.5, size=tuple(o.shape))) if o.dtype.is_floating else None
               for o in outs]
    tensors = [tf.constant(x) for x in base]
    with tf.GradientTape() as tape:
        for i in case.grad_inputs():
            tape.watch(tensors[i])
        loss = _loss(case, tensors, weights)
    grads = tape.gradient(loss, [tensors[i] for i in case.grad_inputs()])
    for i, g in zip(case.grad_inputs(), grads):
        numeric = np.zeros_like(base[i])
        flat = numeric.reshape(-1)
        for k in range(flat.size):
            plus = [x.copy() for x in base]
            minus = [x.copy() for x in base]
            plus[i].reshape(-1)[k] += case.eps
            minus[i].reshape(-1)[k] -= case.eps
            fp = _loss(case, [tf.constant(x) for x in plus], weights).numpy()
            fm = _loss(case, [tf.constant(x) for x in minus], weights).numpy()
            flat[k] = (fp - fm) / (2 * case.eps)
        assert g is not None, f"{case.name}: no gradient for input {i}"
        np.testing.assert_allclose(g.numpy(), numeric, rtol=case.grad_rtol, atol=case.grad_atol,
                                   err_msg=f"{case.name}: gradient of input {i}")


def _float32_gradients(case):
    base = [np.asarray(x, dtype=np.float32) if np.asarray(x).dtype.kind == "f" else np.asarray(x)
            for x in case.inputs]
    tensors = [tf.constant(x) for x in base]
    outs = _flat(case.fn(tf, *tensors))
    rng = np.random.default_rng(1)
    weights = [tf.constant(rng.uniform(0.5, 1.5, size=tuple(o.shape))) if o.dtype.is_floating else None
               for o in outs]
    with tf.GradientTape() as tape:
        for i in case.grad_inputs():
            tape.watch(tensors[i])
        loss = _loss(case, tensors, weights)
    return [None if g is None else g.numpy() for g in tape.gradient(loss, [tensors[i] for i in case.grad_inputs()])]


def _gradient_matches_numpy(case, backend):
    got = _float32_gradients(case)
    previous = tf.config.get_backend()
    tf.config.set_backend("numpy")
    try:
        want = _float32_gradients(case)
    finally:
        tf.config.set_backend(previous)
    tol = TOLERANCES.get(backend, TOLERANCES["numpy"])
    for i, g, w in zip(case.grad_inputs(), got, want):
        assert g is not None, f"{case.name}: no gradient for input {i} on {backend}"
        np.testing.assert_allclose(g, w, rtol=max(tol["rtol"], case.rtol or 0), atol=max(tol["atol"], 1e-4),
                                   err_msg=f"{case.name}: {backend} gradient of input {i} vs numpy")


def test_every_op_has_cases():
    """A new primitive must come with a forward case, and a gradient case when it has a gradient."""
    forward = {op for c in CASES if c.reference is not None for op in c.ops}
    grad = {op for c in CASES if c.grad_inputs() for op in c.ops}
    unknown = {op for c in CASES for op in c.ops} - set(OPS)
    assert not unknown, f"cases name ops that are not registered: {sorted(unknown)}"
    missing_forward = sorted(n for n in OPS if n not in GRAPH_ONLY and n not in forward)
    missing_grad = sorted(n for n, op in OPS.items() if op.grad is not None and n not in GRAPH_ONLY and n not in grad)
    assert not missing_forward, f"ops without a forward case: {missing_forward}"
    assert not missing_grad, f"ops with a gradient but no gradient case: {missing_grad}"
