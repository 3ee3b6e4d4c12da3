"""The starting catalog shipped with the project, read from the CSV files in reporting/data."""

import csv
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class CatalogEntry:
    country: str
    pro: str
    report_types: tuple[str, ...]
    note: str


def read_rows(filename: str) -> list[dict[str, str]]:
    with (DATA_DIR / filename).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def starting_catalog() -> list[CatalogEntry]:
    return [
        CatalogEntry(
            country=row["country"].strip(),
            pro=row["pro"].strip(),
            report_types=tuple(
                code.strip() for code in row["report_types"].split(",") if code.strip()
            ),
            note=row["note"].strip(),
        )
        for row in read_rows("pro_catalog.csv")
    ]


@dataclass(frozen=True)
class DeadlineRuleEntry:
    country: str
    pro: str
    report_type: str
    frequency: str
    due_months_after: int
    due_day: int
    source_url: str
    note: str


def starting_deadline_rules() -> list[DeadlineRuleEntry]:
    """The deadline rules shipped with the catalog: only those a public source states."""
    return [
        DeadlineRuleEntry(
            country=row["country"].strip(),
            pro=row["pro"].strip(),
            report_type=row["report_type"].strip(),
            frequency=row["frequency"].strip(),
            due_months_after=int(row["due_months_after"]),
            due_day=int(row["due_day"]),
            source_url=row["source_url"].strip(),
            note=row["note"].strip(),
        )
        for row in read_rows("deadline_rules.csv")
    ]
