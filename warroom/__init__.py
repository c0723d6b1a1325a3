"""warroom: the deployment-day console.

One import package; the rooms live in the repository's top-level folders and map in here:
`warroom.runbook` (the plan), `warroom.store` (the ledger), `warroom.probes` (live health),
`warroom.ops` (what both front ends do), `warroom.widgets` and `warroom.tui` (the screen and the
command line), `warroom.sample_runbooks` (bundled runbooks).
"""

__version__ = "0.2.0"
