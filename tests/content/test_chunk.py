"""Chunking: never across a heading, nothing over the model's window, stable ids."""

from __future__ import annotations

from fakes import HashEmbedder

from kb.config import Settings
from kb.content.chunk import chunk_document
from kb.content.parse import parse_markdown
from kb.models import embed_header

SENTENCE = "The warehouse team counts every bin in zone {n} before the quarterly audit begins. "


def long_page() -> bytes:
    paras = "\n\n".join(" ".join(SENTENCE.format(n=p * 10 + i) for i in range(6)) for p in range(9))
    table = "\n".join(f"| row {i} | value {i} |" for i in range(120))
    return (
        f"---\ntitle: Cycle counts\n---\n## Short\nOne line.\n\n## Long\n{paras}\n\n"
        f"## Table\n| a | b |\n|---|---|\n{table}\n\n## Wall\n{'x' * 3000}\n"
    ).encode()


def test_real_tokenizer_keeps_every_chunk_within_the_window(real_embedder):
    doc, _ = parse_markdown(long_page(), "ops/cycle.md")
    settings = Settings()
    chunks, problems = chunk_document(doc, real_embedder.count_tokens, settings)
    assert problems == []
    counts = real_embedder.count_tokens([c.embed_text for c in chunks])
    assert max(counts) <= real_embedder.max_tokens == settings.max_tokens
    by_section = {}
    for c in chunks:
        by_section.setdefault(c.heading_path, []).append(c)
    assert len(by_section[("Short",)]) == 1
    assert len(by_section[("Long",)]) >= 3  # about 500 words cannot fit one window
    assert len(by_section[("Table",)]) >= 3
    # Nothing of the long section is lost, and consecutive pieces overlap.
    long_text = " ".join(c.text for c in by_section[("Long",)])
    for n in [p * 10 + i for p in range(9) for i in range(6)]:
        assert f"zone {n} " in long_text
    first, second = by_section[("Long",)][:2]
    last_sentence = first.text.strip().split(". ")[-1]
    assert "zone" in last_sentence and last_sentence in second.text


def test_chunks_never_cross_headings_and_carry_title_and_path():
    doc, _ = parse_markdown(long_page(), "ops/cycle.md")
    chunks, _ = chunk_document(doc, HashEmbedder().count_tokens, Settings())
    for c in chunks:
        assert c.embed_text.startswith(embed_header("Cycle counts", c.heading_path) + "\n")
        if c.heading_path == ("Short",):
            assert "zone" not in c.text and "row" not in c.text


def test_ids_are_stable_and_unique_and_survive_edits_elsewhere():
    page = b"---\ntitle: T\n---\n## A\nalpha\n\n## B\nbeta\n"
    edited = b"---\ntitle: T\n---\n## A\nalpha changed a lot\n\n## B\nbeta\n"
    count = HashEmbedder().count_tokens
    a, _ = chunk_document(parse_markdown(page, "p.md")[0], count, Settings())
    b, _ = chunk_document(parse_markdown(page, "p.md")[0], count, Settings())
    c, _ = chunk_document(parse_markdown(edited, "p.md")[0], count, Settings())
    assert [x.id for x in a] == [x.id for x in b]
    assert len({x.id for x in a}) == len(a)
    assert a[1].id == c[1].id  # section B unchanged keeps its id


def test_duplicate_headings_get_distinct_ids_and_a_warning():
    page = b"---\ntitle: T\n---\n## Notes\none\n\n## Notes\ntwo\n"
    chunks, problems = chunk_document(
        parse_markdown(page, "d.md")[0], HashEmbedder().count_tokens, Settings()
    )
    assert len({c.id for c in chunks}) == len(chunks) == 3  # two sections and the overview
    assert [str(p) for p in problems] == [
        "d.md:7: duplicate section 'Notes'; its chunk ids get suffix #2"
    ]


def test_page_overview_piece_lists_summary_and_contents():
    page = b"---\ntitle: Travel\ndescription: Booking trips\n---\n## Flights\na\n## Hotels\nb\n"
    chunks, _ = chunk_document(
        parse_markdown(page, "t.md")[0], HashEmbedder().count_tokens, Settings()
    )
    overview = chunks[0]
    assert overview.embed_text == "Travel\nBooking trips\nContents: Flights; Hotels"
    assert overview.heading_path == () and overview.line == 1
    single = b"---\ntitle: Short\n---\nJust a paragraph.\n"
    chunks, _ = chunk_document(
        parse_markdown(single, "s.md")[0], HashEmbedder().count_tokens, Settings()
    )
    assert [c.text for c in chunks] == ["Just a paragraph."]  # nothing to summarise


def test_split_code_and_tables_keep_their_line_breaks(real_embedder):
    rows = "\n".join(f"supplier_{i},GB{i:08d},net30,{i * 7} GBP" for i in range(150))
    page = f"---\ntitle: Import\n---\n## Template\n```csv\nname,vat,terms,limit\n{rows}\n```\n"
    doc, _ = parse_markdown(page.encode(), "p/import.md")
    chunks, _ = chunk_document(doc, real_embedder.count_tokens, Settings())
    assert len(chunks) >= 3
    for c in chunks:
        assert "\n\n" not in c.text  # lines of one block are joined as they were written
        assert c.text.replace("\n", " ").split()[0] in doc.sections[0].text


def test_whole_sections_when_splitting_is_off(real_embedder):
    doc, _ = parse_markdown(long_page(), "ops/cycle.md")
    chunks, _ = chunk_document(doc, real_embedder.count_tokens, Settings(split_long_sections=False))
    sections = [c for c in chunks if c.heading_path]
    assert len(sections) == len(doc.sections) == 4  # one piece each; the model truncates


def test_every_chunk_and_the_stored_page_carry_the_pages_own_fields():
    # The page fields are declared once (PageInfo) and handed on whole: a field added there
    # reaches every chunk and the stored page without another line of copying.
    from kb.content.pages import page_of
    from kb.models import PAGE_INFO, page_info

    raw = (
        b"---\ntitle: VPN\nteam: security\ndepartment: IT\ntags: [vpn, okta]\n"
        b"updated: 2026-01-02\nreview_by: 2026-07-01\nauthors: [Ana Ruiz]\n---\n"
        b"# VPN\n\n## Connect\n\nOpen the client.\n\n## Trouble\n\nRestart it.\n"
    )
    doc, problems = parse_markdown(raw, "it/vpn.md")
    assert doc is not None and not problems
    info = page_info(doc)
    assert set(PAGE_INFO) == {"team", "tags", "authors", "updated", "review_by", "department"}
    assert info["team"] == "security" and info["tags"] == ("vpn", "okta") and info["authors"]
    chunks, _ = chunk_document(doc, HashEmbedder().count_tokens, Settings())
    assert len(chunks) >= 2 and all(page_info(c) == info for c in chunks)
    assert page_info(page_of(doc)) == info


def test_text_without_spaces_is_cut_to_the_window_and_kept_whole(real_embedder):
    # Chinese has no spaces and ends sentences with "。"; a run without them has neither.
    # Each was one chunk the model read the first 256 tokens of (a hostile trial: 6,402).
    sentences = [f"员工每月第{n}天提交报销单并附上收据。" for n in range(200)]
    run = "".join(s.rstrip("。") for s in sentences[:60])
    page = f"# 报销\n\n## 规定\n{''.join(sentences)}\n\n## Run\n{run}\n"
    doc, _ = parse_markdown(page.encode(), "finance/baoxiao.md")
    chunks, problems = chunk_document(doc, real_embedder.count_tokens, Settings())
    assert problems == []
    assert max(real_embedder.count_tokens([c.embed_text for c in chunks])) <= Settings().max_tokens
    rules = "".join(c.text for c in chunks if c.heading_path == ("规定",))
    assert all(s in rules for s in sentences)  # every sentence whole in some piece
    assert len([c for c in chunks if c.heading_path == ("规定",)]) >= 5
    pieces = [c.text for c in chunks if c.heading_path == ("Run",)]
    assert len(pieces) >= 2 and "".join(pieces) == run


def test_every_piece_of_a_cut_table_starts_with_its_header(real_embedder):
    # A piece of a table without its header read as rows of nothing ("comma-separated data,
    # 1 row" of the bundled supplier template named no column): each piece repeats it.
    rows = "\n".join(f"| Supplier {i} | GB{i:08d} | net {30 + i % 3} days |" for i in range(60))
    csv = "\n".join(f"supplier_{i},GB{i:08d},net30,{i * 7} GBP" for i in range(150))
    page = (
        f"---\ntitle: Import\n---\n## Terms\n{SENTENCE.format(n=1) * 4}\n\n"
        f"| Name | VAT | Terms |\n|---|---|---|\n{rows}\n\nAsk procurement.\n\n"
        f"## Template\n{SENTENCE.format(n=2) * 4}\n\n```csv\nname,vat,terms,limit\n{csv}\n```\n"
    )
    doc, _ = parse_markdown(page.encode(), "p/import.md")
    chunks, _ = chunk_document(doc, real_embedder.count_tokens, Settings())
    assert max(real_embedder.count_tokens([c.embed_text for c in chunks])) <= Settings().max_tokens
    table = [c.text for c in chunks if c.heading_path == ("Terms",)]
    template = [c.text for c in chunks if c.heading_path == ("Template",)]
    assert len(table) >= 3 and len(template) >= 3
    header, rule = "| Name | VAT | Terms |\n", "|---|---|---|\n"
    for text in table[1:]:
        assert text.startswith(header + rule + "| Supplier "), text[:80]
    for text in template[1:]:
        assert text.startswith("```csv\nname,vat,terms,limit\nsupplier_"), text[:80]
    # Where the table starts, its header goes with its first rows, never alone at a piece's end.
    assert not table[0].endswith(rule.strip()) and not template[0].endswith("```csv")
    # Every row is still there, and a piece of rows points at its first row.
    for n in range(60):
        assert any(f"| Supplier {n} |" in text for text in table)
    for n in range(150):
        assert any(f"supplier_{n}," in text for text in template)
    last = [c for c in chunks if c.heading_path == ("Template",)][-1]
    first_row = last.text.split("\n")[2]
    assert doc.body.split("\n")[last.line - 1 - 3] == first_row  # 3 front matter lines
