"""Moved to :mod:`explorer.indexing.pipeline`; the old name is the same module, so code
written against it (and any monkeypatching) keeps working."""

import sys

from explorer.indexing import pipeline

sys.modules[__name__] = pipeline
