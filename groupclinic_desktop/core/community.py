"""Community connections: the practice's directory of local support, and signposting to it.

The kinds of support and how a signposting is coded live in resources/community.toml. The CSV
helpers here are pure: `read_resources_csv` checks a whole file and reports every refused value
by row and column, so the facade can import all of it or nothing.
"""

import csv
import io
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.spreadsheet import safe_cell
from groupclinic_desktop.resources import resource

SIGNPOST_KINDS = ("signposted", "referred")
# CSV column titles, in the order the export writes them; the import also accepts the keys.
CSV_COLUMNS = {
    "name": "Name",
    "offers": "What it offers",
    "when_where": "When and where",
    "contact": "Contact",
    "organisation": "Organisation",
    "kind": "Kind",
    "active": "Active",
}
TEXT_FIELDS = ("name", "offers", "when_where", "contact", "organisation")
MAX_TEXT = 500


@dataclass(frozen=True)
class ResourceKind:
    key: str
    label: str
    monitoring: str  # the ICB protocol's resource_kind


@dataclass(frozen=True)
class Coding:
    term: str
    code: str
    confirmed: bool

    @property
    def export_code(self) -> str:
        """The code to write into the GP record: only a confirmed one."""
        return self.code if self.confirmed and self.code else ""


@cache
def _data() -> dict[str, Any]:
    with resource("community.toml").open("rb") as fh:
        return tomllib.load(fh)


def kinds() -> tuple[ResourceKind, ...]:
    return tuple(
        ResourceKind(str(k["key"]), str(k["label"]), str(k["monitoring"])) for k in _data()["kind"]
    )


def kind_label(key: str) -> str:
    for kind in kinds():
        if kind.key == key:
            return kind.label
    return key


def monitoring_kind(key: str | None) -> str:
    """The protocol's resource_kind for a directory kind; unknown kinds are "other"."""
    for kind in kinds():
        if kind.key == key:
            return kind.monitoring
    return "other"


def coding(signpost_kind: str) -> Coding:
    entry = _data()["coding"][signpost_kind]
    return Coding(str(entry["term"]), str(entry.get("code") or ""), bool(entry["confirmed"]))


def clean_kind(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return "other"
    wanted = text.lower().replace("_", " ")
    for kind in kinds():
        if wanted in (kind.key.replace("_", " "), kind.label.lower()):
            return kind.key
    allowed = ", ".join(k.label.lower() for k in kinds())
    raise InvalidInput(f"Kind: '{text}' is not one of {allowed}.", field="Kind")


def clean_signpost_kind(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text not in SIGNPOST_KINDS:
        raise InvalidInput(
            f"Signposting: '{value}' is not one of signposted, referred.", field="Signposting"
        )
    return text


def clean_resource(fields: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Checked directory fields. The name is required (unless only some fields change)."""
    unknown = sorted(set(fields) - set(CSV_COLUMNS))
    if unknown:
        raise InvalidInput(f"Directory entry: '{unknown[0]}' is not a field of an entry.")
    out: dict[str, Any] = {}
    for name, value in fields.items():
        label = CSV_COLUMNS[name]
        if name in TEXT_FIELDS:
            text = " ".join(str(value or "").split()) if name == "name" else str(value or "")
            text = text.strip()
            if name == "name" and not text:
                raise InvalidInput("Name: must not be empty.", field="Name")
            if len(text) > MAX_TEXT:
                raise InvalidInput(
                    f"{label}: {len(text)} characters is longer than {MAX_TEXT}.", field=label
                )
            out[name] = text
        elif name == "kind":
            out[name] = clean_kind(value)
        else:
            out[name] = _active(value)
    if not partial and "name" not in out:
        raise InvalidInput("Name: must not be empty.", field="Name")
    return out


def _active(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "yes", "y", "true", "1", "active"):
        return True
    if text in ("no", "n", "false", "0", "inactive"):
        return False
    raise InvalidInput(f"Active: answer yes or no (not '{value}').", field="Active")


# --- CSV ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        value = f"'{self.value}'" if self.value else "(empty)"
        return f"Row {self.line}, column '{self.column}', value {value}: {self.reason}"


@dataclass
class DirectoryFile:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self, limit: int = 20) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more.")
        return "\n".join(lines)


def _column_for(title: str) -> str | None:
    wanted = " ".join(title.strip().lower().replace("_", " ").split())
    for key, label in CSV_COLUMNS.items():
        if wanted in (key.replace("_", " "), label.lower()):
            return key
    return None


def read_resources_csv(path: Path | str) -> DirectoryFile:
    """Read and check a directory CSV (UTF-8, or Windows-1252 as spreadsheets often save)."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return check_resources_text(text)


def check_resources_text(text: str) -> DirectoryFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    result = DirectoryFile()
    header: list[str] | None = None
    columns: list[str | None] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        line = reader.line_num
        if header is None:
            header = [c.strip() for c in cells]
            columns = [_column_for(c) for c in header]
            for title, key in zip(header, columns, strict=True):
                if key is None and title:
                    result.problems.append(
                        Problem(
                            line,
                            title,
                            "",
                            "not a directory column (expected one of "
                            + ", ".join(CSV_COLUMNS.values())
                            + ")",
                        )
                    )
            if "name" not in columns:
                result.problems.append(Problem(line, "Name", "", "the file has no Name column"))
            continue
        values: dict[str, Any] = {}
        for index, key in enumerate(columns):
            if key is not None:
                values[key] = cells[index].strip() if index < len(cells) else ""
        checked: dict[str, Any] = {}
        bad = False
        for key, value in values.items():
            try:
                checked.update(clean_resource({key: value}, partial=True))
            except InvalidInput as exc:
                reason = str(exc).split(": ", 1)[-1]
                result.problems.append(Problem(line, header[columns.index(key)], value, reason))
                bad = True
        if not bad:
            result.rows.append((line, checked))
    if header is None:
        result.problems.append(Problem(1, "", "", "the file is empty"))
    return result


def resources_csv_text(rows: Iterable[Any]) -> str:
    """The directory as CSV text with the import's own column titles (round-trips)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS.values())
    for row in rows:
        cells: list[str] = []
        for key in CSV_COLUMNS:
            value = getattr(row, key)
            if key == "kind":
                value = kind_label(value)
            elif key == "active":
                value = "yes" if value else "no"
            cells.append(safe_cell(value))
        writer.writerow(cells)
    return out.getvalue()


def counts_by_resource(
    signposts: Sequence[Any], names: dict[int, str]
) -> dict[str, dict[str, int]]:
    """{entry name: {"signposted": n, "referred": n}} for the outcome report."""
    out: dict[str, dict[str, int]] = {}
    for row in signposts:
        name = names.get(row.resource_id, f"entry #{row.resource_id}")
        bucket = out.setdefault(name, {"signposted": 0, "referred": 0})
        bucket[row.kind] = bucket.get(row.kind, 0) + 1
    return dict(sorted(out.items()))
