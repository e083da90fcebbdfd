"""tf.compat.v1.summary: TF1 FileWriter (graphs and serialized summaries) and summary ops in graphs.

    writer = tf.compat.v1.summary.FileWriter("logs")
    writer.add_graph(tf.compat.v1.get_default_graph())
    merged = tf.compat.v1.summary.merge_all()   # after tf.compat.v1.summary.scalar("loss", loss)
    writer.add_summary(sess.run(merged), step)

NOTE: webtensor has no string tensors. Summary ops here are host-side graph ops:
running one in a Session gives the serialized Summary protocol buffer as Python
bytes, as TF1 does; their tensors have a host-only dtype named "string".
"""
import time

import numpy as np

from ... import summary as _summary
from ...summary import proto
from ...summary.graph_def import graph_def_bytes
from ...summary.summary_ops import histogram_buckets
from ...summary.writer import create_file_writer
from . import graph as _graph
from . import session as _session

string = _graph.string
_HostValue = _graph.HostValue
SUMMARIES = "summaries"


def _encode_summary(values):
    return b"".join(proto.field_bytes(1, proto.encode_value(v)) for v in values)


def _decode_summary(buf):
    return [proto.decode_value(raw) for raw in proto.parse(buf).get(1, [])]


def _summary_op(kind, name, tensor, collections, params=None):
    g = _graph._graph_for_building(f"summary.{kind}")
    from ...core.state import scope_name
    prefix = scope_name()
    tag = f"{prefix}/{name}" if prefix else name
    _, (out,) = g.add_op(f"{kind}_summary", inputs=(tensor,), params={"tag": tag, **(params or {})},
                         avals=[((), string)], node_name=name)
    for c in (collections if collections is not None else [SUMMARIES]):
        g.add_to_collection(c, out)
    return out


def scalar(name, tensor, collections=None, family=None):
    """A graph op giving a serialized Summary with one scalar (TF1's simple_value) when run."""
    return _summary_op("scalar", name, tensor, collections)


def histogram(name, values, collections=None, family=None):
    """A graph op giving a serialized Summary with a histogram of `values` when run."""
    return _summary_op("histogram", name, values, collections)


def merge(inputs, collections=None, name=None):
    """A graph op concatenating serialized summaries."""
    g = _graph._graph_for_building("summary.merge")
    _, (out,) = g.add_op("merge_summary", inputs=tuple(inputs), avals=[((), string)],
                         node_name=name or "Merge/MergeSummary")
    return out


def merge_all(key=SUMMARIES, scope=None, name=None):
    """Merges every summary op of the collection, or None when there is none."""
    items = _graph.get_default_graph().get_collection(key, scope)
    return merge(items, name=name) if items else None


def _scalar_rule(session, node, ins):
    value = float(np.asarray(ins[0].numpy()).reshape(()))
    return _HostValue(_encode_summary([proto.Value(tag=node.params["tag"], simple_value=value)]))


def _histogram_rule(session, node, ins):
    meta = proto.SummaryMetadata("histograms", data_class=proto.DATA_CLASS_TENSOR)
    buckets = histogram_buckets(np.asarray(ins[0].numpy()), 30)
    return _HostValue(_encode_summary([proto.Value(tag=node.params["tag"], metadata=meta, tensor=buckets)]))


def _merge_rule(session, node, ins):
    return _HostValue(b"".join(v.value for v in ins))


_session.RULES["scalar_summary"] = _scalar_rule
_session.RULES["histogram_summary"] = _histogram_rule
_session.RULES["merge_summary"] = _merge_rule


class FileWriter:
    """Writes TensorBoard event files: the graph (`add_graph` or `graph=`) and serialized summaries.

    >>> writer = tf.compat.v1.summary.FileWriter('.')
    >>> writer.add_graph(tf.compat.v1.get_default_graph())
    """

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None, filename_suffix=None,
                 session=None):
        self._writer = create_file_writer(logdir, max_queue=max_queue, flush_millis=flush_secs * 1000,
                                          filename_suffix=filename_suffix or "")
        self._logdir = logdir
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self):
        return self._logdir

    def add_event(self, event):
        self._writer.write_event(event)

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Writes `graph` (a compat.v1 Graph, any webtensor Graph, or GraphDef bytes) for TensorBoard's graph tab."""
        if graph_def is None:
            graph_def = graph if isinstance(graph, (bytes, bytearray)) else graph_def_bytes(graph)
        self.add_event(proto.Event(wall_time=time.time(), step=int(global_step or 0), graph_def=bytes(graph_def)))

    def add_summary(self, summary, global_step=None):
        """Writes a serialized Summary (what running a summary op returns) at `global_step`."""
        if isinstance(summary, _HostValue):
            summary = summary.value
        values = _decode_summary(bytes(summary)) if isinstance(summary, (bytes, bytearray)) else list(summary)
        self.add_event(proto.Event(wall_time=time.time(), step=int(global_step or 0), summary=values))

    def add_session_log(self, session_log, global_step=None):
        pass

    def flush(self):
        self._writer.flush()

    def close(self):
        self._writer.close()

    def reopen(self):
        self._writer.init()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


FileWriterCache = None
create_file_writer = create_file_writer
all_v2_summary_ops = None


def __getattr__(name):
    return getattr(_summary, name)
