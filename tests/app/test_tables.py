"""kb.app.tables: accessible HTML tables where every value from content is text."""

from __future__ import annotations

from kb.app.tables import joined, link, table_html

HOSTILE = '<script>alert(1)</script>" onmouseover="x'


def test_every_value_caption_and_header_is_escaped():
    out = table_html(HOSTILE, [HOSTILE, "n"], [[HOSTILE, 3], ["x" + link("a", "?b"), 4]])
    assert "<script" not in out and '" onmouseover' not in out
    assert out.count("&lt;script&gt;") == 4  # region label, caption, header, cell
    # An Html made by `link`, once joined to a plain string, is plain text again.
    assert "&lt;a href=" in out


def test_links_and_joined_names_escape_their_parts():
    html = joined([link(HOSTILE, f"?person={HOSTILE}", after=" (50%)"), "<b>"])
    assert html.startswith('<a href="?person=&lt;script&gt;alert(1)&lt;/script&gt;&quot; ')
    assert html.endswith("</a> (50%), &lt;b&gt;")
    assert "target" not in html  # the same tab


def test_headers_numbers_sort_order_and_an_empty_table():
    out = table_html("People", ["Name", "Pages"], [["Ana", 3]], sorted_by="Pages", descending=True)
    assert "<caption><span>People</span></caption>" in out
    assert '<th scope="col" class="num" aria-sort="descending">Pages</th>' in out
    assert '<th scope="row">Ana</th><td data-label="Pages" class="num">3</td>' in out
    empty = table_html("Searches", ["Search", "Times"], [], empty="None among 3 searches.")
    assert '<td colspan="2">None among 3 searches.</td>' in empty
    assert 'class="num"' not in empty


def test_three_columns_or_more_stack_on_a_phone_each_value_labelled_with_its_column():
    out = table_html("People", ["Name", 'Team "<b>"', "Pages"], [["Ana", "hr", 3]])
    assert '<div class="kb-table kb-stack" role="region"' in out
    assert '<td data-label="Team &quot;&lt;b&gt;&quot;">hr</td><td data-label="Pages"' in out
    two = table_html("Relevance", ["Person", "Relevance"], [["Ana", 100]])
    assert '<div class="kb-table" role="region"' in two  # two columns fit a phone


def test_the_build_time_reads_as_a_date_and_a_time():
    from kb.app.widgets import built_when

    assert built_when("2026-12-03T08:52:42+00:00") == "2026-12-03 08:52 UTC"
    assert built_when("2026-12-03T09:52:42+01:00") == "2026-12-03 08:52 UTC"
    assert built_when("2026-12-03T08:52:42") == "2026-12-03 08:52"
    assert built_when("yesterday") == "yesterday" and built_when("") == "?"
