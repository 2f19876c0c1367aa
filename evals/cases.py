"""Eval cases: the YAML format of DESIGN "Eval case contract", its schema and its loader.

A case file holds one case (a mapping) or a list of cases. Any directory is searched
recursively for ``*.yaml`` / ``*.yml``; folders named ``worlds`` and files ending in
``.world.yaml`` hold world files, not cases, and are skipped. Every loader error names the
file, the case id and the field (:class:`CaseError`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from agent import decisions as _decisions
from promesa.store.models import Base

Persona = Literal["customer", "support", "ops", "anonymous"]

#: Decision types of DESIGN rule 2, read from the decision union itself: a new decision type
#: is accepted here without touching the loader.
DECISION_TYPES = _decisions.decision_types()

#: Folder names and file suffixes that hold worlds next to cases.
WORLD_DIRS = frozenset({"worlds"})
WORLD_SUFFIXES = (".world.yaml", ".world.yml")


class CaseError(ValueError):
    """A case file that cannot be used; the message names file, case id and field."""

    def __init__(self, file: Path, case_id: str | None, field: str | None, message: str) -> None:
        self.file = file
        self.case_id = case_id
        self.field = field
        self.message = message
        where = f"{file}: case {case_id!r}" if case_id else f"{file}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PrincipalSpec(_Strict):
    subject: str = Field(min_length=1, description="Customer id (C-1001) or staff id.")


class UserTurn(_Strict):
    user: str = Field(description="What the person types.")


class ApproveTurn(_Strict):
    approve: bool = Field(description="Resolve the pending approval: true approves, false rejects.")
    reason: str | None = None


class Verification(_Strict):
    """An anonymous visitor proves an order is theirs: the order id plus an email or a phone,
    optionally with a postal code (which never verifies alone, issue #16)."""

    order_id: str
    email: str | None = None
    phone: str | None = None
    postal_code: str | None = None

    @model_validator(mode="after")
    def _one_fact(self) -> Verification:
        given = [v for v in (self.email, self.phone) if v]
        if len(given) != 1 and not (self.postal_code and not given):
            raise ValueError("give exactly one of email or phone (a postal code may come beside it)")
        return self


class VerifyTurn(_Strict):
    verify: Verification


def _turn_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {UserTurn: "user", ApproveTurn: "approve", VerifyTurn: "verify"}.get(type(value))
    if isinstance(value, dict):
        for key in ("user", "approve", "verify"):
            if key in value:
                return key
    return None


#: A turn is chosen by its key (``user``/``approve``/``verify``), so errors name that key.
Turn = Annotated[
    Annotated[UserTurn, Tag("user")]
    | Annotated[ApproveTurn, Tag("approve")]
    | Annotated[VerifyTurn, Tag("verify")],
    Discriminator(_turn_kind),
]


class ToolsExpect(_Strict):
    must: list[str] = []
    must_not: list[str] = []


class AnswerExpect(_Strict):
    language: Literal["en", "es"] | None = None
    contains: list[str] = []
    not_contains: list[str] = []


def _check_decision_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise ValueError(f"item {i} must be a mapping like {{type: order_status, ...}}")
        kind = record.get("type")
        accepted = _decisions.decision_types()  # asked each time: the union is the one list
        if kind not in accepted:
            raise ValueError(
                f"item {i}: type {kind!r} is not one of {', '.join(sorted(accepted))}"
            )
    return records


class StateExpect(BaseModel):
    """One assertion on the database after the conversation (see evals/state.py).

    ``table`` names a table of the world model; ``id`` (its primary key) or ``where`` (column
    equalities) selects rows; ``count`` is how many; every other key is a column some selected
    row must hold.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    table: str
    id: str | int | None = None
    where: dict[str, Any] | None = None
    count: int | None = Field(None, ge=0)

    def fields(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    @model_validator(mode="after")
    def _known_columns(self) -> StateExpect:
        table = Base.metadata.tables.get(self.table)
        if table is None:
            raise ValueError(f"unknown table {self.table!r}; known: {', '.join(sorted(Base.metadata.tables))}")
        if self.id is not None and self.where is not None:
            raise ValueError("give id or where, not both")
        if self.id is not None and len(table.primary_key.columns) != 1:
            raise ValueError(f"{self.table} has a composite key: select rows with where")
        unknown = sorted((set(self.fields()) | set(self.where or {})) - set(table.columns.keys()))
        if unknown:
            raise ValueError(f"{self.table} has no column(s) {', '.join(unknown)}")
        return self


class Expect(_Strict):
    decisions: list[dict[str, Any]] = []
    no_decisions: list[dict[str, Any]] = []
    tools: ToolsExpect = ToolsExpect()
    answer: AnswerExpect = AnswerExpect()
    citations: list[str] = []
    verified: bool | None = Field(
        None, description="Extension: whether every `verify` turn must succeed (true) or fail."
    )
    state: list[StateExpect] | None = Field(
        None, description="The database afterwards; anything else changed fails ([] = nothing changed)."
    )

    _records = field_validator("decisions", "no_decisions")(_check_decision_records)


class Case(_Strict):
    """One eval case. ``source`` is the file it came from (world paths are relative to it)."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    tags: list[str] = []
    persona: Persona
    principal: PrincipalSpec | None = None
    now: datetime
    world: str | dict[str, Any] | None = None
    turns: Annotated[list[Turn], Field(min_length=1)]
    expect: Expect = Expect()
    source: Path = Path(".")

    @field_validator("now")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2026-11-20T10:00:00-06:00")
        return value

    @model_validator(mode="after")
    def _principal_matches_persona(self) -> Case:
        if self.persona == "anonymous" and self.principal is not None:
            raise ValueError("principal: an anonymous case has no principal (use a verify turn)")
        if self.persona != "anonymous" and self.principal is None:
            raise ValueError(f"principal: a {self.persona} case needs principal: {{subject: ...}}")
        if self.persona != "anonymous" and any(isinstance(t, VerifyTurn) for t in self.turns):
            raise ValueError("turns: verify turns are for anonymous cases only")
        return self

    def world_ref(self) -> Path | dict[str, Any] | None:
        """The world file resolved against the case file, the inline world, or None (demo)."""
        if isinstance(self.world, str):
            return (self.source.parent / self.world).resolve()
        return self.world

    def has_tag(self, tags: Iterable[str]) -> bool:
        return bool(set(self.tags) & set(tags))


def _field_path(loc: Sequence[int | str]) -> str:
    # pydantic names union members and tags in the path; keep the path a case author writes.
    parts: list[str] = []
    for p in map(str, loc):
        if p.startswith(("str", "dict[", "function-after")) or (parts and parts[-1] == p):
            continue
        parts.append(p)
    return ".".join(parts) or "(case)"


def parse_case(raw: Any, file: Path, index: int | None = None) -> Case:
    """Validate one raw mapping into a :class:`Case`; errors name file, id and field."""
    label = f"#{index}" if index is not None else None
    if not isinstance(raw, dict):
        raise CaseError(file, label, None, "a case must be a mapping with id, persona, now, turns")
    case_id = str(raw.get("id") or label or "?")
    for i, turn in enumerate(raw.get("turns") or []):
        if isinstance(turn, dict) and len(turn) and not {"user", "approve", "verify"} & set(turn):
            raise CaseError(file, case_id, f"turns.{i}", "a turn is `user:`, `approve:` or `verify:`")
    try:
        return Case.model_validate({**raw, "source": file})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field_path(first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if message.startswith("principal:") or message.startswith("turns:"):
            field, message = message.split(":", 1)[0], message.split(":", 1)[1].strip()
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise CaseError(file, case_id, field, message + more) from None


def load_file(file: Path) -> list[Case]:
    """The cases of one YAML file (a mapping or a list of mappings)."""
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CaseError(file, None, None, f"not valid YAML: {exc}") from None
    if raw is None:
        return []
    if isinstance(raw, list):
        return [parse_case(item, file, i) for i, item in enumerate(raw)]
    return [parse_case(raw, file)]


def case_files(root: Path) -> list[Path]:
    """Every case file under ``root`` (or ``root`` itself), skipping world files."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise CaseError(root, None, None, "no such file or directory")
    files = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        if path.name.endswith(WORLD_SUFFIXES):
            continue
        if WORLD_DIRS & set(path.relative_to(root).parts[:-1]):
            continue
        files.append(path)
    return files


def load_cases(roots: Iterable[Path | str], tags: Iterable[str] | None = None) -> list[Case]:
    """Load every case under the given files/directories, optionally keeping only some tags.

    Raises:
        CaseError: a file cannot be parsed, a case is invalid, or two cases share an id.
    """
    wanted = {t for t in (tags or []) if t}
    cases: list[Case] = []
    seen: dict[str, Path] = {}
    for root in roots:
        for file in case_files(Path(root)):
            for case in load_file(file.resolve()):
                if case.id in seen:
                    raise CaseError(file, case.id, "id", f"duplicate id, also in {seen[case.id]}")
                seen[case.id] = file
                cases.append(case)
    if wanted:
        cases = [c for c in cases if c.has_tag(wanted)]
    return cases
