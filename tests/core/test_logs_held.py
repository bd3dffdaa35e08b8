"""The app's start holds its first log records until the window is painted; none may be lost."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from groupclinic_desktop import logs


@pytest.fixture
def held() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    pending = logs._pending
    if pending is not None and pending.target is not None:
        pending.target.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    logs._pending = None


def test_records_before_the_file_opens_are_written_first_and_in_order(
    tmp_path: Path, held: None
) -> None:
    logs.hold_logging(logging.INFO)
    log = logging.getLogger("groupclinic_desktop.test")
    log.info("before the paint")
    log.debug("below the level")
    path = logs.open_log_file(tmp_path)
    log.warning("after the paint")
    assert path == tmp_path / "groupclinic.log"
    assert logs.open_log_file(tmp_path) is None  # once only
    lines = path.read_text("utf-8").splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == ["before the paint", "after the paint"]


def test_a_folder_that_cannot_be_written_sends_warnings_to_stderr(
    tmp_path: Path, held: None, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    logs.hold_logging(logging.INFO)
    logging.getLogger("groupclinic_desktop.test").warning("held warning")
    assert logs.open_log_file(blocked) is None
    assert "held warning" in capsys.readouterr().err
