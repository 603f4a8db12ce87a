"""Reading XML that strangers wrote: bounded in size, no DTD, no entities, no network, line numbers kept.

A BPMN file comes from a modeller, a vendor or, through a service, from anyone. Two parsers read it:

1. ``defusedxml`` (on the standard library's expat) reads it first as a gate, with every DTD refused: an
   entity declaration (the "billion laughs" that expands a kilobyte into gigabytes), an external entity
   (``SYSTEM "file:///etc/passwd"``) or any ``<!DOCTYPE`` stops it at once, before anything expands. A
   BPMN 2.0 file has no use for a DTD, so none is accepted.
2. ``lxml`` then builds the tree with entities, network access and huge-tree support off, so that every
   element knows its line (``sourceline``) for the messages of the importer.

Files larger than :data:`MAX_BYTES` are refused before they are read whole. Every refusal is an
:class:`XmlError` whose message names the file, the line where known, and what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

import defusedxml
import defusedxml.ElementTree
from lxml import etree

__all__ = ["MAX_BYTES", "XmlError", "parse_xml", "read_bytes"]

MAX_BYTES = 16 * 1024 * 1024
"""Largest XML file accepted (16 MiB): a BPMN model of a few hundred elements with its diagram is well
under 1 MiB; the largest models shipped by modelling tools are a few MiB."""


class XmlError(ValueError):
    """XML that is refused or cannot be read; ``file``, ``line`` and ``hint`` say where and what to do."""

    def __init__(self, message: str, file: str, line: int | None = None, hint: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}" + (f" — {hint}" if hint else ""))


def read_bytes(path: str | os.PathLike[str], limit: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``, refusing files over ``limit`` without reading them whole."""
    file = str(path)
    try:
        size = os.stat(path).st_size
        if size > limit:
            raise XmlError(f"file is {size / 1048576:.1f} MiB; at most {limit / 1048576:.0f} MiB are read", file,
                           hint="a BPMN model is rarely over 1 MiB: check that this is the right file")
        with Path(path).open("rb") as handle:
            data = handle.read(limit + 1)  # a file that grew (or a device) is still bounded
    except FileNotFoundError:
        raise XmlError("no such file", file) from None
    except IsADirectoryError:
        raise XmlError("is a folder, not a BPMN file", file) from None
    except OSError as error:
        raise XmlError(f"cannot read file: {error.strerror or error}", file) from None
    if len(data) > limit:
        raise XmlError(f"file is larger than {limit / 1048576:.0f} MiB", file)
    return data


_HARDENED = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                 huge_tree=False, remove_comments=True, remove_pis=True)


def parse_xml(data: bytes, file: str = "<input>", limit: int = MAX_BYTES) -> etree._Element:
    """The root element of the XML document ``data`` (elements carry ``sourceline``), or :class:`XmlError`."""
    if len(data) > limit:
        raise XmlError(f"document is larger than {limit / 1048576:.0f} MiB", file)
    if not data.strip():
        raise XmlError("the file is empty", file, hint="give a BPMN 2.0 XML file (.bpmn)")
    try:
        defusedxml.ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise XmlError("the document declares a DTD (<!DOCTYPE …>), which is refused", file, _doctype_line(data),
                       hint="BPMN files need no DTD; entities in it could expand without bound or read "
                            "other files. Remove the <!DOCTYPE …> block") from None
    except defusedxml.DefusedXmlException as error:  # entities or external references outside a DTD
        raise XmlError(f"refused: {error}", file, hint="remove entity declarations and references") from None
    except SyntaxError as error:  # xml.etree.ElementTree.ParseError: malformed XML
        line = getattr(error, "position", (None, None))[0]
        text = str(error).split(":")[0]
        raise XmlError(f"not well-formed XML: {text}", file, line,
                       hint="open it in a BPMN modeller or an XML editor to see where it breaks") from None
    except (ValueError, MemoryError) as error:
        raise XmlError(f"cannot read the XML: {error}", file) from None
    parser = etree.XMLParser(**_HARDENED)  # type: ignore[call-overload]
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        if "Excessive depth" in str(error.msg):
            raise XmlError("elements are nested more than 256 levels deep", file, error.lineno,
                           hint="a BPMN model is a few levels deep: this is not one") from None
        raise XmlError(f"not well-formed XML: {error.msg}", file, error.lineno) from None
    if root is None:
        raise XmlError("no XML element found", file)
    return root


def _doctype_line(data: bytes) -> int | None:
    at = data.find(b"<!DOCTYPE")
    return data.count(b"\n", 0, at) + 1 if at >= 0 else None
