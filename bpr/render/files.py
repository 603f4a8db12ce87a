"""Writing output files (``-o``): whole or not at all, with the permissions the user expects.

- A file appears whole or not at all: it is written to a temporary name beside its target and renamed
  into place, so an error or a Ctrl-C never leaves a half-written file. :class:`StagedFiles` does this for
  several files at once (a report and its diagrams): all are renamed into place at the end, or none.
- A new file gets the mode the user's umask gives (``0666 & ~umask``, 0644 usually), like any file a
  command writes; a file that exists keeps its mode.
- An output that is a symbolic link is written through to the file it points to, as the shell's ``>``
  does; the link stays.
- Missing folders are created (``-o out/2026/report.html``), and :func:`missing_folder` tells the caller
  beforehand which one will be, so that a face can say so: a typing error in a folder name should not
  create a tree of folders without a word. When the writing fails, the folders it created are removed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType

__all__ = ["StagedFiles", "missing_folder", "write_atomic"]


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: put it back at once
    os.umask(mask)
    return mask


def _target(path: str | os.PathLike[str]) -> Path:
    """Where the bytes for ``path`` go: through a symbolic link to the file it points to."""
    target = Path(path)
    return target.resolve() if target.is_symlink() else target


def missing_folder(path: str | os.PathLike[str]) -> Path | None:
    """The outermost folder that writing ``path`` will create, or ``None`` when its folder exists."""
    folder = _target(path).absolute().parent
    missing = None
    while not folder.is_dir() and folder != folder.parent:
        missing = folder
        folder = folder.parent
    return missing


def _stage(target: Path, data: bytes) -> str:
    """Write ``data`` to a temporary file beside ``target`` with the mode ``target`` will have; its name."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(temporary, mode)  # mkstemp makes it private (0600)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` as the module doc says; returns the file written."""
    with StagedFiles() as staged:
        staged.write(path, data)
    return staged.written[0]


class StagedFiles:
    """Files written under temporary names and renamed into place together when the ``with`` block ends
    without an error; on an error (or a Ctrl-C) the temporary files are removed and no target changes."""

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []
        self._created: list[Path] = []
        self.written: list[Path] = []
        """The files put in place, in the order written (after the block)."""

    def write(self, path: str | os.PathLike[str], data: bytes | str) -> None:
        target = _target(path)
        created = missing_folder(target)
        if created is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._created.append(created)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self._staged.append((_stage(target, raw), target))

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is None:
                while self._staged:
                    temporary, target = self._staged[0]
                    os.replace(temporary, target)
                    self._staged.pop(0)
                    self.written.append(target)
        finally:
            failed = bool(self._staged)
            for temporary, _ in self._staged:
                Path(temporary).unlink(missing_ok=True)
            self._staged.clear()
            if failed:
                for folder in reversed(self._created):
                    _remove_empty(folder)


def _remove_empty(top: Path) -> None:
    """Remove ``top`` and the folders in it, where they are empty (nothing else was put there meanwhile)."""
    for folder, _, _ in sorted(os.walk(top), key=lambda entry: -len(entry[0])):
        try:
            os.rmdir(folder)
        except OSError:
            pass
