"""Drawing a record's prose: words from a Zipf-like vocabulary, sentences, marker spellings.

Every draw comes from the record's own random generator, in a fixed order, so a record
depends only on the seed and its number.
"""

from __future__ import annotations

import itertools
import random
import re

from bench.catalogue import MARKERS, Marker
from bench.vocabulary import CORE_WORDS, PHRASES, RARE_WORDS


def zipf_cumulative(count: int, offset: float, exponent: float) -> list[float]:
    """Return cumulative weights 1 / (rank + offset) ** exponent for ranks 0 to count - 1."""
    return list(itertools.accumulate(1.0 / (rank + offset) ** exponent for rank in range(count)))


CONDITIONS = (
    "myalgic encephalomyelitis/chronic fatigue syndrome",
    "ME/CFS",
    "chronic fatigue syndrome",
    "myalgic encephalomyelitis",
    "CFS",
    "SEID",
    "ME/CFS and long COVID",
)
FUNCTION_WORDS = ("of", "in", "and", "with", "the", "for", "between", "after", "during", "by")
SENTENCES = (
    "The {w} {w} of {w} was {w} in patients compared with controls.",
    "{W} {w} and {w} {w} were measured at baseline and after {w}.",
    "Patients reported {w} {w}, {w} and {w} {w}.",
    "We found {w} {w} associated with {w} and {w} {w}.",
    "{W} {w} correlated with {w} {w} in the {w} group.",
    "Differences in {w} {w} persisted after adjustment for {w} and {w}.",
    "{W} {w} {w} {w} {w} {w} {w}.",
    "This suggests {w} {w} may contribute to {w} {w} in {condition}.",
    "{W} {w} was assessed with {w} {w} and {w} {w} {w}.",
)
SIGNIFICANCE_OPENERS = (
    "These findings suggest that {w} {w} is involved in {condition}.",
    "The results support further study of {w} {w} as a biomarker.",
    "This work points to {w} {w} and {w} as targets for treatment.",
)
LIMITATION_OPENERS = (
    "The sample was small and recruited from one {w} clinic.",
    "The design shows association, not cause.",
    "Controls were not matched for {w} or {w}.",
    "Results may not apply to severely affected or housebound patients.",
)
_SLOT = re.compile(r"\{(w|W|condition)\}")

# The vocabulary in popularity order: the core words first, then the rare ones.
VOCABULARY: tuple[str, ...] = CORE_WORDS + RARE_WORDS
_VOCABULARY_CUM = zipf_cumulative(len(VOCABULARY), offset=2.0, exponent=1.05)
_CORE_CUM = zipf_cumulative(len(CORE_WORDS), offset=2.0, exponent=1.0)
_MARKER_CUM = zipf_cumulative(len(MARKERS), offset=3.0, exponent=1.0)


class Writer:
    """Draws words, markers and sentences for one record from its own random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.condition = rng.choice(CONDITIONS)

    def word(self) -> str:
        return self.rng.choices(VOCABULARY, cum_weights=_VOCABULARY_CUM)[0]

    def core(self) -> str:
        return self.rng.choices(CORE_WORDS, cum_weights=_CORE_CUM)[0]

    def marker(self) -> Marker:
        return self.rng.choices(MARKERS, cum_weights=_MARKER_CUM)[0]

    def spelling(self, marker: Marker, prose: bool = False) -> str:
        options = marker.prose_spellings if prose else marker.spellings
        if len(options) == 1 or self.rng.random() < 0.5:
            return options[0]
        return self.rng.choice(options[1:])

    def fill(self, template: str) -> str:
        def slot(match: re.Match[str]) -> str:
            kind = match.group(1)
            if kind == "condition":
                return self.condition
            word = self.rng.choice(PHRASES) if self.rng.random() < 0.02 else self.word()
            return word[0].upper() + word[1:] if kind == "W" else word

        return _SLOT.sub(slot, template)

    def run_of_words(self, count: int) -> str:
        """Return a sentence of exactly `count` words."""
        words: list[str] = []
        while len(words) < count:
            words.extend(self.word().split())
            if len(words) < count - 1 and self.rng.random() < 0.25:
                words.append(self.rng.choice(FUNCTION_WORDS))
        words = words[:count]
        words[0] = words[0][0].upper() + words[0][1:]
        return " ".join(words) + "."

    def section(self, target: int, opening: list[str]) -> str:
        """Return prose of exactly `target` words: the opening sentences, then filler."""
        sentences: list[str] = []
        count = 0
        for sentence in opening:
            n = len(sentence.split())
            if count + n > target:
                break
            sentences.append(sentence)
            count += n
        while count < target:
            sentence = self.fill(self.rng.choice(SENTENCES))
            n = len(sentence.split())
            if count + n > target:
                sentence = self.run_of_words(target - count)
                n = target - count
            sentences.append(sentence)
            count += n
        return " ".join(sentences)
