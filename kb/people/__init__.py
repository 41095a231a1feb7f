"""The people side: who wrote what, key terms and labels, topics, pairs, teams, gaps, profiles,
the search log (`analysis.PeopleAnalysis` holds them for one index; consent is
`kb.models.consent`)."""
