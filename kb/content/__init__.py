"""Reading the content folder: discovery, parsing, chunking, authors, people, checks."""
