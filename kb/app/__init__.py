"""The Streamlit app (`app.py` runs `kb.app.main`): one module per view, cached loaders in
`load`, UI state in `state`; `present` holds the display helpers that need no Streamlit."""
