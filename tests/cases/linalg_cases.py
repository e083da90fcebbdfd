"""matmul (transposes, batch broadcasting) and einsum forms."""
import numpy as np

from . import OpCase, rand


def _mm(a, b):
    """Reference matrix product by explicit sums over k (batch dims broadcast)."""
    return (a[..., :, :, None] * b[..., None, :, :]).sum(axis=-2)


def _t(x):
    return np.swapaxes(x, -1, -2)


CASES = [
    OpCase(("matmul", "sum_like"), lambda tf, a, b: tf.matmul(a, b), [rand(3, 4), rand(4, 5, seed=1)], _mm),
    OpCase(("matmul", "sum_like"), lambda tf, a, b: a @ b, [rand(2, 3, 4), rand(2, 4, 2, seed=1)], _mm,
           name="matmul_batched_operator"),
    OpCase(("matmul", "sum_like"), lambda tf, a, b: tf.matmul(a, b, transpose_a=True), [rand(4, 3), rand(4, 5, seed=1)],
           lambda a, b: _mm(_t(a), b), name="matmul_transpose_a"),
    OpCase(("matmul", "sum_like"), lambda tf, a, b: tf.matmul(a, b, transpose_b=True), [rand(3, 4), rand(5, 4, seed=1)],
           lambda a, b: _mm(a, _t(b)), name="matmul_transpose_b"),
    OpCase(("matmul", "sum_like"), lambda tf, a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True),
           [rand(2, 4, 3), rand(2, 5, 4, seed=1)], lambda a, b: _mm(_t(a), _t(b)), name="matmul_transpose_both"),
    OpCase(("matmul", "sum_like"), lambda tf, a, b: tf.matmul(a, b), [rand(2, 1, 3, 4), rand(3, 4, 2, seed=1)], _mm,
           name="matmul_batch_broadcast"),
    OpCase(("matmul", "sum_like"), lambda tf, a, b: tf.matmul(a, b, adjoint_b=True),
           [rand(3, 4), rand(2, 5, 4, seed=1)], lambda a, b: _mm(a, _t(b)), name="matmul_broadcast_matrix_adjoint_b"),
    OpCase("matmul", lambda tf, a, b: tf.matmul(a, b), [np.arange(6, dtype=np.int32).reshape(2, 3),
                                                        np.array([[1, -1], [2, 0], [-3, 4]], np.int32)],
           lambda a, b: (a @ b).astype(np.int32), name="matmul_int32", dtypes=("float32",)),
    # composites over matmul
    OpCase(("matmul", "expand_dims", "squeeze"), lambda tf, a, v: tf.linalg.matvec(a, v), [rand(3, 4),
                                                                                          rand(4, seed=1)],
           lambda a, v: (a * v).sum(axis=1), name="matvec"),
    OpCase(("matmul", "reshape", "transpose"), lambda tf, a, b: tf.tensordot(a, b, axes=[[0, 2], [2, 1]]),
           [rand(2, 3, 4), rand(5, 4, 2, seed=1)], lambda a, b: np.einsum("iaj,kji->ak", a, b), name="tensordot_lists"),
]

# equation: input shapes
EINSUMS = {
    "ij,jk->ik": [(3, 4), (4, 2)],
    "bij,bjk->bik": [(2, 3, 4), (2, 4, 5)],
    "ij->ji": [(3, 4)],
    "ij->": [(3, 4)],
    "ij->j": [(3, 4)],
    "i,i->": [(5,), (5,)],
    "ij,j->i": [(3, 4), (4,)],
    "i,j->ij": [(3,), (4,)],
    "ij,jk": [(2, 3), (3, 4)],                     # implicit output: the unrepeated letters, sorted
    "bhqd,bhkd->bhqk": [(2, 2, 3, 4), (2, 2, 5, 4)],  # attention scores
    "ijk,ik->j": [(2, 3, 4), (2, 4)],
}


def _einsum_fn(eq):
    return lambda tf, *xs: tf.einsum(eq, *xs)


def _einsum_ref(eq):
    """Reference einsum by explicit loops over every index letter (not numpy's einsum)."""
    lhs, out = eq.split("->") if "->" in eq else (eq, "".join(sorted(c for c in eq.replace(",", "")
                                                                     if eq.replace(",", "").count(c) == 1)))
    terms = lhs.split(",")

    def reference(*xs):
        sizes = {c: d for t, x in zip(terms, xs) for c, d in zip(t, x.shape)}
        letters = sorted(sizes)
        result = np.zeros(tuple(sizes[c] for c in out))
        for point in np.ndindex(*(sizes[c] for c in letters)):
            where = dict(zip(letters, point))
            term = 1.0
            for t, x in zip(terms, xs):
                term = term * x[tuple(where[c] for c in t)]
            result[tuple(where[c] for c in out)] += term
        return result
    return reference


def _einsum_name(eq):
    if "->" not in eq:
        return "einsum_" + eq.replace(",", "_") + "_implicit"
    lhs, out = eq.split("->")
    return "einsum_" + lhs.replace(",", "_") + ("_to_" + out if out else "_to_scalar")


for _i, (_eq, _shapes) in enumerate(EINSUMS.items()):
    CASES.append(OpCase("einsum", _einsum_fn(_eq), [rand(*s, seed=_i + k) for k, s in enumerate(_shapes)],
                        _einsum_ref(_eq), name=_einsum_name(_eq)))

CASES += [
    OpCase("einsum", lambda tf, a, b: tf.einsum("ij,jk->ik", a, b), [np.arange(6, dtype=np.int32).reshape(2, 3),
                                                                      np.ones((3, 2), np.int32)],
           lambda a, b: (a @ b).astype(np.int32), name="einsum_int32", dtypes=("float32",)),
]
