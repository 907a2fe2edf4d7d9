"""The ``framing`` command line: thin wrappers over importable functions."""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from framing.errors import FramingError

app = typer.Typer(
    help="Media-framing and stance classification for news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Check, describe and convert labeled corpora.", no_args_is_help=True)
app.add_typer(data_app, name="data")


def _version(value: bool) -> None:
    if value:
        from framing import __version__

        typer.echo(f"framing {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
):
    """Media-framing and stance classification for news articles."""


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _setup_logging(quiet: bool = False) -> None:
    """The package's log messages go to stderr as plain lines (warnings only when quiet)."""
    logger = logging.getLogger("framing")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.WARNING if quiet else logging.INFO)


def user_errors(command):
    """Turn user mistakes into one line on stderr and exit status 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        _setup_logging(bool(kwargs.get("quiet")))
        try:
            return command(*args, **kwargs)
        except FramingError as exc:
            _err(f"error: {exc}")
            raise typer.Exit(1) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _err(f"error: {where}{exc.strerror or exc}")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            _err("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def _model_dir(model: str | None) -> Path:
    from framing.train.default import resolve_model

    return resolve_model(model)


def _load_model(model: str | None):
    from framing.models.base import FramingClassifier

    return FramingClassifier.load(_model_dir(model))


def _codebook(path: Path | None):
    from framing.data.codebook import load_codebook

    return load_codebook(path)


def _default_corpus() -> Path:
    from framing.data.splits import bundled_corpus_dir

    return bundled_corpus_dir()


ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="A built-in model: default (the encoder; ships trained), fast (tfidf) or"
        " accurate (tfidf + encoder; fast and accurate are trained on first use), or a"
        " model directory (default: default).",
    ),
]
CodebookOption = Annotated[
    Path | None,
    typer.Option(
        "--codebook",
        help="Codebook YAML (default: a corpus folder's own codebook.yaml, else the bundled one).",
    ),
]


@app.command()
@user_errors
def train(
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Labeled corpus: a file, or a folder with train/dev/test files"
            " (default: the bundled corpus).",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Model family: tfidf, encoder, finetune, zeroshot, ensemble or"
            " keywords (default: tfidf, or the config file's).",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="TOML file with family, seed and a settings table."),
    ] = None,
    codebook: CodebookOption = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default 0).")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the model already in --out.")
    ] = False,
    tune_on: Annotated[
        str,
        typer.Option(
            "--tune-on",
            help="Tune frame thresholds for paragraph or article F1 (auto: article when"
            " the tuning articles are labeled only as a whole).",
        ),
    ] = "auto",
):
    """Train a model on a labeled corpus and save it as a directory."""
    from framing.train.config import resolve_config
    from framing.train.train import train as train_model

    run = resolve_config(config, family=model, seed=seed)
    result = train_model(
        data,
        out,
        family=run.family,
        codebook=codebook,
        settings=run.settings,
        seed=run.seed,
        force=force,
        tune_on=tune_on,
    )
    _err(result.summary())


@app.command()
@user_errors
def classify(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Files, folders (.jsonl .csv .parquet .txt .md) or '-' for stdin."),
    ],
    model: ModelOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="A .jsonl, .csv or .parquet file; or a folder (no extension) for"
            " resumable JSONL shards and a manifest (default: JSONL on stdout).",
        ),
    ] = None,
    paragraphs: Annotated[
        bool, typer.Option("--paragraphs", help="Also write each paragraph's labels.")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish a killed run into the same --out folder.")
    ] = False,
    engine: Annotated[str, typer.Option(help="local, or dask for a Dask cluster.")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Workers of a local Dask cluster (when no --scheduler).")
    ] = None,
    shard_size: Annotated[int, typer.Option(help="Input records per output shard.")] = 1000,
    id_column: Annotated[str, typer.Option(help="Input column with the article id.")] = "id",
    text_column: Annotated[str, typer.Option(help="Input column with the text.")] = "text",
    title_column: Annotated[str, typer.Option(help="Input column with the title.")] = "title",
    date_column: Annotated[str, typer.Option(help="Input column with the date.")] = "date",
    source_column: Annotated[str, typer.Option(help="Input column with the source.")] = "source",
    max_chars: Annotated[
        int, typer.Option(help="Skip articles longer than this many characters.")
    ] = 1_000_000,
    pretty: Annotated[
        bool, typer.Option("--pretty", help="Indented JSON for reading (not one line per article).")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress and no summary line.")
    ] = False,
):
    """Classify articles: frames, primary frame, stance and evidence paragraphs for each."""
    from framing.classify import classify as run
    from framing.data.readers import Columns

    summary = run(
        inputs,
        _model_dir(model),
        out=out,
        resume=resume,
        engine=engine,
        scheduler=scheduler,
        workers=workers,
        shard_size=shard_size,
        paragraphs=paragraphs,
        columns=Columns(
            id=id_column,
            text=text_column,
            title=title_column,
            date=date_column,
            source=source_column,
        ),
        max_chars=max_chars,
        pretty=pretty,
        progress=not quiet,
    )
    if not quiet:
        where = f"; predictions in {out}" if out else ""
        _err(summary.line() + where)
    if summary.articles == 0 and summary.errors:
        raise typer.Exit(1)


@app.command()
@user_errors
def explain(
    inputs: Annotated[
        list[str], typer.Argument(help="Files or folders of articles, or '-' for stdin.")
    ],
    model: ModelOption = None,
    article_id: Annotated[
        str | None, typer.Option("--id", help="Explain only the article with this id.")
    ] = None,
    top: Annotated[int, typer.Option(help="Words shown per frame and paragraph.")] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON record per article instead of text.")
    ] = False,
):
    """Show why each paragraph got its frames and stance: scores and the words that weighed most."""
    import json

    from framing.classify.explain import explain as run
    from framing.data.corpus import iter_unlabeled

    articles, problems = [], 0
    for article, problem in iter_unlabeled(inputs):
        if problem is not None:
            problems += 1
            _err(f"error: {problem}")
        elif article_id is None or article.id == article_id:
            articles.append(article)
    if not articles:
        wanted = f" with id {article_id!r}" if article_id else ""
        raise FramingError(
            f"no article{wanted} to explain in {', '.join(inputs)}"
            + (f" ({problems} unreadable)" if problems else "")
            + "; give a file of articles (see `framing classify --help` for the formats)"
        )
    for record, text in run(_load_model(model), articles, top=top):
        typer.echo(json.dumps(record, ensure_ascii=False) if as_json else text + "\n")
    if problems:
        raise typer.Exit(1)


@app.command()
@user_errors
def annotate(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files or folders of articles to label; or `export DIR` to write the corpus."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Project folder (labels in SQLite); for export, the corpus to write."
        ),
    ],
    codebook: CodebookOption = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Model whose suggestions pre-fill the page (default:"
            " zero-shot until the first retraining).",
        ),
    ] = None,
    annotator: Annotated[
        str | None, typer.Option(help="Your annotator name (else asked on the page).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    random_share: Annotated[
        float, typer.Option(help="Share of random picks, kept as an evaluation sample.")
    ] = 0.2,
    overlap: Annotated[
        float, typer.Option(help="Share of articles a second annotator also labels.")
    ] = 0.2,
    retrain_every: Annotated[
        int, typer.Option(help="Retrain the suggesting model every N labeled articles.")
    ] = 20,
    split: Annotated[
        str | None,
        typer.Option(help="With export: write train/dev/test files, e.g. 0.7,0.15,0.15."),
    ] = None,
):
    """Label articles in the browser with active learning; `annotate export` writes the corpus."""
    from framing.annotate import open_project, serve

    if inputs and inputs[0] == "export":
        if len(inputs) != 2:
            raise FramingError("usage: framing annotate export PROJECT_DIR --out CORPUS.jsonl")
        folder = Path(inputs[1])
        if not (folder / "annotations.sqlite").is_file():
            raise FramingError(f"{folder}: not an annotation project (no annotations.sqlite)")
        project, _ = open_project(folder, _codebook(codebook))
        fractions = None
        if split:
            try:
                fractions = tuple(float(x) for x in split.split(","))
            except ValueError:
                raise FramingError(
                    f"--split must be fractions like 0.7,0.15,0.15, got {split!r}"
                ) from None
        written = project.export(out, split=fractions)
        _err(f"wrote {len(project.records())} labeled articles to {written}")
        return
    project, problems = open_project(
        out,
        _codebook(codebook),
        inputs,
        model=_load_model(model) if model else None,
        random_share=random_share,
        overlap=overlap,
        retrain_every=retrain_every,
    )
    for problem in problems:
        _err(f"error: {problem}")
    serve(project, host=host, port=port, annotator=annotator)


@app.command()
@user_errors
def evaluate(
    model: ModelOption = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Labeled corpus file or folder (default: the bundled corpus)."),
    ] = None,
    split: Annotated[
        str,
        typer.Option(
            help="For a corpus folder: train, dev, test, or real (the stand-off annotated"
            " real articles)."
        ),
    ] = "test",
    seeds: Annotated[
        Path | None,
        typer.Option("--seeds", help="Folder of the real seed texts, for --split real."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for metrics.json, summary.md and report.html."),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option(help="Bootstrap replicates for the 95% intervals (0: none).")
    ] = 1000,
):
    """Score a model on labeled articles, at paragraph and at article level."""
    from framing.eval.evaluate import evaluate_heldout, format_table

    metrics = evaluate_heldout(_load_model(model), data, split, seeds=seeds, n_boot=bootstrap)
    typer.echo(format_table(metrics))
    if out:
        from framing.eval.report import write_report

        paths = write_report(metrics, out)
        _err("wrote " + ", ".join(str(p) for p in paths))


@app.command()
@user_errors
def compare(
    model_a: Annotated[
        str, typer.Argument(help="First model (A): a directory or a built-in name.")
    ],
    model_b: Annotated[
        str, typer.Argument(help="Second model (B): a directory or a built-in name.")
    ],
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Labeled corpus file or folder (default: the bundled corpus)."),
    ] = None,
    split: Annotated[str, typer.Option(help="Split of a corpus folder, or real.")] = "test",
    seeds: Annotated[Path | None, typer.Option("--seeds", help="Seed texts folder.")] = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap replicates.")] = 1000,
    out: Annotated[Path | None, typer.Option("--out", help="Write comparison.json here.")] = None,
):
    """Paired bootstrap comparison of two models on the same articles (B minus A)."""
    from framing.eval.compare import compare_heldout, format_comparison, write_comparison

    a, b = _load_model(model_a), _load_model(model_b)
    result = compare_heldout(a, b, data, split, seeds=seeds, n_boot=bootstrap)
    typer.echo(format_comparison(result))
    if out:
        _err(f"wrote {write_comparison(result, out)}")


@app.command()
@user_errors
def cv(
    model: Annotated[
        str, typer.Option("--model", help="Model family to cross-validate.")
    ] = "tfidf",
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Labeled corpus file or folder; a folder's train, dev and test"
            " articles are pooled (default: the bundled corpus).",
        ),
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Number of folds.")] = 5,
    config: Annotated[Path | None, typer.Option("--config", help="TOML training config.")] = None,
    learning_curve: Annotated[
        bool, typer.Option(help="Also retrain on 20-100% of each fold's training articles.")
    ] = True,
    seed: Annotated[int, typer.Option(help="Random seed for the folds.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for cv.json, metrics.json, summary.md and report.html."),
    ] = None,
    codebook: CodebookOption = None,
):
    """k-fold cross-validation grouped by article, with a learning curve."""
    from framing.train.config import resolve_config
    from framing.train.crossval import cross_validate_corpus, format_cv, write_cv

    run = resolve_config(config, family=None if config else model)
    result = cross_validate_corpus(
        data, run, k=k, codebook=codebook, seed=seed, learning_curve=learning_curve
    )
    typer.echo(format_cv(result))
    if out:
        _err("wrote " + ", ".join(str(p) for p in write_cv(result, out)))


@app.command()
@user_errors
def trends(
    predictions: Annotated[
        list[str],
        typer.Argument(help="Predictions: JSONL, CSV or Parquet files, or a folder of shards."),
    ],
    by: Annotated[str, typer.Option(help="day, week, month, quarter or year.")] = "month",
    group: Annotated[
        str | None, typer.Option(help="A prediction field to group by, e.g. source or country.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSV, plots and HTML.")] = Path(
        "trends"
    ),
):
    """Frame prevalence and stance share over time (and by group): CSV, PNG plots, HTML."""
    from framing.trends import trends as run

    summary = run(predictions, out, by=by, group=group)
    unreadable = f", {summary['unreadable']} unreadable" if summary["unreadable"] else ""
    _err(
        f"{summary['articles']} predictions{unreadable}, {summary['undated']} without a"
        " usable date;"
        f" wrote {out / 'trends.csv'}, {len(summary['plots'])} plots and"
        f" {out / 'trends.html'}"
    )


@data_app.command("check")
@user_errors
def data_check(
    corpus: Annotated[Path, typer.Argument(help="Labeled corpus file or folder.")],
    codebook: CodebookOption = None,
):
    """Validate a labeled corpus; exit 1 and list every problem, or exit 0 when clean."""
    from framing.data.check import check_corpus

    report = check_corpus(corpus, codebook)
    for problem in report.problems:
        typer.echo(str(problem))
    for warning in report.warnings:
        typer.echo(f"warning: {warning}")
    typer.echo(report.summary(), err=True)
    if report.problems:
        raise typer.Exit(1)


@data_app.command("stats")
@user_errors
def data_stats(
    corpus: Annotated[
        Path | None,
        typer.Argument(help="Labeled corpus file or folder (default: the bundled corpus)."),
    ] = None,
    codebook: CodebookOption = None,
):
    """Composition tables: sizes, frames, stance, hard cases, voices, countries, years."""
    from framing.data.check import check_corpus
    from framing.data.stats import composition

    report = check_corpus(corpus or _default_corpus(), codebook)
    for problem in report.problems:
        _err(f"skipped: {problem}")
    typer.echo(composition(report.articles, report.codebook))


@data_app.command("agreement")
@user_errors
def data_agreement(
    pass1: Annotated[Path | None, typer.Option(help="First annotation pass (JSONL).")] = None,
    pass2: Annotated[Path | None, typer.Option(help="Second, independent pass (JSONL).")] = None,
    codebook: CodebookOption = None,
):
    """Krippendorff's alpha between two annotation passes (default: the bundled ones)."""
    from framing.data.agreement import agreement, format_agreement

    folder = _default_corpus() / "annotations"
    rows = agreement(
        pass1 or folder / "pass1.jsonl", pass2 or folder / "pass2.jsonl", _codebook(codebook)
    )
    typer.echo(format_agreement(rows))


@data_app.command("to-label-studio")
@user_errors
def data_to_label_studio(
    inputs: Annotated[list[str], typer.Argument(help="Files or folders of articles.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the config and tasks.")],
    codebook: CodebookOption = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Pre-annotate with this model (a folder or built-in name)."),
    ] = None,
):
    """Write a Label Studio labeling config (from the codebook) and tasks (one per article)."""
    from framing.classify.labelstudio import export_label_studio

    folder, n, problems = export_label_studio(
        inputs,
        _codebook(codebook),
        out,
        model=_load_model(model) if model else None,
    )
    for problem in problems:
        _err(f"error: {problem}")
    _err(
        f"wrote {n} tasks to {folder / 'tasks.json'} and the config to"
        f" {folder / 'labeling_config.xml'}"
    )
    if problems:
        raise typer.Exit(1)


@data_app.command("from-label-studio")
@user_errors
def data_from_label_studio(
    export: Annotated[Path, typer.Argument(help="Label Studio JSON export.")],
    out: Annotated[Path, typer.Option("--out", help="Corpus file to write (.jsonl).")],
    codebook: CodebookOption = None,
    annotator: Annotated[
        str | None,
        typer.Option(help="Take this annotator's labels (completed_by id or e-mail)."),
    ] = None,
):
    """Read a Label Studio JSON export back into the corpus format (one annotator per pass)."""
    from framing.data.labelstudio import import_label_studio

    n, notes = import_label_studio(export, _codebook(codebook), out, annotator=annotator)
    for note in notes:
        _err(f"note: {note}")
    _err(f"wrote {n} labeled articles to {out}")


def main() -> None:
    app(prog_name="framing")


if __name__ == "__main__":
    sys.exit(main())
