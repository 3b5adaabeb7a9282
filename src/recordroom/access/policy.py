"""Load, validate and compile the access policy (``policies/default.toml`` or ``RECORDROOM_ACCESS_POLICY``).

The policy is data reviewed like code (STYLE R4: permissions declared in one place). Validation is
strict: an unknown role, action, resource type, purpose, document type, restriction, scope or key stops
the load with a message naming the file and the entry. Compiled, a decision is a dictionary lookup per
role: no database query for role and permission decisions.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from recordroom.access.roles import Role
from recordroom.core.vocabulary import Action, Purpose, Relationship, ResourceType, Restriction

DEFAULT_POLICY = Path(__file__).resolve().parent / "policies" / "default.toml"
ALL_TYPES = "*"

_TOP_KEYS = {"version", "name", "break_glass", "document_types", "roles"}
_GRANT_KEYS = {"resources", "actions", "purposes", "document_types", "scope", "clears"}
_ROLE_KEYS = {"description", "grants"}
_BREAK_GLASS_KEYS = {"roles", "minutes", "resources", "actions"}
_DOCTYPE_KEYS = {"label", "restriction"}
MAX_BREAK_GLASS_MINUTES = 24 * 60


class PolicyError(ImproperlyConfigured):
    """The policy file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Grant:
    rule: str
    role: Role
    resources: frozenset[ResourceType]
    actions: frozenset[Action]
    purposes: frozenset[Purpose]
    document_types: frozenset[str] | None  # None: every type
    scope: Relationship | None
    clears: frozenset[Restriction]


@dataclass(frozen=True)
class DocumentType:
    code: str
    label: str
    restriction: Restriction | None


@dataclass(frozen=True)
class BreakGlass:
    roles: frozenset[Role]
    minutes: int
    resources: frozenset[ResourceType]
    actions: frozenset[Action]


@dataclass(frozen=True)
class Policy:
    name: str
    source: str
    version: int
    grants: tuple[Grant, ...]
    document_types: dict[str, DocumentType]
    break_glass: BreakGlass
    descriptions: dict[Role, str]
    table: dict[tuple[Role, ResourceType, Action], tuple[Grant, ...]]

    def grants_for(self, role: Role, resource: ResourceType, action: Action) -> tuple[Grant, ...]:
        return self.table.get((role, resource, action), ())


E = TypeVar("E", Action, Purpose, ResourceType, Restriction, Role)


_NOUNS: dict[type, str] = {
    Action: "action",
    Purpose: "purpose",
    ResourceType: "resource type",
    Restriction: "restriction",
    Role: "role",
}


def _words(enum: type[E], values: Any, where: str, what: str) -> frozenset[E]:
    if not isinstance(values, list) or not values:
        raise PolicyError(f"{where}: '{what}' must be a non-empty list")
    result = set()
    for value in values:
        try:
            result.add(enum(value))
        except ValueError:
            raise PolicyError(f"{where}: unknown {_NOUNS[enum]} {value!r}") from None
    return frozenset(result)


def _check_keys(table: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise PolicyError(f"{where}: expected a table")
    unknown = set(table) - allowed
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return table


def _document_types(raw: Any, source: str) -> dict[str, DocumentType]:
    table = _check_keys(raw, set(raw) if isinstance(raw, dict) else set(), f"{source} [document_types]")
    types: dict[str, DocumentType] = {}
    for code, raw_spec in table.items():
        where = f"{source} [document_types.{code}]"
        spec = _check_keys(raw_spec, _DOCTYPE_KEYS, where)
        if "label" not in spec:
            raise PolicyError(f"{where}: a document type needs a label")
        restriction = None
        if "restriction" in spec:
            restriction = next(iter(_words(Restriction, [spec["restriction"]], where, "restriction")))
        types[code] = DocumentType(code=code, label=str(spec["label"]), restriction=restriction)
    if not types:
        raise PolicyError(f"{source}: [document_types] is empty")
    return types


def _grant(role: Role, index: int, raw: Any, doc_types: dict[str, DocumentType], source: str) -> Grant:
    where = f"{source} [roles.{role.value}.grants] #{index + 1}"
    spec = _check_keys(raw, _GRANT_KEYS, where)
    for key in ("resources", "actions", "purposes"):
        if key not in spec:
            raise PolicyError(f"{where}: '{key}' is required")
    resources = _words(ResourceType, spec["resources"], where, "resources")
    kinds: frozenset[str] | None = None
    if "document_types" in spec:
        if resources != {ResourceType.DOCUMENT}:
            raise PolicyError(f"{where}: 'document_types' applies only to a grant on resources = [\"document\"]")
        listed = spec["document_types"]
        if listed != [ALL_TYPES]:
            if not isinstance(listed, list) or not listed:
                raise PolicyError(f"{where}: 'document_types' must be a non-empty list")
            unknown = [t for t in listed if t not in doc_types]
            if unknown:
                raise PolicyError(f"{where}: unknown document type(s) {', '.join(map(repr, unknown))}")
            kinds = frozenset(listed)
    elif ResourceType.DOCUMENT in resources:
        raise PolicyError(f"{where}: a grant on documents must list its document_types (minimum necessary)")
    scope = None
    if "scope" in spec:
        try:
            scope = Relationship(spec["scope"])
        except ValueError:
            raise PolicyError(f"{where}: unknown scope {spec['scope']!r}") from None
    purposes = _words(Purpose, spec["purposes"], where, "purposes")
    if Purpose.EMERGENCY in purposes:
        raise PolicyError(f"{where}: the emergency purpose belongs to [break_glass] only")
    return Grant(
        rule=f"{role.value}#{index + 1}",
        role=role,
        resources=resources,
        actions=_words(Action, spec["actions"], where, "actions"),
        purposes=purposes,
        document_types=kinds,
        scope=scope,
        clears=_words(Restriction, spec["clears"], where, "clears") if "clears" in spec else frozenset(),
    )


def parse_policy(text: str, source: str) -> Policy:
    """Parse and validate policy text; raises :class:`PolicyError` naming ``source`` and the problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML ({exc})") from None
    _check_keys(raw, _TOP_KEYS, source)
    if raw.get("version") != 1:
        raise PolicyError(f"{source}: version must be 1")
    doc_types = _document_types(raw.get("document_types", {}), source)
    roles_raw = raw.get("roles")
    if not isinstance(roles_raw, dict) or not roles_raw:
        raise PolicyError(f"{source}: [roles] is missing")
    grants: list[Grant] = []
    descriptions: dict[Role, str] = {}
    for name, role_spec in roles_raw.items():
        try:
            role = Role(name)
        except ValueError:
            raise PolicyError(f"{source}: unknown role {name!r} in [roles]") from None
        spec = _check_keys(role_spec, _ROLE_KEYS, f"{source} [roles.{name}]")
        descriptions[role] = str(spec.get("description", ""))
        for index, grant in enumerate(spec.get("grants", [])):
            grants.append(_grant(role, index, grant, doc_types, source))
    missing = [r.value for r in Role if r not in descriptions]
    if missing:
        raise PolicyError(f"{source}: no entry for role(s) {', '.join(missing)} (write one, even with no grants)")
    bg = _check_keys(raw.get("break_glass", {}), _BREAK_GLASS_KEYS, f"{source} [break_glass]")
    minutes = bg.get("minutes", 60)
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_BREAK_GLASS_MINUTES:
        raise PolicyError(f"{source} [break_glass]: minutes must be 1-{MAX_BREAK_GLASS_MINUTES}")
    break_glass = BreakGlass(
        roles=_words(Role, bg.get("roles", []), f"{source} [break_glass]", "roles"),
        minutes=minutes,
        resources=_words(ResourceType, bg.get("resources", []), f"{source} [break_glass]", "resources"),
        actions=_words(Action, bg.get("actions", []), f"{source} [break_glass]", "actions"),
    )
    table: dict[tuple[Role, ResourceType, Action], list[Grant]] = {}
    for grant in grants:
        for resource in grant.resources:
            for action in grant.actions:
                table.setdefault((grant.role, resource, action), []).append(grant)
    return Policy(
        name=str(raw.get("name", source)),
        source=source,
        version=1,
        grants=tuple(grants),
        document_types=doc_types,
        break_glass=break_glass,
        descriptions=descriptions,
        table={key: tuple(value) for key, value in table.items()},
    )


def load_policy(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"access policy {path} cannot be read: {exc.strerror}") from None
    return parse_policy(text, str(path))


@cache
def active_policy() -> Policy:
    """The policy in force: ``settings.RECORDROOM_ACCESS_POLICY`` or the shipped default."""
    configured = getattr(settings, "RECORDROOM_ACCESS_POLICY", None)
    return load_policy(Path(configured) if configured else DEFAULT_POLICY)


def policy_markdown(policy: Policy) -> str:
    """The policy as the tables of ``docs/access-policy.md`` (a test keeps that file equal to this)."""
    lines = [
        "# Access policy",
        "",
        f"Generated from `{Path(policy.source).name}` by `recordroom access policy-table`; do not edit by hand.",
        "Deny by default: a role may do only what a row below grants (45 CFR 164.502(b), 164.514(d)).",
        "",
        "## Grants by role",
        "",
        "| role | rule | resources | actions | purposes | document types | only when | clears |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for role in Role:
        grants = [g for g in policy.grants if g.role is role]
        if not grants:
            lines.append(f"| {role.value} | — | none | | | | | |")
        for grant in grants:
            kinds = (
                ""
                if ResourceType.DOCUMENT not in grant.resources
                else ("all" if grant.document_types is None else ", ".join(sorted(grant.document_types)))
            )
            lines.append(
                f"| {role.value} | {grant.rule} | {', '.join(sorted(r.value for r in grant.resources))} "
                f"| {', '.join(sorted(a.value for a in grant.actions))} "
                f"| {', '.join(sorted(p.value for p in grant.purposes))} | {kinds} "
                f"| {grant.scope.value if grant.scope else ''} | {', '.join(sorted(c.value for c in grant.clears))} |"
            )
    lines += ["", "## Role descriptions", ""]
    lines += [f"- **{role.value}**: {policy.descriptions[role]}" for role in Role]
    lines += [
        "",
        "## Document types and their restrictions",
        "",
        "A restricted type needs a grant that clears its restriction, a per-user grant, or emergency access.",
        "",
        "| document type | label | restriction |",
        "|---|---|---|",
    ]
    for code, doc_type in policy.document_types.items():
        restriction = doc_type.restriction.value if doc_type.restriction else ""
        lines.append(f"| {code} | {doc_type.label} | {restriction} |")
    bg = policy.break_glass
    lines += [
        "",
        "## Emergency access (break the glass)",
        "",
        (
            f"Roles: {', '.join(sorted(r.value for r in bg.roles))}. Window: {bg.minutes} minutes, one patient, "
            "a stated reason; audited as emergency access and reviewed by the privacy officer "
            "(45 CFR 164.312(a)(2)(ii); ONC 170.315(d)(6))."
        ),
        (
            f"Covers: {', '.join(sorted(a.value for a in bg.actions))} on "
            f"{', '.join(sorted(r.value for r in bg.resources))}, restricted records included."
        ),
        "",
    ]
    return "\n".join(lines)
