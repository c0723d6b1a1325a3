"""THE APPLICATION LAYER: what both front ends do, as plain functions of runbook, ledger and clock.

The command line and the console are thin callers of these; neither holds rules of its own.
Pure: no Textual.
"""
