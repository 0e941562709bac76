"""The catalog's interchange format: TOML written in the data file's own layout, and read with line numbers."""

from __future__ import annotations

import json
import math
import re
import tomllib

from .catalog import CatalogError, parse_unchecked

TABLES = ("shop", "product", "workshop")
OPTIONAL_TABLES = ("shipping", "tax")  # shipping rates and where tax is collected (README "Shipping and sales tax")
ARRAYS = ("groups", "rules", "components", "checklist")


class TomlProblems(ValueError):
    """A TOML text that cannot become a catalog; each message names its line."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def dumps(data: dict) -> str:
    """The catalog data as TOML; `loads(dumps(data)) == data` for any catalog data."""
    out: list[str] = []
    for name in TABLES:
        out += [f"[{name}]", *(f"{k} = {_value(v)}" for k, v in data[name].items() if v is not None), ""]
    for name in OPTIONAL_TABLES:
        if name in data:
            out += [f"[{name}]", *_pairs(data[name]), ""]
    for name in ARRAYS:
        for item in data.get(name, []):
            out += [f"[[{name}]]", *_pairs(item), ""]
    return "\n".join(out)


def _pairs(table: dict) -> list[str]:
    """`key = value` lines; a list of tables is written one inline table a line."""
    out = []
    for key, value in table.items():
        if value is None:
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            out += [f"{key} = [", *(f"  {_value(v)}," for v in value), "]"]
        else:
            out.append(f"{key} = {_value(value)}")
    return out


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)  # Python's shortest round-trip form is a valid TOML float
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items() if v is not None) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to the catalog file")


REQUIRED = {
    "shop": {"name": str, "currency": str, "timezone": str},
    "product": {"code": str, "label": str, "base_cents": int},
    "workshop": {
        "working_days": list,
        "assembly_capacity_per_day": int,
        "assembly_days": int,
        "testing_days": int,
        "transit_days": int,
    },
    "groups": {"code": str, "label": str, "pick": str, "options": list},
    "options": {"code": str, "label": str, "delta_cents": int, "component": str},
    "rules": {"option": str, "message": str},
    "components": {"sku": str, "name": str, "on_hand": int, "lead_time_days": int},
    "checklist": {"code": str, "label": str},
}


def loads(text: str) -> dict:
    """Catalog data from TOML text, or TomlProblems with line-numbered messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlProblems([f"Line {_line_of(str(exc))}: {exc}"]) from exc
    lines = text.splitlines()
    problems = [f"Line {_line_for(lines, data, path)}: {message}" for path, message in schema_problems(data)]
    if not problems:
        try:
            parse_unchecked(data)
        except CatalogError as exc:
            problems.append(f"Line 1: {exc}")
    if problems:
        raise TomlProblems(problems)
    return data


def schema_problems(data: dict) -> list[tuple[tuple, str]]:
    """(path, message) for each missing field or value of the wrong kind."""
    problems: list[tuple[tuple, str]] = []
    for name in TABLES:
        problems += _fields(data.get(name), (name,), REQUIRED[name])
    for name in ARRAYS:
        items = data.get(name, [])
        if not isinstance(items, list) or (name != "checklist" and not items):
            problems.append(((name,), f"[[{name}]]: at least one is needed."))
            continue
        for index, item in enumerate(items):
            problems += _fields(item, (name, index), REQUIRED[name])
            if name == "rules" and isinstance(item, dict) and ("needs" in item) == ("excludes" in item):
                problems.append(((name, index), "a rule says either 'needs' or 'excludes'."))
            if name == "groups" and isinstance(item, dict) and isinstance(item.get("options"), list):
                for o_index, option in enumerate(item["options"]):
                    problems += _fields(option, (name, index, "options", o_index), REQUIRED["options"])
    return problems


def _fields(table, path: tuple, required: dict) -> list[tuple[tuple, str]]:
    where = ".".join(str(p) for p in path)
    if not isinstance(table, dict):
        return [(path, f"{where} is missing.")]
    problems = []
    for key, kind in required.items():
        if key not in table:
            problems.append(((*path, key), f"{where}: the field {key!r} is missing."))
        elif not isinstance(table[key], kind) or (kind is int and isinstance(table[key], bool)):
            problems.append(((*path, key), f"{where}.{key} must be {_KINDS[kind]}."))
    return problems


_KINDS = {str: "text in quotes", int: "a whole number", list: "a list"}


def _line_of(message: str) -> str:
    match = re.search(r"line (\d+)", message)
    return match.group(1) if match else "?"


def _line_for(lines: list[str], data: dict, path: tuple) -> int:
    """The line a problem at `path` is on: the key's own line inside its table, else the table's header."""
    name = path[0]
    header = f"[{name}]" if name in TABLES else f"[[{name}]]"
    start = _header_line(lines, header, path[1] if len(path) > 1 and isinstance(path[1], int) else 0)
    if len(path) > 3 and path[2] == "options":
        option = data[name][path[1]]["options"][path[3]]
        code = option.get("code") if isinstance(option, dict) else None
        return _line_after(lines, start, lambda line: code is not None and f'"{code}"' in line) or start
    key = path[-1]
    if isinstance(key, str) and key != name:
        return _line_after(lines, start, lambda line: line.strip().startswith(f"{key} ")) or start
    return start


def _line_after(lines: list[str], start: int, matches) -> int | None:
    for number in range(start + 1, len(lines) + 1):
        if lines[number - 1].lstrip().startswith("["):
            return None
        if matches(lines[number - 1]):
            return number
    return None


def _header_line(lines: list[str], header: str, index: int) -> int:
    seen = -1
    for number, line in enumerate(lines, start=1):
        if line.strip() == header:
            seen += 1
            if seen == index:
                return number
    return 1
