"""The README's examples stay true: its probe examples pass the same checks as a runbook's."""

from __future__ import annotations

from support import ROOT

from warroom.ops.probe_validation import probe_problems
from warroom.runbook import loads

HEAD = """id: readme
title: README example
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}
steps: [{id: a, title: A, duration: 5m}]
"""


def test_readme_probe_examples_are_valid():
    text = (ROOT / "README.md").read_text()
    start = text.index("```yaml\nprobes:") + len("```yaml\n")
    block = text[start : text.index("```", start)]
    runbook = loads(HEAD + block, "README.md")
    assert len(runbook.probes) == 7
    assert {spec.kind for spec in runbook.probes} == {"http", "tcp", "dns", "tls", "command", "host"}
    assert probe_problems(runbook) == []
