"""The browser notebook's local server: `webtensor notebook` (see server.py for the URL layout)."""
from webtensor.notebook.contents import ContentsManager, atomic_write, validate_notebook
from webtensor.notebook.server import NotebookServer, serve

__all__ = ["ContentsManager", "NotebookServer", "atomic_write", "serve", "validate_notebook"]
