"""Letter wording as editable data, with ``{placeholder}`` fields.

Each kind of letter accepts only a fixed list of placeholders. That list is the privacy
guard: a template cannot pull a diagnosis, the records requested or any other clinical
field into a letter, because no such value is ever offered to it; an unknown placeholder
is an error the administrator sees, not a blank.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from roi_desk.errors import ValidationError

__all__ = ["LetterTemplates", "fill", "load_templates"]

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")


def fill(template: str, values: Mapping[str, str], *, letter: str = "letter") -> str:
    """``template`` with each ``{name}`` replaced; ``{{``/``}}`` print one brace."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        if name is None:
            raise ValidationError(
                f"The wording of the {letter} has an unmatched brace. "
                "Ask an administrator to correct the letter templates."
            )
        if name not in values:
            raise ValidationError(
                f"The wording of the {letter} uses an unknown field {{{name}}}. "
                "Ask an administrator to correct the letter templates.",
                fields={name: "unknown placeholder"},
            )
        return values[name]

    return _PLACEHOLDER.sub(replace, template)


@dataclass(frozen=True)
class LetterTemplates:
    """The parsed ``letter_templates.json``: one section of strings per letter kind."""

    version: str
    sections: Mapping[str, Mapping[str, Any]]

    def section(self, name: str) -> Mapping[str, Any]:
        try:
            return self.sections[name]
        except KeyError:
            raise ValidationError(
                f"The letter templates have no wording for '{name}'. "
                "Ask an administrator to add it."
            ) from None

    def text(self, section: str, key: str) -> str:
        value = self.section(section).get(key, "")
        if not isinstance(value, str):
            raise ValidationError(f"The letter template '{section}.{key}' must be text.")
        return value

    def paragraphs(self, section: str, key: str = "paragraphs") -> list[str]:
        value = self.section(section).get(key, [])
        if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
            raise ValidationError(f"The letter template '{section}.{key}' must be a list.")
        return list(value)

    @classmethod
    def from_json(cls, text: str) -> LetterTemplates:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                "The letter templates file is not valid. Ask an administrator to check it."
            ) from exc
        if not isinstance(data, dict):
            raise ValidationError("The letter templates file is not in the expected format.")
        sections = {k: v for k, v in data.items() if isinstance(v, dict)}
        return cls(version=str(data.get("version", "")), sections=sections)


@cache
def _packaged(name: str) -> str:
    return resources.files("roi_desk.data").joinpath(name).read_text("utf-8")


def load_templates(path: Path | None = None) -> LetterTemplates:
    """The letter wording from ``path``, or the wording shipped with the program."""
    if path is None:
        return LetterTemplates.from_json(_packaged("letter_templates.json"))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(
            "The letter templates file cannot be read. Ask an administrator to check it."
        ) from exc
    return LetterTemplates.from_json(text)
