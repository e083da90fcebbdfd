"""GradientTape: records ops applied to watched tensors, then walks them backwards."""
import enum
import warnings

from .. import nest
from .registry import Call
from .state import state


class UnconnectedGradients(enum.Enum):
    """What `gradient` returns for a source the target does not depend on."""
    NONE = "none"
    ZERO = "zero"


class GradientTape:
    """Records operations for automatic differentiation.

    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape() as tape:
    ...     y = x * x
    >>> tape.gradient(y, x)
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._records = []
        self._tracked = {}      # id(tensor) -> tensor; holding them keeps ids unique
        self._var_reads = {}    # id(variable) -> [tensors the variable returned while watched]
        self._watched_vars = {}  # id(variable) -> variable, in the order first watched
        self._used = False

    # -- recording ---------------------------------------------------------------------------------

    def __enter__(self):
        state.tapes = state.tapes + (self,)
        return self

    def __exit__(self, *exc):
        state.tapes = tuple(t for t in state.tapes if t is not self)
        return False

    def _record(self, op, inputs, params, outs):
        if op.grad is None:
            return
        tracked = self._tracked
        for t in inputs:
            if id(t) in tracked:
                break
        else:
            return
        if type(outs) is not tuple:
            outs = (outs,)
        self._records.append(Call(op, inputs, params, outs))
        for o in outs:
            tracked[id(o)] = o

    def _on_read(self, variable, value):
        key = id(variable)
        if key not in self._watched_vars:
            if not (self._watch_accessed and variable.trainable and variable.dtype.is_floating):
                return
            self._watched_vars[key] = variable
        self._tracked[id(value)] = value
        reads = self._var_reads.setdefault(key, [])
        if not any(r is value for r in reads):
            reads.append(value)

    def watch(self, tensor):
        """Ensures `tensor` (a tensor, variable, or nested structure of them) is traced by this tape."""
        for t in nest.flatten(tensor):
            if hasattr(t, "_as_tensor"):  # a Variable
                if not t.dtype.is_floating:
                    warnings.warn("The dtype of the watched variable must be floating (e.g. tf.float32), "
                                  f"got {t.dtype!r}")
                self._watched_vars.setdefault(id(t), t)
                continue
            if not hasattr(t, "_dtype"):
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, not tf.Tensor or tf.Variable "
                                 "or ExtensionType.")
            if not t._dtype.is_floating:
                warnings.warn(f"The dtype of the watched tensor must be floating (e.g. tf.float32), got {t._dtype!r}")
                continue
            self._tracked[id(t)] = t

    def stop_recording(self):
        """A context in which operations are not recorded on this tape."""
        return _StopRecording(self)

    def reset(self):
        """Clears everything recorded so far."""
        self._records.clear()
        self._tracked.clear()
        self._var_reads.clear()
        self._watched_vars.clear()

    def watched_variables(self):
        """The variables this tape has watched, in the order it first saw them."""
        return tuple(self._watched_vars.values())

    # -- differentiation ---------------------------------------------------------------------------

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """Gradients of target (a tensor or structure of tensors) with respect to sources.

        Returns a structure like `sources`; None (or zeros) for sources target does not depend on.
        """
        self._check_usable("gradients")
        unconnected = UnconnectedGradients(unconnected_gradients)
        flat_sources = nest.flatten(sources)
        flat_grads = self._backward(nest.flatten(target),
                                    _flat_output_gradients(target, output_gradients),
                                    flat_sources, unconnected)
        if not self._persistent:
            self._used = True
            self._release()
        return nest.pack_sequence_as(sources, flat_grads)

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """The Jacobian d target[i...] / d source[j...], shaped target.shape + source.shape."""
        from ..ops import array_ops
        self._check_usable("jacobians")
        unconnected = UnconnectedGradients(unconnected_gradients)
        target = _as_tensor(target)
        flat_sources = nest.flatten(sources)
        n = _num_elements(target, "jacobian target")
        rows = []
        for i in range(n):
            seed = array_ops.reshape(array_ops.one_hot(i, n, dtype=target.dtype), target.shape)
            rows.append(self._backward([target], [seed], flat_sources, UnconnectedGradients.ZERO))
        out = []
        for k, src in enumerate(flat_sources):
            grads = [row[k] for row in rows]
            src_shape = list(src.shape)
            if n == 0:
                out.append(array_ops.zeros(list(target.shape) + src_shape, dtype=src.dtype))
                continue
            jac = array_ops.reshape(array_ops.stack(grads), list(target.shape) + src_shape)
            if unconnected is UnconnectedGradients.NONE and not self._connected(target, src):
                jac = None
            out.append(jac)
        if not self._persistent:
            self._used = True
            self._release()
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobians: result[b, i..., j...] = d target[b, i...] / d source[b, j...]."""
        from ..ops import array_ops
        self._check_usable("jacobians")
        target = _as_tensor(target)
        tshape = list(target.shape)
        if tshape[0] != list(source.shape)[0]:
            raise ValueError(f"Need first dimension of target shape ({target.shape}) and source shape "
                             f"({source.shape}) to match.")
        batch = tshape[0]
        inner = _prod(tshape[1:])
        cols = []
        for i in range(inner):
            seed = array_ops.reshape(
                array_ops.tile(array_ops.one_hot(i, inner, dtype=target.dtype)[None], [batch, 1]), tshape)
            cols.append(self._backward([target], [seed], [source], UnconnectedGradients.ZERO)[0])
        jac = array_ops.stack(cols, axis=1) if cols else array_ops.zeros([batch, 0] + list(source.shape)[1:])
        jac = array_ops.reshape(jac, tshape + list(source.shape)[1:])
        unconnected = UnconnectedGradients(unconnected_gradients)
        if unconnected is UnconnectedGradients.NONE and not self._connected(target, source):
            jac = None
        if not self._persistent:
            self._used = True
            self._release()
        return jac

    def _check_usable(self, what):
        if self._used:
            raise RuntimeError(f"A non-persistent GradientTape can only be used to compute one set of {what} "
                               "(or jacobians); create the tape with persistent=True to call it more than once.")

    def _release(self):
        self._records = []
        self._tracked = {}

    def _source_ids(self, source):
        if hasattr(source, "_as_tensor"):
            return [id(t) for t in self._var_reads.get(id(source), ())]
        if not hasattr(source, "_dtype"):
            raise ValueError(f"gradient sources must be tensors or variables, got {type(source).__name__}: {source!r}")
        # A tensor the tape neither watched nor produced gets no gradient, as in TF.
        return [id(source)] if id(source) in self._tracked else []

    def _reachable(self, flat_sources):
        """The recorded calls that depend on some source, and the ids of all tensors that do."""
        reach = set()
        for s in flat_sources:
            reach.update(self._source_ids(s))
        needed = []
        for call in self._records:
            for t in call.inputs:
                if id(t) in reach:
                    break
            else:
                continue
            needed.append(call)
            reach.update(id(o) for o in call.outputs)
        return needed, reach

    def _connected(self, target, source):
        _, reach = self._reachable([source])
        return id(target) in reach

    def _backward(self, flat_targets, flat_output_grads, flat_sources, unconnected):
        from ..ops import array_ops, math_ops
        needed, reach = self._reachable(flat_sources)
        grads = {}
        for i, t in enumerate(flat_targets):
            t = _as_tensor(t)
            seed = flat_output_grads[i] if flat_output_grads is not None else None
            if seed is None:
                seed = math_ops.ones_like(t)
            else:
                seed = math_ops.cast(_as_tensor(seed), t.dtype)
                if not seed.shape.is_compatible_with(t.shape):
                    raise ValueError(f"output_gradients[{i}] has shape {seed.shape}, but its target has shape "
                                     f"{t.shape}; each output gradient must have its target's shape.")
            grads[id(t)] = seed if id(t) not in grads else math_ops.add(grads[id(t)], seed)
        for call in reversed(needed):
            outs = call.outputs
            call.needs = tuple(id(t) in reach for t in call.inputs)
            if len(outs) == 1:
                dy = grads.get(id(outs[0]))
                if dy is None:
                    continue
                in_grads = call.op.grad(call, dy)
            else:
                dys = [grads.get(id(o)) for o in outs]
                if all(d is None for d in dys):
                    continue
                dys = [math_ops.zeros_like(o) if d is None else d for o, d in zip(outs, dys)]
                in_grads = call.op.grad(call, *dys)
            for inp, g in zip(call.inputs, in_grads):
                if g is None:
                    continue
                k = id(inp)
                if k not in reach:
                    continue
                prev = grads.get(k)
                grads[k] = g if prev is None else math_ops.add(prev, g)
        result = []
        for s in flat_sources:
            acc = None
            for k in self._source_ids(s):
                g = grads.get(k)
                if g is not None:
                    acc = g if acc is None else math_ops.add(acc, g)
            if acc is None and unconnected is UnconnectedGradients.ZERO:
                acc = array_ops.zeros(s.shape, dtype=s.dtype)
            result.append(acc)
        return result


class _StopRecording:
    def __init__(self, tape):
        self._tape = tape
        self._saved = None

    def __enter__(self):
        self._saved = state.tapes
        state.tapes = tuple(t for t in state.tapes if t is not self._tape)

    def __exit__(self, *exc):
        state.tapes = self._saved
        return False


def _flat_output_gradients(target, output_gradients):
    """One seed (or None) per flat target; a single target takes output_gradients whole."""
    if output_gradients is None:
        return None
    if not nest.is_nested(target):
        if isinstance(output_gradients, (list, tuple)) and len(output_gradients) == 1:
            return list(output_gradients)
        return [output_gradients]
    flat = nest.flatten(output_gradients)
    n = len(nest.flatten(target))
    if len(flat) != n:
        raise ValueError(f"output_gradients has {len(flat)} entries but target has {n} tensors; pass one "
                         "gradient (or None) per target tensor.")
    return flat


def _as_tensor(x):
    from .tensor import convert_to_tensor
    return convert_to_tensor(x)


def _prod(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def _num_elements(t, what):
    n = t.shape.num_elements()
    if n is None:
        raise ValueError(f"{what} must have a fully defined shape, got {t.shape}")
    return n
