"""Reading labelled evaluation data: BEIR retrieval sets and expert-finding sets."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from kb.errors import EvalDataError
from kb.models import Author, Document, Section


@dataclass(frozen=True)
class RetrievalSet:
    """A BEIR folder: documents, the test queries, and graded judgements."""

    name: str
    documents: list[Document]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    fingerprint: str  # changes when any of the files changes


def load_retrieval_set(folder: Path) -> RetrievalSet:
    """`corpus.jsonl` (_id, title, text), `queries.jsonl` (_id, text), `qrels/test.tsv`."""
    corpus, queries_file, qrels_file = (
        folder / "corpus.jsonl",
        folder / "queries.jsonl",
        folder / "qrels" / "test.tsv",
    )
    documents = [
        _document(row["_id"], row.get("title", ""), row["text"])
        for row in _jsonl(corpus, ("_id", "text"))
    ]
    qrels = _qrels(qrels_file)
    all_queries = {row["_id"]: row["text"] for row in _jsonl(queries_file, ("_id", "text"))}
    return RetrievalSet(
        name=folder.resolve().name,
        documents=documents,
        queries=_judged(qrels, all_queries, qrels_file, queries_file),
        qrels=qrels,
        fingerprint=_fingerprint(corpus, queries_file, qrels_file),
    )


@dataclass(frozen=True)
class ExpertSet:
    """An expert-finding set: authored documents, test queries, judged experts per query."""

    name: str
    documents: list[Document]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # query id -> {author id: grade}
    fingerprint: str


def load_expert_set(folder: Path) -> ExpertSet:
    """`documents.jsonl` (_id, author_id, title, text), `queries.jsonl`, `qrels/test.tsv`.

    Authors are identified by `author_id` (two people may share a display name).
    """
    docs_file, queries_file, qrels_file = (
        folder / "documents.jsonl",
        folder / "queries.jsonl",
        folder / "qrels" / "test.tsv",
    )
    documents = [
        _document(
            row["_id"],
            row.get("title", ""),
            row["text"],
            authors=(Author(name=str(row["author_id"]), share=1.0),),
        )
        for row in _jsonl(docs_file, ("_id", "author_id", "text"))
    ]
    qrels = _qrels(qrels_file)
    queries = {
        row["_id"]: f"{row.get('title', '')}\n{row['text']}".strip()
        for row in _jsonl(queries_file, ("_id", "text"))
    }
    return ExpertSet(
        name=folder.resolve().name,
        documents=documents,
        queries=_judged(qrels, queries, qrels_file, queries_file),
        qrels=qrels,
        fingerprint=_fingerprint(docs_file, queries_file, qrels_file),
    )


def load_answer_retrieval_set(folder: Path) -> RetrievalSet:
    """An expert-finding folder read as a retrieval set: each question's title is a query,
    the answers to it are the relevant documents (indexed without the question's title).

    Needs `question_id` and `title` on every row of `documents.jsonl`.
    """
    docs_file = folder / "documents.jsonl"
    rows = _jsonl(docs_file, ("_id", "question_id", "title", "text"))
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for row in rows:
        question = str(row["question_id"])
        queries[question] = row["title"]
        qrels.setdefault(question, {})[row["_id"]] = 1
    return RetrievalSet(
        name=f"{folder.resolve().name}-answers",
        documents=[_document(row["_id"], "", row["text"]) for row in rows],
        queries=queries,
        qrels=qrels,
        fingerprint=_fingerprint(docs_file) + "-answers",
    )


def _judged(
    qrels: dict[str, dict[str, int]], queries: dict[str, str], qrels_file: Path, queries_file: Path
) -> dict[str, str]:
    """The queries that have judgements; a judged query missing from the queries is an error."""
    missing = sorted(set(qrels) - set(queries))
    if missing:
        raise EvalDataError(
            f"{qrels_file}: queries {', '.join(missing[:5])} are not in {queries_file}"
        )
    return {q: queries[q] for q in qrels}


def _document(doc_id: str, title: str, text: str, authors: tuple[Author, ...] = ()) -> Document:
    body = text.strip()
    return Document(
        path=doc_id,
        title=title.strip() or doc_id,
        sections=(Section(heading_path=(), text=body, line_start=1, line_end=1),),
        content_hash=hashlib.sha256(f"{title}\x00{body}".encode()).hexdigest(),
        authors=authors,
        body=body,
    )


def _jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    if not path.is_file():
        raise EvalDataError(f"{path}: missing; a BEIR folder needs this file")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as err:
                raise EvalDataError(f"{path}:{n}: not valid JSON ({err.msg})") from err
            lacking = [key for key in required if key not in row]
            if not isinstance(row, dict) or lacking:
                raise EvalDataError(f"{path}:{n}: missing field(s) {', '.join(lacking)}")
            row["_id"] = str(row["_id"])
            rows.append(row)
    return rows


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    if not path.is_file():
        raise EvalDataError(f"{path}: missing; a BEIR folder needs qrels/test.tsv")
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.reader(fh, delimiter="\t"), 1):
            if n == 1 and row and not row[-1].strip().lstrip("-").isdigit():
                continue  # header
            if not row:
                continue
            if len(row) != 3 or not row[2].strip().lstrip("-").isdigit():
                raise EvalDataError(f"{path}:{n}: expected 'query-id<TAB>doc-id<TAB>score'")
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    if not qrels:
        raise EvalDataError(f"{path}: no judgements")
    return qrels


def _fingerprint(*files: Path) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]
