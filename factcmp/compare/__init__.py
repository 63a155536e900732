"""The compare stage: each claim across its sources — who states it, who possibly does, who
is silent, which details differ (:mod:`.verdict`) — and the articles on a timeline."""

from .verdict import Answer, answer, build_timeline, compare, slot

__all__ = ["Answer", "answer", "build_timeline", "compare", "slot"]
