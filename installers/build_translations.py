"""Compile the translation catalogues (resources/i18n/*.ts) to the .qm files Qt loads.

    .venv/bin/python installers/build_translations.py            # compile every .ts
    .venv/bin/python installers/build_translations.py --check    # exit 1 if a .qm is stale or
                                                                 # a source string is untranslated
    .venv/bin/python installers/build_translations.py --add-missing   # add new English strings
                                                                 # to each .ts, marked unfinished

The .qm files are committed, so a fresh clone needs no build step; run this after editing a .ts.
lrelease is the one PySide6 ships (pyside6-lrelease, or lrelease inside the PySide6 package).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "resources" / "i18n"
sys.path.insert(0, str(ROOT))


def lrelease() -> list[str]:
    """The command that runs Qt's lrelease from the PySide6 in use."""
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("pyside6-lrelease")
    if found:
        return [found]
    import PySide6

    inside = Path(PySide6.__file__).parent / ("lrelease.exe" if os.name == "nt" else "lrelease")
    if inside.exists():
        return [str(inside)]
    raise SystemExit("error: no lrelease found; install PySide6 (it ships pyside6-lrelease)")


def catalogues() -> list[Path]:
    return sorted(I18N.glob("*.ts"))


def compile_one(ts: Path, qm: Path) -> None:
    result = subprocess.run(
        [*lrelease(), "-silent", "-nounfinished", str(ts), "-qm", str(qm)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not qm.exists():
        raise SystemExit(f"error: lrelease failed for {ts.name}: {result.stderr.strip()}")


def compile_all() -> list[Path]:
    written = []
    for ts in catalogues():
        qm = ts.with_suffix(".qm")
        compile_one(ts, qm)
        written.append(qm)
    return written


def stale() -> list[str]:
    """Catalogues whose committed .qm differs from a fresh compile of the .ts."""
    problems = []
    with tempfile.TemporaryDirectory() as folder:
        for ts in catalogues():
            fresh = Path(folder) / ts.with_suffix(".qm").name
            compile_one(ts, fresh)
            committed = ts.with_suffix(".qm")
            if not committed.exists() or committed.read_bytes() != fresh.read_bytes():
                problems.append(f"{committed.name} is out of date with {ts.name}")
    return problems


def untranslated() -> list[str]:
    """Patient-facing English strings a catalogue lacks or has not finished."""
    from groupclinic_desktop.core import i18n

    problems = []
    for ts in catalogues():
        done = set(_finished(ts))
        for source in i18n.source_strings():
            if source not in done:
                problems.append(f"{ts.name}: no finished translation for {source!r}")
    return problems


def _finished(ts: Path) -> dict[str, str]:
    from groupclinic_desktop.core import i18n

    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        if context.findtext("name") != i18n.CONTEXT:
            continue
        for message in context.iter("message"):
            translation = message.find("translation")
            source = message.findtext("source")
            finished = translation is not None and not translation.get("type")
            if source and finished and translation.text:  # type: ignore[union-attr]
                found[source] = translation.text  # type: ignore[union-attr]
    return found


def add_missing() -> list[str]:
    """Add each new English string to every .ts as an unfinished message (as lupdate would)."""
    from groupclinic_desktop.core import i18n

    added = []
    for ts in catalogues():
        tree = ET.parse(ts)
        root = tree.getroot()
        context = next(
            (c for c in root.iter("context") if c.findtext("name") == i18n.CONTEXT), None
        )
        if context is None:
            context = ET.SubElement(root, "context")
            ET.SubElement(context, "name").text = i18n.CONTEXT
        present = {m.findtext("source") for m in context.iter("message")}
        for source in i18n.source_strings():
            if source in present:
                continue
            message = ET.SubElement(context, "message")
            ET.SubElement(message, "source").text = source
            ET.SubElement(message, "translation", type="unfinished")
            added.append(f"{ts.name}: {source}")
        ET.indent(tree, space="    ")
        body = ET.tostring(root, encoding="unicode")
        ts.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n{body}\n', "utf-8")
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check only; change nothing")
    parser.add_argument("--add-missing", action="store_true", help="add new strings to the .ts")
    args = parser.parse_args(argv)
    if args.add_missing:
        for line in add_missing():
            print(f"added {line}")
        return 0
    if args.check:
        problems = stale() + untranslated()
        for line in problems:
            print(line)
        return 1 if problems else 0
    for qm in compile_all():
        print(f"wrote {qm.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
