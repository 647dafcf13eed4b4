"""A faster pickle for the slotted dataclasses that travel between index processes.

Python 3.11 pickles a ``slots=True`` dataclass through generated ``__getstate__`` and
``__setstate__`` methods that walk ``dataclasses.fields()`` for every object; a note
sends a few hundred of them (claims, sections, kinds, concepts) from a worker to the
writer. :func:`compact_pickle` gives a class a ``__reduce__`` that reads every field
in one C call and rebuilds the object through its own ``__init__``.
"""

from __future__ import annotations

import dataclasses
import operator


def compact_pickle(cls):
    """Class decorator: pickle a dataclass as its constructor and field values."""
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields):
        raise TypeError(f"{cls.__name__}: every field must be an __init__ argument")
    names = [f.name for f in fields]
    get = operator.attrgetter(*names)

    def __reduce__(self):
        values = get(self)
        return (cls, values if len(names) > 1 else (values,))

    cls.__reduce__ = __reduce__
    return cls
