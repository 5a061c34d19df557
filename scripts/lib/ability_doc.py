"""Reading ability documents (schemas/ability_v1_1.schema.json) exactly, for
scripts/gen-abilities.py and the schema tests.

Numbers are loaded as decimal.Decimal and integral decimals count as integers, as JSON Schema
defines them: with binary floats python-jsonschema rejects valid factors such as 1.001 under
multipleOf 0.001 (1.001 / 0.001 = 1000.9999999999999).
"""

import decimal
import json

import jsonschema


def is_integer(checker, instance):
    """JSON Schema's integer: any number with a zero fractional part (500, 500.0, 5e2)."""
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    return isinstance(instance, decimal.Decimal) and instance.is_finite() and instance == instance.to_integral_value()


Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", is_integer),
)


def load(path):
    """The JSON document at `path`, its non-integer numbers as decimal.Decimal."""
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_float=decimal.Decimal)
