"""`python -m webtensor` / the `webtensor` command."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="webtensor", description="webtensor command line")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("version", help="print the version")
    args = parser.parse_args(argv)
    if args.command == "version" or args.command is None:
        import webtensor
        print(webtensor.__version__)
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
