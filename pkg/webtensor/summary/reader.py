"""Reading event files and log directories (ours, TensorFlow's, TensorBoard's formats old and new).

read_logdir(logdir) -> {run: RunData}. A RunData is the run's scalars, {tag: [ScalarEvent(step,
wall_time, value)]}, and carries the other kinds as attributes: .histograms {tag: [HistogramEvent]},
.text {tag: [TextEvent]}, .images {tag: [ImageEvent]}, .tensors {tag: [TensorEvent]}, .graphs
[GraphEvent] (and .scalars, the run itself). Every event starts with (step, wall_time).
Runs are the directories holding event files ("." for logdir itself).
LogdirReader keeps per-file offsets, so reload() picks up what writers appended since.
"""
import os
from collections import namedtuple

import numpy as np

from . import proto
from .event_file import RecordReader
from .graph_def import decode_graph_def, decode_run_metadata_graphs

ScalarEvent = namedtuple("ScalarEvent", "step wall_time value")
HistogramEvent = namedtuple("HistogramEvent", "step wall_time buckets")    # buckets: float64 [k, 3]
TextEvent = namedtuple("TextEvent", "step wall_time text")                # text: str, or array of str
ImageEvent = namedtuple("ImageEvent", "step wall_time width height images")   # images: [PNG bytes]
TensorEvent = namedtuple("TensorEvent", "step wall_time tensor plugin_name")
GraphEvent = namedtuple("GraphEvent", "step wall_time tag nodes")          # nodes: [proto.NodeDef]

_KINDS = ("histograms", "text", "images", "tensors", "graphs")


class RunData(dict):
    """One run of a log directory: {tag: [ScalarEvent]} for scalars, the other kinds as attributes.

    >>> run = tf.summary.read_logdir("logs")["train"]
    >>> [(step, value) for step, wall_time, value in run["loss"]]
    >>> run.histograms["dense/kernel_0"][-1].buckets      # also run.text, .images, .tensors, .graphs
    """

    def __init__(self, scalars=(), histograms=None, text=None, images=None, tensors=None, graphs=None):
        super().__init__(scalars)
        self.histograms = {} if histograms is None else histograms
        self.text = {} if text is None else text
        self.images = {} if images is None else images
        self.tensors = {} if tensors is None else tensors
        self.graphs = [] if graphs is None else graphs

    @property
    def scalars(self):
        """The scalar series, {tag: [ScalarEvent]}: the run itself, named for readability."""
        return self

    def __missing__(self, tag):
        if tag in _KINDS or tag == "scalars":
            raise KeyError(f"{tag!r} is not a scalar tag of this run; scalars are run[tag] and "
                           f"the other kinds attributes: run.{tag}")
        raise KeyError(tag)

    def __repr__(self):
        counts = ", ".join(f"{kind}={len(getattr(self, kind))}" for kind in _KINDS)
        return f"RunData({dict.__repr__(self)}, {counts})"


def is_event_file(filename):
    return "tfevents" in os.path.basename(filename)


def read_events(path, skip_corrupt=False):
    """Yields the decoded proto.Event records of one event file (a partial last record is ignored).

    >>> for event in read_events(path): print(event.step, event.summary)
    """
    for record in RecordReader(path, skip_corrupt).read_new():
        yield proto.decode_event(record)


def _text_value(tensor):
    decoded = np.vectorize(lambda b: b.decode("utf-8", "replace") if isinstance(b, bytes) else str(b),
                           otypes=[object])(tensor) if tensor.size else tensor.astype(object)
    return decoded.item() if decoded.ndim == 0 else decoded


def legacy_histogram_buckets(histo):
    """A HistogramProto as [k, 3] rows (left, right, count), as TensorBoard migrates it."""
    limits = list(histo.bucket_limit)
    counts = list(histo.bucket)
    if not counts:
        return np.zeros((0, 3), np.float64)
    lefts = [histo.min] + limits[:-1]
    rights = limits[:-1] + [histo.max]
    return np.array([lefts, rights, counts], dtype=np.float64).T[:len(counts)]


class LogdirReader:
    """Incremental reader of a log directory: call reload() to read what was appended since.

    >>> reader = LogdirReader("logs")
    >>> reader.reload()["train"]["loss"][-1].value
    """

    def __init__(self, logdir, skip_corrupt=False):
        self.logdir = os.fspath(logdir)
        self.skip_corrupt = skip_corrupt
        self.runs = {}
        self._readers = {}         # path -> RecordReader
        self._plugins = {}         # (run, tag) -> plugin name, from the first event carrying metadata

    def reload(self):
        """Reads new events from every event file under logdir; returns the runs, {run: RunData}."""
        for run, paths in sorted(self._event_files().items()):
            data = self.runs.get(run)
            if data is None:
                data = self.runs[run] = RunData()
            for path in paths:
                reader = self._readers.get(path)
                if reader is None:
                    reader = self._readers[path] = RecordReader(path, self.skip_corrupt)
                for record in reader.read_new():
                    self._add_event(run, data, proto.decode_event(record))
        return self.runs

    def _event_files(self):
        found = {}
        for root, dirs, files in os.walk(self.logdir):
            dirs.sort()
            events = sorted(f for f in files if is_event_file(f))
            if events:
                run = os.path.relpath(root, self.logdir).replace(os.sep, "/")
                found[run] = [os.path.join(root, f) for f in events]
        return found

    def _add_event(self, run, data, event):
        if event.graph_def is not None:
            data.graphs.append(GraphEvent(event.step, event.wall_time, None, decode_graph_def(event.graph_def)))
        for value in event.summary or ():
            self._add_value(run, data, event, value)

    def _add_value(self, run, data, event, value):
        key = (run, value.tag)
        if value.metadata is not None and value.metadata.plugin_name:
            self._plugins[key] = value.metadata.plugin_name
        plugin = self._plugins.get(key, "")
        step, wall_time, tag = event.step, event.wall_time, value.tag
        if value.simple_value is not None:
            data.setdefault(tag, []).append(ScalarEvent(step, wall_time, float(value.simple_value)))
        elif value.histo is not None:
            data.histograms.setdefault(tag, []).append(
                HistogramEvent(step, wall_time, legacy_histogram_buckets(value.histo)))
        elif value.image is not None:
            img = value.image
            data.images.setdefault(tag, []).append(ImageEvent(step, wall_time, img.width, img.height,
                                                              [img.encoded]))
        elif value.tensor is not None:
            t = value.tensor
            if plugin == "scalars":
                data.setdefault(tag, []).append(ScalarEvent(step, wall_time, float(t.reshape(-1)[0])))
            elif plugin == "histograms":
                data.histograms.setdefault(tag, []).append(
                    HistogramEvent(step, wall_time, np.asarray(t, np.float64).reshape(-1, 3)))
            elif plugin == "text":
                data.text.setdefault(tag, []).append(TextEvent(step, wall_time, _text_value(t)))
            elif plugin == "images":
                blobs = [bytes(b) for b in t.reshape(-1).tolist()]
                width, height = (int(blobs[0]), int(blobs[1])) if len(blobs) >= 2 else (0, 0)
                data.images.setdefault(tag, []).append(ImageEvent(step, wall_time, width, height, blobs[2:]))
            elif plugin in ("graph_run_metadata_graph", "graph_run_metadata") and t.dtype == object:
                for graph in decode_run_metadata_graphs(bytes(t.reshape(-1)[0])):
                    data.graphs.append(GraphEvent(step, wall_time, tag, decode_graph_def(graph)))
            else:
                data.tensors.setdefault(tag, []).append(TensorEvent(step, wall_time, t, plugin))


def read_logdir(logdir, skip_corrupt=False):
    """Reads every run of a TensorBoard log directory (see the module docstring for the layout).

    >>> runs = tf.summary.read_logdir("logs")
    >>> [(e.step, e.value) for e in runs["train"]["loss"]]
    >>> runs["train"].histograms, runs["train"].graphs
    """
    return LogdirReader(logdir, skip_corrupt).reload()
