"""A seeded generator of realistic study records in the record format, for benchmarks.

Record i depends only on the seed and i, so a corpus of 1,000 is the first 1,000 records of a
corpus of 10,000 with the same seed. Prose is 150-300 words per record over summary,
significance and limitations, drawn from a Zipf-like vocabulary; markers follow a Zipf-like
popularity (a few in many studies, most in very few) and are written in varied spellings from
the project's synonym table; criteria are written in their documented aliases.

    python -m bench.generate --size 10000 --seed 1 --out bench/out/corpus.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.vocabulary import (
    CORE_WORDS,
    CRITERIA_SPELLINGS,
    CRITERIA_WEIGHTS,
    DESIGN_WEIGHTS,
    EXTRA_MARKERS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    INTERVENTIONS,
    JOURNALS,
    PHRASES,
    PUBLICATION_TYPES,
    RARE_WORDS,
    SAMPLES,
    TOPICS,
)
from search.markers import AMBIGUOUS, GREEK, fold, read_synonyms
from search.vocabularies import PEM_REQUIRING

WORDS_MIN, WORDS_MAX = 150, 300
YEAR_MIN, YEAR_MAX = 1985, 2026
DEFAULT_SEED = 1

# The most studied markers, in order; the rest of the table is spread among the other markers,
# except these few, which are placed far down the list so that they stay rare.
HEAD_MARKERS = (
    "IL-6",
    "TNF-α",
    "CRP",
    "IL-10",
    "IL-1β",
    "IFN-γ",
    "cortisol",
    "NK cell cytotoxicity",
    "IL-8",
    "lactate",
    "TGF-β",
    "IL-4",
    "IL-2",
    "CD56",
    "VO2peak",
    "IL-17A",
    "MCP-1",
    "ferritin",
    "IgG",
    "vitamin D",
    "IL-13",
    "IL-5",
    "IL-12p70",
    "CD4",
    "CD8",
)
RARE_TABLE_MARKERS = ("IL-12p40", "CSF-1", "TGF-α", "IL-1Ra", "GRO-α", "fractalkine")
RARE_RANKS = (110, 150, 190, 230, 260, 280)

CONDITIONS = (
    "myalgic encephalomyelitis/chronic fatigue syndrome",
    "ME/CFS",
    "chronic fatigue syndrome",
    "myalgic encephalomyelitis",
    "CFS",
    "SEID",
    "ME/CFS and long COVID",
)
DESIGN_LABELS = {
    "case-control": "case-control study",
    "cohort": "prospective cohort study",
    "cross-sectional": "cross-sectional study",
    "rct": "randomised controlled trial",
    "non-randomised-trial": "open-label trial",
    "systematic-review": "systematic review",
    "meta-analysis": "meta-analysis",
    "review": "narrative review",
    "case-report": "case report",
    "qualitative": "qualitative study",
    "other": "pilot study",
}
DIRECTION_WEIGHTS = {"increased": 35, "decreased": 25, "no-difference": 30, "mixed": 10}
DIRECTION_WORDS = {
    "increased": ("was higher in patients", "was elevated", "increased after exertion"),
    "decreased": ("was lower in patients", "was reduced", "decreased after exertion"),
    "no-difference": ("did not differ between groups", "was similar in both groups"),
    "mixed": ("differed by subgroup", "rose in some patients and fell in others"),
}
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


def _zipf_cumulative(count: int, offset: float, exponent: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + offset) ** exponent for rank in range(count)))


@dataclass(frozen=True)
class Marker:
    """A marker the generator can use: its canonical name and the spellings it writes."""

    name: str
    spellings: tuple[str, ...]  # the canonical name first
    prose_spellings: tuple[str, ...]  # spellings that free text recognises unambiguously


def _variants(name: str) -> list[str]:
    out = [name]
    if "-" in name:
        out.append(name.replace("-", ""))
    spelled = "".join(GREEK.get(ch, ch) for ch in name)
    if spelled != name:
        out.append(spelled)
    return out


def marker_catalogue() -> tuple[Marker, ...]:
    """Return the markers in popularity order (most common first) with their spellings."""
    table = {group.canonical: group for group in read_synonyms()}
    markers: dict[str, Marker] = {}
    for name in [*table, *EXTRA_MARKERS]:
        spellings = (name, *table[name].synonyms) if name in table else tuple(_variants(name))
        # free text never maps ambiguous bare forms (CSF, SCF) or long descriptions to a marker
        prose = tuple(s for s in spellings if fold(s) not in AMBIGUOUS and len(s.split()) < 3)
        markers[name] = Marker(name, spellings, prose or (name,))
    rare = [markers[n] for n in RARE_TABLE_MARKERS]
    head = [markers[n] for n in HEAD_MARKERS]
    middle_table = [m for n, m in markers.items() if n in table and m not in head + rare]
    extras = [m for n, m in markers.items() if n not in table and m not in head]
    middle: list[Marker] = []
    # one table marker after every three others keeps table markers across the popularity range
    for i, marker in enumerate(extras):
        middle.append(marker)
        if i % 3 == 2 and middle_table:
            middle.append(middle_table.pop(0))
    middle.extend(middle_table)
    ordered = head + middle
    for rank, marker in zip(RARE_RANKS, rare, strict=True):
        ordered.insert(min(rank, len(ordered)), marker)
    return tuple(ordered)


MARKERS = marker_catalogue()
VOCABULARY: tuple[str, ...] = CORE_WORDS + RARE_WORDS
_VOCABULARY_CUM = _zipf_cumulative(len(VOCABULARY), offset=2.0, exponent=1.05)
_CORE_CUM = _zipf_cumulative(len(CORE_WORDS), offset=2.0, exponent=1.0)
_MARKER_CUM = _zipf_cumulative(len(MARKERS), offset=3.0, exponent=1.0)
_TOPIC_CUM = _zipf_cumulative(len(TOPICS), offset=1.5, exponent=1.0)
_INTERVENTION_CUM = _zipf_cumulative(len(INTERVENTIONS), offset=1.5, exponent=1.0)
_JOURNAL_CUM = _zipf_cumulative(len(JOURNALS), offset=2.0, exponent=1.0)
_FAMILY_CUM = _zipf_cumulative(len(FAMILY_NAMES), offset=5.0, exponent=0.8)
_YEARS = tuple(range(YEAR_MIN, YEAR_MAX + 1))
# Publications grow over time: about eight times as many studies a year now as in 1985.
_YEAR_CUM = list(itertools.accumulate(2 ** ((y - YEAR_MIN) / 14) for y in _YEARS))


class _Writer:
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
        words = []
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


def _ascii_slug(text: str, limit: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))[:limit].strip("-")


def _author(w: _Writer) -> str:
    family = w.rng.choices(FAMILY_NAMES, cum_weights=_FAMILY_CUM)[0]
    given = w.rng.choice(GIVEN_NAMES)
    initials = "".join(
        w.rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(w.rng.choice((0, 0, 1, 2)))
    )
    return f"{family}, {given} {initials}".strip()


def _criteria(w: _Writer, design: str) -> list[tuple[str, str]]:
    """Return (criteria id, spelling) pairs: the ids a study used, written in varied aliases."""
    if design in ("review", "qualitative", "other") and w.rng.random() < 0.6:
        return []
    count = w.rng.choices((0, 1, 2, 3), weights=(12, 55, 25, 8))[0]
    ids: list[str] = []
    names, weights = list(CRITERIA_WEIGHTS), list(CRITERIA_WEIGHTS.values())
    while len(ids) < count:
        cid = w.rng.choices(names, weights=weights)[0]
        if cid not in ids:
            ids.append(cid)
    out = []
    for cid in ids:
        spelling = w.rng.choice(CRITERIA_SPELLINGS[cid])
        case = w.rng.random()
        if case < 0.1:
            spelling = spelling.lower()
        elif case < 0.15:
            spelling = spelling.upper()
        out.append((cid, spelling))
    return out


def _pem(w: _Writer, criteria_ids: Sequence[str]) -> str | None:
    """Return a PEM value consistent with the criteria (the indexer warns on contradictions)."""
    requiring = [c in PEM_REQUIRING for c in criteria_ids]
    if criteria_ids and all(requiring):
        options, weights = ("required", "unknown", None), (70, 15, 15)
    elif criteria_ids and not any(requiring):
        options, weights = ("not-required", "unknown", None), (55, 25, 20)
    elif criteria_ids:
        options, weights = ("required", "not-required", "unknown"), (40, 30, 30)
    else:
        options, weights = ("unknown", None, "required", "not-required"), (40, 40, 10, 10)
    return w.rng.choices(options, weights=weights)[0]


def _title(w: _Writer, design: str, markers: list[str], interventions: list[str]) -> str:
    kind = w.rng.random()
    label = DESIGN_LABELS[design]
    if interventions and kind < 0.5:
        return (
            f"Effect of {interventions[0]} on {w.core()} and {w.core()} in {w.condition}: a {label}"
        )
    if markers and kind < 0.45:
        return f"{markers[0]} and {w.core()} {w.core()} in {w.condition}: a {label}"
    if kind < 0.7:
        first = w.core()
        return (
            f"{first[0].upper()}{first[1:]} {w.core()} and {w.word()} in people with {w.condition}"
        )
    if kind < 0.85:
        return f"{w.rng.choice(PHRASES).capitalize()} and {w.core()} {w.core()} in {w.condition}"
    first = w.core()
    return f"{first[0].upper()}{first[1:]} of {w.core()} {w.word()} after exertion in {w.condition}"


def generate_record(seed: int, i: int) -> dict[str, Any]:
    """Return record number i of the corpus for a seed (independent of the corpus size)."""
    rng = random.Random(f"atlas-bench-{seed}-{i}")
    w = _Writer(rng)
    year = rng.choices(_YEARS, cum_weights=_YEAR_CUM)[0]
    design = rng.choices(list(DESIGN_WEIGHTS), weights=list(DESIGN_WEIGHTS.values()))[0]
    criteria_pairs = _criteria(w, design)
    criteria = [spelling for _, spelling in criteria_pairs]

    marker_count = rng.choices((0, 1, 2, 3, 4, 5, 6, 8), weights=(22, 22, 20, 14, 9, 6, 4, 3))[0]
    chosen: list[Marker] = []
    for _ in range(marker_count * 3):
        if len(chosen) == marker_count:
            break
        marker = w.marker()
        if marker not in chosen:
            chosen.append(marker)
    marker_names = [w.spelling(m) for m in chosen]
    reported: list[tuple[Marker, dict[str, Any]]] = []
    for marker in chosen:
        if rng.random() < 0.6:
            direction = rng.choices(
                list(DIRECTION_WEIGHTS), weights=list(DIRECTION_WEIGHTS.values())
            )[0]
            finding: dict[str, Any] = {"marker": w.spelling(marker), "direction": direction}
            if rng.random() < 0.7:
                finding["sample"] = rng.choice(SAMPLES)
            reported.append((marker, finding))
    findings = [finding for _, finding in reported]

    interventions: list[str] = []
    if design in ("rct", "non-randomised-trial") or (design == "cohort" and rng.random() < 0.1):
        for _ in range(rng.choice((1, 1, 2))):
            name = rng.choices(INTERVENTIONS, cum_weights=_INTERVENTION_CUM)[0]
            if name not in interventions:
                interventions.append(name)

    patients = controls = None
    if design not in ("review", "systematic-review", "meta-analysis"):
        patients = max(1, min(2000, int(rng.lognormvariate(3.6, 0.8))))
        if design in ("case-control", "cross-sectional", "rct") or rng.random() < 0.3:
            controls = max(0, int(patients * rng.uniform(0.5, 1.3)))

    # Prose: the summary opens with what was done and what each finding was.
    total = rng.randint(WORDS_MIN, WORDS_MAX)
    summary_words = int(total * rng.uniform(0.45, 0.6))
    significance_words = (total - summary_words) // 2
    limitations_words = total - summary_words - significance_words
    opening = []
    if patients is not None:
        who = f"{patients} people with {w.condition}"
        if controls:
            who += f" and {controls} healthy controls"
        opening.append(f"We studied {w.core()} and {w.core()} in {who}.")
    else:
        opening.append(f"We reviewed studies of {w.core()} and {w.core()} in {w.condition}.")
    for marker, finding in reported:
        phrase = rng.choice(DIRECTION_WORDS[finding["direction"]])
        where = f" in {finding['sample']}" if "sample" in finding else ""
        opening.append(f"{w.spelling(marker, prose=True)} {phrase}{where}.")
    if rng.random() < 0.3:
        passing = w.marker()
        opening.append(f"{w.spelling(passing, prose=True)} was measured but not analysed further.")
    summary = w.section(summary_words, opening)
    significance = w.section(significance_words, [w.fill(rng.choice(SIGNIFICANCE_OPENERS))])
    limitations = w.section(limitations_words, [w.fill(rng.choice(LIMITATION_OPENERS))])

    author_count = min(25, max(1, int(rng.lognormvariate(1.5, 0.7))))
    authors: list[str] = []
    for _ in range(author_count * 2):
        if len(authors) == author_count:
            break
        name = _author(w)
        if name not in authors:
            authors.append(name)
    title = _title(w, design, marker_names, interventions)
    slug = "-".join(
        part
        for part in (
            _ascii_slug(authors[0].split(",")[0], 30),
            str(year),
            _ascii_slug(title, 50),
            f"{i:x}",
        )
        if part
    )

    record: dict[str, Any] = {"slug": slug, "title": title, "authors": authors, "year": year}
    if rng.random() < 0.92:
        record["journal"] = rng.choices(JOURNALS, cum_weights=_JOURNAL_CUM)[0]
    if rng.random() < 0.85:
        doi = f"10.{rng.randint(1000, 99999)}/atlas.{year}.{i:07d}"
        record["doi"] = f"https://doi.org/{doi}" if rng.random() < 0.05 else doi
    if rng.random() < 0.7:
        record["pmid"] = str(20_000_000 + i * 13 + rng.randint(0, 12))
    record.update(summary=summary, significance=significance, limitations=limitations)
    pem = _pem(w, [cid for cid, _ in criteria_pairs])
    if pem is not None:
        record["pem"] = pem
    if criteria:
        record["criteria"] = criteria
    record["design"] = design
    if marker_names:
        record["markers"] = marker_names
    if findings:
        record["findings"] = findings
    if patients is not None:
        record["participants"] = {"patients": patients}
        if controls is not None:
            record["participants"]["controls"] = controls
    sex = rng.choices(("female", "mixed", "male", "unknown", None), weights=(38, 42, 3, 7, 10))[0]
    if sex is not None:
        record["sex"] = sex
    if interventions:
        record["interventions"] = interventions
    topics: list[str] = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        topic = rng.choices(TOPICS, cum_weights=_TOPIC_CUM)[0]
        if topic not in topics:
            topics.append(topic)
    record["topics"] = topics
    if rng.random() < 0.4:
        record["evidence_level"] = rng.choice(("E0", "E1", "E1", "E2", "E2", "E3"))
        record["confidence"] = rng.choice(("low", "low", "moderate", "moderate", "high"))
        record["peer_reviewed"] = rng.random() < 0.9
    if rng.random() < 0.5:
        record["publication_type"] = rng.choice(PUBLICATION_TYPES)
    if rng.random() < 0.003:
        record["retracted"] = True
    if rng.random() < 0.3:
        record["url"] = f"https://example.org/studies/{slug}"
        accessed = f"2026-0{rng.randint(1, 5)}-{rng.randint(10, 28)}"
        record["snapshot"] = {
            "generator": "v1",
            "scanner": "v1.4",
            "policy": "v0.1",
            "accessed": accessed,
        }
    if rng.random() < 0.02:
        record["funding"] = rng.choice(("public", "charity", "industry", "none declared"))
    return record


def generate(size: int, seed: int = DEFAULT_SEED) -> Iterator[dict[str, Any]]:
    """Yield the records of a corpus of `size` studies for a seed."""
    for i in range(size):
        yield generate_record(seed, i)


def write_corpus(path: Path, size: int, seed: int = DEFAULT_SEED) -> Path:
    """Write a corpus as JSON Lines (written beside, then renamed into place); return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for record in generate(size, seed):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--size", type=int, required=True, help="number of studies")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines file to write")
    args = parser.parse_args(argv)
    if args.size < 1:
        parser.error("--size must be at least 1")
    write_corpus(args.out, args.size, args.seed)
    print(f"wrote {args.size} records (seed {args.seed}) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
