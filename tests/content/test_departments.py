"""One list of department words, one rule: the indexer, kb check and people.yaml agree."""

from __future__ import annotations

import pytest
from helpers import write

from kb.content.check import check_content
from kb.content.departments import BUSINESS, IT, department_of
from kb.content.directory import read_directory


@pytest.mark.parametrize(
    ("word", "side"),
    [("IT", IT), ("tech", IT), ("Technology", IT), ("business", BUSINESS), ("Biz", BUSINESS)],
)
def test_every_department_word_means_the_same_everywhere(tmp_path, word, side):
    # `tech`, `technology` and `biz` were indexed as a side but were errors in kb check and
    # ignored in people.yaml.
    write(
        tmp_path / "p.md", f"---\ntitle: P\nauthors: [Ana Ruiz]\ndepartment: {word}\n---\nText.\n"
    )
    write(tmp_path / "people.yaml", f"- name: Ana Ruiz\n  department: {word}\n")
    assert department_of("", word, frozenset()) == side
    directory, problems = read_directory(tmp_path)
    assert problems == [] and directory.people[0].department == side
    assert not [f for f in check_content(tmp_path) if f.rule in ("front-matter", "people")]


def test_an_unknown_department_word_is_named_with_the_words_kb_takes(tmp_path):
    write(tmp_path / "p.md", "---\ntitle: P\nauthors: [Ana Ruiz]\ndepartment: sales\n---\nText.\n")
    write(tmp_path / "people.yaml", "- name: Ana Ruiz\n  department: sales\n")
    messages = [f.message for f in check_content(tmp_path) if f.rule in ("front-matter", "people")]
    assert len(messages) == 2 and all("tech, technology, biz" in m for m in messages)
