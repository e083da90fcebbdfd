"""tf.data.Options: pipeline options, accepted and recorded (webtensor's pipelines run on demand, in order)."""


class _OptionsGroup:
    """A group of named options; setting an unknown one raises AttributeError, as TensorFlow does."""

    _fields = {}

    def __init__(self):
        for name, default in self._fields.items():
            object.__setattr__(self, name, default() if callable(default) else default)

    def __setattr__(self, name, value):
        if name not in self._fields:
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")
        object.__setattr__(self, name, value)

    def __eq__(self, other):
        return type(self) is type(other) and all(getattr(self, k) == getattr(other, k) for k in self._fields)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self._fields)})"


class AutotuneOptions(_OptionsGroup):
    _fields = {"enabled": None, "cpu_budget": None, "ram_budget": None, "autotune_algorithm": None}


class OptimizationOptions(_OptionsGroup):
    _fields = {name: None for name in (
        "apply_default_optimizations", "filter_fusion", "filter_parallelization", "inject_prefetch",
        "map_and_batch_fusion", "map_and_filter_fusion", "map_fusion", "map_parallelization", "noop_elimination",
        "parallel_batch", "seq_interleave_prefetch", "shuffle_and_repeat_fusion", "warm_start")}


class ThreadingOptions(_OptionsGroup):
    _fields = {"max_intra_op_parallelism": None, "private_threadpool_size": None}


class DistributeOptions(_OptionsGroup):
    _fields = {"auto_shard_policy": None, "num_devices": None}


class Options(_OptionsGroup):
    """Options of a tf.data pipeline (`ds.with_options(options)`); webtensor records them.

    >>> options = tf.data.Options()
    >>> options.deterministic = True
    >>> ds = tf.data.Dataset.range(3).with_options(options)
    """

    _fields = {"autotune": AutotuneOptions, "deterministic": None, "experimental_deterministic": None,
               "experimental_distribute": DistributeOptions, "experimental_external_state_policy": None,
               "experimental_optimization": OptimizationOptions, "experimental_slack": None,
               "experimental_symbolic_checkpoint": None, "experimental_warm_start": None,
               "threading": ThreadingOptions, "experimental_threading": ThreadingOptions}

    def merge(self, options):
        """A new Options with the values set in `options` taking precedence."""
        out = Options()
        for k in self._fields:
            mine, theirs = getattr(self, k), getattr(options, k)
            object.__setattr__(out, k, theirs if theirs is not None else mine)
        return out
