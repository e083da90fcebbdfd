"""tf.summary: TensorBoard event files written and read without TensorFlow (numpy only).

    writer = tf.summary.create_file_writer("logs/train")
    with writer.as_default(step=0):
        tf.summary.scalar("loss", 0.5)
    run = tf.summary.read_logdir("logs")["train"]       # {tag: [(step, wall_time, value)]}
    run["loss"], run.histograms, run.graphs
"""
from . import experimental  # noqa: F401
from .event_file import DataLossError, crc32c, masked_crc32c  # noqa: F401
from .png import decode_png, encode_png  # noqa: F401
from .reader import (GraphEvent, HistogramEvent, ImageEvent, LogdirReader, RunData, ScalarEvent,  # noqa: F401
                     TensorEvent, TextEvent, read_events, read_logdir)
from .summary_ops import histogram, image, keras_model, scalar, text, write  # noqa: F401
from .trace import graph, trace_export, trace_off, trace_on  # noqa: F401
from .writer import (SummaryWriter, create_file_writer, create_noop_writer, flush, record_if,  # noqa: F401
                     should_record_summaries)
