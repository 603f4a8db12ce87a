"""What ``bpr whatif`` writes: the changed process as YAML that keeps what a reader put in the files.

A process written back from the model loses what YAML does not model: the comments, the editor modeline
(``# yaml-language-server: $schema=…``, ``# vim: …``) and, for changes given in a change-list file, the
list's own ``name:`` and ``description:``. :func:`whatif_yaml` puts them back: the leading comments of the
process file (modeline first) and of the change-list file, the changes applied in words, then the process
under the change list's name.
"""

from __future__ import annotations

from collections.abc import Sequence

from bpr.changes import Change, describe
from bpr.model.load import dump_process
from bpr.model.schema import Process

__all__ = ["leading_comments", "whatif_yaml"]


def leading_comments(text: str) -> list[str]:
    """The comment lines (and the blank lines between them) at the top of a YAML text, as written."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and lines):
            lines.append(line.rstrip())
        elif not stripped:
            continue
        else:
            break
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _is_modeline(line: str) -> bool:
    body = line.lstrip("# ").lower()
    return body.startswith(("yaml-language-server:", "vim:", "vi:", "-*-", "ex:"))


def whatif_yaml(process: Process, applied: Sequence[Change], *, file_text: str = "",
                changes_text: str = "", name: str | None = None, description: str | None = None) -> str:
    """``process`` as YAML under the comments of the files it came from and the changes applied in words.

    ``file_text`` is the process file (or change list) given; ``changes_text`` the ``--changes`` file;
    ``name`` and ``description`` those of the change-list file, which the changed process takes.
    """
    update = {key: value for key, value in (("name", name), ("description", description)) if value}
    if update:
        process = process.model_copy(update=update)
    comments = leading_comments(file_text) + leading_comments(changes_text)
    modelines = [line for line in comments if _is_modeline(line)]
    others = [line for line in comments if not _is_modeline(line)]
    header = list(dict.fromkeys(modelines))  # a modeline stays first, where editors look for it
    header += others
    if applied:
        if header:
            header.append("#")
        header.append(f"# Changes applied ({len(applied)}):")
        header += [f"#   - {describe(change)}" for change in applied]
    text = dump_process(process)
    return ("\n".join(header) + "\n" + text) if header else text
