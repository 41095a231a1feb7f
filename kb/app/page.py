"""The page view: one page of the index, shown safely, scrolled to the section asked for."""

from __future__ import annotations

import json

import streamlit as st

from kb.app.linked import named
from kb.app.load import image_hosts, page_links
from kb.app.present import literal as esc
from kb.app.present import page_markdown
from kb.app.state import back_label, go_back
from kb.app.widgets import author_link, badges
from kb.facade import Facade
from kb.models import Directory
from kb.models.names import printable_name

# "Back" stays in sight while the page scrolls; a section scrolled to stops below it.
_STYLE = """<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-back) { position: sticky; top: 3.75rem;
  z-index: 99; background: var(--kb-background, #fff); }
.stMain h1, .stMain h2, .stMain h3, .stMain h4 { scroll-margin-top: 7rem; }
</style>"""


def render_page(kb: Facade, path: str, section: str) -> None:
    st.html(_STYLE)
    with st.container(key="back"):
        st.button(back_label(), on_click=go_back, type="tertiary")
    page = kb.page(path)
    if page is None:
        st.error(f"No page {named(path)} in the index.")  # `path` is the URL's
        return
    st.header(esc(page.title), anchor=False)
    st.markdown(badges(page.department, page.team, page.review_by))
    # Each author opens their profile and says who has left, as on the result cards, and in
    # the cards' gray: a link in a caption is too faint to read (the accessibility test: 2.96:1).
    directory = Directory.recorded(kb.manifest)
    authors = ", ".join(author_link(a.name, directory, f"{a.share:.0%}") for a in page.authors)
    st.markdown(
        f":gray[{esc(printable_name(page.path))} · by {authors or 'unknown'}"
        + (f" · updated {esc(page.updated)}" if page.updated else "")
        + (f" · owner {esc(page.owner)}" if page.owner else "")
        + "]"
    )
    edit = page_links().edit_url(page.path)
    if edit:
        st.link_button("Edit this page", edit, icon=":material/edit:")
    if section:
        st.caption(f"Jumped to section: {esc(section)}")
    st.divider()
    # No "Link to heading" anchor on each of the page's headings: a Tab stop and a link read
    # out per heading (an accessibility trial). The headings keep their ids: `#section`
    # links in the page still go there.
    body = page_markdown(page.title, page.body, page.path, image_hosts=image_hosts())
    st.markdown(body, anchors=False)
    scroll_to(section.split(" > ")[-1] if section else "", page.title)


def scroll_to(heading: str, title: str) -> None:
    """Scroll to the heading named `heading`, else to the top (the page's `title` and the
    way back): an opened page starts there, not where the results list was scrolled.

    st.html runs the script in the app's own document (no iframe reaching into its parent);
    the two texts go in as JSON with `<` escaped, so they cannot end the script.
    """
    texts = json.dumps([heading, title]).replace("<", "\\u003c")
    st.html(
        f"""<script>
        (() => {{
          const [section, title] = {texts}.map(t => t.trim().toLowerCase());
          const find = want => want && [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
            .find(h => h.textContent.trim().toLowerCase() === want);
          const top = () => (document.querySelector('.stMain') || document.scrollingElement)
            .scrollTo(0, 0);
          let tries = 0;  // the body may still be drawing: look for 2 s, then go to the top
          const timer = setInterval(() => {{
            tries += 1;
            const el = find(section) || (!section || tries > 20 ? find(title) : null);
            if (el || tries > 40) {{
              clearInterval(timer);
              if (el && el !== find(title)) el.scrollIntoView(); else top();
            }}
          }}, 100);
        }})();
        </script>""",
        unsafe_allow_javascript=True,
    )
