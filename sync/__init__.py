"""Sync: ledgers on different machines converge through a shared export (a folder or a git remote).

Pure (never imports Textual): device keys and trust, sealed signed segment files, the export
backends, and one sync round that exports this device's events and imports everyone else's.
"""
