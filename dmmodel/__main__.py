"""The ``dmmodel`` command (and ``python -m dmmodel``): Ctrl-C while the command line is still
loading ends like any other interrupt, with one line and exit status 130, not a traceback."""

from __future__ import annotations

import sys

INTERRUPTED = 130  # as ``cli.errors.INTERRUPTED``, which is not imported yet when this is needed


def run() -> None:
    """Load the command line and run it."""
    try:
        from dmmodel.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(INTERRUPTED) from None
    main()


if __name__ == "__main__":
    run()
