"""The people side: consent, profiles, terms, topics, pairing, teams, gaps, the search log."""
