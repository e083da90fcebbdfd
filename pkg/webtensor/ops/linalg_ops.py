"""matmul (batched, with transposes), tensordot and einsum."""
import re

import numpy as np

from .. import errors
from ..core.registry import bind, defop
from . import math_ops as m
from ._helpers import NUMERIC, binary_operands, broadcast_shapes, check_dtype, to_tensor


def _matmul_kernel(a, b, transpose_a, transpose_b):
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


def _matmul_infer(inputs, params):
    a, b = inputs
    sa, sb = a._shape, b._shape
    if len(sa) < 2 or len(sb) < 2:
        raise errors.InvalidArgumentError(
            None, "matmul", f"In[0] and In[1] must be at least rank 2, got shapes {_fmt(sa)} and {_fmt(sb)} "
            "[Op:MatMul]")
    m_, ka = (sa[-1], sa[-2]) if params["transpose_a"] else (sa[-2], sa[-1])
    kb, n = (sb[-1], sb[-2]) if params["transpose_b"] else (sb[-2], sb[-1])
    if ka is not None and kb is not None and ka != kb:
        raise errors.InvalidArgumentError(
            None, "matmul", f"Matrix size-incompatible: In[0]: {_fmt(sa)}, In[1]: {_fmt(sb)} [Op:MatMul]")
    try:
        batch = broadcast_shapes(sa[:-2], sb[:-2], "matmul")
    except errors.InvalidArgumentError:
        raise errors.InvalidArgumentError(
            None, "matmul", f"In[0] and In[1] must have compatible batch dimensions: {_fmt(sa)} vs. {_fmt(sb)} "
            "[Op:BatchMatMulV2]") from None
    return [(batch + (m_, n), a._dtype)]


def _fmt(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _matmul_grad(op, dy):
    a, b = op.inputs
    ta, tb = op.params["transpose_a"], op.params["transpose_b"]
    da = db = None
    if op.needs_grad(0):  # the gradient of a constant input (e.g. the data) is a whole matmul: skip it
        if not ta:
            da = matmul(dy, b, transpose_b=not tb)
        else:
            da = matmul(b, dy, transpose_a=tb, transpose_b=True)
        da = m.sum_like(da, a)
    if op.needs_grad(1):
        if not tb:
            db = matmul(a, dy, transpose_a=not ta)
        else:
            db = matmul(dy, a, transpose_a=True, transpose_b=ta)
        db = m.sum_like(db, b)
    return [da, db]


defop("matmul", _matmul_kernel, _matmul_infer, _matmul_grad)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """Matrix product of the last two axes, broadcasting batch axes.

    >>> tf.matmul(tf.ones([2, 3]), tf.ones([3, 4])).shape
    TensorShape([2, 4])
    """
    a, b = binary_operands(a, b, "MatMul")
    check_dtype(a, NUMERIC, "MatMul")
    params = {"transpose_a": bool(transpose_a or adjoint_a), "transpose_b": bool(transpose_b or adjoint_b)}
    if len(a._shape) < 2 or len(b._shape) < 2:
        _matmul_infer((a, b), params)  # numpy's matmul would accept vectors; TensorFlow rejects them
    return bind("matmul", (a, b), params)


def matvec(a, b, transpose_a=False, adjoint_a=False, name=None):
    """Matrix-vector product: a[..., M, N] @ b[..., N] -> [..., M]."""
    from .array_ops import expand_dims, squeeze
    b = to_tensor(b)
    return squeeze(matmul(a, expand_dims(b, -1), transpose_a=transpose_a or adjoint_a), axis=-1)


def tensordot(a, b, axes, name=None):
    """Sums products over the given axes of a and b (an int N means the last N of a and first N of b).

    >>> tf.tensordot(tf.ones([2, 3]), tf.ones([3, 4]), axes=1).shape
    TensorShape([2, 4])
    """
    from .array_ops import reshape, transpose
    a, b = binary_operands(a, b, "tensordot")
    ra, rb = len(a._shape), len(b._shape)
    if isinstance(axes, int) or (hasattr(axes, "__index__") and not isinstance(axes, (list, tuple))):
        n = int(axes)
        if n < 0 or n > min(ra, rb):
            raise ValueError(f"tensordot: axes={n} must be between 0 and min(rank(a), rank(b)) = {min(ra, rb)}")
        axes_a, axes_b = list(range(ra - n, ra)), list(range(n))
    else:
        if len(axes) != 2:
            raise ValueError(f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}")
        axes_a, axes_b = axes
        axes_a = [axes_a] if isinstance(axes_a, int) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, int) else list(axes_b)
        axes_a = [x % ra for x in axes_a]
        axes_b = [x % rb for x in axes_b]
    if len(axes_a) != len(axes_b):
        raise ValueError(f"tensordot: axes lists {axes_a} and {axes_b} must have the same length")
    for x, y in zip(axes_a, axes_b):
        if a._shape[x] is not None and b._shape[y] is not None and a._shape[x] != b._shape[y]:
            raise errors.InvalidArgumentError(
                None, "tensordot", f"tensordot: dimension {x} of a ({a._shape[x]}) does not match dimension {y} "
                f"of b ({b._shape[y]}) [Op:tensordot]")
    free_a = [i for i in range(ra) if i not in axes_a]
    free_b = [i for i in range(rb) if i not in axes_b]
    k = int(np.prod([a._shape[i] for i in axes_a], dtype=np.int64))
    a2 = reshape(transpose(a, free_a + axes_a), [-1, k])
    b2 = reshape(transpose(b, axes_b + free_b), [k, -1])
    out_shape = [a._shape[i] for i in free_a] + [b._shape[i] for i in free_b]
    if out_shape.count(None) == 1:
        out_shape = [-1 if d is None else d for d in out_shape]
    elif None in out_shape:  # several dims known only at run time: take them from the inputs' shapes
        from .array_ops import concat, gather, shape
        out_shape = concat([gather(shape(a), free_a), gather(shape(b), free_b)], 0)
    return reshape(matmul(a2, b2), out_shape)


# -- einsum ----------------------------------------------------------------------------------------

def _parse_einsum(equation, ranks):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
    else:
        lhs = eq
        counts = {}
        for c in lhs.replace(",", ""):
            counts[c] = counts.get(c, 0) + 1
        out = "".join(sorted(c for c, n in counts.items() if n == 1 and c != "."))
    terms = lhs.split(",")
    if len(terms) != len(ranks):
        raise ValueError(f"einsum: equation {equation!r} names {len(terms)} operands but {len(ranks)} were given")
    if "." in eq:
        raise ValueError(f"einsum: ellipsis ('...') is not supported in {equation!r}; name the axes instead")
    for t, r in zip(terms, ranks):
        if not re.fullmatch(r"[a-zA-Z]*", t) or len(t) != r:
            raise ValueError(f"einsum: term {t!r} of {equation!r} does not match an operand of rank {r}")
    return terms, out


def _einsum_infer(inputs, params):
    terms, out = params["terms"], params["output"]
    sizes = {}
    for t, x in zip(terms, inputs):
        for c, d in zip(t, x._shape):
            if d is None:
                continue
            if sizes.get(c, d) != d and sizes.get(c) != 1 and d != 1:
                raise errors.InvalidArgumentError(
                    None, "einsum", f"einsum: axis {c!r} has size {sizes[c]} in one operand and {d} in another "
                    "[Op:Einsum]")
            sizes[c] = max(sizes.get(c, d), d)
    return [(tuple(sizes.get(c) for c in out), inputs[0]._dtype)]


def _einsum_kernel(*xs, terms, output):
    return np.asarray(np.einsum(",".join(terms) + "->" + output, *xs), dtype=xs[0].dtype)


def _einsum_grad(op, dy):
    # The gradient of operand i is an einsum of dy with the other operands, into i's subscripts.
    terms, out = op.params["terms"], op.params["output"]
    grads = []
    for i, (t, x) in enumerate(zip(terms, op.inputs)):
        others = [(tt, xx) for j, (tt, xx) in enumerate(zip(terms, op.inputs)) if j != i]
        present = set(out).union(*[set(tt) for tt, _ in others]) if others else set(out)
        target = "".join(c for c in t if c in present)
        if len(set(t)) != len(t):
            raise NotImplementedError(f"einsum gradient with a repeated index in {t!r} is not supported")
        g = bind("einsum", (dy,) + tuple(xx for _, xx in others),
                 {"terms": (out,) + tuple(tt for tt, _ in others), "output": target})
        if target != t:  # axes summed away inside operand i alone: broadcast back
            from .array_ops import expand_dims
            for pos, c in enumerate(t):
                if c not in present:
                    g = expand_dims(g, pos)
            g = m.broadcast_like(g, x)
        grads.append(m.sum_like(g, x))
    return grads


defop("einsum", _einsum_kernel, _einsum_infer, _einsum_grad)


def einsum(equation, *inputs, **kwargs):
    """Einstein summation, e.g. 'ij,jk->ik' (matmul), 'bij,bjk->bik', 'ij->ji', 'i,i->'.

    >>> tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([3, 4])).shape
    TensorShape([2, 4])
    """
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    xs = [to_tensor(x) for x in inputs]
    for x in xs[1:]:
        if x._dtype is not xs[0]._dtype:
            binary_operands(xs[0], x, "Einsum")
    terms, out = _parse_einsum(equation, [len(x._shape) for x in xs])
    return bind("einsum", tuple(xs), {"terms": tuple(terms), "output": out})


def trace(x, name=None):
    """The sum of the main diagonal over the last two axes."""
    from .array_ops import eye
    from .reduction_ops import reduce_sum
    x = to_tensor(x)
    return reduce_sum(x * eye(x._shape[-2], x._shape[-1], dtype=x._dtype), axis=[-2, -1])
