"""act's secret, variable and env files, read exactly as act 0.2.89 reads them.

act picks the parser by the file's extension: ``.yml``/``.yaml`` is a YAML mapping of strings
(Go's yaml.v3 into ``map[string]string``: a scalar's text, ``null`` as empty), anything else
a dotenv file (joho/godotenv 1.5.1): ``export`` prefixes, ``KEY=value`` and ``KEY: value``,
single quotes (verbatim), double quotes (``\\n``/``\\r`` escapes, other backslashes dropped,
``$VAR``/``${VAR}`` from keys defined earlier in the file, empty when undefined), unquoted
values up to the end of the line (``$VAR`` expanded likewise, an inline ``#`` comment after
whitespace cut, surrounding spaces trimmed), quoted values over several lines, comment lines.
Secret names are case-insensitive (act upper-cases them).

A file act would reject makes act print the rest of the file, secrets and all; this module
rejects it first, with ``file:line`` and what is wrong, never its content.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.errors import BadInput

if TYPE_CHECKING:
    import yaml

YAML_SUFFIXES = (".yml", ".yaml")
# godotenv's isSpace: a space, but not a line break
_SPACE = "\t\v\f\r \x85\xa0"
_EXPAND = re.compile(r"(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?")
_ESCAPE = re.compile(r"\\.")
_UNESCAPE = re.compile(r"\\([^$])")
_HINT = "lines are KEY=VALUE (act's .secrets format)"


def read_file(path: Path, *, what: str = "--secret-file") -> dict[str, str]:
    """The KEY → value map act reads from ``path`` (keys as written)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{what} {path}: cannot read it ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInput(f"{what} {path}:{line}: not UTF-8 text; save it as UTF-8") from None
    where = f"{what} {path}"
    if path.suffix in YAML_SUFFIXES:
        return parse_yaml(text, where)
    return parse_dotenv(text, where)


def read_secrets(path: Path, *, what: str = "--secret-file") -> dict[str, str]:
    """Secrets as act has them: names upper-cased (the first of two that differ only in case
    wins in act, in no fixed order; :func:`secret_values` masks both)."""
    out: dict[str, str] = {}
    for key, value in read_file(path, what=what).items():
        out.setdefault(key.upper(), value)
    return out


def secret_values(path: Path, *, what: str = "--secret-file") -> list[str]:
    """Every value a secret file holds, to be masked (also both of two names that differ only
    in case, since which one act keeps is not fixed)."""
    return [v for v in read_file(path, what=what).values() if v]


# -- dotenv (godotenv 1.5.1) ------------------------------------------------------------------


def parse_dotenv(text: str, where: str = "") -> dict[str, str]:
    src = text.replace("\r\n", "\n")
    out: dict[str, str] = {}
    pos = 0
    while True:
        pos = _statement_start(src, pos)
        if pos < 0:
            return out
        key, pos = _key(src, pos, where)
        value, pos = _value(src, pos, out, where)
        out[key] = value
        if pos < 0:
            return out


def _statement_start(src: str, pos: int) -> int:
    """Where the next statement begins (comment lines and blank space skipped), or -1."""
    while True:
        while pos < len(src) and src[pos].isspace():
            pos += 1
        if pos >= len(src):
            return -1
        if src[pos] != "#":
            return pos
        newline = src.find("\n", pos)
        if newline < 0:
            return -1
        pos = newline


def _key(src: str, pos: int, where: str) -> tuple[str, int]:
    while pos < len(src) and src[pos] in _SPACE:
        pos += 1
    if src.startswith("export", pos) and pos + 6 < len(src) and src[pos + 6] in _SPACE:
        pos += 6
        while pos < len(src) and src[pos] in _SPACE:
            pos += 1
    start = pos
    key_end = -1
    # godotenv walks bytes here; a byte of a multi-byte character is taken as that code point
    for i in range(start, len(src)):
        char = src[i]
        if char in "=:":
            key_end = i
            break
        if char == "_" or all(_key_byte(b) for b in char.encode("utf-8")):
            continue
        raise BadInput(
            f"{where}:{_line(src, i)}: unexpected {_describe(char)} in a secret's name; {_HINT}"
        )
    if key_end < 0:  # the file's last statement has no = or ':': its name is empty
        return "", start
    key = src[start:key_end].rstrip()
    pos = key_end + 1
    while pos < len(src) and src[pos] in _SPACE:
        pos += 1
    return key, pos


def _key_byte(byte: int) -> bool:
    char = chr(byte)
    if char in _SPACE or char == "." or char.isdigit():
        return True
    return unicodedata.category(char).startswith(("L", "N"))


def _value(src: str, pos: int, known: dict[str, str], where: str) -> tuple[str, int]:
    """The value at ``pos`` and where parsing goes on (-1: the end of the file)."""
    if pos >= len(src):
        return "", -1
    quote = src[pos]
    if quote not in "\"'":
        end = len(src)
        for i in range(pos, len(src)):
            if src[i] in "\n\r":
                end = i
                break
        line = src[pos:end]
        stop = len(line)
        for i in range(len(line) - 1, 0, -1):
            if line[i] == "#" and line[i - 1] in _SPACE:
                stop = i
                break
        return _expand(line[:stop].strip(_SPACE), known), end
    for i in range(pos + 1, len(src)):
        if src[i] != quote or src[i - 1] == "\\":
            continue
        value = src[pos:i].rstrip(quote).lstrip(quote)
        if quote == '"':
            value = _expand(_unescape(value), known)
        return value, i + 1
    raise BadInput(f"{where}:{_line(src, pos)}: a {_describe(quote)} that is never closed; {_HINT}")


def _unescape(value: str) -> str:
    def one(match: re.Match[str]) -> str:
        return {"n": "\n", "r": "\r"}.get(match.group(0)[1], match.group(0))

    return _UNESCAPE.sub(r"\1", _ESCAPE.sub(one, value))


def _expand(value: str, known: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        # godotenv also means to keep ``$(`` but tests the wrong group, so only ``\$`` is kept
        if match.group(1) == "\\":
            return match.group(0)[1:]
        if match.group(4):
            return known.get(match.group(4), "")
        return match.group(0)

    return _EXPAND.sub(one, value)


def _line(src: str, pos: int) -> int:
    return src.count("\n", 0, pos) + 1


def _describe(char: str) -> str:
    names = {"\n": "line break", '"': "double quote", "'": "single quote"}
    return names.get(char, f"character {char!r}" if char.isprintable() else "control character")


# -- YAML (yaml.v3 into map[string]string) -------------------------------------------------------


def parse_yaml(text: str, where: str = "") -> dict[str, str]:
    import yaml  # a .yml env file's: not on a run's way in

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.composer.ComposerError as exc:  # e.g. an undefined alias
        raise BadInput(f"{where}:{_mark(exc)}: malformed YAML ({exc.problem})") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise BadInput(f"{where}:{_mark(exc)}: malformed YAML ({problem})") from None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null")):
        return {}
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1
        raise BadInput(f"{where}:{line}: expected a mapping of NAME: value, not a {_kind(root)}")
    out: dict[str, str] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise BadInput(f"{where}:{line}: a name must be plain text, not a {_kind(key_node)}")
        key = key_node.value
        if key in out:
            raise BadInput(f"{where}:{line}: {key!r} is defined twice")
        out[key] = _scalar(value_node, f"{where}:{value_node.start_mark.line + 1}")
    return out


def _scalar(node: yaml.Node, where: str) -> str:
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        raise BadInput(f"{where}: a value must be text, not a {_kind(node)}")
    if node.tag.endswith(":null") and node.style is None:
        return ""
    if node.tag.endswith(":binary"):
        raise BadInput(f"{where}: !!binary values are not supported; write the text itself")
    return str(node.value)


def _kind(node: yaml.Node) -> str:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "single value"


def _mark(exc: yaml.YAMLError) -> int:

    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1
