"""Numbers as SyncML and HTTP write them: ASCII digits only, and not absurdly many.

``str.isdigit`` is not the test: it passes superscripts ("²") and other digits that ``int``
refuses, and ``int`` refuses strings of 4,300 digits and more, so a check by ``isdigit`` followed
by ``int`` turns such input into an exception where a refusal was meant.
"""

from __future__ import annotations

MAX_DIGITS = 18  # any count, size or status a DM message carries fits; still a 64-bit int


def ascii_number(text: str | None) -> int | None:
    """The value of ``text`` (blanks around it allowed) if it is 1 to 18 ASCII digits, else None."""
    if text is None:
        return None
    digits = text.strip()
    if not 0 < len(digits) <= MAX_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits)
