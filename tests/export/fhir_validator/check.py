"""Runs the R4 validator (validate.mjs, Medplum's R4 StructureDefinitions) over bundles.

`installers/from-source.sh test` installs it with `npm ci`; if it is missing here (pytest run
by hand on a fresh checkout) it is installed the same way, once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def _installed() -> Path:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is missing: run `bash installers/from-source.sh test` once.")
    if not (HERE / "node_modules" / "@medplum" / "core").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True
        )
    return Path(node)


def validate_bundles(bundles: Sequence[dict[str, Any]]) -> list[list[str]]:
    """One list of issues per bundle, each issue one line; an empty list means valid."""
    node = _installed()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundles.json"
        path.write_text(json.dumps(list(bundles)), encoding="utf-8")
        done = subprocess.run(
            [str(node), str(HERE / "validate.mjs"), str(path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    if done.returncode != 0:
        raise RuntimeError(f"The FHIR validator failed to run: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def assert_valid(bundles: Sequence[dict[str, Any]]) -> None:
    found = validate_bundles(bundles)
    problems = [f"bundle {n}: {issue}" for n, issues in enumerate(found) for issue in issues]
    assert not problems, "\n".join(problems[:40])
