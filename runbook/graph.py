"""Step dependency graph: cycles and a run order. `deps` maps step id -> ids it waits for,
in file order; ids not in `deps` are ignored (they are reported elsewhere as unknown)."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence


def _dependents(deps: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    following: dict[str, list[str]] = {step: [] for step in deps}
    for step, before in deps.items():
        for dep in before:
            if dep in following:
                following[dep].append(step)
    return following


def _reachable(start: str, edges: Mapping[str, Sequence[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _path_back(start: str, edges: Mapping[str, Sequence[str]]) -> list[str]:
    """Shortest path start -> ... -> start (breadth first), or [] if there is none."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for nxt in edges.get(here, ()):
            if nxt == start:
                path = [here]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if nxt not in came_from:
                came_from[nxt] = here
                queue.append(nxt)
    return []


def find_cycles(deps: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """One cycle per tangle of mutually dependent steps, in run order ([a, b, c, a]: b waits
    for a, c for b, a for c), each starting at its first step in file order."""
    following = _dependents(deps)
    waits_for = {step: [d for d in before if d in deps] for step, before in deps.items()}
    cycles: list[list[str]] = []
    covered = set(run_order(deps))  # steps that can be ordered are on no cycle
    for step in deps:  # file order, so the first step found on a cycle is its earliest
        if step in covered:
            continue
        path = _path_back(step, following)
        if path:
            cycles.append(path)
            covered |= _reachable(step, following) & _reachable(step, waits_for)
    return cycles


def run_order(deps: Mapping[str, Sequence[str]]) -> list[str]:
    """Every step after all the steps it waits for (Kahn's algorithm; assumes no cycles),
    otherwise keeping file order."""
    following = _dependents(deps)
    waiting = {step: sum(1 for d in before if d in deps) for step, before in deps.items()}
    ready = deque(step for step, count in waiting.items() if count == 0)
    order: list[str] = []
    while ready:
        step = ready.popleft()
        order.append(step)
        for nxt in following[step]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                ready.append(nxt)
    return order
