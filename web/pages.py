"""HTML pages (placeholder until the page templates land)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template_string, request

from search import parse
from web.index import get_atlas

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    result = get_atlas().search(parse({}))
    return render_template_string("<h1>ME/CFS Atlas Search</h1><p>{{ n }} studies</p>", n=result.total)


@bp.get("/search")
def search() -> str:
    result = get_atlas().search(parse(request.args.to_dict(flat=False)))
    return render_template_string(
        "<ul>{% for h in r.hits %}<li>{{ h.title }}</li>{% endfor %}</ul>", r=result
    )


@bp.get("/studies/<slug>")
def study(slug: str) -> str:
    record = get_atlas().study(slug)
    if record is None:
        abort(404)
    return render_template_string("<h1>{{ r.title }}</h1>", r=record)
