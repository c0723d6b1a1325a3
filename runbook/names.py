"""Ids, slugs and "did you mean" suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
ID_RULE = "only lowercase letters, digits, '-' and '_', starting with a letter or digit"


def is_valid_id(text: str) -> bool:
    return bool(_ID.match(text))


def slugify(text: str) -> str:
    """'War room prepared' -> 'war-room-prepared'. Accents are dropped ('Café' -> 'cafe')
    so ids stay plain ASCII; runs of anything else become one '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word` (ignoring case), or None if nothing is close."""
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[matches[0]] if matches else None


def one_of(names: Iterable[str]) -> str:
    """'P1, P2, P3 or P4'."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' or '' - ready to append to a message."""
    match = suggest(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""
