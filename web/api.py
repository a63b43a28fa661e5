"""JSON API (placeholder until the full API lands)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from search import parse
from web.index import get_atlas

bp = Blueprint("api", __name__)


@bp.get("/api/v1/search")
def search() -> Response:
    return jsonify(get_atlas().search(parse(request.args.to_dict(flat=False))).to_json())


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(get_atlas().health())
