"""kb's search app: `streamlit run app.py`. The views are in `kb.app` (one module per view);
this file is the entry Streamlit runs."""

from kb.app.main import main

main()
