"""German full-text search over council documents (Tantivy); no Django here.

`analysis` and `compounds` turn text into terms, `query` reads what a citizen
types, `schema` says what a document holds, `engine` writes and searches the
index, `snippets` cuts the highlighted passages for the page shown.
"""
