"""Who holds which role: what operators declared in this run, else what the runbook's team says."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from warroom.runbook.model import Runbook, Step, TeamMember
from warroom.store import Event, Ledger, RunState
from warroom.vocabulary import EventKind, StepStatus

from .actions import UsageProblem
from .version import VersionReport


def roster_roles(runbook: Runbook) -> tuple[str, ...]:
    """Every role the runbook's team names, in its order, once each."""
    return tuple(dict.fromkeys(member.role for member in runbook.team))


def roles_of(runbook: Runbook, state: RunState, operator: str) -> tuple[str, ...]:
    """The roles `operator` holds: those they declared in this run (`roles.declared`), else the
    roles the team gives the person who records as them."""
    declared = state.roles.get(operator)
    if declared is not None:
        return declared
    return tuple(dict.fromkeys(m.role for m in runbook.team if m.operator == operator))


def members_for(runbook: Runbook, role: str | None) -> tuple[TeamMember, ...]:
    """The team members the runbook names for a role (a step's owner)."""
    return tuple(m for m in runbook.team if role and m.role == role)


def role_text(runbook: Runbook, state: RunState, operator: str) -> str | None:
    """The roles as a decision or sign-off records them: 'Deployment Lead, DBA'; None without any."""
    roles = roles_of(runbook, state, operator)
    return ", ".join(roles) or None


def check_roles(runbook: Runbook, roles: Iterable[str]) -> tuple[str, ...]:
    """The roles, each once, in the order given; UsageProblem naming the team's roles when one is not among them."""
    known = roster_roles(runbook)
    spelt = {role.casefold(): role for role in known}  # `--role dba` is the team's DBA
    wanted = tuple(dict.fromkeys(spelt.get(role.strip().casefold(), role.strip()) for role in roles if role.strip()))
    unknown = [role for role in wanted if role not in known]
    if unknown:
        listed = ", ".join(known) or "none: the runbook names no team"
        raise UsageProblem(f"'{unknown[0]}' is not a role of this runbook's team; the roles are: {listed}.")
    return wanted


def declare_roles(ledger: Ledger, runbook: Runbook, state: RunState, roles: Iterable[str]) -> Event | None:
    """Record that the ledger's operator holds `roles` in this run (roles.declared); None when they
    already declared just these. Every role must be one of the runbook's team (UsageProblem)."""
    wanted = check_roles(runbook, roles)
    if state.roles.get(ledger.operator) == wanted:
        return None
    return ledger.append(EventKind.ROLES_DECLARED, "", {"roles": list(wanted)})


def seen_operators(report: VersionReport) -> frozenset[str]:
    """The people who have written to this run's ledger: each one's first write records the runbook
    they wrote with (runbook.loaded), which the version report already reads (one index seek each)."""
    return frozenset(use.operator for use in report.uses)


def holders(runbook: Runbook, state: RunState, role: str, seen: frozenset[str]) -> tuple[str, ...]:
    """Who holds `role` now, by name: the operators who declared it in this run, and those who have
    written to it (`seen`) and hold it by the team's word (see roles_of)."""
    candidates = sorted(set(state.roles) | seen)
    return tuple(operator for operator in candidates if role in roles_of(runbook, state, operator))


def owner_unheld(step: Step, status: StepStatus, unheld: frozenset[str]) -> bool:
    """A step not finished yet whose owner role nobody here holds (`unheld`, see unheld_roles)."""
    return step.owner in unheld and not status.finished


def unheld_roles(runbook: Runbook, state: RunState, seen: frozenset[str]) -> frozenset[str]:
    """The roles of the team that nobody here holds (see holders): a step they own has no one to do
    it. None while nobody holds any role: a room that does not say who holds what would see every
    step flagged, which tells nothing."""
    unheld = frozenset(role for role in roster_roles(runbook) if not holders(runbook, state, role, seen))
    return frozenset() if unheld == frozenset(roster_roles(runbook)) else unheld


@dataclass(frozen=True)
class RosterEntry:
    """One line of the roster: a team member, and who holds their role in this run."""

    role: str
    name: str
    phone: str | None
    holders: tuple[str, ...]  # the operators holding the role now (see holders)


def roster(runbook: Runbook, state: RunState, seen: frozenset[str]) -> tuple[RosterEntry, ...]:
    """The team in the runbook's order, each with who holds their role now."""
    return tuple(RosterEntry(member.role, member.name, member.phone, holders(runbook, state, member.role, seen))
                 for member in runbook.team)
