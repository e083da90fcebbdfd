"""Embedding: a trainable lookup table from integer ids to dense vectors.

    emb = tf.keras.layers.Embedding(input_dim=1000, output_dim=64, mask_zero=True)
    emb(tf.constant([[4, 20, 0]])).shape    # (1, 3, 64); the mask marks id 0 as padding
"""
from ... import dtypes
from ...ops import indexing_ops as _idx
from ...ops import math_ops as _m
from ._utils import dims, set_weight_options, weight_options_config
from .layer import Layer


class Embedding(Layer):
    """Maps ids in [0, input_dim) to rows of an (input_dim, output_dim) table.

    >>> tf.keras.layers.Embedding(10, 3)(tf.constant([[1, 2]])).shape
    TensorShape([1, 2, 3])
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, **kwargs):
        kwargs.pop("input_length", None)  # accepted for Keras 2 code; the output shape follows the input
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if int(input_dim) <= 0 or int(output_dim) <= 0:
            raise ValueError(f"Both `input_dim` and `output_dim` should be positive, Received input_dim = "
                             f"{input_dim} and output_dim = {output_dim}")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        set_weight_options(self, "embeddings", embeddings_initializer, embeddings_regularizer, embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._initial_weights = weights

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(name="embeddings", shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)

    def call(self, inputs):
        ids = inputs
        if ids.dtype not in (dtypes.int32, dtypes.int64):
            ids = _m.cast(ids, dtypes.int32)
        return _idx.gather(self.embeddings, ids)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return _m.not_equal(inputs, _m.cast(0, inputs.dtype))

    def compute_output_shape(self, input_shape):
        return tuple(dims(input_shape)) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            **weight_options_config(self, "embeddings"),
            "mask_zero": self.mask_zero,
        })
        return config
