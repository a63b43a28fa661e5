"""Reading sources: directories, JSON Lines, and files that are not records at all."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.sources import load_records

GOOD = {"slug": "good-2020-study", "title": "A study", "authors": ["Doe, J"], "year": 2020}


def messages(tmp_path: Path) -> list[str]:
    return [str(p) for p in load_records([tmp_path]).problems]


def test_reads_json_files_recursively_and_ignores_other_files(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "one.json").write_text(json.dumps(GOOD), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a record", encoding="utf-8")
    result = load_records([tmp_path])
    assert [r["slug"] for r in result.records] == ["good-2020-study"]
    assert result.problems == []


def test_reads_json_lines_with_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    second = {**GOOD, "slug": "second-2021-study"}
    path.write_text(json.dumps(GOOD) + "\n\n" + json.dumps(second) + "\n", encoding="utf-8")
    result = load_records([path])
    assert [r["slug"] for r in result.records] == ["good-2020-study", "second-2021-study"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps({**GOOD, "title": "Müller"}, ensure_ascii=False).encode("latin-1"))
    [message] = messages(tmp_path)
    assert message.startswith(f"{path}: -: not UTF-8 text (byte 0xfc at offset ")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_text("", encoding="utf-8")
    assert messages(tmp_path) == [
        f"{tmp_path / 'empty.json'}: -: empty file; expected one JSON object"
    ]


def test_json_array_is_refused_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "many.json").write_text(json.dumps([GOOD, GOOD]), encoding="utf-8")
    assert messages(tmp_path) == [
        f"{tmp_path / 'many.json'}: -: expected one JSON object, found an array; put several "
        "records in a .jsonl file, one per line"
    ]


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"slug": "x",\n  "title": }', encoding="utf-8")
    assert messages(tmp_path) == [
        f"{tmp_path / 'broken.json'}: -: not valid JSON: Expecting value at line 2 column 12"
    ]


def test_fifty_megabytes_of_garbage_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "garbage.json"
    with path.open("wb") as handle:
        handle.write(b"\xff\x00garbage" * (50 * 1024 * 1024 // 9))
    [message] = messages(tmp_path)
    assert "too large for one study record" in message


def test_bad_lines_in_json_lines_are_reported_by_line(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_bytes(
        json.dumps(GOOD).encode()
        + b"\n[1, 2]\n{oops\n"
        + b"\xff\xfe\n"
        + json.dumps({**GOOD, "slug": "x"}).encode()
        + b"\n"
    )
    result = load_records([path])
    assert [r["slug"] for r in result.records] == ["good-2020-study"]
    assert [str(p) for p in result.problems] == [
        f"{path}:2: -: expected one JSON object per line, found list",
        f"{path}:3: -: not valid JSON: "
        "Expecting property name enclosed in double quotes at column 2",
        f"{path}:4: -: not UTF-8 text (byte 0xff at offset 0); save the file as UTF-8",
        f"{path}:5: x: slug: must be 3-120 characters of a-z, 0-9 and -",
    ]


def test_duplicate_slugs_across_sources(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "one.json").write_text(json.dumps(GOOD), encoding="utf-8")
    (tmp_path / "more.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    result = load_records([tmp_path / "d", tmp_path / "more.jsonl"])
    assert len(result.records) == 1
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'more.jsonl'}:1: good-2020-study: slug: duplicate slug; first defined at "
        f"{tmp_path / 'd' / 'one.json'}"
    ]


def test_all_problems_are_collected_in_one_run(tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"bad{n}.json").write_text(
            json.dumps({**GOOD, "slug": f"bad-{n}", "year": "x"})
        )
    assert len(load_records([tmp_path]).errors) == 3


def test_many_records_are_validated_in_two_processes_as_in_one(tmp_path: Path) -> None:
    from indexer.sources import BATCH, PARALLEL_FROM, RawRecord, read_jsonl_file
    from search.records import Problem, validate_record

    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for n in range(BATCH + PARALLEL_FROM + 3):  # a parallel batch, then another
            record = dict(GOOD, slug=f"study-{n:05d}", title=f"  Study   {n} ")
            record["criteria"] = ["CDC 1994", "Made-up"]  # a warning each
            if n % 97 == 0:
                del record["title"]  # invalid
            if n % 101 == 0:
                record["slug"] = "study-00001"  # a duplicate
            handle.write(json.dumps(record) + "\n")
    records: list[dict[str, object]] = []
    problems: list[Problem] = []
    where: dict[str, str] = {}
    for raw in read_jsonl_file(path):  # one by one, in this process
        assert isinstance(raw, RawRecord)
        record, found = validate_record(raw.value, raw.file, raw.line)
        problems += found
        if record is None:
            continue
        if record["slug"] in where:
            message = f"duplicate slug; first defined at {where[record['slug']]}"
            problems.append(Problem(raw.file, raw.line, record["slug"], "slug", message))
            continue
        where[record["slug"]] = f"{raw.file}:{raw.line}"
        records.append(record)
    result = load_records([path])
    assert (result.records, result.problems) == (records, problems)
