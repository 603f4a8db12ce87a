"""Rendering with the system Graphviz: SVG, PNG and PDF come out, Japanese is drawn as glyphs (not boxes),
and without Graphviz the error says exactly what to install and no file is written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from render_png import read_png
from render_samples import small_process

from bpr.render import (
    INSTALL_HINT,
    GraphvizNotFound,
    RenderError,
    format_of,
    render_comparison,
    render_dot,
    run_dot,
    write_diagram,
)
from bpr.render.graphviz_run import missing_dot_message
from bpr.render.style import FONT

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@pytest.fixture(scope="module")
def small_dot() -> str:
    return render_dot(small_process())


def test_svg_renders_with_japanese_text_and_the_font_list(small_dot, tmp_path):
    path = tmp_path / "flow.svg"
    assert write_diagram(small_dot, path) == "svg"
    root = ElementTree.fromstring(path.read_bytes())
    assert root.tag.endswith("svg")
    texts = "".join(node.text or "" for node in root.iter() if node.tag.endswith("text"))
    for words in ("申請書の受付", "係長確認", "凡例", "差戻し 10%"):
        assert words in texts
    families = {node.get("font-family") for node in root.iter() if node.tag.endswith("text")}
    assert families == {FONT}


def test_png_and_pdf_render(small_dot, tmp_path):
    png = tmp_path / "flow.png"
    write_diagram(small_dot, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert oct(png.stat().st_mode & 0o777) == "0o644"
    pdf = tmp_path / "flow.pdf"
    write_diagram(small_dot, pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_dot_output_is_the_text_itself(small_dot, tmp_path):
    path = tmp_path / "flow.dot"
    write_diagram(small_dot, path)
    assert path.read_text(encoding="utf-8") == small_dot


def test_comparison_renders(tmp_path):
    process = small_process()
    path = tmp_path / "compare.svg"
    write_diagram(render_comparison(process, process), path)
    assert b"<svg" in path.read_bytes()


def test_format_comes_from_the_suffix():
    assert format_of("a/b/flow.PNG") == "png"
    assert format_of("flow.gv") == "dot"
    with pytest.raises(RenderError, match=r"cannot tell the diagram format from 'flow\.gif'"):
        format_of("flow.gif")


def test_graphviz_errors_are_reported_not_raised_raw():
    with pytest.raises(RenderError, match="Graphviz could not draw the diagram: .*syntax error"):
        run_dot("digraph { a -> }", "svg")


# --- without Graphviz ---------------------------------------------------------------------------------


@pytest.fixture
def no_dot_on_path(monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.parametrize("suffix", ["png", "pdf", "svg"])
def test_without_dot_rendering_fails_with_the_install_line_and_writes_nothing(no_dot_on_path, small_dot,
                                                                            tmp_path, suffix):
    target = tmp_path / f"flow.{suffix}"
    with pytest.raises(GraphvizNotFound) as raised:
        write_diagram(small_dot, target)
    assert str(raised.value) == (
        f"cannot draw {suffix.upper()}: the Graphviz program 'dot' was not found on PATH. "
        "Install it with: apt-get install graphviz fonts-ipafont-gothic "
        "(or write DOT text with '-o FILE.dot' and render it elsewhere)"
    )
    assert INSTALL_HINT == "apt-get install graphviz fonts-ipafont-gothic"
    assert not target.exists()
    assert list(tmp_path.glob("*flow*")) == []  # no temporary file left either


def test_without_dot_the_dot_text_can_still_be_written(no_dot_on_path, small_dot, tmp_path):
    path = tmp_path / "flow.dot"
    assert write_diagram(small_dot, path) == "dot"
    assert path.read_text(encoding="utf-8") == small_dot


def test_cli_without_dot_exits_2_with_the_message(tmp_path):
    source = tmp_path / "p.yaml"
    source.write_text(_small_yaml(), encoding="utf-8")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    target = tmp_path / "flow.png"
    done = subprocess.run(
        [sys.executable, "-m", "bpr.cli.main", "render", str(source), "-o", str(target)],
        capture_output=True, text=True, env={**os.environ, "PATH": str(empty)}, check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == missing_dot_message("png")
    assert not target.exists()


def _small_yaml() -> str:
    import yaml
    from render_samples import small_data

    return yaml.safe_dump(small_data(), allow_unicode=True)


# --- Japanese glyphs, not boxes -------------------------------------------------------------------------


def _ink(text: str, env: dict[str, str] | None = None) -> int:
    """Dark pixels in a PNG of ``text`` alone, drawn in the diagrams' font at 28 pt."""
    dot_text = (
        f'digraph {{ pad=0 node [shape=plaintext margin=0 fontname="{FONT}" fontsize=28] '
        f'a [label="{text}"] }}'
    )
    done = subprocess.run(
        ["dot", "-Tpng:cairo", "-Gdpi=72"], input=dot_text.encode("utf-8"), capture_output=True, check=True,
        env=env,
    )
    pixels = read_png(done.stdout).astype(np.int32)
    grey = pixels[:, :, :3].mean(axis=2) if pixels.shape[2] >= 3 else pixels[:, :, 0]
    return int((grey < 128).sum())


def _looks_like_glyphs(env: dict[str, str] | None = None) -> tuple[bool, float, int]:
    """A single stroke (一) carries far less ink than a dense kanji (鬱) when real glyphs are drawn; the
    boxes drawn for a missing font cost about the same for every character."""
    thin, dense = _ink("一一一", env), _ink("鬱鬱鬱", env)
    ratio = thin / dense if dense else 1.0
    return ratio < 0.3, ratio, dense


def test_a_japanese_font_is_installed():
    families = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True, check=True)
    assert families.stdout.strip(), "no Japanese font: apt-get install fonts-ipafont-gothic"


def test_japanese_labels_are_drawn_as_glyphs():
    glyphs, ratio, dense = _looks_like_glyphs()
    assert glyphs, f"ink of 一 / 鬱 = {ratio:.2f}: Japanese is drawn as boxes"
    assert dense > 300
    blank = _ink(" ")
    assert blank == 0 and _ink("申請書の受付") > 300


@pytest.mark.skipif(not DEJAVU.is_dir(), reason="needs the DejaVu fonts to build a font set without Japanese")
def test_the_glyph_check_sees_boxes_when_no_japanese_font_is_available(tmp_path):
    # The check above must be able to fail: with fontconfig limited to a Latin-only font, Pango draws
    # boxes, and the ink no longer depends on the character.
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{DEJAVU}</dir><cachedir>{tmp_path / "cache"}</cachedir>'
        "</fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    glyphs, ratio, _ = _looks_like_glyphs(env)
    assert not glyphs, f"ink of 一 / 鬱 = {ratio:.2f} with no Japanese font"


def test_dot_is_on_this_machine():
    assert shutil.which("dot"), f"Graphviz is needed for the diagram tests: {INSTALL_HINT}"
