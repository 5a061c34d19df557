"""Reading ability documents (schemas/ability_v1_1.schema.json) exactly, for
scripts/pack-bundle.py and the schema tests (scripts/gen-abilities.py reads its manifest
strictly, with manifest_json.load).

Numbers are loaded as decimal.Decimal and integral decimals count as integers, as JSON Schema
defines them: with binary floats python-jsonschema rejects valid factors such as 1.001 under
multipleOf 0.001 (1.001 / 0.001 = 1000.9999999999999). Validator is manifest_json's.
"""

import decimal
import json

from manifest_json import Validator

__all__ = ["Validator", "load"]


def load(path):
    """The JSON document at `path`, its non-integer numbers as decimal.Decimal."""
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_float=decimal.Decimal)
