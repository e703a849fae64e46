"""Small text helpers for statement blocks."""

from __future__ import annotations

import io
import tokenize


def lines(code: str | None) -> list[str]:
    """Non-empty, stripped lines of a statement block (None gives none)."""
    if code is None:
        return []
    if not isinstance(code, str):
        raise TypeError(f"code must be a string of statements, got {code!r}")
    return [line.strip() for line in code.strip().splitlines() if line.strip()]


def replace_name(code: str, old: str, new: str) -> str:
    """``code`` with every identifier ``old`` replaced by ``new`` (strings and attributes kept)."""
    if old == new or not code:
        return code
    out = []
    for line in code.splitlines():
        if not line.strip():
            out.append(line)
            continue
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip()).readline))
        pieces, prev = [], None
        for tok in tokens:
            text = tok.string
            if tok.type == tokenize.NAME and text == old and not (prev and prev.string == "."):
                text = new
            pieces.append((tok, text))
            prev = tok
        # rebuild with the original spacing
        rebuilt, col = "", 0
        for tok, text in pieces:
            if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER):
                continue
            rebuilt += " " * max(tok.start[1] - col, 0) + text
            col = tok.end[1]
        out.append(rebuilt)
    return "\n".join(out)
