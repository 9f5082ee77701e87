"""Everyday, speakable English lines from the Debian fortune databases."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FORTUNE_DIR = Path("/usr/share/games/fortunes")
# Conversational/anecdotal databases; skip code, ascii art, definitions and edgier topics.
DEFAULT_DATABASES: tuple[str, ...] = (
    "fortunes", "people", "humorists", "kids", "love", "work", "wisdom", "platitudes",
    "literature", "miscellaneous", "food", "pets", "sports", "education", "science",
    "cookie", "riddles", "startrek", "songs-poems", "goedel", "magic", "medicine", "news",
    "paradoxum", "law", "knghtbrd", "tao",
)

_ALLOWED = re.compile(r"^[A-Za-z][A-Za-z ,.'!?;:\-]*[.!?]$")
_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_ABBREV = re.compile(r"\b(Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|etc|e\.g|i\.e)\.$")


@dataclass
class TextConfig:
    databases: tuple[str, ...] = DEFAULT_DATABASES
    min_words: int = 3
    max_words: int = 30
    # Some lines join 2-3 consecutive sentences of one fortune, for longer utterances.
    join_max_words: int = 38
    fortune_dir: Path = field(default_factory=lambda: FORTUNE_DIR)


def _fortunes(path: Path) -> list[str]:
    raw = path.read_text(encoding="utf-8", errors="replace")
    return [block for block in re.split(r"^%\s*$", raw, flags=re.M) if block.strip()]


def _clean_block(block: str) -> str | None:
    lines = block.strip("\n").split("\n")
    # Indented multi-line blocks are verse layouts, tables or art; attribution lines start with "--".
    kept = []
    for line in lines:
        s = line.strip()
        if not s:
            continue
        if s.startswith("--") or s.startswith("-- ") or re.match(r"^[-=*_#~]{3,}", s):
            break
        kept.append(s)
    text = " ".join(kept)
    text = re.sub(r"^(Q|A)\s*:\s*", "", text)
    text = re.sub(r"\s+(Q|A)\s*:\s*", " ", text)
    text = text.replace('"', "").replace("``", "").replace("''", "").replace("`", "'")
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def _speakable(sentence: str, cfg: TextConfig) -> bool:
    if not _ALLOWED.match(sentence):
        return False
    words = sentence.split()
    if not (cfg.min_words <= len(words) <= cfg.max_words):
        return False
    # Acronyms and shouting get spelled out inconsistently across engines.
    if any(len(w.strip(",.!?;:'-")) > 1 and w.strip(",.!?;:'-").isupper() for w in words):
        return False
    if "--" in sentence or "''" in sentence or " ' " in sentence or re.search(r"(^|\s)-\S", sentence):
        return False
    return True


def _split_sentences(text: str) -> list[str]:
    parts = _SENT_SPLIT.split(text)
    merged: list[str] = []
    for p in parts:
        if merged and _ABBREV.search(merged[-1]):
            merged[-1] = merged[-1] + " " + p
        else:
            merged.append(p)
    return [m.strip() for m in merged if m.strip()]


def load_lines(cfg: TextConfig | None = None) -> list[str]:
    """All speakable lines, deterministic order, deduplicated.

    Single sentences plus joins of consecutive speakable sentences from one
    fortune, so lengths range from a few words to a short paragraph.
    """
    cfg = cfg or TextConfig()
    seen: set[str] = set()
    out: list[str] = []

    def add(s: str) -> None:
        key = s.lower()
        if key not in seen:
            seen.add(key)
            out.append(s)

    for db in cfg.databases:
        path = cfg.fortune_dir / db
        if not path.exists():
            continue
        for block in _fortunes(path):
            text = _clean_block(block)
            if not text:
                continue
            sents = _split_sentences(text)
            ok = [_speakable(s, cfg) for s in sents]
            for s, good in zip(sents, ok):
                if good:
                    add(s)
            # Joins of consecutive good sentences.
            for i in range(len(sents) - 1):
                if ok[i] and ok[i + 1]:
                    j = sents[i] + " " + sents[i + 1]
                    if len(j.split()) <= cfg.join_max_words:
                        add(j)
    return out


def line_stats(lines: list[str]) -> dict[str, float]:
    n = len(lines)
    words = [len(s.split()) for s in lines]
    return {
        "lines": n,
        "mean_words": sum(words) / max(n, 1),
        "questions": sum(s.endswith("?") for s in lines) / max(n, 1),
        "exclamations": sum(s.endswith("!") for s in lines) / max(n, 1),
    }
