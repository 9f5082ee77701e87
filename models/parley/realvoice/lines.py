"""Which hedgewars voice lines are speech, what they say, and which split each belongs to.

hedgewars-data names each file after its words (``Comeonthen.ogg``: "come on then"); numbered files are
other takes of a sound. Only the stems below with real words are used; the rest are skipped with a
reason (:data:`SKIPPED`).

Splits (fixed, documented in docs/real-voices.md):

- ``dev`` and ``eval``: the packs in :data:`DEV_PACKS` only, the only recordings that may be used for
  development, tuning or training. A line is ``eval`` when the first byte of SHA-256(stem) is below
  :data:`EVAL_BELOW` of 256 (40% expected; it falls on 25 of the 46 lines), else ``dev``. The rule hashes
  the stem, not the pack, so the same sentence is never in both (a model tuned on ``dev`` has not heard
  ``eval``'s words).
- ``independent``: every other English-words pack (:data:`INDEPENDENT_PACKS`): an independent check,
  never used for tuning. It is computed from a separate list, so no pack can be in both.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

VOICES_DIR = Path("/usr/share/games/hedgewars/Data/Sounds/voices")  # Debian's hedgewars-data

DEV_PACKS: tuple[str, ...] = ("Default", "Classic", "Pirate", "Surfer", "Singer")
# English words, other actors: British, HillBilly, Mobster, Default_uk, Robot and Russian (accented or
# processed English; each aligns as English). Default_es/pl/ru and Russian_pl are, by their names,
# translations into other languages, so their files would not say their stems' words.
INDEPENDENT_PACKS: tuple[str, ...] = ("British", "HillBilly", "Mobster", "Default_uk", "Robot", "Russian")
SPLITS: tuple[str, ...] = ("dev", "eval", "independent")
EVAL_BELOW = 102  # of 256

# File stem -> the words it says (lowercase, cmudict spelling).
TRANSCRIPTS: dict[str, str] = {
    "Amazing": "amazing", "Boring": "boring", "Brilliant": "brilliant", "Bugger": "bugger",
    "Byebye": "bye bye", "Comeonthen": "come on then", "Coward": "coward", "Cutitout": "cut it out",
    "Drat": "drat", "Enemydown": "enemy down", "Excellent": "excellent", "Fire": "fire",
    "Firstblood": "first blood", "Flawless": "flawless", "Flyaway": "fly away", "Gonnagetyou": "gonna get you",
    "Grenade": "grenade", "Hello": "hello", "Hurry": "hurry", "Illgetyou": "i'll get you",
    "Incoming": "incoming", "Justyouwait": "just you wait", "Kamikaze": "kamikaze",
    "Leavemealone": "leave me alone", "Melon": "melon", "Missed": "missed", "Nutter": "nutter",
    "Ohdear": "oh dear", "Oops": "oops", "Ouch": "ouch", "Reinforcements": "reinforcements",
    "Revenge": "revenge", "Runaway": "run away", "Sameteam": "same team", "Solong": "so long",
    "Stupid": "stupid", "Takecover": "take cover", "Thisoneismine": "this one is mine", "Traitor": "traitor",
    "Uh-oh": "uh oh", "Victory": "victory", "Watchit": "watch it", "Watchthis": "watch this",
    "Whatthe": "what the", "Yessir": "yes sir", "Youllregretthat": "you'll regret that",
}

# Stem prefix -> why it is not used.
SKIPPED: dict[str, str] = {
    "Firepunch": "an effort shout while punching; takes differ and say no fixed words",
    "Jump": "an effort grunt while jumping, no words",
    "Laugh": "laughter, no words",
    "Ooff": "a pain grunt, no words",
    "Ow": "a pain cry (numbered takes), no fixed words",
    "PoisonCough": "coughing, no words",
    "PoisonMoan": "moaning, no words",
    "Hmm": "a hum with closed lips, no words",
    "Nooo": "a long drawn-out cry; the one word is stretched over the whole file",
}

# Pronunciations cmudict lacks (ARPAbet, no stress).
EXTRA_PRONUNCIATIONS: dict[str, tuple[str, ...]] = {"drat": ("D R AE T",)}


def split_of(pack: str, stem: str) -> str:
    """``dev``, ``eval`` or ``independent`` for a pack's line; raises for a pack in neither list."""
    if pack in INDEPENDENT_PACKS:
        return "independent"
    if pack not in DEV_PACKS:
        raise ValueError(f"pack '{pack}' is neither a development pack {DEV_PACKS} "
                         f"nor an independent pack {INDEPENDENT_PACKS}")
    return "eval" if hashlib.sha256(stem.encode("utf-8")).digest()[0] < EVAL_BELOW else "dev"


def skip_reason(stem: str) -> str | None:
    """Why a stem is not used, or None when it is a transcribed line."""
    if stem in TRANSCRIPTS:
        return None
    for prefix, reason in SKIPPED.items():
        if stem.startswith(prefix):
            return reason
    return "no transcript for this file name"


def pack_lines(pack: str, root: Path = VOICES_DIR) -> list[tuple[str, Path]]:
    """(stem, ogg path) of every file of a pack, sorted by stem; raises naming the folder if it is missing."""
    folder = root / pack
    if not folder.is_dir():
        raise FileNotFoundError(f"no hedgewars voice pack at {folder}: install hedgewars-data "
                                "(scripts/setup-debian.sh)")
    return sorted((p.stem, p) for p in folder.glob("*.ogg"))
