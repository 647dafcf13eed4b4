"""Indexing a vault: the events a run reports (``events``), and, as they move here,
the pipeline and its stages."""
