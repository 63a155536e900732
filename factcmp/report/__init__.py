"""The report stage: a :class:`~factcmp.types.Report` as JSON (:mod:`.serialize`, wire format
in :mod:`.schema`) or as a rich terminal report (:mod:`.render`)."""
