"""The JSON codec on a hit with a marked answer: the client gets back what the API sent."""

from __future__ import annotations

import json
from dataclasses import replace

from kb.models import Author, Chunk, Hit
from kb.serve.codec import dump, hit_record, load


def test_a_hit_and_its_answer_survive_json_and_the_record_shows_the_answer():
    chunk = Chunk(
        id="1",
        path="security/phishing.md",
        title="Phishing",
        heading_path=("If you already clicked",),
        text="Report it. Change your password.",
        line=3,
        authors=(Author("Priya Raman", 1.0),),
    )
    hit = Hit(
        chunk, 0.5, "Report it. Change your password.", 0.4, relevant=True, answer=((11, 32),)
    )
    assert load(Hit, json.loads(json.dumps(dump(hit)))) == hit
    record = hit_record(hit)
    assert record["snippet"] == hit.snippet and record["answer"] == "Change your password."
    assert hit_record(Hit(chunk, 0.5, "Report it.", relevant=True))["answer"] == ""
    # A hit kb does not judge relevant answers nothing, whatever its snippet marks: a bot
    # printing `answer` answered what kb says nothing answers (a developer's trial).
    unlikely = replace(hit, relevant=False, confidence=0.04)
    assert hit_record(unlikely)["answer"] == "" and hit_record(unlikely)["snippet"] == hit.snippet
