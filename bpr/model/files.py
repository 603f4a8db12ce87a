"""Whether a path can be read as an input file: a FIFO would block for ever and ``/dev/zero`` never ends."""

from __future__ import annotations

import os
import stat

__all__ = ["unreadable"]

_KINDS_OF_FILE = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
                  (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def unreadable(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be read as a process file, or ``None`` when it is a regular file (a FIFO would
    block for ever, ``/dev/zero`` never ends, a name of 5,000 characters is refused by the system)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except (OSError, ValueError) as error:  # ENAMETOOLONG, ELOOP, EACCES…; ValueError: a NUL in the name
        return f"cannot read file: {getattr(error, 'strerror', None) or error}"
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS_OF_FILE if test(mode)), "not a regular file")
    return f"is {kind}, not a process file"
