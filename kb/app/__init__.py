"""The Streamlit app's parts that need no Streamlit (rendering values as safe Markdown)."""
