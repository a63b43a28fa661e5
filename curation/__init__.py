"""What curators keep in the instance data: accounts and sessions, and the audit trail.

No Flask here: the `atlas` commands and the web workspace both use these stores.
"""
