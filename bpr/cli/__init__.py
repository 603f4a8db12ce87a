"""The command-line face of bpr: ``bpr validate``, ``analyze``, ``simulate``… (see :mod:`bpr.cli.main`)."""
