"""Moved to :mod:`explorer.indexing.stages`; the old name is the same module, so code
written against it (and any monkeypatching) keeps working."""

import sys

from explorer.indexing import stages

sys.modules[__name__] = stages
