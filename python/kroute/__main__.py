"""``python -m kroute``: the kroute command line (see ``kroute --help``)."""

from kroute.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
