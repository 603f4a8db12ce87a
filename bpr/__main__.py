"""``python -m bpr``: the same command as ``bpr``, for machines where the script is not on PATH."""

from bpr.cli import run

run()
