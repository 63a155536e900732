"""The ingest stage: files and folders in, :class:`~factcmp.types.Article` objects
(:mod:`.read`) and their :class:`~factcmp.types.Sentence` objects (:mod:`.segment`) out.
The only stage that reads files."""

from .paths import expand_paths
from .read import read_articles
from .segment import segment

__all__ = ["expand_paths", "read_articles", "segment"]
