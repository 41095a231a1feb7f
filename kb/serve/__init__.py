"""kb over HTTP: the API, its JSON codec, and the client."""
