"""Language detection for content/: is this paragraph English or French, or too little to tell?

Owns `detect(text) -> "en" | "fr" | None`, used by `kb check` (each paragraph against its file's `lang`) and by the
indexer. It wraps langdetect 1.0.9 with three guarantees:

- **Only English or French.** A private `DetectorFactory` loads the `en` and `fr` profiles plus a few `RIVALS`
  (Spanish, German, Italian, Portuguese, Dutch). The answer is never a rival: a paragraph that reads as German is
  None, not "English because it is closer to English than to French". Rivals cost little (about 0.65 ms a paragraph
  against 0.55 ms for en/fr alone; all 55 profiles cost 3 ms).
- **Deterministic.** The factory's seed is 0 and every call builds a fresh `Detector`, which re-seeds its own random
  generator before sampling; the answer for a text never depends on what was detected before (nor on the thread).
- **Abstains** (returns None) when, after removing URLs, e-mail addresses, Markdown link targets and numbers, the
  text has fewer than `MIN_WORDS` (6) words or fewer than `MIN_LETTERS` (40) letters, or when the winning language's
  probability is below `MIN_PROBABILITY` (0.90). A bullet such as "Mali: 4,265 people" is not evidence of anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from importlib import resources
from pathlib import Path

from langdetect import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

DetectorFactory.seed = 0  # langdetect's own module-level detector, should anything use it, is deterministic too

LANGS: tuple[str, ...] = ("en", "fr")
RIVALS: tuple[str, ...] = ("es", "de", "it", "pt", "nl")
MIN_WORDS = 6
MIN_LETTERS = 40
MIN_PROBABILITY = 0.90
# Evidence enough, and langdetect's cost grows with length: judge the first MAX_CHARS characters (cut at a space)
# with TRIALS sampling rounds instead of langdetect's 7. On 3,462 Mali and synthetic paragraphs the answers are the
# same as with the whole text and 7 trials, at a quarter of the cost (measured: see docs/performance.md).
MAX_CHARS = 300
TRIALS = 3

_NOISE = re.compile(
    r"\]\([^)\s]*\)"  # Markdown link targets: [text](target)
    r"|(?:https?://|www\.)\S+"  # URLs
    r"|\S+@\S+\.\w+"  # e-mail addresses
    r"|\d[\d.,'’\u00a0\u202f%]*"  # numbers: 4,265  4 265  12.5%  2020
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

_factory: DetectorFactory | None = None
_factory_lock = threading.Lock()


def _en_fr_factory() -> DetectorFactory:
    """A DetectorFactory for English, French and their rivals, loaded once (read-only after loading)."""
    global _factory
    with _factory_lock:
        if _factory is None:
            profiles = resources.files("langdetect") / "profiles"
            factory = DetectorFactory()
            factory.load_json_profile([(profiles / lang).read_text(encoding="utf-8") for lang in LANGS + RIVALS])
            factory.set_seed(0)
            _factory = factory
    return _factory


def judgeable(text: str) -> str | None:
    """The text with noise removed if it is long enough to judge, else None."""
    cleaned = _NOISE.sub(" ", text)
    words = _WORD.findall(cleaned)
    if len(words) < MIN_WORDS or sum(len(word) for word in words) < MIN_LETTERS:
        return None
    return cleaned


def _head(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_CHARS)
    return text[: cut if cut > 0 else MAX_CHARS]


def probabilities(text: str) -> dict[str, float]:
    """Probabilities of `text` (languages above langdetect's 0.1 floor; empty when it finds no features)."""
    detector = _en_fr_factory().create()
    detector.n_trial = TRIALS
    detector.append(_head(text))
    try:
        return {found.lang: found.prob for found in detector.get_probabilities()}
    except LangDetectException:
        return {}


def detect(text: str) -> str | None:
    """"en" or "fr" when the text is long enough and clearly one of them; None otherwise."""
    cleaned = judgeable(text)
    if cleaned is None:
        return None
    key = hashlib.blake2b(_head(cleaned).encode("utf-8"), digest_size=12).hexdigest()
    known = _cache.get(key)
    if known is not None:
        return known or None
    probs = probabilities(cleaned)
    lang, prob = max(probs.items(), key=lambda item: (item[1], item[0])) if probs else ("", 0.0)
    answer = lang if lang in LANGS and prob >= MIN_PROBABILITY else ""
    _cache[key] = _new[key] = answer
    return answer or None


# A memo of answers, keyed by a hash of the text judged: detection is deterministic, so an answer can be kept
# across runs. The index builder loads it from, and saves it to, the instance folder (`kb index` then re-detects
# only paragraphs it has never seen). The version names every setting an answer depends on.
CACHE_VERSION = f"langdetect-1.0.9/{'+'.join(LANGS + RIVALS)}/{MAX_CHARS}/{TRIALS}/{MIN_PROBABILITY}/seed0"
_cache: dict[str, str] = {}
_new: dict[str, str] = {}


def load_cache(path: Path) -> None:
    """Add the answers saved at `path` (if it exists and was made with the same settings) to the memo."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("version") == CACHE_VERSION and isinstance(data.get("answers"), dict):
        _cache.update(data["answers"])


def take_new() -> dict[str, str]:
    """Answers found since the last call (worker processes hand them back to the builder)."""
    found = dict(_new)
    _new.clear()
    return found


def remember(answers: dict[str, str]) -> None:
    _cache.update(answers)


def save_cache(path: Path) -> None:
    """Write the memo atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"version": CACHE_VERSION, "answers": _cache}, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)
