"""A seeded generator of realistic study records in the record format, for benchmarks.

Record i depends only on the seed and i, so a corpus of 1,000 is the first 1,000 records of a
corpus of 10,000 with the same seed. Prose is 150-300 words per record over summary,
significance and limitations, drawn from a Zipf-like vocabulary; markers follow a Zipf-like
popularity (a few in many studies, most in very few) and are written in varied spellings from
the project's synonym table; criteria are written in their documented aliases. The markers
are bench/catalogue.py, the drawing of words and sentences bench/prose.py.

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
from pathlib import Path
from typing import Any

from bench.catalogue import Marker
from bench.prose import LIMITATION_OPENERS, SIGNIFICANCE_OPENERS, Writer, zipf_cumulative
from bench.vocabulary import (
    CRITERIA_SPELLINGS,
    CRITERIA_WEIGHTS,
    DESIGN_WEIGHTS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    INTERVENTIONS,
    JOURNALS,
    PHRASES,
    PUBLICATION_TYPES,
    SAMPLES,
    TOPICS,
)
from search.vocabularies import PEM_REQUIRING

WORDS_MIN, WORDS_MAX = 150, 300
YEAR_MIN, YEAR_MAX = 1985, 2026
DEFAULT_SEED = 1

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

_TOPIC_CUM = zipf_cumulative(len(TOPICS), offset=1.5, exponent=1.0)
_INTERVENTION_CUM = zipf_cumulative(len(INTERVENTIONS), offset=1.5, exponent=1.0)
_JOURNAL_CUM = zipf_cumulative(len(JOURNALS), offset=2.0, exponent=1.0)
_FAMILY_CUM = zipf_cumulative(len(FAMILY_NAMES), offset=5.0, exponent=0.8)
_YEARS = tuple(range(YEAR_MIN, YEAR_MAX + 1))
# Publications grow over time: about eight times as many studies a year now as in 1985.
_YEAR_CUM = list(itertools.accumulate(2 ** ((y - YEAR_MIN) / 14) for y in _YEARS))


def _ascii_slug(text: str, limit: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))[:limit].strip("-")


def _author(w: Writer) -> str:
    family = w.rng.choices(FAMILY_NAMES, cum_weights=_FAMILY_CUM)[0]
    given = w.rng.choice(GIVEN_NAMES)
    initials = "".join(
        w.rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(w.rng.choice((0, 0, 1, 2)))
    )
    return f"{family}, {given} {initials}".strip()


def _criteria(w: Writer, design: str) -> list[tuple[str, str]]:
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


def _pem(w: Writer, criteria_ids: Sequence[str]) -> str | None:
    """Return a PEM value consistent with the criteria (the indexer warns on contradictions)."""
    requiring = [c in PEM_REQUIRING for c in criteria_ids]
    options: tuple[str | None, ...]
    weights: tuple[int, ...]
    if criteria_ids and all(requiring):
        options, weights = ("required", "unknown", None), (70, 15, 15)
    elif criteria_ids and not any(requiring):
        options, weights = ("not-required", "unknown", None), (55, 25, 20)
    elif criteria_ids:
        options, weights = ("required", "not-required", "unknown"), (40, 30, 30)
    else:
        options, weights = ("unknown", None, "required", "not-required"), (40, 40, 10, 10)
    return w.rng.choices(options, weights=weights)[0]


def _title(w: Writer, design: str, markers: list[str], interventions: list[str]) -> str:
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


def _markers(w: Writer) -> list[Marker]:
    """Return the distinct markers a study names (up to three draws per marker wanted)."""
    rng = w.rng
    marker_count = rng.choices((0, 1, 2, 3, 4, 5, 6, 8), weights=(22, 22, 20, 14, 9, 6, 4, 3))[0]
    chosen: list[Marker] = []
    for _ in range(marker_count * 3):
        if len(chosen) == marker_count:
            break
        marker = w.marker()
        if marker not in chosen:
            chosen.append(marker)
    return chosen


def _findings(w: Writer, chosen: Sequence[Marker]) -> list[tuple[Marker, dict[str, Any]]]:
    """Return the findings reported (for about 60% of the markers), each with its marker."""
    rng = w.rng
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
    return reported


def _interventions(rng: random.Random, design: str) -> list[str]:
    """Return the interventions of a trial (and of one cohort study in ten), else none."""
    interventions: list[str] = []
    if design in ("rct", "non-randomised-trial") or (design == "cohort" and rng.random() < 0.1):
        for _ in range(rng.choice((1, 1, 2))):
            name = rng.choices(INTERVENTIONS, cum_weights=_INTERVENTION_CUM)[0]
            if name not in interventions:
                interventions.append(name)
    return interventions


def _participants(rng: random.Random, design: str) -> tuple[int | None, int | None]:
    """Return the numbers of patients and of controls (None for reviews, or no controls)."""
    patients = controls = None
    if design not in ("review", "systematic-review", "meta-analysis"):
        patients = max(1, min(2000, int(rng.lognormvariate(3.6, 0.8))))
        if design in ("case-control", "cross-sectional", "rct") or rng.random() < 0.3:
            controls = max(0, int(patients * rng.uniform(0.5, 1.3)))
    return patients, controls


def _prose(
    w: Writer,
    patients: int | None,
    controls: int | None,
    reported: Sequence[tuple[Marker, dict[str, Any]]],
) -> dict[str, str]:
    """Return the summary, significance and limitations: WORDS_MIN to WORDS_MAX words in all.

    The summary opens with what was done and what each finding was.
    """
    rng = w.rng
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
    return {"summary": summary, "significance": significance, "limitations": limitations}


def _authors(w: Writer) -> list[str]:
    """Return 1 to 25 distinct authors, "Family, Given I"."""
    author_count = min(25, max(1, int(w.rng.lognormvariate(1.5, 0.7))))
    authors: list[str] = []
    for _ in range(author_count * 2):
        if len(authors) == author_count:
            break
        name = _author(w)
        if name not in authors:
            authors.append(name)
    return authors


def _slug(authors: Sequence[str], year: int, title: str, i: int) -> str:
    """Return first author, year, title words and the record number (hex): unique per corpus."""
    parts = (
        _ascii_slug(authors[0].split(",")[0], 30),
        str(year),
        _ascii_slug(title, 50),
        f"{i:x}",
    )
    return "-".join(part for part in parts if part)


def _identifiers(record: dict[str, Any], rng: random.Random, year: int, i: int) -> None:
    """Add the journal, DOI (sometimes as a URL) and PMID most records have."""
    if rng.random() < 0.92:
        record["journal"] = rng.choices(JOURNALS, cum_weights=_JOURNAL_CUM)[0]
    if rng.random() < 0.85:
        doi = f"10.{rng.randint(1000, 99999)}/atlas.{year}.{i:07d}"
        record["doi"] = f"https://doi.org/{doi}" if rng.random() < 0.05 else doi
    if rng.random() < 0.7:
        record["pmid"] = str(20_000_000 + i * 13 + rng.randint(0, 12))


def _topics(rng: random.Random) -> list[str]:
    topics: list[str] = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        topic = rng.choices(TOPICS, cum_weights=_TOPIC_CUM)[0]
        if topic not in topics:
            topics.append(topic)
    return topics


def _tags(record: dict[str, Any], rng: random.Random, interventions: list[str]) -> None:
    """Add sex, interventions, topics and the optional appraisal, type, retraction, snapshot
    and funding fields."""
    sex = rng.choices(("female", "mixed", "male", "unknown", None), weights=(38, 42, 3, 7, 10))[0]
    if sex is not None:
        record["sex"] = sex
    if interventions:
        record["interventions"] = interventions
    record["topics"] = _topics(rng)
    if rng.random() < 0.4:
        record["evidence_level"] = rng.choice(("E0", "E1", "E1", "E2", "E2", "E3"))
        record["confidence"] = rng.choice(("low", "low", "moderate", "moderate", "high"))
        record["peer_reviewed"] = rng.random() < 0.9
    if rng.random() < 0.5:
        record["publication_type"] = rng.choice(PUBLICATION_TYPES)
    if rng.random() < 0.003:
        record["retracted"] = True
    if rng.random() < 0.3:
        record["url"] = f"https://example.org/studies/{record['slug']}"
        accessed = f"2026-0{rng.randint(1, 5)}-{rng.randint(10, 28)}"
        record["snapshot"] = {
            "generator": "v1",
            "scanner": "v1.4",
            "policy": "v0.1",
            "accessed": accessed,
        }
    if rng.random() < 0.02:
        record["funding"] = rng.choice(("public", "charity", "industry", "none declared"))


def generate_record(seed: int, i: int) -> dict[str, Any]:
    """Return record number i of the corpus for a seed (independent of the corpus size).

    The record's fields are drawn in a fixed order from its own generator: changing the order
    of any draw changes every corpus.
    """
    rng = random.Random(f"atlas-bench-{seed}-{i}")
    w = Writer(rng)
    year = rng.choices(_YEARS, cum_weights=_YEAR_CUM)[0]
    design = rng.choices(list(DESIGN_WEIGHTS), weights=list(DESIGN_WEIGHTS.values()))[0]
    criteria_pairs = _criteria(w, design)
    chosen = _markers(w)
    marker_names = [w.spelling(m) for m in chosen]
    reported = _findings(w, chosen)
    interventions = _interventions(rng, design)
    patients, controls = _participants(rng, design)
    prose = _prose(w, patients, controls, reported)
    authors = _authors(w)
    title = _title(w, design, marker_names, interventions)
    slug = _slug(authors, year, title, i)

    record: dict[str, Any] = {"slug": slug, "title": title, "authors": authors, "year": year}
    _identifiers(record, rng, year, i)
    record.update(prose)
    pem = _pem(w, [cid for cid, _ in criteria_pairs])
    if pem is not None:
        record["pem"] = pem
    if criteria_pairs:
        record["criteria"] = [spelling for _, spelling in criteria_pairs]
    record["design"] = design
    if marker_names:
        record["markers"] = marker_names
    if reported:
        record["findings"] = [finding for _, finding in reported]
    if patients is not None:
        record["participants"] = {"patients": patients}
        if controls is not None:
            record["participants"]["controls"] = controls
    _tags(record, rng, interventions)
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
