"""The command-line face of bpr: ``bpr validate``, ``analyze``, ``simulate``… (see :mod:`bpr.cli.main`)."""

from __future__ import annotations

__all__ = ["run"]


def run() -> None:
    """The ``bpr`` command. Ctrl-C and SIGTERM are taken over before the command's libraries load, so that
    they end it with a short line at any moment (:mod:`bpr.cli.interrupt`)."""
    from bpr.cli.interrupt import EXIT_INTERRUPTED, install

    install()
    try:
        from bpr.cli.main import app
    except KeyboardInterrupt:
        raise SystemExit(EXIT_INTERRUPTED) from None
    app()
