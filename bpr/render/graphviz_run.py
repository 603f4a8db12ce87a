"""Turn DOT text into SVG, PNG or PDF with the system Graphviz (``dot``), or say exactly what is missing.

PNG and PDF go through Graphviz's cairo renderer (``png:cairo``, ``pdf:cairo``), which draws text with
Pango and so finds Japanese fonts through fontconfig; without a CJK font installed, Japanese comes out as
boxes, hence the install line names a font package too. Nothing is written unless rendering succeeded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bpr.errors import BprError
from bpr.render.files import write_atomic

FORMATS: tuple[str, ...] = ("svg", "png", "pdf", "dot")
INSTALL_HINT = "apt-get install graphviz fonts-ipafont-gothic"

_RENDERERS = {"svg": "svg", "png": "png:cairo", "pdf": "pdf:cairo"}
DEFAULT_DPI = 144
TIMEOUT_SECONDS = 120


class RenderError(BprError):
    """A diagram could not be drawn (Graphviz missing or failing, or an unknown output format)."""


class GraphvizNotFound(RenderError):
    """The ``dot`` program is not on PATH."""


def missing_dot_message(fmt: str) -> str:
    return (
        f"cannot draw {fmt.upper()}: the Graphviz program 'dot' was not found on PATH. "
        f"Install it with: {INSTALL_HINT} "
        "(or write DOT text with '-o FILE.dot' and render it elsewhere)"
    )


def format_of(path: str | os.PathLike[str]) -> str:
    """The output format named by a file's suffix: ``out.svg`` -> ``svg``."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "gv":
        suffix = "dot"
    if suffix not in FORMATS:
        raise RenderError(
            f"cannot tell the diagram format from {str(path)!r}: use a file name ending in "
            + ", ".join(f".{f}" for f in FORMATS)
        )
    return suffix


def find_dot() -> str | None:
    return shutil.which("dot")


def run_dot(dot_text: str, fmt: str, *, dpi: int = DEFAULT_DPI) -> bytes:
    """Render DOT text; returns the file's bytes. ``dpi`` applies to PNG only."""
    if fmt == "dot":
        return dot_text.encode("utf-8")
    if fmt not in _RENDERERS:
        raise RenderError(f"unknown diagram format {fmt!r}; use one of {', '.join(FORMATS)}")
    program = find_dot()
    if program is None:
        raise GraphvizNotFound(missing_dot_message(fmt))
    command = [program, f"-T{_RENDERERS[fmt]}"]
    if fmt == "png":
        command.append(f"-Gdpi={dpi}")
    try:
        done = subprocess.run(
            command, input=dot_text.encode("utf-8"), capture_output=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz took longer than {TIMEOUT_SECONDS} s to draw the diagram") from None
    except OSError as error:
        raise RenderError(f"cannot run Graphviz ({program}): {error}") from None
    if done.returncode != 0 or not done.stdout:
        detail = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise RenderError(f"Graphviz could not draw the diagram: {detail}")
    return done.stdout


def write_diagram(dot_text: str, path: str | os.PathLike[str], *, dpi: int = DEFAULT_DPI) -> str:
    """Render to the format named by ``path``'s suffix and write the file; returns the format.

    The file appears whole or not at all: it is rendered first, written to a temporary file beside the
    target, then moved into place.
    """
    fmt = format_of(path)
    write_atomic(path, run_dot(dot_text, fmt, dpi=dpi))
    return fmt
