"""Build a labeled corpus: ``framing annotate``, a local annotation app with active
learning, several annotators and agreement (see :mod:`framing.annotate.project`)."""

from __future__ import annotations

import ipaddress
import logging
import secrets
from pathlib import Path

from framing.annotate.project import Project
from framing.data.codebook import Codebook
from framing.data.corpus import iter_unlabeled
from framing.errors import FramingError
from framing.models.base import FramingClassifier

logger = logging.getLogger(__name__)
TOKEN_FILE = "token"


def open_project(
    folder: str | Path,
    codebook: Codebook,
    inputs: list[str] | None = None,
    *,
    model: FramingClassifier | None = None,
    **options,
) -> tuple[Project, list[str]]:
    """The project in ``folder`` with the articles of ``inputs`` added to its pool (those
    already there are kept). Returns it and the problems with the inputs."""
    project = Project(folder, codebook, model=model, **options)
    articles, problems = [], []
    for article, problem in iter_unlabeled(inputs or []):
        if problem is not None:
            problems.append(str(problem))
        else:
            articles.append(article)
    project.add(articles)
    project.warm()
    if not project.store.article_ids():
        raise FramingError(
            f"{folder}: no article to annotate; give files or folders of articles"
            + (f" ({len(problems)} could not be read)" if problems else "")
        )
    return project, problems


def project_token(folder: str | Path) -> str:
    """The project's access token (made once, kept in the folder, private to the user)."""
    path = Path(folder) / TOKEN_FILE
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    token = secrets.token_urlsafe(24)
    path.touch(mode=0o600)
    path.write_text(token, encoding="utf-8")
    return token


def serve(
    project: Project, *, host: str = "127.0.0.1", port: int = 8765, annotator: str | None = None
) -> None:
    """Serve the annotation page until interrupted. Listens on 127.0.0.1 unless ``host``
    says otherwise; every API call needs the project's token either way."""
    import uvicorn

    from framing.annotate.app import create_app

    token = project_token(project.store.folder)
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    address = f"http://{shown}:{port}/?token={token}"
    if annotator:
        from urllib.parse import quote

        address += f"&annotator={quote(annotator)}"
    if not loopback:
        logger.warning(
            f"listening on {host}: anyone who can reach this machine sees the page, but"
            " nothing works without the access token in this address"
        )
    print(f"annotate at {address}", flush=True)
    uvicorn.run(create_app(project, token), host=host, port=port, log_level="warning")
