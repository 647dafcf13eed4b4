"""Moved to :mod:`explorer.indexing.vault`; the old name is the same module, so code
written against it (and any monkeypatching) keeps working."""

import sys

from explorer.indexing import vault

sys.modules[__name__] = vault
