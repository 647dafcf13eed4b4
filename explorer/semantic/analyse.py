"""One entry point from a parsed note to its meaning: kinds, annotations, references, concepts.

:class:`Analyser` holds one object per stage, each swappable (and each with a no-op
``Null...`` version), so a caller that wants, say, no concepts passes
``concepts=NullConceptExtractor()`` rather than a flag. The usual flow in the index::

    analyser = Analyser(taxonomy, embedder)
    claims = analyser.segment(note)                 # claims left once annotations and
    vectors = cached_embed(claims)                  # bibliography entries are out
    result = analyser.analyse(note, vectors)        # kinds, annotations, refs, concepts

``analyse`` calls ``segment`` itself; vectors are looked up by claim id, and an id
without a vector is simply classified by rules. With an embedder and no vectors at
all, ``analyse`` embeds the claims itself (uncached).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from explorer.core.model import Claim, ParsedNote
from explorer.semantic.annotations import AnnotationDetector
from explorer.semantic.calibration import CalibratedKindClassifier
from explorer.semantic.concepts import ConceptExtractor
from explorer.semantic.context import claim_contexts
from explorer.semantic.kinds import KindClassifier, require_subjects
from explorer.semantic.references import ReferenceExtractor
from explorer.semantic.taxonomy import Taxonomy, default_taxonomy
from explorer.semantic.types import NoteAnalysis
from explorer.semantic.voice import detect_voices


class Analyser:
    """The semantic stages for one taxonomy and (optionally) one embedder."""

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        embedder=None,
        *,
        kinds=None,
        annotations=None,
        references=None,
        concepts=None,
    ) -> None:
        self.taxonomy = taxonomy or default_taxonomy()
        self.embedder = embedder
        # The kinds' confidence is calibrated on the dev labels (calibration.py).
        self.kinds = kinds or CalibratedKindClassifier(KindClassifier(self.taxonomy, embedder))
        self.annotations = annotations or AnnotationDetector()
        self.references = references or ReferenceExtractor()
        self.concepts = concepts or ConceptExtractor()

    def _split(self, note: ParsedNote):
        kept, entries = self.references.split(note, note.claims)
        kept, found = self.annotations.split(note.path, kept, note.sections)
        return kept, entries, found

    def segment(self, note: ParsedNote) -> list[Claim]:
        """The claims the store should keep (and embed) for ``note``."""
        return self._split(note)[0]

    def analyse(
        self, note: ParsedNote, vectors: Mapping[str, np.ndarray] | None = None
    ) -> NoteAnalysis:
        claims, entries, found = self._split(note)
        embed = self.embedder.encode if self.embedder is not None else None
        if vectors is None and embed is not None and claims:
            vectors = dict(
                zip([c.id for c in claims], embed([c.text for c in claims]), strict=True)
            )
        contexts = claim_contexts(note, claims)
        kinds = self.kinds.classify(claims, contexts, vectors)
        kinds = require_subjects(kinds, claims, contexts, self.taxonomy, note.title)
        annotations = self.annotations.attach(note.path, found, claims, vectors, embed)
        references = self.references.extract(note, claims, entries)
        items = [(c.id, c.text) for c in claims] + [(a.id, a.text) for a in annotations]
        concepts = self.concepts.extract(note, items)
        voices = detect_voices(note, claims, vectors)
        return NoteAnalysis(note.path, claims, kinds, annotations, references, concepts, voices)


def analyse_note(
    note: ParsedNote,
    taxonomy: Taxonomy | None = None,
    vectors: Mapping[str, np.ndarray] | None = None,
    *,
    embedder=None,
) -> NoteAnalysis:
    """Analyse one note with the default stages (see :class:`Analyser`)."""
    return Analyser(taxonomy, embedder).analyse(note, vectors)
