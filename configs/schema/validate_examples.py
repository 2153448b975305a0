#!/usr/bin/env python3
"""Validates configs/examples/ against the JSON Schemas, as an editor would.
Exits 77 (ctest: skipped) when PyYAML or jsonschema is not installed."""
import json
import pathlib
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

HERE = pathlib.Path(__file__).resolve().parent
failed = False
for example in sorted((HERE.parent / "examples").rglob("lit*.yaml")):
    schema = json.loads((HERE / f"{example.name}.schema.json").read_text())
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(example.read_text())))
    for error in errors:
        print(f"{example}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    failed = failed or bool(errors)
    print(f"{example}: {'invalid' if errors else 'valid'}")
sys.exit(1 if failed else 0)
