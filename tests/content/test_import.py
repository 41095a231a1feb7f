"""`kb import`: real files made here (python-docx, HTML shaped like Confluence's export, a
Notion-shaped zip, a text PDF) become pages with front matter and rewritten links."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.content.front_matter import read_front_matter
from kb.importing import import_source

TRAVEL = (
    "Book trains rather than flights for trips under four hours. Hotels up to 150 euros a "
    "night are approved without asking; above that your manager signs off in Spendwise."
)


def word_file(path: Path, *, title="Travel booking rules", body=TRAVEL, author="Nina Hartmann"):
    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_heading("Trains and flights", level=2)
    document.add_paragraph(body)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, author, "Omar Haddad"
    props.modified = dt.datetime(2026, 3, 14, 9, 30)
    document.save(path)
    return path


CONFLUENCE_PAGE = """<html><head><title>Finance : {title}</title></head><body>
<div id="main-header"><div id="breadcrumb-section"><ol id="breadcrumbs">
<li><a href="index.html">Finance</a></li></ol></div>
<h1 id="title-heading" class="pagetitle"><span id="title-text"> Finance : {title} </span></h1>
</div>
<div class="page-metadata">Created by <span class='author'> {author}</span>, last modified by
<span class='editor'> {editor}</span> on <span class='last-modified'>Mar 03, 2026</span></div>
<div id="main-content" class="wiki-content group">{content}</div>
<div class="pageSection group"><div class="pageSectionHeader"><h2 id="attachments"
 class="pageSectionTitle">Attachments:</h2></div><div class="greybox" align="left">
<img src="images/icons/bullet_blue.gif"/><a href="attachments/1234/rates.xlsx">rates.xlsx</a>
</div></div></body></html>"""


def confluence_zip(path: Path, *, rates="Per diem in Germany is 28 euros a day.") -> Path:
    pages = {
        "Finance/Travel-expenses_1001.html": CONFLUENCE_PAGE.format(
            title="Travel expenses",
            author="Nina Hartmann",
            editor="Omar Haddad",
            content="<h2>Claiming</h2><p>Claim within 30 days. See "
            '<a href="Per-diem-rates_1002.html">per diem rates</a>.</p>',
        ),
        "Finance/Per-diem-rates_1002.html": CONFLUENCE_PAGE.format(
            title="Per diem rates",
            author="Omar Haddad",
            editor="Omar Haddad",
            content=f"<p>{rates}</p><p>Back to "
            '<a href="Travel-expenses_1001.html#Claiming">travel expenses</a>.</p>',
        ),
        "Finance/index.html": "<html><head><title>Finance</title></head><body></body></html>",
        "Finance/attachments/1234/rates.xlsx": "not really a spreadsheet",
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in pages.items():
            z.writestr(name, text)
    return path


def notion_zip(path: Path) -> Path:
    ident, other = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            f"Onboarding {ident}.md",
            "# Onboarding\n\nCreated by: Lena Fischer\nLast edited time: March 3, 2026 10:00 AM"
            "\n\nYour first week: laptop, accounts and a buddy. Read the "
            f"[Buddy guide](Onboarding%20{ident}/Buddy%20guide%20{other}.md).\n",
        )
        z.writestr(
            f"Onboarding {ident}/Buddy guide {other}.md",
            "# Buddy guide\n\nCreated by: Chloe Martin\n\nA buddy meets the new joiner daily "
            "in the first week and answers questions nobody writes down.\n",
        )
        z.writestr(f"Teams {ident}.csv", "\ufeffName,Owner\nOnboarding,Lena Fischer\n")
    return path


def text_pdf(path: Path, text: str, *, author: str = "Rafael Costa") -> Path:
    """A one-page PDF with real text (Helvetica), written by hand: no PDF writer needed."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (Warehouse returns) /Author (" + author.encode() + b") >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    path.write_bytes(out.getvalue())
    return path


def meta(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    fields, _, problems = read_front_matter(text, path.name)
    assert problems == []
    return fields, text.split("---\n", 2)[2]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.md")}


@pytest.fixture
def sources(tmp_path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    word_file(folder / "travel-booking.docx")
    confluence_zip(folder / "finance-space.zip")
    notion_zip(folder / "notion-export.zip")
    text_pdf(folder / "returns.pdf", "Returns are booked in the warehouse system within a day.")
    return folder


def test_each_format_becomes_a_page_with_front_matter_and_links(sources, tmp_path):
    content = tmp_path / "content"
    report = import_source(sources, content, department="Business")
    assert report.problems == ()
    assert sorted(report.written) == [
        "finance/per-diem-rates.md",
        "finance/travel-expenses.md",
        "imported/buddy-guide.md",
        "imported/onboarding.md",
        "imported/travel-booking-rules.md",
        "imported/warehouse-returns.md",
    ]
    word, body = meta(content / "imported/travel-booking-rules.md")
    assert word["title"] == "Travel booking rules" and word["updated"] == "2026-03-14"
    assert word["authors"] == ["Nina Hartmann", "Omar Haddad"]
    assert word["department"] == "Business" and word["source"] == "file:exports/travel-booking.docx"
    assert "## Trains and flights" in body and "150 euros" in body
    assert body.startswith("\n# Travel booking rules\n") and body.count("Travel booking") == 1

    travel, body = meta(content / "finance/travel-expenses.md")
    assert travel["title"] == "Travel expenses" and travel["team"] == "finance"
    assert travel["authors"] == ["Nina Hartmann", "Omar Haddad"]
    assert travel["updated"] == "2026-03-03"
    assert travel["source"] == "confluence:Finance/1001"  # the page ID: a rename keeps it
    assert "[per diem rates](per-diem-rates.md)" in body  # the link follows the page
    _, rates = meta(content / "finance/per-diem-rates.md")
    assert "[travel expenses](travel-expenses.md#Claiming)" in rates
    assert any("rates.xlsx" in note for note in report.left_out)  # attachments are listed

    onboarding, body = meta(content / "imported/onboarding.md")
    assert onboarding["authors"] == ["Lena Fischer"] and onboarding["updated"] == "2026-03-03"
    assert onboarding["source"] == "notion:0123456789abcdef0123456789abcdef"
    assert "[Buddy guide](buddy-guide.md)" in body and "Created by" not in body
    buddy, _ = meta(content / "imported/buddy-guide.md")
    assert buddy["authors"] == ["Chloe Martin"]

    returns, body = meta(content / "imported/warehouse-returns.md")
    assert returns["title"] == "Warehouse returns" and returns["authors"] == ["Rafael Costa"]
    assert "booked in the warehouse system" in body


def test_a_second_import_changes_no_byte_and_an_update_only_its_page(sources, tmp_path):
    content = tmp_path / "content"
    import_source(sources, content)
    before = snapshot(content)
    again = import_source(sources, content)
    assert again.written == () and len(again.unchanged) == 6 and snapshot(content) == before
    confluence_zip(sources / "finance-space.zip", rates="Per diem in Germany is 30 euros.")
    updated = import_source(sources, content)
    assert updated.written == ("finance/per-diem-rates.md",)
    after = snapshot(content)
    assert {k for k in after if after[k] != before.get(k)} == {"finance/per-diem-rates.md"}


def test_a_page_kb_did_not_import_is_never_overwritten(sources, tmp_path):
    content = tmp_path / "content"
    mine = content / "imported" / "travel-booking-rules.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("---\ntitle: Mine\n---\nHand written.\n", encoding="utf-8")
    report = import_source(sources / "travel-booking.docx", content)
    assert report.written == ("imported/travel-booking-rules-2.md",)
    assert mine.read_text(encoding="utf-8").endswith("Hand written.\n")


def test_bad_files_get_one_line_each_and_the_rest_is_imported(sources, tmp_path):
    (sources / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (sources / "locked.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (sources / "notes.docx").write_text("just text with a .docx name", encoding="utf-8")
    (sources / "fake.pdf").write_text("<html>not a pdf</html>", encoding="utf-8")
    docx.Document().save(sources / "empty.docx")
    (sources / "cut.docx").write_bytes((sources / "travel-booking.docx").read_bytes()[:800])
    (sources / "table.xlsx").write_bytes(b"PK")
    content = tmp_path / "content"
    result = CliRunner().invoke(cli, ["import", str(sources), "--into", str(content)])
    assert result.exit_code == 0, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    expected = {
        "broken.zip": "not a zip file",
        "locked.docx": "password-protected",
        "notes.docx": "not a Word .docx file",
        "fake.pdf": "not a PDF file",
        "empty.docx": "no text to import",
        "cut.docx": "damaged Word file",
    }
    assert len(errors) == len(expected), errors
    for name, says in expected.items():
        assert any(f"error: {name}: {says}" in line for line in errors), (name, errors)
    assert "Imported 6 pages" in result.output and "6 files not imported" in result.output
    assert "warning: table.xlsx: left out" in result.output  # not silently dropped
    assert len(snapshot(content)) == 6


def test_the_department_is_one_kb_check_accepts(sources, tmp_path):
    content = tmp_path / "content"
    args = ["import", str(sources / "travel-booking.docx"), "--into", str(content)]
    refused = CliRunner().invoke(cli, [*args, "--department", "Sales"])
    assert refused.exit_code == 2 and "IT or Business" in refused.output
    assert not content.exists()
    assert CliRunner().invoke(cli, [*args, "--department", "business"]).exit_code == 0
    fields, _ = meta(content / "imported" / "travel-booking-rules.md")
    assert fields["department"] == "Business"  # as kb's pages spell it
    check = CliRunner().invoke(cli, ["check", str(content)])
    assert check.exit_code == 0, check.output


def test_nothing_importable_is_an_error_exit(tmp_path):
    (tmp_path / "a.docx").write_text("plain text", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "a.docx"), "--into", str(tmp_path)])
    assert result.exit_code == 1 and "not a Word .docx file" in result.output


def test_imported_pages_index_and_answer_a_paraphrased_question(sources, tmp_path, real_embedder):
    from kb import Settings, build_index
    from kb.service import KnowledgeBase

    content, index_dir = tmp_path / "content", tmp_path / "index"
    import_source(sources, content)
    report = build_index(content, index_dir, real_embedder, Settings())
    assert report.problems == [] or all("link" not in str(p) for p in report.problems)
    kb = KnowledgeBase(index_dir, real_embedder, Settings())
    # The third shares no word with its one-sentence page: found first, but not marked
    # relevant (kb's relevance asks for more evidence than one sentence's cosine).
    for question, page, relevant in [
        ("should I take the train or fly for a short business trip", "travel-booking-rules", 1),
        ("daily allowance when I travel to Germany", "per-diem-rates", 1),
        ("how quickly are goods customers send back recorded", "warehouse-returns", 0),
    ]:
        found = kb.search(question, k=3)
        top = [h.chunk.path for h in found]
        assert top[0].endswith(f"/{page}.md"), (question, top)
        assert found[0].relevant or not relevant
    assert kb.experts("travel booking rules for trains and hotels")[0].name == "Nina Hartmann"


def test_kb_new_writes_a_stub_kb_reads_and_never_overwrites(tmp_path):
    from kb.content.parse import parse_markdown

    content = tmp_path / "content"
    content.mkdir()
    args = ["new", "Company car leasing", "--team", "people", "--author", "Chloe Martin"]
    hostile = 'car leasing --> <script>alert(1)</script> "quoted"'
    result = CliRunner().invoke(cli, [*args, "--question", hostile, "--into", str(content)])
    assert result.exit_code == 0, result.output
    page = content / "people" / "company-car-leasing.md"
    document, problems = parse_markdown(page.read_bytes(), "people/company-car-leasing.md")
    assert problems == [] and document.title == "Company car leasing"
    assert [a.name for a in document.authors] == ["Chloe Martin"] and document.team == "people"
    today = dt.date.today()
    assert document.updated == today.isoformat()
    assert document.review_by == (today + dt.timedelta(days=90)).isoformat()
    text = page.read_text(encoding="utf-8")
    comment = text[text.index("<!--") : text.index("-->") + 3]
    assert "<script>" in comment  # the question stays inside the comment: "--" was broken
    before = page.read_bytes()
    again = CliRunner().invoke(cli, [*args, "--into", str(content)])
    assert again.exit_code != 0 and "already exists" in again.output
    assert page.read_bytes() == before
    sales = ["new", "Plan", "--team", "x", "--author", "A", "--department", "Sales"]
    wrong = CliRunner().invoke(cli, [*sales, "--into", str(content)])
    assert wrong.exit_code == 2 and "IT or Business" in wrong.output
    nobody = CliRunner(env={"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"})
    out = nobody.invoke(cli, ["new", "Parking", "--team", "facilities", "--into", str(content)])
    assert out.exit_code != 0 and "--author" in out.output


def test_the_gap_report_says_how_to_start_each_missing_page(tmp_path, bundled_index):
    import json
    import shlex

    log = tmp_path / "searches.jsonl"
    line = {"time": "2026-11-20T10:00:00+00:00", "query": "company car leasing policy"}
    line |= {"results": 5, "best_similarity": 0.1, "best_path": ""}
    log.write_text(json.dumps(line) + "\n", encoding="utf-8")
    report = CliRunner().invoke(cli, ["gaps", "--log", str(log), "--index-dir", str(bundled_index)])
    assert report.exit_code == 0, report.output
    (start,) = [x for x in report.output.splitlines() if "start it: kb new" in x]
    command = shlex.split(start.split("start it: ", 1)[1])
    assert "--team" not in command  # no page comes near: no team to guess, kb new asks
    content = tmp_path / "content"
    content.mkdir()
    made = CliRunner().invoke(cli, [*command[1:], "--into", str(content)], input="fleet\n")
    assert made.exit_code == 0, made.output
    (page,) = content.rglob("*.md")
    assert page.relative_to(content).as_posix() == "fleet/company-car-leasing-policy.md"
    assert "question" not in page.read_text() and "company car leasing policy" in page.read_text()


def test_an_unzipped_confluence_export_folder_imports_like_its_zip(tmp_path):
    archive = confluence_zip(tmp_path / "space.zip")
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(archive) as z:
        z.extractall(folder)
    from_zip = import_source(archive, tmp_path / "a")
    from_folder = import_source(folder, tmp_path / "b")
    assert from_folder.problems == () and sorted(from_folder.written) == sorted(from_zip.written)
    zipped, unzipped = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert unzipped.keys() == zipped.keys()
    for rel, data in unzipped.items():  # the same pages but for where they came from
        assert data.replace(b"unzipped", b"space") == zipped[rel].replace(b"space.zip", b"space")
    _, body = meta(tmp_path / "b" / "finance" / "travel-expenses.md")
    assert "[per diem rates](per-diem-rates.md)" in body


def _hyperlink(paragraph, url: str, text: str) -> None:
    """A Word hyperlink (python-docx has no call for one: the XML, as Word writes it)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    label = OxmlElement("w:t")
    label.text = text
    run.append(label)
    link.append(run)
    paragraph._p.append(link)


def test_a_folder_of_word_files_keeps_its_teams_and_links(tmp_path):
    folder = tmp_path / "shared-drive"
    (folder / "hr").mkdir(parents=True)
    (folder / "finance").mkdir()
    leave = docx.Document()
    leave.core_properties.title = "Leave rules"
    _hyperlink(leave.add_paragraph("Travel during leave: see "), "../finance/travel.docx", "travel")
    leave.save(folder / "hr" / "leave.docx")
    word_file(folder / "finance" / "travel.docx")
    report = import_source(folder, tmp_path / "content")
    assert report.problems == ()
    assert sorted(report.written) == ["finance/travel-booking-rules.md", "hr/leave-rules.md"]
    fields, body = meta(tmp_path / "content" / "hr" / "leave-rules.md")
    assert fields["team"] == "hr" and fields["source"] == "file:shared-drive/hr/leave.docx"
    assert "[travel](../finance/travel-booking-rules.md)" in body


def test_word_structure_reads_like_a_kb_page(tmp_path):
    """A Word file's Title paragraph is its title (once), its Heading 1s sit under it, and a
    table without a marked header keeps its first row as the header."""
    document = docx.Document()
    document.add_heading("Bike leasing scheme", level=0)  # Word's Title style
    document.add_heading("Who can join", level=1)
    document.add_paragraph("Everyone after probation.")
    table = document.add_table(rows=2, cols=2)
    texts = ["List price", "Monthly deduction", "2000", "60"]
    for cell, text in zip(table._cells, texts, strict=True):
        cell.text = text
    document.core_properties.title = "Bike leasing scheme"
    document.save(tmp_path / "bike.docx")
    import_source(tmp_path / "bike.docx", tmp_path / "content")
    _, body = meta(tmp_path / "content" / "imported" / "bike-leasing-scheme.md")
    assert body.count("Bike leasing scheme") == 1 and "\n## Who can join\n" in body
    assert "| List price | Monthly deduction |" in body and "|  |  |" not in body
