"""One print kit for every PDF: the same fonts, type sizes and escaping, so a name prints the
same in a hand-out as in the GP-record notes; and the board's look is taken from core, so the
UI imports a PDF module only to make a PDF."""

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.views.board import build_board
from groupclinic_desktop.export import handouts, print_kit
from groupclinic_desktop.export.print_kit import LARGE, NORMAL, NOTES, REPLACEMENT

ROOT = Path(__file__).resolve().parents[2]
needs_poppler = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils")
# The modules that write PDFs, and the only names the UI may take from them: the writers.
PDF_MODULES = {
    "handouts", "progress_pdf", "outcomes_report", "notes_pdf", "session_pack", "letters",
    "four_ms_pdf", "pdf_text", "pdf_parts", "print_kit",
}
WRITERS = {"room_pdf", "personal_pdf", "progress_pdf", "write_pdf", "write_csv", "session_pack",
           "invitation_letters"}


def test_type_sizes_keep_to_the_floor_of_each_kind_of_print() -> None:
    assert min(s.fontSize for s in print_kit.styles(LARGE).values()) >= print_kit.LARGE_PT == 18
    assert min(s.fontSize for s in print_kit.styles(NORMAL).values()) >= 12
    assert print_kit.styles(NOTES)["body"].fontSize == 9.5
    regular, bold = print_kit.fonts()
    for kind in (NOTES, NORMAL, LARGE):
        assert {s.fontName for s in print_kit.styles(kind).values()} == {regular, bold}


def test_escaping_keeps_markup_out_and_shows_what_no_font_draws() -> None:
    assert print_kit.escape("Tom & Jerry <b>") == "Tom &amp; Jerry &lt;b&gt;"
    assert print_kit.escape("Ann\x01e") == "Ann\\x01e"  # visible, never dropped
    assert print_kit.escape("Ann \U0010fffd") == f"Ann {REPLACEMENT}"
    if any(name == "GroupClinicCJK" for name, _, _ in print_kit.fallback_fonts()):
        assert print_kit.escape("Li 你好") == 'Li <font name="GroupClinicCJK">你好</font>'


@needs_poppler
def test_a_chinese_name_prints_in_a_hand_out_as_in_the_notes(
    demo: Clinic, finished_id: int, tmp_path: Path
) -> None:
    """The hand-outs once drew a letter DejaVu lacks as an empty box; with the kit they draw it
    in the same fallback font as the GP-record notes."""
    if not any(name == "GroupClinicCJK" for name, _, _ in print_kit.fallback_fonts()):
        pytest.skip("fonts-wqy-microhei is not installed")
    rows = build_board(demo, finished_id).rows
    person = next(r.patient_id for r in rows if not demo.patient(r.patient_id).preferred_name)
    with demo.acting_as(SYSTEM):
        demo.update_patient_details(person, given_name="你好")
    pdf = handouts.personal_pdf(demo, finished_id, person, tmp_path / "own.pdf")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True)
    assert "My numbers: 你好" in text and REPLACEMENT not in text
    assert "WenQuanYiMicroHei" in fonts.stdout and "DejaVuSans" in fonts.stdout
    # The room's board too, where the other cells are plain strings in the table's own font.
    room = handouts.room_pdf(build_board(demo, finished_id), tmp_path / "room.pdf")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(room), "-"], capture_output=True, check=True, text=True
    ).stdout
    fonts = subprocess.run(["pdffonts", str(room)], capture_output=True, check=True, text=True)
    assert "你好" in text and REPLACEMENT not in text and "WenQuanYiMicroHei" in fonts.stdout


def _imports_from_pdf_modules(source: str) -> list[tuple[str, str, bool]]:
    """(module, name, at module level) for each name a file imports from a PDF module."""
    tree = ast.parse(source)
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "groupclinic_desktop.export."
        ):
            module = (node.module or "").rsplit(".", 1)[-1]
            if module in PDF_MODULES:
                found += [(module, a.name, id(node) in top) for a in node.names]
    return found


def test_the_ui_imports_a_pdf_module_only_to_make_a_pdf() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {module}.{name}"
        for path in sorted((ROOT / "groupclinic_desktop" / "ui").rglob("*.py"))
        for module, name, at_top in _imports_from_pdf_modules(path.read_text(encoding="utf-8"))
        if at_top or name not in WRITERS
    ]
    assert not wrong, "the UI takes more than a writer from a PDF module:\n" + "\n".join(wrong)
    # Negative control: the old way (the board's colours from the hand-outs) is caught.
    old = "from groupclinic_desktop.export.handouts import INK, tint\n"
    assert _imports_from_pdf_modules(old) == [("handouts", "INK", True), ("handouts", "tint", True)]


def test_the_boards_look_imports_neither_qt_nor_reportlab_nor_matplotlib_at_start() -> None:
    source = (ROOT / "groupclinic_desktop" / "core" / "views" / "board_look.py").read_text()
    tree = ast.parse(source)
    top_level = [
        (n.module if isinstance(n, ast.ImportFrom) else n.names[0].name) or ""
        for n in tree.body
        if isinstance(n, ast.Import | ast.ImportFrom)
    ]
    assert not [m for m in top_level if m.split(".")[0] in ("PySide6", "reportlab", "matplotlib")]
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not [m for m in imported if m and m.split(".")[0] in ("PySide6", "reportlab")]
