"""Moved to web/corrections/store.py; this name stays only for web/workspace/__init__.py.

Import from `web.corrections.store`. Delete this file once web/workspace/__init__.py does.
"""

from web.corrections.store import ContributionStore

__all__ = ["ContributionStore"]
