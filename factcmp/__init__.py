"""factcmp: compare the facts of news articles across languages.

>>> from factcmp import compare_articles, to_dict
>>> report = compare_articles(["corpus/putin-kim"])  # doctest: +SKIP
"""

__version__ = "0.1.0"

from .config import Settings
from .errors import FactcmpError, IngestError, ModelUnavailable, SchemaError, UnsupportedLanguage
from .pipeline import compare_articles, query_articles
from .report.serialize import from_dict, to_dict

__all__ = [
    "FactcmpError",
    "IngestError",
    "ModelUnavailable",
    "SchemaError",
    "Settings",
    "UnsupportedLanguage",
    "__version__",
    "compare_articles",
    "from_dict",
    "query_articles",
    "to_dict",
]
