"""The program's one exception family: every problem a user can put right is an
:class:`ExplorerError`, whose message says what is at fault and how to fix it.

The window, the command line and scripts catch this one base and show the message;
the subclasses (defined next to the code that raises them, and gathered in
``explorer.app.errors``) say which kind of problem it was, so a caller that reacts
differently (offer a database rebuild, exit with status 3 while another indexer is
busy) asks ``isinstance``, never the class's name. Programming errors are not part
of the family: they surface as themselves.

This module imports nothing, so the lowest layers can derive from it.

>>> issubclass(ExplorerError, Exception)
True
"""

from __future__ import annotations


class ExplorerError(Exception):
    """A problem the user can put right; the message says what."""
