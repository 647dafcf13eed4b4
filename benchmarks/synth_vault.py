"""Generate a synthetic vault: N Markdown notes with headings, lists, links and prose.

Seeded, so a benchmark can be repeated on the same input::

    python benchmarks/synth_vault.py /tmp/vault --notes 2000 --seed 1

Sentences are assembled from phrase lists in the register of the notes this program
is for (AI capabilities, limitations, consciousness, open questions), so their
length and punctuation resemble real notes: clauses, abbreviations, parentheses,
numbers, wikilinks inside sentences. About a tenth of the notes have front matter,
a few live in sub-folders, and a hidden ``.obsidian/`` folder is there to be skipped.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SUBJECTS = [
    "Large language models",
    "The transformer",
    "A sparse autoencoder",
    "GPT-4",
    "The agent",
    "Chain-of-thought prompting",
    "The reward model",
    "A recurrent network",
    "The planner",
    "Retrieval-augmented generation",
    "In-context learning",
    "The critic",
    "Self-play",
    "The global workspace",
    "A world model",
    "Test-time training",
    "The tokenizer",
    "Mixture of experts",
    "The attention head",
    "Mechanistic interpretability",
]
VERBS = [
    "can solve",
    "fails at",
    "struggles with",
    "approximates",
    "memorizes",
    "generalizes to",
    "does not reliably handle",
    "outperforms humans on",
    "needs far more data for",
    "interpolates between",
    "seems to represent",
    "cannot verify",
    "improves on",
    "degrades on",
    "learns",
    "hallucinates about",
]
OBJECTS = [
    "multi-step arithmetic",
    "novel cipher algorithms",
    "long-horizon planning",
    "theory-of-mind tasks",
    "out-of-distribution puzzles",
    "the ARC benchmark",
    "code synthesis",
    "causal reasoning",
    "its own uncertainty",
    "factual recall",
    "spatial reasoning",
    "metacognitive reports",
    "counterfactual questions",
    "compositional instructions",
    "small-number multiplication",
    "self-reference",
]
QUALIFIERS = [
    "when the prompt is short",
    "after fine-tuning on synthetic data",
    "in most reported evals",
    "unless it is given a scratchpad",
    "with about 10x more compute",
    "(see the appendix)",
    "according to the 2023 paper",
    "e.g. on held-out splits",
    "at inference time",
    "but only for frequent patterns",
    "in contrast to humans",
    "without any tool use",
    "",
    "",
    "",
]
QUESTIONS = [
    "Does {s} really {v} {o}?",
    "Why would {s} {v} {o} at all?",
    "Is it fair to say that {s} {v} {o}?",
    "What evidence shows that {s} {v} {o}?",
]
CONSCIOUSNESS = [
    "A system is conscious only if it has a unified global workspace.",
    "Recurrent processing is often cited as a necessary condition for awareness.",
    "Higher-order theories require the system to represent its own mental states.",
    "Integrated information (phi) is claimed to measure consciousness directly.",
    "Attention schema theory says awareness is a model of attention.",
]
ANNOTATIONS = [
    "Later note: I now disagree with this.",
    "Update (2024): this turned out to be wrong.",
    "My take: plausible, but the evidence is thin.",
    "NB: revisit after reading the survey.",
]
HEADINGS = [
    "Overview",
    "Capabilities",
    "Limitations",
    "Open questions",
    "Evidence",
    "Critiques",
    "Related work",
    "Notes from the talk",
    "Summary",
    "Ideas",
]
TAGS = ["ai", "llm", "consciousness", "reasoning", "agents", "interp", "scaling", "eval"]


def sentence(rng: random.Random, titles: list[str]) -> str:
    """One sentence of the kind found in research notes."""
    s, v, o = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(QUESTIONS).format(s=s.lower(), v=v, o=o)
    if roll < 0.12:
        return rng.choice(CONSCIOUSNESS)
    if roll < 0.15:
        return rng.choice(ANNOTATIONS)
    text = f"{s} {v} {o}"
    qualifier = rng.choice(QUALIFIERS)
    if qualifier:
        text += f" {qualifier}"
    if titles and rng.random() < 0.15:
        text += f", as argued in [[{rng.choice(titles)}]]"
    if rng.random() < 0.05:
        text += f" (n={rng.randint(2, 500)}, p<0.0{rng.randint(1, 5)})"
    return text + rng.choice(".....!")


def note_text(rng: random.Random, title: str, titles: list[str], claims: int) -> str:
    """A note of about ``claims`` sentences and list items."""
    out: list[str] = []
    if rng.random() < 0.1:
        tags = ", ".join(rng.sample(TAGS, 2))
        out += ["---", f"title: {title}", f"tags: [{tags}]", "---", ""]
    out += [f"# {title}", ""]
    written = 0
    while written < claims:
        out += [f"## {rng.choice(HEADINGS)}", ""]
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.35:
                for _ in range(rng.randint(2, 5)):
                    out.append(f"- {sentence(rng, titles)}")
                    written += 1
                    if rng.random() < 0.2:
                        out.append(f"    - {sentence(rng, titles)}")
                        written += 1
            else:
                n = rng.randint(1, 5)
                out.append(" ".join(sentence(rng, titles) for _ in range(n)))
                written += n
            out.append("")
        if rng.random() < 0.2:
            out += [f"#{rng.choice(TAGS)} #{rng.choice(TAGS)}", ""]
    return "\n".join(out) + "\n"


def generate(root: str | Path, notes: int, *, seed: int = 0, claims_per_note: int = 30) -> Path:
    """Write ``notes`` notes under ``root`` (created); return it. Same seed, same vault."""
    rng = random.Random(seed)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / ".obsidian").mkdir(exist_ok=True)
    (root / ".obsidian" / "app.json").write_text("{}\n", encoding="utf-8")
    folders = ["", "", "", "research/", "daily/", "people/"]
    titles = [f"Note {i:05d} {rng.choice(OBJECTS)}" for i in range(notes)]
    for i, title in enumerate(titles):
        folder = folders[i % len(folders)]
        path = root / f"{folder}{title}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        count = max(1, int(rng.gauss(claims_per_note, claims_per_note / 3)))
        path.write_text(note_text(rng, title, titles, count), encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--claims-per-note", type=int, default=30)
    args = parser.parse_args(argv)
    generate(args.folder, args.notes, seed=args.seed, claims_per_note=args.claims_per_note)
    print(f"wrote {args.notes} notes to {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
