__version__ = "1.0.0"
USER_AGENT = "beam_api/1.0.0"
