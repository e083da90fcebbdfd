"""`webtensor board`: a TensorBoard-like dashboard over a log directory (server, JSON API, graph views).

    python -m webtensor board --logdir logs --port 6006
"""
from .graphs import from_graph_json, from_keras_config, from_node_defs  # noqa: F401
from .logdir import BoardLogdir  # noqa: F401
from .server import BoardServer, serve  # noqa: F401
