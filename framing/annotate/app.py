"""The annotation server: a small Starlette app over a :class:`Project`.

Every ``/api`` request must carry the project's access token (header
``X-Framing-Token``); the page gets it from its address (``/?token=...``), which the
command prints. Bad requests get a 4xx with a one-line JSON error; nothing a client
sends can stop the server. The page shows article text as text only.
"""

from __future__ import annotations

import hmac
import logging
from importlib import resources

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from framing.annotate.project import Project
from framing.annotate.store import ADJUDICATOR
from framing.errors import FramingError

logger = logging.getLogger(__name__)
TOKEN_HEADER = "X-Framing-Token"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _codebook(project: Project) -> dict:
    cb = project.codebook
    return {
        "name": cb.name,
        "version": cb.version,
        "frames": [
            {"id": f.id, "name": f.name, "definition": f.definition, "cues": list(f.cues)}
            for f in cb.frames
        ],
        "stances": cb.stance_ids,
        "neutral": cb.neutral_stance,
    }


def create_app(project: Project, token: str) -> Starlette:
    """The ASGI app serving ``project``; ``token`` guards every API call."""

    def guarded(handler):
        async def endpoint(request: Request):
            given = request.headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                return _error(
                    403,
                    "missing or wrong access token; open the address printed by framing annotate",
                )
            try:
                return await handler(request)
            except FramingError as exc:
                return _error(400, str(exc))
            except (ValueError, KeyError, TypeError) as exc:
                return _error(400, f"bad request ({type(exc).__name__}: {exc})")

        return endpoint

    def annotator_of(request: Request) -> str:
        name = (request.query_params.get("annotator") or "").strip()
        if not name or len(name) > 64:
            raise FramingError("give an annotator name of 1 to 64 characters")
        return name

    def article_payload(article_id: str, annotator: str, how: str | None) -> dict:
        row = project.store.article(article_id)
        if row is None:
            raise FramingError(f"no article {article_id!r} in this project")
        suggestion = project.suggestions(article_id)
        mine = project.store.latest_labels().get(article_id, {})
        return {
            "article": {"id": row["id"], "title": row["title"], "paragraphs": row["paragraphs"]},
            "how": how,
            "suggestion": suggestion,
            "labels": mine.get(annotator),
            "others": {k: v for k, v in mine.items() if k != annotator},
        }

    async def page(request: Request):
        html = resources.files("framing.annotate").joinpath("page.html").read_text("utf-8")
        return HTMLResponse(
            html,
            headers={
                "Content-Security-Policy": "default-src 'self';"
                " script-src 'unsafe-inline'; style-src"
                " 'unsafe-inline'; img-src 'none'"
            },
        )

    async def state(request: Request):
        labels = project.store.latest_labels()
        rows = project.agreement()
        return JSONResponse(
            {
                "codebook": _codebook(project),
                "articles": len(project.store.article_ids()),
                "labeled": len(labels),
                "submissions": project.store.n_submissions(),
                "agreement": [
                    {"label": r.label, "alpha": r.alpha, "agree": r.observed, "n": r.n}
                    for r in rows
                ],
                "disagreements": len(project.disagreements()),
                "curve": project.store.curve(),
                "model": (
                    project.model.describe() if project.model else "zeroshot (no labels yet)"
                ),
            }
        )

    async def next_article(request: Request):
        annotator = annotator_of(request)
        picked = project.next_article(annotator)
        if picked is None:
            return JSONResponse({"done": True})
        return JSONResponse(article_payload(picked[0], annotator, picked[1]))

    async def article(request: Request):
        annotator = annotator_of(request)
        return JSONResponse(article_payload(request.path_params["id"], annotator, None))

    async def label(request: Request):
        body = await request.json()
        if not isinstance(body, dict):
            raise FramingError("expected a JSON object with article_id, annotator and labels")
        annotator = str(body.get("annotator") or "").strip()
        if annotator == ADJUDICATOR:
            raise FramingError(f"{ADJUDICATOR!r} is reserved for adjudication")
        return JSONResponse(
            project.submit(str(body.get("article_id")), annotator, body.get("labels"))
        )

    async def adjudicate(request: Request):
        body = await request.json()
        if not isinstance(body, dict):
            raise FramingError("expected a JSON object with article_id and labels")
        return JSONResponse(
            project.submit(str(body.get("article_id")), ADJUDICATOR, body.get("labels"))
        )

    async def disagreements(request: Request):
        return JSONResponse({"disagreements": project.disagreements()})

    return Starlette(
        routes=[
            Route("/", page),
            Route("/api/state", guarded(state)),
            Route("/api/next", guarded(next_article)),
            Route("/api/article/{id:path}", guarded(article)),
            Route("/api/label", guarded(label), methods=["POST"]),
            Route("/api/adjudicate", guarded(adjudicate), methods=["POST"]),
            Route("/api/disagreements", guarded(disagreements)),
        ]
    )
