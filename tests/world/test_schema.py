"""The published JSON Schema is valid and describes the example world."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml
from typer.testing import CliRunner

from cli.main import app

EXAMPLE = Path(__file__).parents[2] / "evals" / "worlds" / "example.yaml"


def test_world_schema_command_prints_valid_json_schema() -> None:
    result = CliRunner().invoke(app, ["world-schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["version"]["default"] == 1
    order = schema["$defs"]["OrderIn"]["properties"]
    assert "description" in order["total"]
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    # YAML dates are dates; the schema speaks JSON, so compare the JSON form
    jsonschema.validate(json.loads(json.dumps(example, default=str)), schema)
    bad = dict(example, orders=[{"id": "PO-1"}])
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


def test_stories_command_json() -> None:
    result = CliRunner().invoke(app, ["stories", "--json"])
    assert result.exit_code == 0, result.output
    stories = json.loads(result.output)
    assert [s["id"] for s in stories] == [
        "on-time-in-transit", "late-carrier-delay", "stock-lost", "two-identities",
        "over-capacity-tomorrow", "pickup-ready", "delivered-return-window", "similar-names",
        "note-injection", "pickup-switch"]
    assert all(s["question_en"] and s["question_es"] for s in stories)
