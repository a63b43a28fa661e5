"""How long `atlas import file` takes for 10,000 PubMed records (target: at most 60 s).

    python -m bench.imports                 # 10,000 records, prints the figures
    python -m bench.imports --write         # and keeps them in BENCHMARKS.md
    python -m bench.imports --records 2000

Writes a PubMed XML file of made-up records (abstracts of ~250 words naming criteria,
numbers and markers in varied phrasing) under bench/out/, then runs the real command
(`atlas import file`, a new process, the bundled studies as the atlas) into an empty data
directory, and times it end to end: reading, suggesting, duplicate checks, writing drafts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "imports"
REPORT = ROOT / "BENCHMARKS.md"
TARGET_SECONDS = 60.0

CRITERIA = (
    "the Canadian Consensus Criteria",
    "the Fukuda criteria",
    "the 1994 CDC definition",
    "the International Consensus Criteria",
    "the Institute of Medicine criteria",
    "the Oxford criteria",
    "a physician's diagnosis",
)
MARKERS = (
    "IL-6",
    "TNF-alpha",
    "IL-10",
    "IL-12p40",
    "IFN-γ",
    "CRP",
    "NK cell cytotoxicity",
    "IL-1β",
    "TGF-beta",
    "VO2peak",
    "perforin",
    "IL-8",
    "MCP-1",
    "leptin",
)
DESIGNS = (
    "a case-control study",
    "a cross-sectional study",
    "a randomised controlled trial",
    "a prospective cohort study",
    "an observational study",
)
FILLER = (
    "fatigue",
    "symptom",
    "severity",
    "questionnaire",
    "cohort",
    "clinic",
    "blood",
    "plasma",
    "exercise",
    "recovery",
    "function",
    "cognitive",
    "orthostatic",
    "sleep",
    "immune",
    "metabolic",
    "score",
    "baseline",
    "follow-up",
    "analysis",
    "significant",
    "difference",
    "associated",
    "measured",
    "compared",
    "reported",
    "higher",
    "lower",
)


def _abstract(rng: random.Random) -> str:
    patients, controls = rng.randint(10, 400), rng.randint(10, 300)
    markers = rng.sample(MARKERS, rng.randint(1, 5))
    sentences = [
        f"BACKGROUND: We report {rng.choice(DESIGNS)} of myalgic encephalomyelitis.",
        f"METHODS: {patients} patients meeting {rng.choice(CRITERIA)} and {controls} healthy "
        "controls took part.",
        f"Serum {', '.join(markers)} were measured at baseline and after exercise.",
    ]
    while sum(len(s.split()) for s in sentences) < 250:
        sentences.append(" ".join(rng.choice(FILLER) for _ in range(rng.randint(8, 18))) + ".")
    sentences.append(f"CONCLUSIONS: {markers[0]} differed between groups.")
    return " ".join(sentences)


def write_records(path: Path, count: int, seed: int = 16) -> None:
    """Write count made-up records as one PubMed XML file."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
        for n in range(count):
            pmid = 20_000_000 + n
            year = 1990 + n % 35
            title = f"{rng.choice(FILLER).capitalize()} and {rng.choice(FILLER)} in ME/CFS {n}"
            out.write(
                f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><Journal>"
                f"<JournalIssue><PubDate><Year>{year}</Year></PubDate></JournalIssue>"
                f"<Title>Journal of Fatigue</Title></Journal><ArticleTitle>{escape(title)}"
                f'</ArticleTitle><ELocationID EIdType="doi" ValidYN="Y">10.5555/b.{pmid}'
                f"</ELocationID><Abstract><AbstractText>{escape(_abstract(rng))}</AbstractText>"
                f"</Abstract><AuthorList><Author><LastName>Author{n % 997}</LastName><ForeName>"
                f"Ann</ForeName></Author></AuthorList><PublicationTypeList><PublicationType>"
                f"Journal Article</PublicationType></PublicationTypeList></Article>"
                f"<MeshHeadingList><MeshHeading><DescriptorName>Fatigue Syndrome, Chronic"
                f"</DescriptorName></MeshHeading></MeshHeadingList></MedlineCitation>"
                f'<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>'
                f"</ArticleIdList></PubmedData></PubmedArticle>\n"
            )
        out.write("</PubmedArticleSet>\n")


def measure(count: int) -> dict[str, float | int]:
    """Return the seconds `atlas import file` took for count records, and what it drafted."""
    source = OUT / f"pubmed-{count}.xml"
    if not source.exists():
        write_records(source, count)
    data = OUT / "data"
    shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "atlas_cli",
            "import",
            "file",
            str(source),
            "--data",
            str(data),
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"atlas import file failed: {result.stderr[-2000:]}")
    drafted = result.stdout.count('"slug"')
    return {
        "records": count,
        "seconds": round(seconds, 2),
        "drafted": drafted,
        "bytes": source.stat().st_size,
    }


def section(figures: dict[str, float | int]) -> str:
    """Return the BENCHMARKS.md section for the figures."""
    status = "MET" if figures["seconds"] <= TARGET_SECONDS else "MISSED"
    rate = figures["records"] / figures["seconds"]
    return "\n".join(
        [
            "## Importing papers",
            "",
            f"`python -m bench.imports --write`, {dt.date.today()}, {platform.python_version()} on "
            f"{os.cpu_count()} cores: `atlas import file` of {figures['records']:,} PubMed XML "
            f"records ({figures['bytes'] / 1e6:.0f} MB, ~250-word abstracts) into an empty draft "
            "store, end to end in a new process (reading, suggestions, duplicate checks against "
            "the bundled studies, SQLite writes).",
            "",
            "| what | target | measured | status |",
            "|---|---|---|---|",
            f"| import {figures['records']:,} records from a file | ≤ {TARGET_SECONDS:.0f} s | "
            f"{figures['seconds']:.1f} s ({rate:,.0f} records/s, {figures['drafted']:,} drafted) "
            f"| {status} |",
            "| live import keeps NCBI's rate limit | ≤ 3 requests in any second (10 with a key) "
            "| checked by tests/test_pubmed_import.py against the fake E-utilities | — |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Measure, print and optionally keep the figures; exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--write", action="store_true", help="keep the figures in BENCHMARKS.md")
    args = parser.parse_args(argv)
    figures = measure(args.records)
    text = section(figures)
    if args.write:
        from bench.report import write_section

        write_section("imports", text, REPORT)
    print(text)
    return 0 if figures["seconds"] <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
