"""`kb import` and `kb new` on hostile input: each case found by an attack on them."""

from __future__ import annotations

import os
import stat
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.content.parse import parse_markdown
from kb.importing import import_source
from kb.importing.convert import _first_heading

NOTION = "0123456789abcdef0123456789abcdef"


def html(title: str, body: str = "<p>Some policy text that matters.</p>") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def pages(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in folder.rglob("*.md")
    }


def test_a_heading_followed_by_many_spaces_costs_linear_time():
    # A backtracking pattern took 18.6 s at 2,000 spaces (cubic); now 4x the text is ~4x.
    def seconds(n: int) -> float:
        text = "# a" + " " * n + "b\n\nbody"
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(20):
                assert _first_heading(text) == "a" + " " * n + "b"
            best = min(best, time.perf_counter() - start)
        return best

    assert seconds(80_000) / seconds(20_000) < 8


def test_deep_nesting_costs_one_file_not_the_import(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "deep.html").write_text(html("Deep", "<div>" * 5000 + "x" + "</div>" * 5000))
    (source / "fine.html").write_text(html("Fine"))
    report = import_source(source, tmp_path / "content")
    assert [(p.path, p.message) for p in report.problems] == [
        ("deep.html", "HTML nested too deeply to convert")
    ]
    assert report.written == ("imported/fine.md",)


def test_an_oversized_csv_field_does_not_stop_a_notion_export(tmp_path):
    export = tmp_path / "notion.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"Page {NOTION}.md", "# Page\n\nCreated by: Lena Fischer\n\nThe text.\n")
        z.writestr(f"DB {NOTION}.csv", 'Name,Created by\nPage,"' + "A" * 200_000 + '"\n')
    report = import_source(export, tmp_path / "content")
    assert report.problems == () and report.written == ("imported/page.md",)


def test_a_file_too_large_to_import_says_the_limit_it_is_over(tmp_path):
    # "too large to import; skipped" left a user guessing how large is too large (a review).
    source = tmp_path / "src"
    source.mkdir()
    with open(source / "huge.pdf", "wb") as f:
        f.truncate(60_000_000)  # sparse: nothing is written, the size is what is read
    (source / "fine.html").write_text(html("Fine"))
    report = import_source(source, tmp_path / "content")
    assert [(p.path, p.message) for p in report.problems] == [
        ("huge.pdf", "too large to import (60.0 MB, over the 50 MB kb reads of one file); skipped")
    ]
    assert report.written == ("imported/fine.md",)


def test_control_characters_cannot_break_front_matter_or_idempotence(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "ctl.html").write_text(
        html("Ctl &#x7f; here &#x9b; and\u2028more") + "\n", encoding="utf-8"
    )
    (source / "long.html").write_text(html("T" * 30_000), encoding="utf-8")
    content = tmp_path / "content"
    first = import_source(source, content)
    assert len(first.written) == 2
    for rel, text in pages(content).items():
        document, problems = parse_markdown(text.encode(), rel)
        assert problems == [] and document is not None, rel
        assert len(document.title) <= 300
    again = import_source(source, content)
    assert again.written == () and len(again.unchanged) == 2  # no "-2" copies


def test_no_page_is_lost_to_a_file_of_the_same_name(tmp_path):
    """Two report.html (no title: named after the file) from two folders are two pages; one
    file retitled becomes a second page once, then each re-import finds its own."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "report.html").write_text("<html><body><p>Alpha text.</p></body></html>")
    (tmp_path / "b" / "report.html").write_text("<html><body><p>Beta text.</p></body></html>")
    content = tmp_path / "content"
    import_source(tmp_path / "a" / "report.html", content)
    second = import_source(tmp_path / "b" / "report.html", content)
    assert second.written == ("imported/report-2.md",)
    assert "Alpha text." in (content / "imported" / "report.md").read_text()
    doc = tmp_path / "a" / "notes.html"
    doc.write_text(html("Alpha", "<p>One.</p>"))
    import_source(doc, content)
    doc.write_text(html("Beta", "<p>Two.</p>"))
    retitled = import_source(doc, content)
    assert retitled.written == ("imported/beta.md",)
    assert any("becomes a page of its own" in note for note in retitled.left_out)
    for _ in range(2):  # no beta-2, beta-3: each title finds its page
        assert import_source(doc, content).written == ()
    assert sorted(pages(content)) == [
        "imported/alpha.md",
        "imported/beta.md",
        "imported/report-2.md",
        "imported/report.md",
    ]


def test_a_hand_written_source_field_is_a_citation_not_an_import(tmp_path):
    content = tmp_path / "content"
    mine = content / "imported" / "notes.md"
    mine.parent.mkdir(parents=True)
    mine.write_text('---\ntitle: Mine\nsource: "file:doc.html"\n---\nHand written.\n')
    (tmp_path / "doc.html").write_text(html("Notes"))
    report = import_source(tmp_path / "doc.html", content)
    assert report.written == ("imported/notes-2.md",)
    assert mine.read_text().endswith("Hand written.\n")


def test_an_imported_page_edited_since_is_kept(tmp_path):
    (tmp_path / "doc.html").write_text(html("Notes", "<p>Version one.</p>"))
    content = tmp_path / "content"
    import_source(tmp_path / "doc.html", content)
    page = content / "imported" / "notes.md"
    page.write_text(page.read_text().replace("Version one.", "Version one, fixed by hand."))
    (tmp_path / "doc.html").write_text(html("Notes", "<p>Version two.</p>"))
    report = import_source(tmp_path / "doc.html", content)
    assert report.written == () and "fixed by hand" in page.read_text()
    assert any("edited since it was imported" in note for note in report.left_out)
    unchanged = tmp_path / "other.html"
    unchanged.write_text(html("Other", "<p>One.</p>"))
    import_source(unchanged, content)
    unchanged.write_text(html("Other", "<p>Two.</p>"))
    assert import_source(unchanged, content).written == ("imported/other.md",)  # not edited


def test_markdown_in_a_folder_of_documents_does_not_hide_them(tmp_path):
    source = tmp_path / "drive"
    source.mkdir()
    (source / "README.md").write_text("# Readme\n\nAbout this drive.\n")
    (source / "page.html").write_text(html("Page"))
    report = import_source(source, tmp_path / "content")
    assert report.written == ("imported/page.md",)
    assert any(n.startswith("README.md: left out") for n in report.left_out)


def _lying_zip(path: Path, size: int) -> Path:
    """A zip whose one member inflates to `size` bytes while its headers claim 1,000."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"Bomb {NOTION}.md", b"# Bomb\n\n" + b"0" * size)
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, 1000)  # uncompressed size, local header
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)  # uncompressed size, central directory
    path.write_bytes(bytes(data))
    return path


def _imported_with_peak(source, into):
    """`import_source(source, into)`'s report and the most memory Python held meanwhile."""
    import tracemalloc

    tracemalloc.start()
    try:
        report = import_source(source, into)
        return report, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_zip_that_understates_its_sizes_is_read_only_as_far_as_it_claims(tmp_path):
    bomb = _lying_zip(tmp_path / "bomb.zip", 300_000_000)
    assert bomb.stat().st_size < 1_000_000
    report, peak = _imported_with_peak(bomb, tmp_path / "content")
    assert report.written == () and len(report.problems) == 1
    assert peak < 50_000_000  # the whole member would be 300 MB


def test_pages_get_ordinary_permissions(tmp_path):
    (tmp_path / "doc.html").write_text(html("Notes"))
    old = os.umask(0o022)
    try:
        import_source(tmp_path / "doc.html", tmp_path / "content")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "content" / "imported" / "notes.md").stat().st_mode)
    assert mode == 0o644


def test_a_folder_linking_out_of_the_content_folder_is_not_written_through(tmp_path):
    outside, content = tmp_path / "outside", tmp_path / "content"
    outside.mkdir()
    content.mkdir()
    (content / "imported").symlink_to(outside, target_is_directory=True)
    (content / "evil").symlink_to(outside, target_is_directory=True)
    (tmp_path / "doc.html").write_text(html("Notes"))
    report = import_source(tmp_path / "doc.html", content)
    assert report.written == () and "links out of the content folder" in str(report.problems)
    made = CliRunner().invoke(
        cli, ["new", "Plan", "--team", "evil", "--author", "A", "--into", str(content)]
    )
    assert made.exit_code != 0 and "links out of the content folder" in made.output
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("question", ["a ---> <b>x</b>", "a --!> <i>x</i>", "x -- -- -->"])
def test_a_question_cannot_close_the_stub_comment(tmp_path, question):
    content = tmp_path / "content"
    content.mkdir()
    args = ["new", "Plan", "--team", "t", "--author", "A", "--question", question]
    assert CliRunner().invoke(cli, [*args, "--into", str(content)]).exit_code == 0
    text = (content / "t" / "plan.md").read_text()
    comment = text[text.index("<!--") + 4 :]
    end = comment.index("-->")  # the first end is the stub's own: after its last sentence
    assert comment[:end].rstrip().endswith("first paragraph.") and "--" not in comment[:end]


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("One.", "One, fixed.").replace("\n", "\r\n"),  # Windows editor
        lambda t: t.replace('imported: "', "imported: '").replace('"\n', "'\n", 1),  # formatter
        lambda t: "\ufeff" + t.replace("One.", "One, fixed."),  # BOM
    ],
)
def test_an_edited_page_is_kept_however_the_editor_saved_it(tmp_path, edit):
    doc, content = tmp_path / "notes.html", tmp_path / "content"
    doc.write_text(html("Notes", "<p>One.</p>"))
    import_source(doc, content)
    page = content / "imported" / "notes.md"
    page.write_bytes(edit(page.read_text()).encode())
    edited = page.read_bytes()
    doc.write_text(html("Notes", "<p>Two.</p>"))
    report = import_source(doc, content)
    assert report.written == () and page.read_bytes() == edited
    assert any("delete the page" in note for note in report.left_out)
    page.unlink()  # what the note says to do
    assert import_source(doc, content).written == ("imported/notes.md",)
    assert "Two." in page.read_text()


def test_a_line_ending_change_alone_is_not_an_edit(tmp_path):
    doc, content = tmp_path / "notes.html", tmp_path / "content"
    doc.write_text(html("Notes", "<p>One.</p>"))
    import_source(doc, content)
    page = content / "imported" / "notes.md"
    page.write_bytes(page.read_bytes().replace(b"\n", b"\r\n"))  # git autocrlf
    doc.write_text(html("Notes", "<p>Two.</p>"))
    assert import_source(doc, content).written == ("imported/notes.md",)


def test_a_damaged_member_costs_only_itself(tmp_path):
    export = tmp_path / "notion.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"A {NOTION}.md", "# A\n\n" + "first page text " * 200)
        z.writestr(f"B {NOTION[::-1]}.md", "# B\n\nSecond page text.\n")
    data = bytearray(export.read_bytes())
    start = data.find(b"PK\x03\x04") + 30 + len(f"A {NOTION}.md")
    data[start + 5 : start + 40] = bytes(35)  # garble the first member's deflate stream
    export.write_bytes(bytes(data))
    report = import_source(export, tmp_path / "content")
    assert [p.path for p in report.problems] == [f"notion.zip/A {NOTION}.md"]
    assert report.written == ("imported/b.md",)


def test_notion_rows_and_notes_are_read_for_what_they_are(tmp_path):
    export = tmp_path / "notion.zip"
    with zipfile.ZipFile(export, "w") as z:
        z.writestr(f"Policies {NOTION}.csv", "Name,Owner,Reviewer\nLeave,Chloe Martin\n")
        z.writestr(f"Other {NOTION[::-1]}.csv", "Name,Owner\nTravel,Someone Else\n")
        z.writestr(
            f"Policies {NOTION}/Leave {NOTION[:16] * 2}.md",
            "# Leave\n\nWarning: never share your payslip.\n\nTake leave through the portal.\n",
        )
        z.writestr(f"Travel {NOTION[8:] + NOTION[:8]}.md", "# Travel\n\nBook early.\n")
    report = import_source(export, tmp_path / "content")
    assert report.problems == ()
    leave = (tmp_path / "content" / "imported" / "leave.md").read_text()
    assert 'authors: ["Chloe Martin"]' in leave  # its own database's row, a short row
    assert "Warning: never share your payslip." in leave  # body text, not a property
    travel = (tmp_path / "content" / "imported" / "travel.md").read_text()
    assert "Someone Else" not in travel  # a row of a database it is not in


def test_control_characters_in_a_body_are_dropped_not_indexed_as_binary(tmp_path):
    (tmp_path / "doc.html").write_text(html("Notes", "<p>Tab\there, NUL\x00 and bell\x07.</p>"))
    import_source(tmp_path / "doc.html", tmp_path / "content")
    raw = (tmp_path / "content" / "imported" / "notes.md").read_bytes()
    document, problems = parse_markdown(raw, "imported/notes.md")
    assert problems == [] and b"\x00" not in raw and b"\x07" not in raw


def test_a_kept_page_is_counted_and_says_whether_its_source_changed(tmp_path):
    doc, content = tmp_path / "notes.html", tmp_path / "content"
    doc.write_text(html("Notes", "<p>One.</p>"))
    import_source(doc, content)
    page = content / "imported" / "notes.md"
    page.write_text(page.read_text().replace("One.", "One, fixed."))
    same = import_source(doc, content)
    assert same.kept == ("imported/notes.md",) and "has not changed" in str(same.left_out)
    doc.write_text(html("Notes", "<p>Two.</p>"))
    changed = import_source(doc, content)
    assert changed.kept == ("imported/notes.md",) and "has changed too" in str(changed.left_out)
    out = CliRunner().invoke(cli, ["import", str(doc), "--into", str(content)])
    assert "1 kept (edited since)" in out.output and "Imported 1 page " in out.output


def test_a_fifo_named_md_in_the_content_folder_does_not_hang_an_import(tmp_path):
    # kb import reads the content folder's pages to find the ones it imported before: a
    # fifo named like a page blocked it for ever (and a device like /dev/zero, read whole,
    # ran it out of memory).
    import threading

    content = tmp_path / "content"
    content.mkdir()
    fifo = content / "pipe.md"
    os.mkfifo(fifo)

    def unblock() -> None:  # so that an import that opens the fifo ends (and the test fails)
        time.sleep(10)
        with open(fifo, "wb", buffering=0):
            pass

    threading.Thread(target=unblock, daemon=True).start()
    (tmp_path / "doc.html").write_text(html("Notes"))
    start = time.perf_counter()
    report = import_source(tmp_path / "doc.html", content)
    assert time.perf_counter() - start < 5
    assert report.written == ("imported/notes.md",)


def _word_bomb(path: Path, inflated: int) -> Path:
    """A real .docx whose text part inflates to `inflated` bytes (a zip bomb as Word)."""
    import io

    import docx

    doc = docx.Document()
    doc.add_paragraph("hello")
    plain = io.BytesIO()
    doc.save(plain)
    parts = zipfile.ZipFile(plain)
    head, tail = parts.read("word/document.xml").split(b"<w:body>")
    para = b"<w:p><w:r><w:t>" + b"bomb " * 200 + b"</w:t></w:r></w:p>"
    body = head + b"<w:body>" + para * (inflated // len(para)) + tail
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in parts.infolist():
            name = item.filename
            out.writestr(name, body if name == "word/document.xml" else parts.read(name))
    return path


def test_a_word_file_that_inflates_past_the_limit_is_refused_before_it_is_parsed(tmp_path):
    # A 200 KB .docx whose text inflates to 60 MB: python-docx and mammoth parsed it whole
    # (a 570 KB one took 1.4 GB and two minutes, and wrote a 190 MB page kb index skips).
    bomb = _word_bomb(tmp_path / "bomb.docx", 60_000_000)
    assert bomb.stat().st_size < 1_000_000
    report, peak = _imported_with_peak(bomb, tmp_path / "content")
    assert report.written == ()
    assert [(p.path, p.message) for p in report.problems] == [
        ("bomb.docx", "Word file inflates to 60 MB, over the 50 MB kb converts; split it")
    ]
    assert peak < 20_000_000


def _pdf(content: bytes, pages: int) -> bytes:
    """A PDF whose `pages` pages all draw one compressed content stream."""
    import zlib

    packed = zlib.compress(content, 9)
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages))
    page_object = b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> "
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%b\nendstream" % (len(packed), packed),
    ] + [page_object + b"/MediaBox [0 0 612 792] /Contents 4 0 R >>"] * pages
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )


def test_a_pdf_whose_pages_inflate_past_the_limit_is_refused_before_its_text_is_read(tmp_path):
    # Pages may share one compressed content stream: a 162 KB PDF of 1,000 pages drawing
    # the same 2 MB kept kb import extracting text for hours. Here 30 pages of 2 MB (mostly
    # spaces, which are quick to read) stand for them.
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(_pdf(b"BT /F1 12 Tf 72 712 Td (Hi) Tj ET\n" + b" " * 2_000_000, 30))
    assert bomb.stat().st_size < 20_000
    report = import_source(bomb, tmp_path / "content")
    assert report.written == ()
    assert [(p.path, p.message) for p in report.problems] == [
        ("bomb.pdf", "PDF pages inflate past 50 MB; split it")
    ]
    (tmp_path / "fine.pdf").write_bytes(_pdf(b"BT /F1 12 Tf 72 712 Td (Hi there) Tj ET\n", 3))
    assert import_source(tmp_path / "fine.pdf", tmp_path / "content").written == (
        "imported/fine.md",
    )


_STUCK_WRITER = """
import os, sys, time
from pathlib import Path
import kb.importing.pagefile as pf
def stuck(src, dst):  # the page is written; stop before it is renamed into place
    print(src, flush=True)
    time.sleep(600)
pf.os.replace = stuck
pf.write_page(Path(sys.argv[1]), Path(sys.argv[1]) / "imported" / "page.md", "# Half\\n")
"""


def _writer_stuck_mid_write(content: Path):
    """A process of `write_page` stopped just before its rename, and its temporary file."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-c", _STUCK_WRITER, str(content)], stdout=subprocess.PIPE, text=True
    )
    return proc, Path(proc.stdout.readline().strip())


def _aged(path: Path) -> Path:
    old = time.time() - 3600
    os.utime(path, (old, old), follow_symlinks=False)
    return path


def test_a_killed_imports_leftover_is_swept_and_only_kbs_own(tmp_path):
    # A SIGKILL mid-write left a hidden `.kb-page-*.tmp` in the content folder for good.
    content = tmp_path / "content"
    (content / "imported").mkdir(parents=True)
    source = tmp_path / "src"
    source.mkdir()
    (source / "policy.html").write_text(html("Travel policy"))
    live, live_tmp = _writer_stuck_mid_write(content)
    killed, killed_tmp = _writer_stuck_mid_write(content)
    killed.kill()
    killed.wait()
    live_tmp, killed_tmp = _aged(live_tmp), _aged(killed_tmp)
    assert killed_tmp.name.startswith(f".kb-page-{killed.pid}-")
    precious = tmp_path / "thesis.txt"
    precious.write_text("years of work")
    # A user's files that merely look like kb's, and kb's name on a link and a folder.
    mine = [
        content / "imported" / ".kb-page-notes.tmp",
        content / "imported" / ".kb-page-abcd1234.tmp",  # no pid: not a name kb gives
        content / "imported" / f"kb-page-{killed.pid}-abcd1234.tmp",
        content / "imported" / f".kb-page-{killed.pid}-abcd1234.tmp.bak",
        content / ".git" / f".kb-page-{killed.pid}-abcd1234.tmp",
    ]
    for path in mine:
        path.parent.mkdir(exist_ok=True)
        path.write_text("mine")
        _aged(path)
    link = content / "imported" / f".kb-page-{killed.pid}-linkaaaa.tmp"
    link.symlink_to(precious)
    _aged(link)
    folder = content / "imported" / f".kb-page-{killed.pid}-folderaa.tmp"
    folder.mkdir()
    # Just written by a pid this machine does not run: a writer on another machine.
    fresh = content / "imported" / f".kb-page-{killed.pid}-freshaaa.tmp"
    fresh.write_text("being written elsewhere")
    try:
        report = import_source(source, content)
        assert report.written == ("imported/travel-policy.md",)
        assert not killed_tmp.exists()
        assert live_tmp.exists(), "a live import's page was deleted"
    finally:
        live.kill()
        live.wait()
    for path in mine:
        assert path.read_text() == "mine", path
    assert link.is_symlink() and precious.read_text() == "years of work"
    assert folder.is_dir() and fresh.read_text() == "being written elsewhere"
    # The live writer is killed now: its file goes at the next import.
    import_source(source, content)
    assert not live_tmp.exists()


def test_a_secret_in_an_imported_document_is_said_at_its_line_never_shown(tmp_path):
    # An attack: a Word or HTML export holding a token was imported without a word; only the
    # next `kb check` or `kb index` said so. Import says it, as they do: path:line, the kind.
    token = "ghp_" + "R4nd0mT0k3nV4lu3F0rT3st1ngXyZ9876543"
    body = (
        "<h2>Deploying</h2><p>The deploy bot pushes with the token below.</p>"
        f"<pre><code>export GITHUB_TOKEN={token}</code></pre><p>Rotate it monthly.</p>"
    )
    (tmp_path / "deploy.html").write_text(html("Deploy bot", body))
    (tmp_path / "clean.html").write_text(html("Clean"))
    content = tmp_path / "content"
    res = CliRunner().invoke(cli, ["import", str(tmp_path), "--into", str(content)])
    assert res.exit_code == 0, res.output
    assert token[4:] not in res.output
    written = (content / "imported" / "deploy-bot.md").read_text(encoding="utf-8")
    line = next(n for n, x in enumerate(written.split("\n"), 1) if token in x)
    said = [x for x in res.output.splitlines() if "possible" in x]
    assert said == [
        f"warning: imported/deploy-bot.md:{line}: possible GitHub token (ghp_…); kb index "
        "redacts it; remove it, rotate it, and keep it in the secrets manager"
    ], res.output
    report = import_source(tmp_path, content)  # again: the page is unchanged, still said
    assert report.unchanged and [str(p) for p in report.secrets] == [said[0][9:]]


def test_a_secret_in_a_documents_title_is_not_in_its_page_name(tmp_path):
    # An attack: a document titled with a token became `deploy-ghp-r4nd0m...md`: its name
    # held the token in small letters (most of its secret: only the case is lost), which kb
    # check did not find, every index stores and shows, and the import printed. The name is
    # made from the title with the secret redacted; the title is the page's, as written.
    token = "ghp_" + "R4nd0mT0k3nV4lu3F0rT3st1ngXyZ9876543"
    source = tmp_path / "docs"
    folder = source / f"ops {token}"  # a folder's name is its pages' team
    folder.mkdir(parents=True)
    (source / "deploy.html").write_text(html(f"Deploy {token}", "<p>The bot pushes.</p>"))
    (folder / "vpn.html").write_text(html("VPN"))
    content = tmp_path / "content"
    res = CliRunner().invoke(cli, ["import", str(source), "--into", str(content)])
    assert res.exit_code == 0, res.output
    written = sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))
    assert written == ["imported/deploy-ghp-redacted.md", "ops-ghp-redacted/vpn.md"]
    assert token[4:].lower() not in res.output.lower()
    assert "imported/deploy-ghp-redacted.md:3: possible GitHub token" in res.output
    assert 'team: "ops-ghp-redacted"' in (content / written[1]).read_text()


def test_a_secret_in_a_new_pages_title_is_not_in_its_file_name(tmp_path):
    # The same for `kb new`: the stub's file and folder are named after the title and team
    # typed, and a token pasted there was in the name in small letters (a hostile trial).
    token = "ghp_" + "R4nd0mT0k3nV4lu3F0rT3st1ngXyZ9876543"
    content = tmp_path / "content"
    content.mkdir()
    args = ["new", f"Deploy {token}", "--team", f"ops {token}", "--author", "Dee Park"]
    res = CliRunner().invoke(cli, [*args, "--into", str(content)])
    assert res.exit_code == 0, res.output
    written = [p.relative_to(content).as_posix() for p in content.rglob("*.md")]
    assert written == ["ops-ghp-redacted/deploy-ghp-redacted.md"], written
    assert token[4:].lower() not in res.output.lower()


def test_odd_files_in_a_folder_are_one_line_each_naming_the_file(tmp_path):
    """An attack: a folder of odd documents (empty, another format under a page's suffix,
    damaged, a link out). Each is one line naming it; a damaged PDF also printed pypdf's
    own "EOF marker not found", a line naming no file."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "empty.docx").write_bytes(b"")
    (src / "empty.pdf").write_bytes(b"")
    (src / "image.docx").write_bytes(b"\x89PNG\r\n\x1a\n0000")
    (src / "bad.pdf").write_bytes(b"%PDF-1.4 garbage")
    (src / "passwd.html").symlink_to("/etc/passwd")
    (src / "fine.html").write_text("<title>Fine</title><p>A page.</p>")
    # A process of its own: pytest's log capture would take pypdf's line.
    kb = [sys.executable, "-c", "from kb.cli import main; main()"]
    res = subprocess.run(
        [*kb, "import", str(src), "--into", str(tmp_path / "out")], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    said = res.stderr.splitlines()
    assert len(said) == 5 and all(line.startswith(("error: ", "warning: ")) for line in said), said
    for name in ("empty.docx", "empty.pdf", "image.docx", "bad.pdf"):
        assert sum(f"error: {name}: " in line for line in said) == 1, name


def test_a_page_in_the_charset_it_declares_keeps_its_letters(tmp_path):
    """An attack: an HTML page not in UTF-8, in the charset it declares (an older editor's
    `<meta charset="windows-1252">`, or ISO-8859-1, which browsers read as Windows-1252):
    every accented letter became U+FFFD, without a word. A UTF-8 page with a stray byte
    keeps its letters and loses that byte alone, as before."""
    src = tmp_path / "src"
    src.mkdir()
    for n, label in enumerate(('charset="windows-1252"', "charset=iso-8859-1")):
        page = f"<meta {label}><title>Caf\xe9 {n}</title><p>Le caf\xe9 \u2013 ouvert.</p>"
        (src / f"latin{n}.html").write_bytes(page.encode("cp1252"))
    stray = "<meta charset=utf-8><title>Straße</title><p>Grüße".encode() + b"\xff</p>"
    (src / "stray.html").write_bytes(stray)
    import_source(src, tmp_path / "out")
    pages = {p.name: p.read_text("utf-8") for p in (tmp_path / "out").rglob("*.md")}
    for n in (0, 1):
        text = pages[f"cafe-{n}.md"]
        assert "Le café – ouvert." in text and f'title: "Café {n}"' in text, text
    assert "Grüße\ufffd" in pages["strasse.md"], pages


def test_a_name_keeps_letters_without_a_decomposition_and_a_page_kb_named_keeps_its_name(
    tmp_path, monkeypatch
):
    """A trial's leftover: a page was named by the ASCII of its title's NFKD decomposition,
    which drops a letter without one: "Straße" was `strae.md`, "Łódź" `odz.md`, a Russian
    title `page.md`. Letters are now written in Latin ones (anyascii). A page an earlier kb
    named so keeps its name, its folder and its team on a re-import, and a new document of
    its folder goes beside it: no second page, no second folder of one team."""
    from kb.importing import importer, pagefile

    src = tmp_path / "src"
    (src / "Straße").mkdir(parents=True)
    (src / "Straße" / "a.html").write_text(html("Straße Łódź"), encoding="utf-8")
    (src / "Straße" / "b.html").write_text(html("Привет мир"), encoding="utf-8")
    fresh = tmp_path / "fresh"
    import_source(src, fresh)
    assert sorted(pages(fresh)) == ["strasse/privet-mir.md", "strasse/strasse-lodz.md"]
    assert 'team: "strasse"' in pages(fresh)["strasse/strasse-lodz.md"]

    earlier = tmp_path / "earlier"  # as kb named pages before
    monkeypatch.setattr(importer, "slug", pagefile.slug_before_latin)
    import_source(src, earlier)
    monkeypatch.undo()
    before = pages(earlier)
    assert sorted(before) == ["strae/page.md", "strae/strae-odz.md"]
    (src / "Straße" / "c.html").write_text(html("Übersicht"), encoding="utf-8")
    report = import_source(src, earlier)
    assert sorted(report.unchanged) == ["strae/page.md", "strae/strae-odz.md"], report
    assert report.written == ("strae/ubersicht.md",), report
    after = pages(earlier)
    assert {rel: after[rel] for rel in before} == before
    assert 'team: "strae"' in after["strae/ubersicht.md"]


def test_a_document_read_with_bytes_as_replacement_characters_is_said_at_its_line(tmp_path):
    """A trial's leftover: a page that is not UTF-8 and declares no charset (or declares one
    that does not read it) was imported with its letters as U+FFFD and no word. It still is,
    and a warning names the document and the line of the first such byte; a page in UTF-8,
    or in the charset it declares, gets none."""
    src = tmp_path / "src"
    src.mkdir()
    body = "<title>Caf\xe9</title>\n<p>ok</p>\n<p>Le caf\xe9 ouvert.</p>"
    (src / "latin.html").write_bytes(body.replace("Caf\xe9<", "Latin<").encode("cp1252"))
    (src / "declared.html").write_bytes(("<meta charset=cp1252>" + body).encode("cp1252"))
    (src / "utf8.html").write_text("<title>Grüße</title><p>Grüße</p>", encoding="utf-8")
    (src / "stray.html").write_bytes(b"<meta charset=utf-8><title>x</title>\n\n\n<p>a\xff</p>")
    res = CliRunner().invoke(cli, ["import", str(src), "--into", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    said = [line for line in res.output.splitlines() if "not valid UTF-8" in line]
    assert [line.split(": not valid")[0] for line in said] == [
        "warning: latin.html:3",
        "warning: stray.html:4",
    ], res.output
    assert "save it as UTF-8" in said[0]
    text = (tmp_path / "out" / "imported" / "latin.md").read_text("utf-8")
    assert "Le caf\ufffd ouvert." in text  # as before: read, not refused
