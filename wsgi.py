"""The app for any WSGI server: `waitress-serve --port 8080 wsgi:app`."""

import sys

from search.settings import SettingError
from web import create_app

try:
    app = create_app()
except SettingError as exc:  # a malformed ATLAS_* variable: one line naming it, no traceback
    print(f"error: {exc}", file=sys.stderr)
    raise SystemExit(2) from None
