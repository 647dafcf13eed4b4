"""Moved to :mod:`explorer.app.workspace`; the old name is the same module, so code
written against it (and any monkeypatching) keeps working."""

import sys

from explorer.app import workspace

sys.modules[__name__] = workspace
