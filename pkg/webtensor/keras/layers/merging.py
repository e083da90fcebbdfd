"""Merging layers: combine a list of tensors (Concatenate, Add, Subtract, Multiply, Average, Maximum,
Minimum, Dot) and their functional helpers (concatenate, add, ...).

    merged = tf.keras.layers.concatenate([a, b])          # along the last axis
    total = tf.keras.layers.Add()([a, b, c])
"""
from ... import nest
from ...ops import array_ops as _a
from ...ops import linalg_ops as _linalg
from ...ops import math_ops as _m
from ...ops import nn_ops as _nn
from ...ops import reduction_ops as _r
from ...ops import shape_ops as _s
from ._utils import dims
from .layer import Layer


def _shapes_of(layer, inputs_or_shapes, minimum=2):
    if not isinstance(inputs_or_shapes, (list, tuple)):
        raise ValueError(f"A merge layer ({type(layer).__name__}) should be called on a list of inputs. Received: "
                         f"inputs={inputs_or_shapes} (not a list of tensors)")
    items = list(inputs_or_shapes)
    if items and all(isinstance(d, int) or d is None for d in items):
        raise ValueError(f"A merge layer ({type(layer).__name__}) should be called on a list of inputs. Received: "
                         f"input_shape={tuple(items)} (a single shape)")
    shapes = [dims(getattr(x, "shape", x)) for x in items]
    if len(shapes) < minimum:
        raise ValueError(f"A merge layer ({type(layer).__name__}) should be called on a list of at least {minimum} "
                         f"inputs. Got {len(shapes)} inputs. Full input_shape received: {shapes}")
    return shapes


def _elementwise_shape(layer, shape1, shape2):
    """The broadcast of two shapes, as Keras's merge layers compute it (from the right, 1 broadcasts)."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        shape1, shape2 = shape2, shape1
    out = list(shape1[:len(shape1) - len(shape2)])
    for a, b in zip(shape1[len(shape1) - len(shape2):], shape2):
        if a is None or b is None:
            out.append(None if a != 1 and b != 1 else (b if a == 1 else a))
        elif a == 1:
            out.append(b)
        elif b == 1 or a == b:
            out.append(a)
        else:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {tuple(shape1)} and {tuple(shape2)} "
                             f"(layer {layer.name}: {type(layer).__name__})")
    return out


class _Merge(Layer):
    """Elementwise merge of two or more inputs of broadcast-compatible shapes (batch sizes must match)."""

    minimum_inputs = 2

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        self._output_shape(input_shape)

    def _output_shape(self, input_shape):
        shapes = _shapes_of(self, input_shape, self.minimum_inputs)
        batches = {s[0] for s in shapes if s and s[0] is not None}
        if len(batches) > 1:
            raise ValueError(f"Cannot merge tensors with different batch sizes. Received tensors with shapes "
                             f"{[tuple(s) for s in shapes]} (layer {self.name})")
        out = shapes[0][1:]
        for s in shapes[1:]:
            out = _elementwise_shape(self, out, s[1:])
        batch = next(iter(batches)) if batches else None
        return (batch,) + tuple(out)

    def _merge(self, inputs):
        raise NotImplementedError

    def call(self, inputs):
        self._output_shape(inputs)
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        masks = [m for m in nest.flatten(mask) if m is not None] if isinstance(mask, (list, tuple)) else [mask]
        if not masks:
            return None
        out = masks[0]
        for m in masks[1:]:
            out = _m.logical_and(out, m)
        return out


class Add(_Merge):
    """The elementwise sum of its inputs. `tf.keras.layers.Add()([a, b])`"""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    """inputs[0] - inputs[1] (exactly two inputs). `tf.keras.layers.Subtract()([a, b])`"""

    def _output_shape(self, input_shape):
        shapes = _shapes_of(self, input_shape)
        if len(shapes) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Received: "
                             f"input_shape={[tuple(s) for s in shapes]}")
        return super()._output_shape(input_shape)

    def _merge(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """The elementwise product of its inputs. `tf.keras.layers.Multiply()([a, b])`"""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


class Average(_Merge):
    """The elementwise mean of its inputs. `tf.keras.layers.Average()([a, b])`"""

    def _merge(self, inputs):
        return Add._merge(self, inputs) / float(len(inputs))


class Maximum(_Merge):
    """The elementwise maximum of its inputs. `tf.keras.layers.Maximum()([a, b])`"""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = _m.maximum(out, x)
        return out


class Minimum(_Merge):
    """The elementwise minimum of its inputs. `tf.keras.layers.Minimum()([a, b])`"""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = _m.minimum(out, x)
        return out


class Concatenate(Layer):
    """Concatenates a list of inputs along axis (their other dimensions must match).

    >>> tf.keras.layers.Concatenate()([tf.ones([2, 3]), tf.ones([2, 4])]).shape
    TensorShape([2, 7])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.supports_masking = True

    def build(self, input_shape):
        self._output_shape(input_shape)

    def _output_shape(self, input_shape):
        shapes = _shapes_of(self, input_shape, minimum=1)
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
                             f"axis. Received: input_shape={[tuple(s) for s in shapes]}")
        rank = ranks.pop()
        axis = self.axis % rank if -rank <= self.axis < rank else None
        if axis is None:
            raise ValueError(f"Concatenate: axis {self.axis} is out of range for inputs of rank {rank}")
        out = list(shapes[0])
        for s in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, s)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif a is not None and b is not None and a != b:
                    raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the "
                                     f"concatenation axis. Received: input_shape={[tuple(t) for t in shapes]}")
                elif a is None:
                    out[i] = b
        return tuple(out)

    def call(self, inputs):
        self._output_shape(inputs)
        return _a.concat(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in nest.flatten(mask)):
            return None
        if not isinstance(mask, (list, tuple)):
            return mask
        rank = len(inputs[0].shape)
        full = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = _m.cast(_m.ones_like(x), "bool")
            elif len(m.shape) < rank:
                m = _s.expand_dims(m, -1)
            full.append(m)
        return _r.reduce_all(_a.concat(full, axis=self.axis), axis=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Dot(Layer):
    """Dot products between samples of two inputs along axes (optionally of L2-normalized inputs: cosine).

    >>> tf.keras.layers.Dot(axes=1)([tf.ones([2, 3]), tf.ones([2, 3])]).shape
    TensorShape([2, 1])
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes if isinstance(axes, int) else tuple(axes)
        self.normalize = normalize

    def _axes(self, shapes):
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return [a % len(s) for a, s in zip(axes, shapes)]

    def call(self, inputs):
        shapes = _shapes_of(self, inputs)
        if len(shapes) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: inputs={inputs}")
        x, y = inputs
        ax, ay = self._axes(shapes)
        if shapes[0][ax] is not None and shapes[1][ay] is not None and shapes[0][ax] != shapes[1][ay]:
            raise ValueError(f"Incompatible input shapes: axis values {shapes[0][ax]} (at {ax}) != {shapes[1][ay]} "
                             f"(at {ay}). Full input shapes: {tuple(shapes[0])}, {tuple(shapes[1])}")
        if self.normalize:
            x, y = _nn.l2_normalize(x, axis=ax), _nn.l2_normalize(y, axis=ay)
        rx, ry = len(shapes[0]), len(shapes[1])
        if rx == 2 and ry == 2:
            return _r.reduce_sum(x * y, axis=1, keepdims=True)
        # move the contracted axes: x (..., k) @ y (k, ...) batched over the first axis
        x = _s.transpose(x, [0] + [i for i in range(1, rx) if i != ax] + [ax])
        y = _s.transpose(y, [0, ay] + [i for i in range(1, ry) if i != ay])
        if rx == 2:
            x = _s.expand_dims(x, 1)
        if ry == 2:
            y = _s.expand_dims(y, 2)
        out = _linalg.matmul(x, y)
        if rx == 2:
            out = _s.squeeze(out, [1])
        if ry == 2:
            out = _s.squeeze(out, [-1])
        return out

    def get_config(self):
        config = super().get_config()
        config.update(axes=self.axes if isinstance(self.axes, int) else list(self.axes), normalize=self.normalize)
        return config


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of Concatenate. `tf.keras.layers.concatenate([a, b], axis=-1)`"""
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs, **kwargs):
    """Functional form of Add. `tf.keras.layers.add([a, b])`"""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of Subtract. `tf.keras.layers.subtract([a, b])`"""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of Multiply. `tf.keras.layers.multiply([a, b])`"""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of Average. `tf.keras.layers.average([a, b])`"""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of Maximum. `tf.keras.layers.maximum([a, b])`"""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of Minimum. `tf.keras.layers.minimum([a, b])`"""
    return Minimum(**kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional form of Dot. `tf.keras.layers.dot([a, b], axes=1)`"""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
