"""Reader corrections: the "Suggest a correction" form and the private store behind it.

`rules` (what a submission must meet) and `store` (the private SQLite file) are pure Python, so
the `atlas contributions` commands use them without Flask; `token` signs each rendered form and
`views` serves it. Nothing stored is shown on any public page or API. This file imports none of
them, so importing the store never loads the views.
"""
