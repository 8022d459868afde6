"""The one cleaning of text on its way in: control characters out, line breaks only where a
field holds several lines.

Whatever a contributor types, an import file holds or a moderator pastes passes through
`clean_text_value` before it is stored (model validation calls it for every text field, the
import readers for every cell). What it removes can do nothing useful in survmap's records and
breaks what reads them: C0 and C1 control characters (U+0007 makes the Atom feed invalid XML, NUL
is refused by PostgreSQL), the explicit bidirectional overrides and isolates that reorder the
text after them on a page (CVE-2021-42574, "Trojan Source"), lone surrogates and the two
non-characters XML forbids. Tab and newline stay in multi-line fields (CR LF and CR become LF);
in a one-line field every line break or tab becomes a space.
"""

from __future__ import annotations

import re

# C0 controls except tab (9), newline (10) and carriage return (13, folded below); DEL and C1.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# LRE RLE PDF LRO RLO, LRI RLI FSI PDI.
_BIDI_CONTROL = "\u202a-\u202e\u2066-\u2069"
# Lone surrogates and the non-characters U+FFFE, U+FFFF: not characters, and not XML.
_NOT_CHARACTERS = "\ud800-\udfff\ufffe\uffff"
_REMOVED = re.compile(f"[{_CONTROL}{_BIDI_CONTROL}{_NOT_CHARACTERS}]")
_LINE_BREAK = re.compile(r"\r\n?|[\u0085\u2028\u2029]")
_ONE_LINE = re.compile(r"[\t\n]")
# Anything the cleaning would change: most text has none, and is returned after one scan.
_SUSPECT_MULTILINE = re.compile(f"[\r\u0085\u2028\u2029{_CONTROL}{_BIDI_CONTROL}{_NOT_CHARACTERS}]")
_SUSPECT_ONE_LINE = re.compile(
    f"[\t\n\r\u0085\u2028\u2029{_CONTROL}{_BIDI_CONTROL}{_NOT_CHARACTERS}]"
)


def clean_text_value(value: str, *, multiline: bool) -> str:
    """`value` without control characters; tab and LF kept only when `multiline`."""
    if not (_SUSPECT_MULTILINE if multiline else _SUSPECT_ONE_LINE).search(value):
        return value
    value = _LINE_BREAK.sub("\n", value)
    value = _REMOVED.sub("", value)
    if not multiline:
        value = _ONE_LINE.sub(" ", value)
    return value


def header_safe(value: str) -> str:
    """Text for an HTTP header: one line, no control characters (what a stored value held
    before this module existed, or raw SQL wrote, cannot break a response)."""
    return clean_text_value(value, multiline=False).strip()


# What XML 1.0 can carry (tab, LF, CR and everything from U+0020 except surrogates, U+FFFE, U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: str) -> str:
    """Text an XML document can hold: for output (the Atom feed), whatever is stored."""
    return _NOT_XML.sub("", value)
