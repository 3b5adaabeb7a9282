"""Navigation and dashboard panels by role.

Each entry names the roles that see it; a link is shown only to those roles (deny by default: an
entry with no roles is shown to nobody). The access policy remains the authority on every page.
Domain issues add their entries here as their screens land.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from recordroom.access.selectors import unreviewed_emergency_count
from recordroom.accounts.roles import Role
from recordroom.accounts.selectors import recent_signin_failures
from recordroom.documents.selectors import scans_waiting
from recordroom.patients.services import open_pair_count

EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class Panel:
    """A dashboard panel. With ``count``, it shows how many items wait (``waiting`` with ``{n}``) and
    links to ``link``; ``count`` returns ``None`` when the user may not see them."""

    key: str
    title: str
    empty: str
    count: Callable[[Any], int | None] | None = None
    waiting: str = ""
    link: str = ""


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Dashboard", "web:dashboard", EVERYONE),
    NavItem(
        "Patients",
        "patients:search",
        frozenset(
            {
                Role.HIM_CLERK,
                Role.CODER,
                Role.CDI_SPECIALIST,
                Role.ROI_SPECIALIST,
                Role.PHYSICIAN,
                Role.REGISTRAR,
                Role.HIM_DIRECTOR,
                Role.AUDITOR,
                Role.PRIVACY_OFFICER,
            }
        ),
    ),
    NavItem(
        "Search documents",
        "documents:search",
        frozenset({Role.PHYSICIAN, Role.CODER, Role.CDI_SPECIALIST, Role.ROI_SPECIALIST, Role.REGISTRAR, Role.AUDITOR}),
    ),
    NavItem(
        "Code search",
        "coding:search",
        frozenset({Role.CODER, Role.CDI_SPECIALIST, Role.AUDITOR, Role.HIM_DIRECTOR}),
    ),
    NavItem("Scanned paper", "documents:scans", frozenset({Role.HIM_CLERK})),
    NavItem("Amendment requests", "documents:amendments", frozenset({Role.HIM_CLERK, Role.PRIVACY_OFFICER})),
    NavItem("Record indices", "encounters:indices", frozenset({Role.HIM_DIRECTOR})),
    NavItem("Units and beds", "encounters:units", frozenset({Role.HIM_DIRECTOR, Role.SYSADMIN})),
    NavItem("Patient index", "patients:index", frozenset({Role.HIM_CLERK, Role.HIM_DIRECTOR})),
    NavItem("Duplicates", "patients:duplicates", frozenset({Role.HIM_CLERK, Role.HIM_DIRECTOR})),
    NavItem("Audit trail", "audit:report", frozenset({Role.PRIVACY_OFFICER, Role.AUDITOR})),
    NavItem("Emergency access", "access:emergency_queue", frozenset({Role.PRIVACY_OFFICER})),
    NavItem("Users", "accounts:users", frozenset({Role.SYSADMIN})),
    NavItem("My account", "accounts:account", EVERYONE),
)

# What each role's dashboard holds. Until a domain issue fills a panel it states plainly that there is
# nothing to work on, which is true: no work item of that kind exists yet.
DASHBOARD_PANELS: dict[Role, tuple[Panel, ...]] = {
    Role.HIM_CLERK: (
        Panel(
            "indexing",
            "Documents to index",
            "No documents are waiting to be indexed.",
            count=scans_waiting,
            waiting="{n} scanned item(s) wait to be indexed.",
            link="documents:scans",
        ),
        Panel(
            "duplicates",
            "Possible duplicate patients",
            "No possible duplicates are waiting for review.",
            count=open_pair_count,
            waiting="{n} possible duplicate pair(s) wait for review.",
            link="patients:duplicates",
        ),
    ),
    Role.CODER: (
        Panel("worklist", "Coding worklist", "No discharged encounters are waiting to be coded."),
        Panel("queries", "Open physician queries", "You have no open queries."),
    ),
    Role.CDI_SPECIALIST: (Panel("reviews", "Concurrent reviews", "No inpatient encounters are waiting for review."),),
    Role.ROI_SPECIALIST: (
        Panel("requests", "Release-of-information requests", "No requests are open."),
        Panel("due", "Due in the next 5 days", "Nothing is due in the next 5 days."),
    ),
    Role.PHYSICIAN: (
        Panel("deficiencies", "Charts to complete", "You have no incomplete charts."),
        Panel("queries", "Queries awaiting your answer", "No queries are waiting for you."),
    ),
    Role.REGISTRAR: (
        Panel("casefinding", "Case-finding list", "No reportable cases are waiting."),
        Panel("followup", "Follow-up due", "No follow-up is due."),
    ),
    Role.PRIVACY_OFFICER: (
        Panel(
            "alerts",
            "Emergency access to review",
            "No emergency access is waiting for review.",
            count=unreviewed_emergency_count,
            waiting="{n} emergency access window(s) wait for your review.",
            link="access:emergency_queue",
        ),
        Panel("incidents", "Open incidents", "No incidents are open."),
    ),
    Role.HIM_DIRECTOR: (
        Panel("census", "Today's census", "No census has been taken yet."),
        Panel("delinquency", "Delinquent records", "No records are delinquent."),
    ),
    Role.AUDITOR: (Panel("audit", "Audit trail reviews", "No audit reviews are scheduled."),),
    Role.SYSADMIN: (
        Panel(
            "security",
            "Sign-in activity",
            "No failed sign-ins in the last 24 hours.",
            count=recent_signin_failures,
            waiting="{n} failed sign-in(s), lockout(s) or refused token(s) in the last 24 hours.",
            link="accounts:users",
        ),
        Panel("backups", "Backups", "No backups have been verified yet."),
    ),
}


def nav_for(roles: frozenset[Role]) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.roles & roles]


@dataclass(frozen=True)
class PanelView:
    panel: Panel
    text: str
    link: str


def panels_for(user: Any, roles: frozenset[Role]) -> list[tuple[Role, list[PanelView]]]:
    sections = []
    for role in sorted(roles):
        views = []
        for panel in DASHBOARD_PANELS.get(role, ()):
            waiting = panel.count(user) if panel.count is not None else None
            if waiting:
                views.append(PanelView(panel, panel.waiting.format(n=waiting), panel.link))
            else:
                views.append(PanelView(panel, panel.empty, ""))
        sections.append((role, views))
    return sections
