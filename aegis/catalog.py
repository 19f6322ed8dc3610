"""The catalog of components and services, and how a selection of them is resolved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from aegis.errors import UnknownNameError


class Kind(StrEnum):
    """Whether an entry is a building block (component) or a feature (service)."""

    COMPONENT = "component"
    SERVICE = "service"


@dataclass(frozen=True)
class Entry:
    """One thing a project can include.

    Attributes:
        name: The name users type, also the value recorded in the template answers.
        kind: Component or service; decides which answer list it is recorded in.
        help: One line saying what it adds.
        requires: Names of entries that must be included with it.
        always: Included in every project, whether asked for or not.
        tables: Database tables it owns; `aegis remove` keeps them (and their
            migrations) unless told to drop them.
        migrations: It holds the project's migrations (without it, none run).
    """

    name: str
    kind: Kind
    help: str
    requires: tuple[str, ...] = ()
    always: bool = False
    tables: tuple[str, ...] = ()
    migrations: bool = False


CATALOG: tuple[Entry, ...] = (
    Entry("backend", Kind.COMPONENT, "FastAPI app, settings from .env, /health", always=True),
    Entry(
        "database",
        Kind.COMPONENT,
        "SQLModel with SQLite by default (any SQLAlchemy URL, e.g. PostgreSQL)",
        requires=("backend",),
        migrations=True,
    ),
    Entry(
        "redis",
        Kind.COMPONENT,
        "Redis client (REDIS_URL): a login throttle and user cache shared by every worker",
        requires=("backend",),
    ),
    Entry(
        "auth",
        Kind.SERVICE,
        "JWT authentication: register, OAuth2 password login, /auth/me, user admin",
        requires=("database",),
        tables=(
            "users",
            "auth_sessions",
            "one_time_tokens",
            "two_factor",
            "two_factor_recovery_codes",
        ),
    ),
)

_BY_NAME = {entry.name: entry for entry in CATALOG}


def entries(kind: Kind) -> tuple[Entry, ...]:
    """Return the catalog entries of one kind, in catalog order."""
    return tuple(entry for entry in CATALOG if entry.kind is kind)


def get(name: str) -> Entry:
    """Return the entry called ``name``.

    Raises:
        UnknownNameError: No entry has that name.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        valid = ", ".join(entry.name for entry in CATALOG)
        raise UnknownNameError(f"unknown name '{name}' (valid: {valid})") from None


@dataclass(frozen=True)
class Selection:
    """A resolved set of entries.

    Attributes:
        components: Component names, in catalog order.
        services: Service names, in catalog order.
        implied: Entries added because another one requires them, mapped to the
            name of the entry that pulled them in.
    """

    components: tuple[str, ...]
    services: tuple[str, ...]
    implied: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """All selected names, components first."""
        return self.components + self.services


def _check_kind(names: Iterable[str], kind: Kind) -> list[str]:
    """Return ``names`` after checking each is a known entry of ``kind``."""
    checked = []
    valid = ", ".join(e.name for e in entries(kind))
    for name in names:
        entry = _BY_NAME.get(name)
        if entry is None:
            raise UnknownNameError(f"unknown {kind} '{name}' (valid {kind}s: {valid})")
        if entry.kind is not kind:
            raise UnknownNameError(
                f"'{name}' is a {entry.kind}, not a {kind} (valid {kind}s: {valid})"
            )
        checked.append(name)
    return checked


def resolve(components: Iterable[str] = (), services: Iterable[str] = ()) -> Selection:
    """Resolve requested components and services, adding what they require.

    Args:
        components: Component names the user asked for.
        services: Service names the user asked for.

    Returns:
        The selection, with implicitly added entries listed in ``implied``.

    Raises:
        UnknownNameError: A name is unknown or of the wrong kind.
    """
    requested = _check_kind(components, Kind.COMPONENT) + _check_kind(services, Kind.SERVICE)
    chosen: set[str] = set(requested)
    implied: dict[str, str] = {}
    pending = list(requested) + [entry.name for entry in CATALOG if entry.always]
    while pending:
        name = pending.pop()
        chosen.add(name)
        for needed in get(name).requires:
            if needed not in chosen:
                implied.setdefault(needed, name)
                pending.append(needed)
    for entry in CATALOG:
        if entry.always:
            implied.pop(entry.name, None)
    ordered = [entry for entry in CATALOG if entry.name in chosen]
    return Selection(
        components=tuple(e.name for e in ordered if e.kind is Kind.COMPONENT),
        services=tuple(e.name for e in ordered if e.kind is Kind.SERVICE),
        implied=implied,
    )


def dependents(name: str, among: Iterable[str]) -> list[str]:
    """Return the entries of ``among`` that require ``name`` directly."""
    return [other for other in among if name in get(other).requires]


def combinations() -> list[Selection]:
    """Return every distinct selection the catalog allows (for smoke tests).

    Each subset of the optional entries is resolved; subsets that resolve to the
    same selection are reported once.
    """
    optional = [entry for entry in CATALOG if not entry.always]
    seen: dict[tuple[str, ...], Selection] = {}
    for mask in range(2 ** len(optional)):
        picked = [entry for bit, entry in enumerate(optional) if mask >> bit & 1]
        selection = resolve(
            [e.name for e in picked if e.kind is Kind.COMPONENT],
            [e.name for e in picked if e.kind is Kind.SERVICE],
        )
        seen.setdefault(selection.names, Selection(selection.components, selection.services))
    return sorted(seen.values(), key=lambda s: (len(s.names), s.names))
