"""Page text: each family's theory.md split into the sections every page shows."""
from __future__ import annotations

from pathlib import Path

#: the seven sections of every page, in order, then the references
SECTIONS = ["Overview", "Theory", "Implementation", "Strengths and weaknesses", "Use cases",
            "Related architectures", "Ethical considerations", "References"]


def sections(text: str) -> dict[str, str]:
    """Split markdown on level-2 headings (``## Title``) into {title: body}."""
    out: dict[str, str] = {}
    title, lines = None, []
    for line in text.splitlines():
        if line.startswith("## "):
            if title is not None:
                out[title] = "\n".join(lines).strip()
            title, lines = line[3:].strip(), []
        elif title is not None:
            lines.append(line)
    if title is not None:
        out[title] = "\n".join(lines).strip()
    return out


def missing_sections(text: str) -> list[str]:
    have = sections(text)
    return [s for s in SECTIONS if not have.get(s)]


def load(path: str | Path) -> dict[str, str]:
    return sections(Path(path).read_text(encoding="utf-8"))
