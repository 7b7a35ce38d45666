"""The client's version, in a module of its own: a release changes only this module (and
pyproject.toml, the changelog and the revision record), not the runtime."""

__version__ = "1.0.0"
USER_AGENT = "beam_api/1.0.0"
