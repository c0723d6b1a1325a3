"""Who holds which role: what operators declared in this run, else what the runbook's team says."""

from __future__ import annotations

from warroom.runbook.model import Runbook, TeamMember
from warroom.store import RunState


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
