"""Reading manifests strictly, for scripts/gen-manifest.py and scripts/gen-abilities.py: every
problem is a DocError that names the JSON path of the offending value (`services[3].name`;
`(top)` for the document as a whole) and what is wrong, never a Python exception.

- The file holds at most MAX_BYTES bytes of UTF-8 (RFC 8259); a byte that is not UTF-8 is
  reported at the string that holds it.
- Arrays and objects nest at most MAX_DEPTH deep, checked by a scan that does not recurse before
  the parser runs, so no document reaches Python's recursion limit.
- JSON only: no NaN, Infinity or -Infinity (Python's json accepts them), no key given twice in
  one object, no lone surrogate escape (\\ud800).
- Numbers are exact: integers as int, the others as decimal.Decimal of at most 28 significant
  digits (more would be rounded in decimal's arithmetic). One of magnitude 2^64 or more is
  refused: no manifest field is wider than 64 bits, and the schemas bound each tighter.
- A schema is applied as JSON Schema 2020-12 states it where python-jsonschema differs:
  integral decimals such as 500.0 are integers, and `$` in a pattern matches only at the end
  of the string (Python's `$` also matches before a trailing newline, so "execd\\n" passed
  `^[a-z]+$`).
"""

import decimal
import functools
import json
import re
import sys

import jsonschema

MAX_BYTES = 1 << 20
MAX_DEPTH = 32
NUMBER_LIMIT = 1 << 64


class DocError(Exception):
    """A problem at `path` (a JSON path as json_path() writes it) of a document."""

    def __init__(self, path, what):
        super().__init__(f"{path}: {what}")
        self.path = path
        self.what = what


_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_KEY_SHOWN = 64


def json_path(parts):
    """`services[3].name` for ["services", 3, "name"]; other keys quoted (`ops["a b"]`)."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif _SIMPLE_KEY.fullmatch(p) and len(p) <= _KEY_SHOWN:
            out += f".{p}" if out else p
        else:
            out += f"[{show(p)}]"
    return out or "(top)"


def show(value):
    """A value as a message quotes it: JSON text, long strings cut, containers by kind."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str) and len(value) > _KEY_SHOWN:
        return json.dumps(value[:_KEY_SHOWN])[:-1] + '..." (' + str(len(value)) + " characters)"
    if isinstance(value, (str, bool)) or value is None:
        return json.dumps(value)
    return str(value)


# --- Loading ------------------------------------------------------------------------------

class _Refused:
    """Stands in for a value the parser met but a manifest may not hold, until the walk over
    the parsed document finds it and knows its path."""

    def __init__(self, what):
        self.what = what


def _constant(text):
    return _Refused(f"{text} is not a JSON number")


def _integer(text):
    digits = len(text.lstrip("-"))
    if digits > len(str(NUMBER_LIMIT)):
        return _Refused(f"a number of {digits} digits is out of range (2^64 or more)")
    value = int(text)
    if abs(value) >= NUMBER_LIMIT:
        return _Refused(f"{text} is out of range (2^64 or more)")
    return value


def _decimal(text):
    """A non-integer number, held exactly in decimal's default context (28 significant digits,
    exponents within 10^±999999) so that the schema's multipleOf and the generators' arithmetic
    in that context are exact: 1.0000000000000000000000000000001 is refused, never rounded to 1."""
    context = decimal.Context(traps=[])
    value = context.create_decimal(text)
    shown = text[:_KEY_SHOWN]
    if context.flags[decimal.Overflow] or (value.is_finite() and value.copy_abs() >= NUMBER_LIMIT):
        return _Refused(f"{shown} is out of range (2^64 or more)")
    if any(context.flags[f] for f in (decimal.InvalidOperation, decimal.Underflow, decimal.Subnormal)):
        return _Refused(f"{shown} has an exponent out of range")
    if context.flags[decimal.Inexact]:
        return _Refused(f"{shown} has more than {context.prec} significant digits")
    return value


def _object(pairs):
    out = {}
    for key, value in pairs:
        out[key] = _Refused("key given twice in one object") if key in out else value
    return out


# Outside strings, the characters that open and close containers and separate their members;
# a string is one token, so the brackets inside it do not count.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[][{},:]', re.S)


def _check_depth(text):
    """DocError at the first value nested deeper than MAX_DEPTH arrays and objects. A lexical
    scan: the parser recurses once per level, and so would everything that walks the result."""
    stack = []  # per open container: its path part so far (member key or element index)
    last_string = None
    for m in _TOKEN.finditer(text):
        token = m.group()
        if token[0] == '"':
            last_string = token
        elif token in "[{":
            if len(stack) == MAX_DEPTH:
                raise DocError(json_path(stack), f"nested deeper than {MAX_DEPTH} arrays and objects")
            stack.append(0 if token == "[" else "")
        elif token in "]}":
            if stack:
                stack.pop()
        elif token == "," and stack and isinstance(stack[-1], int):
            stack[-1] += 1
        elif token == ":" and stack and isinstance(stack[-1], str) and last_string is not None:
            try:
                stack[-1] = json.loads(last_string)
            except ValueError:
                stack[-1] = last_string[1:-1]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(text, path, not_utf8):
    m = _SURROGATE.search(text)
    if m is not None:
        raise DocError(json_path(path), not_utf8 or f"lone surrogate \\u{ord(m.group()):04x}: not a character")


def _check_values(value, path, not_utf8):
    """DocError at the first refused value, key or text, in document order (depth is bounded)."""
    if isinstance(value, _Refused):
        raise DocError(json_path(path), value.what)
    if isinstance(value, str):
        _check_text(value, path, not_utf8)
    elif isinstance(value, dict):
        for key, member in value.items():
            _check_text(key, path + [key], not_utf8)
            _check_values(member, path + [key], not_utf8)
    elif isinstance(value, list):
        for i, member in enumerate(value):
            _check_values(member, path + [i], not_utf8)


def load(path):
    """The JSON document at `path`, read as the module's docstring says.
    Raises DocError, or OSError if the file cannot be read."""
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise DocError("(top)", f"larger than {MAX_BYTES} bytes")
    try:
        text, not_utf8 = data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        # Parse anyway, each bad byte held as a surrogate, to find the string that holds it.
        text = data.decode("utf-8", "surrogateescape")
        not_utf8 = f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
    _check_depth(text)
    try:
        doc = json.loads(text, parse_constant=_constant, parse_int=_integer, parse_float=_decimal,
                         object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise DocError("(top)", not_utf8 or
                       f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    _check_values(doc, [], not_utf8)
    return doc


# --- Validating ---------------------------------------------------------------------------

def _is_integer(checker, instance):
    """JSON Schema's integer: any number with a zero fractional part (500, 500.0, 5e2)."""
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    return isinstance(instance, decimal.Decimal) and instance.is_finite() and instance == instance.to_integral_value()


@functools.lru_cache(maxsize=None)
def _regex(pattern):
    """An ECMA-262 pattern as Python's re reads it: `$` outside a class is `\\Z` (the end of
    the string, not also before a final newline); \\d and \\w are ASCII only."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        out.append("\\Z" if c == "$" and not in_class else c)
        i += 1
    return re.compile("".join(out), re.ASCII)


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not _regex(pattern).search(instance):
        yield jsonschema.ValidationError(f"{show(instance)} does not match {pattern}")


Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    validators={"pattern": _pattern},
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


def _what(e):
    """The message of one schema error, with the instance shown as JSON."""
    v, inst = e.validator_value, e.instance
    words = {
        "type": lambda: f"{show(inst)} is not of type {' or '.join(v) if isinstance(v, list) else v}",
        "minimum": lambda: f"{show(inst)} is less than the minimum of {v}",
        "maximum": lambda: f"{show(inst)} is greater than the maximum of {v}",
        "multipleOf": lambda: f"{show(inst)} is not a multiple of {v}",
        "const": lambda: f"{show(inst)} is not {show(v)}",
        "enum": lambda: f"{show(inst)} is not one of {', '.join(show(x) for x in v)}",
        "minItems": lambda: f"has {len(inst)} items, fewer than {v}",
        "maxItems": lambda: f"has {len(inst)} items, more than {v}",
        "maxProperties": lambda: f"has {len(inst)} keys, more than {v}",
        "uniqueItems": lambda: "lists an item twice",
        "anyOf": lambda: f"{show(inst)} matches none of: " + "; ".join(_what(c) for c in e.context),
    }
    if e.validator in words and (e.validator != "uniqueItems" or isinstance(inst, list)):
        return words[e.validator]()
    return e.message


def _problems(e):
    """(path parts, what) for one schema error: the path is the offending value's, so a
    missing key and a key the schema does not allow are named in it."""
    path = list(e.absolute_path)
    if e.validator == "required":
        return [(path + [k], "missing: the schema requires it") for k in e.validator_value if k not in e.instance]
    if e.validator == "additionalProperties" and e.validator_value is False:
        allowed = list(e.schema.get("properties", {}))
        return [(path + [k], f"key {show(k)} is not allowed here (allowed: {', '.join(allowed)})")
                for k in e.instance if k not in allowed]
    if "propertyNames" in e.schema_path:
        return [(path + [e.instance], f"key {_what(e)}")]
    return [(path, _what(e))]


def _order(parts):
    return [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in parts]


def validate(doc, schema):
    """Raise DocError for the first problem of `doc` under `schema` in path order (a missing
    top-level key before a problem inside another), if it has one."""
    problems = [p for e in Validator(schema).iter_errors(doc) for p in _problems(e)]
    if problems:
        parts, what = min(problems, key=lambda p: _order(p[0]))
        raise DocError(json_path(parts), what)


def check_schema(schema):
    """Raise DocError if `schema` is not a valid JSON Schema 2020-12 document."""
    try:
        Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise DocError(json_path(list(exc.absolute_path)), f"not a valid schema: {exc.message}") from None


def write_outputs(tool, texts):
    """Write each generated file (path -> text); a failure prints `tool: PATH: (top): cannot
    write: WHY` to stderr. Returns the exit status: 0, or 1 at the first failure."""
    for path, text in texts.items():
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            print(f"{tool}: {path}: (top): cannot write: {exc.strerror}", file=sys.stderr)
            return 1
    return 0
