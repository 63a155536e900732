"""The compare stage: each claim across its sources — who states it, who is silent, which
details differ (:mod:`.verdict`) — and the articles on a timeline."""

from .verdict import build_timeline, compare, slot

__all__ = ["build_timeline", "compare", "slot"]
