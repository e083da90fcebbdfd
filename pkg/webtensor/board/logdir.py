"""The dashboard's view of a log directory: incremental reads, read errors kept per run, and the JSON the
API answers with.

Each event file is read from the byte offset where the last read stopped, so growing files cost only
their new bytes; a trailing record still being written is left for the next read; a corrupt record is
skipped and reported (file, byte offset, what failed) in the run's `errors` while the rest is kept.
"""
import math
import threading

import numpy as np

from ..summary import proto
from ..summary.event_file import DataLossError, RecordReader
from ..summary.reader import LogdirReader, RunData
from . import graphs as graph_views

KEEP_ERRORS = 20   # per run: the first ones say where a file went wrong; the rest are counted


class _ReportingRecordReader(RecordReader):
    """A RecordReader that skips corrupt records and keeps a message for each."""

    def __init__(self, path):
        super().__init__(path, skip_corrupt=True)
        self.errors = []

    def _corrupt(self, pos, what):
        self.corrupt_records += 1
        self.errors.append(str(DataLossError(self.path, self.offset + pos, what)))


class BoardLogdir(LogdirReader):
    """A LogdirReader for a server: thread-safe reloads, per-run errors and a generation count.

    >>> board = BoardLogdir("logs")
    >>> board.reload()
    >>> board.runs_json()["runs"]["train"]["scalars"]      # {tag: number of points}
    >>> board.scalars_json("train", "loss", since=0)       # {"step": [...], "wall_time": [...], "value": [...]}
    """

    def __init__(self, logdir):
        super().__init__(logdir, skip_corrupt=True)
        self.lock = threading.RLock()
        self.errors = {}           # run -> [message]
        self.error_counts = {}     # run -> total errors, shown ones included
        self.generation = 0        # grows whenever a reload found new data or new errors

    def reload(self):
        """Reads what was appended to every event file since the last call (new files and runs too)."""
        with self.lock:
            changed = False
            for run, paths in sorted(self._event_files().items()):
                data = self.runs.get(run)
                if data is None:
                    data = self.runs[run] = RunData()
                    changed = True
                for path in paths:
                    changed |= self._read_file(run, data, path)
            if changed:
                self.generation += 1
            return self.runs

    def _read_file(self, run, data, path):
        reader = self._readers.get(path)
        if reader is None:
            reader = self._readers[path] = _ReportingRecordReader(path)
        try:
            records = reader.read_new()
        except OSError as e:     # removed or unreadable since it was listed
            self._error(run, f"cannot read event file {path}: {e.strerror or e}")
            self._readers.pop(path, None)
            return True
        for message in reader.errors:
            self._error(run, message)
        changed = bool(records or reader.errors)
        reader.errors = []
        for record in records:
            try:
                event = proto.decode_event(record)
            except Exception as e:  # noqa: BLE001 - a record with a valid CRC but bad content
                self._error(run, f"undecodable event in {path}: {type(e).__name__}: {e}")
                continue
            self._add_event(run, data, event)
        return changed

    def _error(self, run, message):
        self.error_counts[run] = self.error_counts.get(run, 0) + 1
        shown = self.errors.setdefault(run, [])
        if len(shown) < KEEP_ERRORS:
            shown.append(message)

    # -- JSON views ---------------------------------------------------------------------------------

    def runs_json(self):
        """Every run with its tags per kind (tag -> number of events) and its read errors."""
        with self.lock:
            runs = {}
            for run, data in sorted(self.runs.items()):
                runs[run] = {
                    "scalars": {tag: len(events) for tag, events in sorted(data.items())},
                    "histograms": {tag: len(events) for tag, events in sorted(data.histograms.items())},
                    "images": {tag: len(events) for tag, events in sorted(data.images.items())},
                    "text": {tag: len(events) for tag, events in sorted(data.text.items())},
                    "graphs": len(self._graph_events(data)),
                    "errors": list(self.errors.get(run, [])),
                    "error_count": self.error_counts.get(run, 0),
                }
            return {"logdir": self.logdir, "generation": self.generation, "runs": runs}

    def _run(self, run):
        data = self.runs.get(run)
        if data is None:
            raise KeyError(f"no run {run!r} in {self.logdir}")
        return data

    def _series(self, run, kind, tag):
        data = self._run(run)
        series = (data if kind == "scalars" else getattr(data, kind)).get(tag)
        if series is None:
            raise KeyError(f"run {run!r} has no {kind} tag {tag!r}")
        return series

    def scalars_json(self, run, tag, since=0):
        """A scalar tag's points from index `since` on, as columns (non-finite values as strings)."""
        with self.lock:
            events = self._series(run, "scalars", tag)[since:]
        if events:
            steps, wall_times, values = zip(*events)
        else:
            steps, wall_times, values = (), (), ()
        return {"run": run, "tag": tag, "since": since, "step": list(steps),
                "wall_time": list(wall_times), "value": finite_or_text(values)}

    def histograms_json(self, run, tag, since=0):
        """A histogram tag's events from index `since` on: buckets as [[left, right, count], ...]."""
        with self.lock:
            events = self._series(run, "histograms", tag)[since:]
        return {"run": run, "tag": tag, "since": since, "events": [
            {"step": e.step, "wall_time": e.wall_time,
             "buckets": [finite_or_text(row) for row in np.asarray(e.buckets, np.float64).tolist()]}
            for e in events]}

    def text_json(self, run, tag, since=0):
        """A text tag's events: text is a string, or nested lists of strings for a text tensor."""
        with self.lock:
            events = self._series(run, "text", tag)[since:]
        return {"run": run, "tag": tag, "since": since, "events": [
            {"step": e.step, "wall_time": e.wall_time,
             "text": e.text.tolist() if isinstance(e.text, np.ndarray) else e.text} for e in events]}

    def images_json(self, run, tag):
        """An image tag's events: size and how many images each holds (fetch one with image_png)."""
        with self.lock:
            events = self._series(run, "images", tag)
        return {"run": run, "tag": tag, "events": [
            {"step": e.step, "wall_time": e.wall_time, "width": e.width, "height": e.height,
             "count": len(e.images)} for e in events]}

    def image_png(self, run, tag, index, sample=0):
        """The encoded bytes of image `sample` of event `index` of an image tag."""
        with self.lock:
            events = self._series(run, "images", tag)
        if not -len(events) <= index < len(events):
            raise KeyError(f"image tag {tag!r} of run {run!r} has {len(events)} events, no index {index}")
        images = events[index].images
        if not 0 <= sample < len(images):
            raise KeyError(f"image event {index} of tag {tag!r} holds {len(images)} images, no sample {sample}")
        return images[sample]

    def _graph_events(self, data):
        keras = [(tag, e) for tag, events in data.tensors.items() for e in events
                 if e.plugin_name == "graph_keras_model"]
        return [("graph_def" if g.tag is None else g.tag, g) for g in data.graphs] + keras

    def graphs_json(self, run):
        """The run's graphs (GraphDef events, traced function graphs, Keras model configs) as view JSON."""
        with self.lock:
            found = self._graph_events(self._run(run))
        out = []
        for tag, event in found:
            if hasattr(event, "nodes"):
                view = graph_views.from_node_defs(event.nodes, name=tag)
            else:
                view = graph_views.from_keras_config(_text_item(event.tensor), name=tag)
                view["kind"] = "keras"
            view.update(tag=tag, step=event.step, wall_time=event.wall_time)
            view.setdefault("kind", "op")
            out.append(view)
        return {"run": run, "graphs": out}


def _text_item(tensor):
    item = np.asarray(tensor).reshape(-1)[0]
    return item.decode("utf-8") if isinstance(item, bytes) else str(item)


def finite_or_text(values):
    """Floats for JSON: NaN and the infinities as the strings "NaN", "Infinity", "-Infinity"
    (JavaScript's Number() reads them back)."""
    out = []
    for v in values:
        v = float(v)
        if math.isfinite(v):
            out.append(v)
        else:
            out.append("NaN" if v != v else ("Infinity" if v > 0 else "-Infinity"))
    return out

