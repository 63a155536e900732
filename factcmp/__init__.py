"""factcmp: compare the facts of news articles across languages."""

__version__ = "0.1.0"
