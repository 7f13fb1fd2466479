"""Building HTML and SVG as element trees, so every piece of text is escaped on the way out.

Titles, group values and reasons come from a directive and its data, which
are untrusted: the page is built with :func:`el` on :mod:`xml.etree` and never
by pasting strings, so none of them can open a tag.

>>> to_html(el("p", {"class": "note"}, "a < b & ", el("code", None, "<x>"), "!"))
'<p class="note">a &lt; b &amp; <code>&lt;x&gt;</code>!</p>'
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping

#: Characters XML 1.0 does not allow, even escaped; text from a directive may hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Child = ET.Element | str | None | Iterable["Child"]


def el(tag: str, attrs: Mapping[str, object] | None = None, /, *children: Child) -> ET.Element:
    """An element with *attrs* (None values left out) and *children* (elements, text, lists of both)."""
    element = ET.Element(tag, {k: _attr(v) for k, v in (attrs or {}).items() if v is not None})
    add(element, *children)
    return element


def add(element: ET.Element, *children: Child) -> ET.Element:
    """Append *children* to *element*: text joins the text or the last child's tail."""
    for child in children:
        if child is None:
            continue
        if isinstance(child, str):
            if len(element):
                last = element[-1]
                last.tail = (last.tail or "") + child
            else:
                element.text = (element.text or "") + child
        elif isinstance(child, ET.Element):
            element.append(child)
        else:
            add(element, *child)
    return element


def to_html(element: ET.Element) -> str:
    """*element* serialised as HTML (inline SVG included), with characters XML rejects replaced."""
    return NOT_XML.sub("\ufffd", ET.tostring(element, encoding="unicode", method="html"))


def num(value: float) -> str:
    """A coordinate for SVG: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _attr(value: object) -> str:
    if isinstance(value, float):
        return num(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
