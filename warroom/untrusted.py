"""The one rule for text warroom did not write: it is data, never instructions for the terminal.

Runbook titles and commands, operators' names and notes, probe bodies and errors, and (later) a
peer's events pass `visible()` on their way to the screen or the terminal. Every control character
and every escape sequence becomes something you can see and that does nothing: C0 as the Unicode
control pictures (ESC as `␛`, NUL as `␀`), DEL as `␡`, C1 as `\\x9b`, the bidirectional overrides as
`\\u202e`, and a lone surrogate (an argument that was not UTF-8) as `\\xff` or `\\ud800`. Newline and
tab stay only where the caller can show more than one line.

Markup is the other half of the rule, and it needs no escaping here: the console draws this text as
plain text (Rich `Text`, Textual `Content`), never through a markup parser, so `[@click=...]` and
`[link=...]` stay characters.
"""

from __future__ import annotations

import json

NEWLINE, TAB = 0x0A, 0x09
# Characters that reorder what follows them on screen (a filename reading `gpj.exe` as `exe.jpg`).
BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
SURROGATES = range(0xD800, 0xE000)
# Python decodes bytes that are not UTF-8 (in argv, say) to these, one per byte: 0xDC80 + byte.
ESCAPED_BYTES = range(0xDC80, 0xDD00)


def lone_surrogate(text: str) -> str | None:
    """The first lone surrogate in `text` (bytes that were not UTF-8, or half of a UTF-16 pair), if
    any: text that holds one cannot be encoded, so no ledger, file or terminal can take it."""
    return next((ch for ch in text if ord(ch) in SURROGATES), None)


def _escaped(code: int) -> str:
    if code in ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Beyond C0 and DEL: what has no picture of its own and is shown as an escape.
_BEYOND_C0 = (*range(0x80, 0xA0), *BIDI_CONTROLS, *SURROGATES)


def _table(keep: tuple[int, ...]) -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20) if code not in keep}
    table[0x7F] = "\u2421"  # ␡
    table.update({code: _escaped(code) for code in _BEYOND_C0})
    return table


_ONE_LINE = _table(keep=())
_LINES = _table(keep=(NEWLINE, TAB))
# JSON escapes C0 itself; these are the characters it would otherwise print raw (ensure_ascii=False).
_JSON_EXTRA = {code: f"\\u{code:04x}" for code in (0x7F, *_BEYOND_C0)}


def visible(text: str, *, lines: bool = False) -> str:
    """`text` with every control character made visible; with `lines`, newlines and tabs are kept
    (a CRLF line ending becomes a newline rather than a stray `␍`)."""
    if lines:
        return text.replace("\r\n", "\n").translate(_LINES)
    return text.translate(_ONE_LINE)


# The most of one text the console draws: Rich measures a line's every character each time it is
# drawn, so a 100 KB title would cost seconds a frame. The command line prints text whole.
SCREEN_LINE_LIMIT = 1_000
SCREEN_BLOCK_LIMIT = 10_000


def for_screen(text: str, *, lines: bool = False, limit: int | None = None) -> str:
    """`visible(text)`, cut to what a screen can usefully show (or to `limit` characters), saying how
    much was left out."""
    limit = limit or (SCREEN_BLOCK_LIMIT if lines else SCREEN_LINE_LIMIT)
    if len(text) <= limit:
        return visible(text, lines=lines)
    return f"{visible(text[:limit], lines=lines)}… ({len(text) - limit:,} more characters)"


def json_text(value: object, *, indent: int | None = 2) -> str:
    """JSON that is safe to print to a terminal: readable UTF-8 where it is harmless, `\\uXXXX`
    for DEL, C1, the bidirectional overrides and lone surrogates (JSON escapes C0 on its own)."""
    return json.dumps(value, indent=indent, ensure_ascii=False).translate(_JSON_EXTRA)
