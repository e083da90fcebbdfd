"""tf.data: input pipelines (`tf.data.Dataset`) that feed training loops and Keras `fit`.

    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(buffer_size=len(x)).batch(32)
    for x_batch, y_batch in ds:
        ...
"""
from . import experimental  # noqa: F401
from .dataset import (AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, Iterator,  # noqa: F401
                      OwnedIterator)
from .experimental import Optional  # noqa: F401
from .options import (AutotuneOptions, DistributeOptions, OptimizationOptions, Options,  # noqa: F401
                      ThreadingOptions)
from .structure import DatasetSpec  # noqa: F401

DatasetV2 = Dataset
