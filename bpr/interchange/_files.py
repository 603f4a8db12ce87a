"""Where the writers put their text: a file object as given, or a path written atomically."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO, Union

Target = Union[str, "os.PathLike[str]", TextIO]
"""A path (written atomically, folders created) or an open text file (written as it is)."""


@contextmanager
def text_output(target: Target, newline: str | None = None) -> Iterator[TextIO]:
    """An open text file for ``target``. A path is written to a temporary file in its folder that replaces
    the path only when the writer finished: a failure half-way never leaves half a log behind."""
    if not isinstance(target, (str, os.PathLike)):
        yield target
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkstemp: its files are private (0600); a log is for sharing, so the umask decides.
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
