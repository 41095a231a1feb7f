"""The shape of the labelled question sets under benchmarks/questions/ (the handbook itself
lives in ../shared, so only the file is checked: counts, balance, grades, page ids)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest

HANDBOOK = Path(__file__).resolve().parents[2] / "benchmarks" / "questions" / "handbook-18f.json"


@pytest.fixture(scope="module")
def handbook() -> dict:
    return json.loads(HANDBOOK.read_text(encoding="utf-8"))


def test_every_question_has_a_kind_a_style_and_graded_pages(handbook):
    assert handbook["about"].strip()
    for q in handbook["questions"]:
        assert set(q) == {"query", "kind", "style", "qrels"}, q
        assert q["query"].strip() == q["query"] and q["query"], q
        assert q["kind"] in {"it", "business"} and q["style"] in {"literal", "paraphrased"}, q
        assert set(q["qrels"].values()) <= {1, 2} and 2 in q["qrels"].values(), q
    queries = [q["query"].casefold() for q in handbook["questions"]]
    assert len(queries) == len(set(queries))


def test_the_set_is_big_and_balanced(handbook):
    cells = Counter((q["kind"], q["style"]) for q in handbook["questions"])
    assert len(cells) == 4 and len(set(cells.values())) == 1, cells
    assert sum(cells.values()) >= 64


def test_page_ids_are_paths_from_the_repository_root(handbook):
    for q in handbook["questions"]:
        for page in q["qrels"]:
            path = PurePosixPath(page)
            assert not path.is_absolute() and ".." not in path.parts, page
            assert path.parts[0] == "pages" and path.suffix == ".md", page
            assert "\\" not in page and page == page.strip(), page


def test_no_page_answers_more_than_two_questions(handbook):
    answers = Counter(p for q in handbook["questions"] for p, g in q["qrels"].items() if g == 2)
    assert max(answers.values()) <= 2, answers.most_common(3)
    assert len(answers) >= 60  # spread over many pages


def test_out_of_scope_questions_are_many_and_new(handbook):
    out = handbook["out_of_scope"]
    assert len(out) >= 40
    assert all(set(q) == {"query", "kind"} and q["query"].strip() for q in out)
    kinds = Counter(q["kind"] for q in out)
    assert set(kinds) == {"work", "other-product", "off-topic", "gibberish"}
    assert kinds["gibberish"] >= 5
    asked = {q["query"].casefold() for q in handbook["questions"]}
    assert not asked & {q["query"].casefold() for q in out}
