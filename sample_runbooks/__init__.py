"""The bundled runbooks: the demo, the docs and the tests use them (read with importlib.resources)."""
