"""Build the spaCy pipeline that Rasa's SpacyNLP loads.

Pretrained spaCy models cannot be downloaded on our machines, and NLU only needs
tokens and lemmas (no vectors): a blank English pipeline plus a lookup
lemmatizer whose tables come from the spacy-lookups-data package gives both.
The tables are copied into the saved pipeline, so it loads without that package.

Usage: python scripts/build_spacy_pipeline.py build/spacy_en_lookup
"""

import sys
from pathlib import Path

import spacy


def build(target: Path) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    lemmas = [t.lemma_ for t in nlp("they refused the assessments and ceased plans")]
    # A lemmatizer that silently returns nothing would quietly weaken NLU.
    assert lemmas[1] == "refuse" and lemmas[3] == "assessment", lemmas
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "build/spacy_en_lookup"))
