"""`kb new`: a page stub for a missing page, with front matter, ready to fill and commit."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from kb.errors import KbError, folder_text
from kb.importing.pagefile import clean, front_matter, slug, write_page

REVIEW_AFTER = timedelta(days=90)  # a new page is checked again within a quarter


def title_for(question: str) -> str:
    """A page title from the search that found no page: trimmed, no '?', capitalised."""
    title = question.strip().rstrip("?").strip()
    return title[:1].upper() + title[1:]


def stub_text(
    title: str,
    *,
    team: str,
    authors: tuple[str, ...],
    today: date,
    department: str = "",
    question: str = "",
) -> str:
    """The stub's Markdown: front matter (title, authors, team, updated, review_by) and the
    headings a good answer page has; `question` is the search that found nothing."""
    fields = {
        "title": title.strip(),
        "authors": list(authors),
        "team": team.strip(),
        "department": department.strip(),
        "updated": today.isoformat(),
        "review_by": (today + REVIEW_AFTER).isoformat(),
    }
    asked = (
        # No "--" may stay: it could end the comment ("-->", "--!>") and let the rest render.
        f"<!-- People searched kb for: {json.dumps(re.sub('-{2,}', '–', clean(question)))} and "
        "found no page. Answer it in the first paragraph. -->\n\n"
        if question.strip()
        else ""
    )
    return (
        f"{front_matter(fields)}\n# {clean(title)}\n\n{asked}"
        "In one paragraph: what this page answers, and for whom.\n\n"
        "## Steps\n\n1. \n\n## Who to ask\n\n"
    )


def new_page(content: Path, text: str, *, title: str, team: str) -> str:
    """Write `text` as content/<team>/<slug of title>.md; never over an existing file."""
    if not content.is_dir():
        raise KbError(
            f"no content folder {folder_text(content)}; pass the docs' folder with --into"
        )
    rel = f"{slug(team) or 'pages'}/{slug(title) or 'new-page'}.md"
    target = content / rel
    try:
        write_page(content, target, text, exclusive=True)
    except FileExistsError:  # a file, or a link, of that name: never replaced
        raise KbError(f"{target} already exists; pick another title or edit that page") from None
    return rel
