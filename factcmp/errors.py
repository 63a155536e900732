"""The exception tree. The CLI maps every ``FactcmpError`` to a one-line message."""

from __future__ import annotations


class FactcmpError(Exception):
    """Base class of every error factcmp raises on purpose."""


class IngestError(FactcmpError):
    """An input path cannot be read as an article."""


class UnsupportedLanguage(FactcmpError):
    """An article's language is unknown or not supported."""


class ModelUnavailable(FactcmpError):
    """The embedding model cannot be loaded."""


class SchemaError(FactcmpError):
    """A JSON document does not match the schema this version reads."""


class OutputError(FactcmpError):
    """The report cannot be written where it was asked to go."""


class ConfigError(FactcmpError):
    """An environment variable or setting has a value factcmp cannot use."""
