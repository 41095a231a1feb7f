"""Documents into kb pages: Word, HTML, Confluence and Notion exports, PDF text
(`kb import`). `convert` turns one document into Markdown with its metadata; `importer`
places, links and writes the pages."""

from kb.importing.importer import ImportReport, import_source

__all__ = ["ImportReport", "import_source"]
