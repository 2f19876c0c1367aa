"""Policy documents: Markdown with YAML front matter, rendered with the policy numbers.

Format of a file in ``knowledge/policies/`` (documented in ``policies/README.md``)::

    ---
    id: returns              # stable id; translations share it
    title: Returns
    version: 3
    effective: 2026-01-15
    audience: customer       # customer | internal
    locale: en               # en | es
    ---
    # Returns (optional page heading, ignored)

    ## Return window {#return-window}
    Most items can be returned within {{ RETURN_WINDOW_DAYS }} days ...

Every ``##`` heading carries an explicit, stable anchor ``{#anchor}``; a citation is
``<id>#<anchor>`` and names the same section in every language. The body is a Jinja2 template
rendered with :func:`promesa.domain.policy.as_template_values`, so the numbers in the text are
the numbers the code enforces.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Literal

import jinja2
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from promesa.domain import policy
from promesa.errors import InvalidInput

LIBRARY_DIR = Path(__file__).parent / "policies"
Audience = Literal["customer", "internal"]
Locale = Literal["en", "es"]

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.DOTALL)
_SECTION = re.compile(r"^##\s+(?P<title>.+?)\s*(?:\{#(?P<anchor>[^}]*)\})?\s*$")
_ANCHOR = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Jinja comments would clash with the `{#anchor}` syntax, so they get other delimiters.
_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    comment_start_string="{#--",
    comment_end_string="--#}",
)


class PolicyFormatError(InvalidInput):
    """A policy file that breaks the format; names the file and the field."""

    def __init__(self, path: Path, field: str, problem: str) -> None:
        super().__init__(f"{path.name}: {field}: {problem}", field=field, file=str(path))
        self.path = path


class FrontMatter(BaseModel):
    """The required header of every policy document."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    version: int = Field(ge=1)
    effective: date
    audience: Audience
    locale: Locale


class Section(BaseModel):
    """One ``##`` section: the unit of retrieval and of citation."""

    anchor: str
    title: str
    text: str


class PolicyDocument(BaseModel):
    """A rendered policy document."""

    id: str
    title: str
    version: int
    effective: date
    audience: Audience
    locale: Locale
    path: Path
    sections: list[Section]
    content_hash: str

    @property
    def key(self) -> str:
        """Unique per file: the id plus the locale (translations share the id)."""
        return f"{self.id}:{self.locale}"

    def section(self, anchor: str) -> Section | None:
        return next((s for s in self.sections if s.anchor == anchor), None)


def render(body: str, path: Path, values: dict[str, object] | None = None) -> str:
    """Render the Jinja2 body with the policy numbers; an unknown name is a format error."""
    try:
        return _ENV.from_string(body).render(**(values or policy.as_template_values()))
    except jinja2.TemplateError as exc:
        raise PolicyFormatError(path, "body", f"template error: {exc}") from exc


def parse_document(path: Path, values: dict[str, object] | None = None) -> PolicyDocument:
    """Read, validate and render one policy file.

    Raises:
        PolicyFormatError: naming the file and the field (front-matter key, ``body`` or
            ``section``) that is wrong.
    """
    raw = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(raw)
    if not match:
        raise PolicyFormatError(path, "front_matter", "missing '---' YAML front matter block")
    try:
        header = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise PolicyFormatError(path, "front_matter", f"invalid YAML: {exc}") from exc
    if not isinstance(header, dict):
        raise PolicyFormatError(path, "front_matter", "must be a mapping")
    try:
        meta = FrontMatter.model_validate(header)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "front_matter"
        raise PolicyFormatError(path, field, error["msg"]) from exc
    text = render(match.group(2), path, values)
    sections = _split_sections(text, path)
    digest = hashlib.sha256((match.group(1) + "\n" + text).encode()).hexdigest()
    return PolicyDocument(**meta.model_dump(), path=path, sections=sections, content_hash=digest)


def _split_sections(text: str, path: Path) -> list[Section]:
    sections: list[Section] = []
    current: tuple[str, str] | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            body = "\n".join(lines).strip()
            if not body:
                raise PolicyFormatError(path, "section", f"section #{current[0]} is empty")
            sections.append(Section(anchor=current[0], title=current[1], text=body))

    for line in text.splitlines():
        match = _SECTION.match(line)
        if match:
            close()
            anchor = match.group("anchor")
            if not anchor or not _ANCHOR.match(anchor):
                raise PolicyFormatError(
                    path, "section", f"heading '{match.group('title')}' needs an anchor like {{#return-window}}"
                )
            if any(s.anchor == anchor for s in sections):
                raise PolicyFormatError(path, "section", f"duplicate anchor #{anchor}")
            current, lines = (anchor, match.group("title")), []
        elif current is not None:
            lines.append(line)
    close()
    if not sections:
        raise PolicyFormatError(path, "section", "no '## Title {#anchor}' sections")
    return sections


def load_library(directory: Path = LIBRARY_DIR) -> list[PolicyDocument]:
    """Every ``*.md`` policy under ``directory`` (README.md excluded), validated."""
    documents: dict[str, PolicyDocument] = {}
    for path in sorted(directory.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        document = parse_document(path)
        if document.key in documents:
            raise PolicyFormatError(path, "id", f"{document.key} is also defined in {documents[document.key].path.name}")
        documents[document.key] = document
    return list(documents.values())
