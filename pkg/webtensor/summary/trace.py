"""tf.summary.graph and trace_on / trace_export / trace_off: graphs of tf.functions for TensorBoard.

While tracing is on, every top-level call of a ConcreteFunction records its Graph; trace_export writes
them as TF2 does: one summary tagged `name` whose string tensor is a RunMetadata holding each graph as
function_graphs[i].pre_optimization_graph (plugin "graph_run_metadata_graph").
"""
import time
import warnings

import numpy as np

from ..core import function as _function
from ..core.state import state
from ..core.tensor import constant
from . import proto
from .graph_def import as_graph_def, encode_run_metadata, graph_def_bytes
from .writer import _condition, _state

RUN_METADATA_GRAPH_PLUGIN = "graph_run_metadata_graph"


class _Trace:
    def __init__(self):
        self.on = False
        self.graphs = []           # graphs of the functions called while tracing, first call order


_trace = _Trace()


def _record_call(concrete):
    # Only top-level calls count: calls inlined into an enclosing trace are part of that graph.
    if _trace.on and state.graph is None and all(g is not concrete.graph for g in _trace.graphs):
        _trace.graphs.append(concrete.graph)


def trace_on(graph=True, profiler=False, profiler_outdir=None):
    """Starts recording the graphs of tf.functions as they are called (export them with trace_export).

    >>> tf.summary.trace_on(graph=True)
    >>> f(x)
    >>> tf.summary.trace_export("f_trace", step=0)
    """
    if state.graph is not None:
        raise ValueError("tf.summary.trace_on: must be called eagerly, not inside a tf.function")
    if profiler:
        warnings.warn("tf.summary.trace_on: webtensor has no profiler; profiler=True is ignored", stacklevel=2)
    if _trace.on:
        warnings.warn("tf.summary.trace_on: tracing is already on", stacklevel=2)
        return
    _trace.on = bool(graph)
    _trace.graphs = []
    if _trace.on and _record_call not in _function.call_observers:
        _function.call_observers.append(_record_call)


def trace_off():
    """Stops recording graphs and forgets the ones recorded."""
    _trace.on = False
    _trace.graphs = []
    if _record_call in _function.call_observers:
        _function.call_observers.remove(_record_call)


def traced_graphs():
    """The graphs recorded since trace_on (webtensor Graph objects)."""
    return list(_trace.graphs)


def trace_export(name, step=None, profiler_outdir=None):
    """Writes the graphs recorded since trace_on to the default writer, then stops tracing.

    >>> tf.summary.trace_export("my_func_trace", step=0)
    """
    if state.graph is not None:
        raise ValueError("tf.summary.trace_export: must be called eagerly, not inside a tf.function")
    step = _state.step if step is None else step
    if step is None:
        raise ValueError("tf.summary.trace_export: no step set. Please specify one either through the `step` "
                         "argument or through tf.summary.experimental.set_step()")
    graphs = list(_trace.graphs)
    trace_off()
    if not graphs:
        warnings.warn("tf.summary.trace_export: no tf.function was called since trace_on; nothing written",
                      stacklevel=2)
        return
    run_metadata = encode_run_metadata([graph_def_bytes(g) for g in graphs])
    _write_raw(name, int(_step_value(step)), run_metadata)


def _step_value(step):
    return np.asarray(step.numpy() if hasattr(step, "numpy") else step)


def _write_raw(tag, step, run_metadata):
    writer = _state.writer
    if writer is None or not hasattr(writer, "write_event") or _condition() is not True:
        return False
    meta = proto.SummaryMetadata(RUN_METADATA_GRAPH_PLUGIN, b"1", data_class=proto.DATA_CLASS_BLOB_SEQUENCE)
    tensor = np.empty((), dtype=object)
    tensor[()] = run_metadata
    value = proto.Value(tag=tag, metadata=meta, tensor=tensor)
    return writer.write_event(proto.Event(wall_time=time.time(), step=step, summary=[value]))


def graph(graph_data):
    """Writes a graph (a traced Graph, a ConcreteFunction or GraphDef bytes) as the run's Event.graph_def.

    >>> tf.summary.graph(f.get_concrete_function(tf.TensorSpec([None, 3])))
    """
    if state.graph is not None:
        raise ValueError("tf.summary.graph() cannot be invoked inside a tf.function")
    writer = _state.writer
    if writer is None or not hasattr(writer, "write_event") or _condition() is not True:
        return constant(False)
    written = writer.write_event(proto.Event(wall_time=time.time(), step=0, graph_def=as_graph_def(graph_data)))
    return constant(bool(written))
