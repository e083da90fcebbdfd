"""`python -m webtensor` / the `webtensor` command."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="webtensor", description="webtensor command line")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("version", help="print the version")
    nb = sub.add_parser("notebook", help="serve the browser notebook on this machine",
                        description="Serve the webtensor browser notebook (front end, Pyodide, wheelhouse "
                                    "and a contents API for .ipynb files) from this machine only.")
    nb.add_argument("--port", type=int, default=8888, help="port to listen on (default 8888; 0 picks a free one)")
    nb.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    nb.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    nb.add_argument("--notebook-dir", default=".", help="folder whose notebooks are listed, opened and saved "
                                                        "(default: the current folder)")
    board = sub.add_parser("board", help="serve the TensorBoard-like dashboard over a log directory",
                           description="Serve the webtensor dashboard (scalars, graphs, histograms, text, images) "
                                       "over a log directory of event files; new data appears as files grow.")
    board.add_argument("--logdir", required=True, help="the log directory (each folder of event files is a run)")
    board.add_argument("--port", type=int, default=6006, help="port to listen on (default 6006; 0 picks a free one)")
    board.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    board.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    args = parser.parse_args(argv)
    if args.command == "board":
        from webtensor.board.server import serve as serve_board
        return serve_board(args.logdir, port=args.port, host=args.host, open_browser=not args.no_browser)
    if args.command == "notebook":
        from webtensor.notebook.server import serve
        return serve(port=args.port, host=args.host, notebook_dir=args.notebook_dir,
                     open_browser=not args.no_browser)
    if args.command == "version" or args.command is None:
        import webtensor
        print(webtensor.__version__)
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
