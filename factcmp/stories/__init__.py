"""The stories stage: a feed of many articles grouped into stories across languages, each
story of two or more articles compared like ``factcmp compare`` compares one.

:mod:`.vectors` makes one vector (and a set of names, places and dates) per article,
:mod:`.cluster` joins articles into stories from nearest neighbours (no all-pairs step),
:mod:`.engine` is the seam between what is computed and where (in-process or Ray), and
:mod:`.run` strings them together.
"""
