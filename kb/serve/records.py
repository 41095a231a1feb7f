"""Plain-JSON shapes of results, shared by the command line and the HTTP API."""

from __future__ import annotations

from dataclasses import asdict

from kb.models import Expert, Hit


def hit_record(hit: Hit) -> dict:
    c = hit.chunk
    return {
        "path": c.path,
        "title": c.title,
        "heading": c.heading,
        "line": c.line,
        "score": round(hit.score, 4),
        "snippet": hit.snippet,
        "team": c.team,
        "tags": list(c.tags),
        "authors": [a.name for a in c.authors],
    }


def expert_record(person: Expert) -> dict:
    return {
        "name": person.name,
        "team": person.team,
        "department": person.department,
        "score": person.score,
        "evidence": [
            {k: v for k, v in asdict(e).items() if k in ("path", "title", "heading", "score")}
            | {"line": e.line}
            for e in person.evidence
        ],
    }
