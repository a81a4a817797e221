"""The command line: parse options, call the library, print, exit 0/1/2/3 (DESIGN 3.8)."""

from __future__ import annotations

import json
import sys
import traceback
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from inventory import __version__
from inventory.errors import InventoryError, Problem, has_wording, word

app = typer.Typer(help="Compile greenhouse-gas and air-pollutant emission inventories (温室气体与大气污染物排放清单).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
factors_app = typer.Typer(help="Inspect and check emission-factor tables.", no_args_is_help=True)
app.add_typer(factors_app, name="factors")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback for internal errors.")]


def _print_problems(problems: list[Problem], limit: int = 500, lang: str = "zh") -> None:
    """Every problem to stderr: a table per file and sheet (row, column, value, problem, expected), in `lang`."""
    from rich.markup import escape

    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems[:limit]:
        groups.setdefault((p.file, p.sheet), []).append(p)
    heads = [word(code, lang) for code in ("cli_head_row", "cli_head_column", "cli_head_value", "cli_head_problem",
                                           "cli_head_expected")]
    for (file, sheet), items in groups.items():
        title = escape(" › ".join(x for x in (file, sheet) if x) or word("cli_input", lang))
        table = Table("", *heads, title=title, title_justify="left", show_lines=False, expand=False)
        for column in table.columns:
            column.overflow = "fold"  # long names (a check, a setting, a path) stay whole on narrow terminals
        for p in items:
            colour = "red" if p.severity == "error" else "yellow"
            hint = word("did_you_mean", lang, {"suggestion": p.suggestion}) if p.suggestion else ""
            severity = word("cli_error" if p.severity == "error" else "cli_warning", lang)
            table.add_row(f"[{colour}]{severity}[/{colour}]", "" if p.row is None else str(p.row),
                          escape(p.column), escape(p.value[:80]), escape(p.message(lang)),
                          escape(p.expectation(lang) + hint))
        err.print(table)
    if len(problems) > limit:
        err.print(word("cli_more_problems", lang, {"n": len(problems) - limit}))


def _lang(kwargs: dict) -> str:
    """The language a command's messages are in: its --lang when valid, else Chinese (the default)."""
    return kwargs.get("lang") if kwargs.get("lang") in ("zh", "en") else "zh"


def handle_errors(func):
    """Run a command: a user's mistake prints its problems (in the command's --lang) and exits 2; a bug
    exits 3 (traceback with --debug)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        debug = kwargs.get("debug", False)
        try:
            return func(*args, **kwargs)
        except InventoryError as exc:
            _print_problems(exc.problems, lang=_lang(kwargs))
            raise typer.Exit(2) from None
        except typer.Exit:
            raise
        except Exception as exc:  # anything else is a bug in this program
            if debug:
                traceback.print_exc()
            err.print(f"[red]{word('cli_internal_error', _lang(kwargs))}[/red] ({type(exc).__name__}: {exc}); "
                      + word("cli_report_bug", _lang(kwargs)))
            raise typer.Exit(3) from None

    return wrapper


@contextmanager
def _progress(lang: str):
    """Progress on a terminal (a spinner naming the stage in `lang`; a bar while region-years are written);
    nothing in CI."""
    if not sys.stderr.isatty():
        yield lambda stage, *count: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(word("cli_starting", lang), total=None)

        def update(stage: str, done: int | None = None, total: int | None = None) -> None:
            bar.update(task, description=f"{word(stage, lang)} …", completed=done or 0, total=total)

        yield update


@app.command()
@handle_errors
def build(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks, folders of workbooks, or an inventory.toml.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    region: Annotated[Optional[list[str]], typer.Option("--region", "-r", help="Region code or name (repeatable).")] = None,
    year: Annotated[Optional[list[int]], typer.Option("--year", "-y", help="Year to build (repeatable).")] = None,
    gwp: Annotated[str, typer.Option(help="GWP-100 set: SAR, AR4, AR5 or AR6.")] = "",
    lang: Annotated[str, typer.Option(help="Language of names and reports: zh or en.")] = "zh",
    factors: Annotated[Optional[list[Path]], typer.Option("--factors", "-f", help="User factor folder (repeatable).")] = None,
    strict: Annotated[bool, typer.Option(help="Exit 1 when a check fails.")] = False,
    keep_going: Annotated[bool, typer.Option(help="Build from the rows that passed; exit 1 if any were rejected.")] = False,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws for the uncertainty analysis.", min=100)] = 10000,
    seed: Annotated[int, typer.Option(help="Random seed of the Monte Carlo analysis (same seed, same numbers).")] = 0,
    targets: Annotated[Optional[Path], typer.Option(help="Targets file (TOML) to track; default: the project's "
                                                    "`targets`.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Processes writing the region folders "
                                      "(0 = one per CPU).", min=0)] = 0,
    factor_set: Annotated[str, typer.Option("--factor-set", help="Default factors: china (default), ipcc or ceads "
                                            "(CEADs' implied Hunan factors); default: the project's `factor_set`.")] = "",
    per_region: Annotated[str, typer.Option("--per-region", help="`all`: a folder for every region; by default "
                                            "builds of more than 200 regions write folders for provinces and "
                                            "prefectures only.")] = "",
    no_maps: Annotated[bool, typer.Option("--no-maps", help="Leave the schematic maps out of the report (for "
                                          "reports meant for publication); default: the project's [report] "
                                          "maps.")] = False,
    engine: Annotated[str, typer.Option("--engine", help="Where emissions are computed: local (this process) or "
                                        "dask (region partitions on a Dask cluster; needs the `dask` extra).")] = "local",
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address, e.g. "
                                                     "tcp://10.0.0.5:8786 (with --engine dask; default: a local "
                                                     "cluster).")] = None,
    debug: DebugOpt = False,
):
    """Build the inventory: inventory.xlsx, report.html, emissions.csv/.parquet, checks.csv, manifest.json."""
    from inventory.build import BuildOptions, build_inventory
    from inventory.project import resolve_paths

    inputs, project = resolve_paths(paths)
    options = BuildOptions.from_project(project, inputs, out_dir, regions=region, years=year, gwp=gwp, lang=lang,
                                        factor_dirs=factors, keep_going=keep_going, strict=strict, draws=draws,
                                        seed=seed, jobs=jobs, targets=targets, factor_set=factor_set,
                                        per_region=per_region, maps=False if no_maps else None, engine=engine,
                                        scheduler=scheduler)
    with _progress(lang) as progress:
        outcome = build_inventory(options, progress)
    _print_problems(outcome.inputs.problems, lang=lang)
    _print_counts(outcome.manifest["rows"], lang, outcome.inputs.skipped_by_reason())
    if outcome.result is None:
        err.print(f"[red]{word('cli_build_failed', lang)}[/red]"
                  + word("cli_build_failed_detail", lang, {"manifest": out_dir / "manifest.json"}))
        raise typer.Exit(outcome.exit_code)
    _summary(outcome.result, outcome.region_years, lang)
    files = "inventory.xlsx, report.html, emissions.csv, manifest.json"
    err.print(f"[green]{word('cli_built', lang)}[/green] " + word("cli_built_files", lang, {"out": out_dir, "files": files})
              + _failed_checks(outcome.result.checks, lang))
    raise typer.Exit(outcome.exit_code)


def _failed_checks(checks, lang: str) -> str:
    """The build's last words on failed checks: those that matter first (every check but completeness, by
    name and count), then the categories completeness found missing; "" when none failed."""
    failed = checks[checks["result"] == "fail"]
    other = failed[failed["check"] != "completeness"]
    text = ""
    if len(other):
        names = word("cli_comma", lang).join(f"{name} {n}" for name, n in  # as texts: only the names present
                                             other["check"].astype("str").value_counts().items())
        text += word("cli_checks_failed_named", lang, {"n": len(other), "names": names})
    missing = int((failed["check"] == "completeness").sum())
    if missing:
        text += word("cli_completeness_failed", lang, {"n": missing})
    return text


def _print_counts(c: dict, lang: str, reasons: dict[str, int] | None = None) -> None:
    """Rows read, used, skipped (by reason, worded in `lang`) and rejected, to stderr."""
    why = word("cli_comma", lang).join(word("cli_reason_count", lang, {"reason": word(k, lang), "n": v})
                                       for k, v in (reasons or {}).items())
    skipped = word("cli_skipped_by_reason", lang, {"n": c["skipped"], "reasons": why}) if why else c["skipped"]
    err.print(word("cli_row_counts", lang, {**c, "skipped": skipped}))


def _summary(result, status, lang: str) -> None:
    """A table per region-year, to stderr: status, gross CO2e and the main pollutants (the build's figures)."""
    import pandas as pd

    from inventory import units
    from inventory.regions import name as region_name

    gross = result.figures["sector_gas"]
    co2e = gross[gross["row_type"] == "gross"].set_index(["region", "year"])["total"]
    pol = result.figures["pollutants"]
    pol = pol[pol["row_type"] == "total"].set_index(["region", "year"]).reindex(columns=["SO2", "NOx", "PM2.5"])
    pol = pol.stack()
    if status is None or status.empty:
        status = pd.DataFrame({"region": [r for r, _ in co2e.index], "year": [y for _, y in co2e.index],
                               "status": "ok", "message": ""})
    heads = [word(code, lang) for code in ("cli_head_region", "cli_head_year", "cli_head_status", "cli_head_co2e")]
    table = Table(*heads, "SO2 (t)", "NOx (t)", "PM2.5 (t)", title=word("cli_summary_title", lang))
    table.columns[0].no_wrap = True
    words = {"ok": f"[green]{word('cli_status_ok', lang)}[/green]",
             "failed": f"[red]{word('cli_status_failed', lang)}[/red]"}
    for row in status.itertuples(index=False):
        key = (row.region, int(row.year))
        value = co2e.get(key, float("nan"))
        cells = [f"{pol.get((*key, s), float('nan')):,.0f}" for s in ("SO2", "NOx", "PM2.5")]
        table.add_row(f"{row.region} {region_name(row.region, lang)}", str(row.year),
                      words.get(row.status, row.status) + (f" {_status_message(row, lang)}" if row.message else ""),
                      f"{value / units.factor('万吨', 't'):,.1f}", *cells)
    err.print(table)


def _status_message(row, lang: str) -> str:
    """Why a region-year failed: a message code worded in `lang`, or a writer's error text as it is."""
    return word(row.message, lang, {"n": row.rejected}) if has_wording(row.message) else row.message


@app.command()
@handle_errors
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks, folders, or an inventory.toml.")],
    format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    lang: Annotated[str, typer.Option(help="Language of the messages (text and JSON): zh or en.")] = "zh",
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for problems.xlsx and <workbook>.checked.xlsx copies with the faulty cells "
                            "highlighted and commented (the originals are never changed).")] = None,
    debug: DebugOpt = False,
):
    """Check activity workbooks (and a project's files) as a build would read them; exit 0 when clean, 2 when
    problems are found."""
    from inventory.factors.coverage import add_level_warnings
    from inventory.factors.load import load_all
    from inventory.project import resolve_paths
    from inventory.qa.checks import read_check_files
    from inventory.read import read_inputs

    inputs, project = resolve_paths(paths)
    if project is not None:
        read_check_files(project.checks)  # the files the checks name, as a build reads them first
    result, files = read_inputs(inputs, project.regions if project else None, project.years if project else None,
                                project.base if project else Path.cwd(), warn_not_selected=project is not None)
    add_level_warnings(result, load_all(project.factors if project else []))
    problems = (project.warnings if project else []) + result.problems
    written = []
    if out_dir is not None:
        from inventory.report.problems import write_problems

        base = project.base if project else Path.cwd()
        written, lost = write_problems(problems, [(f["path"], base / f["path"]) for f in files], out_dir, lang)
        problems = problems + lost
    if format == "json":
        out.print_json(json.dumps({"rows": result.counts(), "skipped_by_reason": result.skipped_by_reason(),
                                   "problems": [p.to_dict(lang) for p in problems], "files": files,
                                   "outputs": [str(p) for p in written]}, ensure_ascii=False))
    else:
        _print_problems(problems, lang=lang)
        _print_counts(result.counts(), lang, result.skipped_by_reason())
        err.print(f"[green]{word('cli_clean', lang)}[/green]" if not result.errors else
                  f"[red]{word('cli_errors', lang, {'n': len(result.errors)})}[/red]")
        if written:
            err.print(word("cli_problems_written", lang, {"path": out_dir}))
            for path in written:
                out.print(path.as_posix())
    raise typer.Exit(2 if result.errors else 0)


LangOpt = Annotated[str, typer.Option("--lang", help="Language of headers, sheet names and instructions: zh or en.")]
MessagesLangOpt = Annotated[str, typer.Option("--lang", help="Language of the messages: zh or en.")]


@app.command()
@handle_errors
def init(
    directory: Annotated[Path, typer.Argument(help="The new project folder (must not exist or be empty).")],
    region: Annotated[list[str], typer.Option("--region", "-r", help="Region code or name (GB/T 2260); repeatable.")],
    year: Annotated[list[int], typer.Option("--year", "-y", help="Inventory year; repeatable.")],
    lang: LangOpt = "zh",
    gwp: Annotated[str, typer.Option("--gwp", help="GWP set: SAR, AR4, AR5 or AR6.")] = "AR5",
    debug: DebugOpt = False,
):
    """Create a project folder: inventory.toml, blank templates in data/, factors/ and a README."""
    from inventory.init_project import init_project

    for path in init_project(directory, region, year, lang, gwp):
        out.print(path.as_posix())
    err.print(f"[green]{word('cli_project_created', lang)}[/green]"
              + word("cli_project_next", lang, {"data": directory / "data", "project": directory}))


@app.command()
@handle_errors
def template(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the workbooks (created if missing).")],
    lang: LangOpt = "zh",
    debug: DebugOpt = False,
):
    """Write blank activity workbooks, one per sector, with drop-down lists and an instructions sheet."""
    from inventory.template import write_templates

    for path in write_templates(out_dir, lang):
        out.print(path.as_posix())


@factors_app.command("check")
@handle_errors
def factors_check(
    directories: Annotated[list[Path], typer.Argument(help="Factor folders (CSV tables + datapackage.json).")],
    lang: MessagesLangOpt = "zh",
    debug: DebugOpt = False,
):
    """Validate factor tables: schema, units, vocabulary, plausible bounds, sources, collisions."""
    from inventory.factors.check import check_directory

    problems = [p for d in directories for p in check_directory(d)]
    if problems:
        _print_problems(problems, limit=500, lang=lang)
        err.print(f"[red]{word('cli_problems', lang, {'n': len(problems)})}[/red]")
        raise typer.Exit(2)
    err.print(f"[green]{word('cli_factors_valid', lang)}[/green]")


@factors_app.command("list")
@handle_errors
def factors_list(
    category: Annotated[str, typer.Option(help="Category code or name.")] = "",
    activity: Annotated[str, typer.Option(help="Activity id or name.")] = "",
    substance: Annotated[str, typer.Option(help="Substance id, e.g. SO2.")] = "",
    region: Annotated[str, typer.Option(help="Region code or name.")] = "",
    technology: Annotated[str, typer.Option(help="Technology ids joined by +.")] = "",
    year: Annotated[Optional[int], typer.Option(help="Year of the activity row.")] = None,
    factors: Annotated[Optional[list[Path]], typer.Option("--factors", "-f", help="User factor folder.")] = None,
    format: Annotated[str, typer.Option("--format", help="text or csv.")] = "text",
    factor_set: Annotated[str, typer.Option("--factor-set", help="Only this set's rows (china, ipcc, ceads); a "
                                            "ranking uses the default set (china) unless one is named.")] = "",
    lang: MessagesLangOpt = "zh",
    debug: DebugOpt = False,
):
    """List factors; with --category and --activity, rank them as a build would for that row (✓ = applies)."""
    from inventory import resources
    from inventory.factors.explain import LIST_COLUMNS, list_factors, original_rows
    from inventory.factors.load import load_every_set

    table = load_every_set(list(factors or []))
    originals = original_rows([resources.factors_dir(), *(factors or [])])
    rows = list_factors(table, originals, category, activity, substance, region, technology, year, lang,
                        factor_set or None)
    cols = LIST_COLUMNS + (["applies", "why"] if "applies" in rows else [])
    if format == "csv":
        sys.stdout.write(rows[cols].to_csv(index=False))
        return
    t = Table(*cols, title=word("cli_factor_count", lang, {"n": len(rows)}))
    for rec in rows[cols].itertuples(index=False):
        t.add_row(*("✓" if v is True else "" if v is False else "" if str(v) == "nan" else str(v) for v in rec))
    out.print(t)


@factors_app.command("show")
@handle_errors
def factors_show(
    factor_id: Annotated[str, typer.Argument(help="A factor id from `inventory factors list`.")],
    factors: Annotated[Optional[list[Path]], typer.Option("--factors", "-f", help="User factor folder.")] = None,
    lang: MessagesLangOpt = "zh",
    debug: DebugOpt = False,
):
    """Show every field of one factor: value, unit, source and table, uncertainty, notes."""
    from inventory import resources
    from inventory.factors.explain import original_rows, show_factor

    from inventory.factors.sources import cite
    from inventory.report.summaries import labels

    record = show_factor(original_rows([resources.factors_dir(), *(factors or [])]), factor_id)
    lbl = labels(lang)
    t = Table(word("cli_head_field", lang), word("cli_head_value", lang), show_header=False)
    for k, v in record.items():
        if str(v) in ("", "nan") or k == "name":   # `name` repeats the parameter or substance
            continue
        t.add_row(lbl.get(f"factors_col_{k}", k), str(v))
        if k == "source":
            t.add_row(lbl["factors_col_document"], cite(str(v), lang))
    out.print(t)


@app.command()
@handle_errors
def compare(
    old: Annotated[Path, typer.Argument(help="The old build: its output folder or its emissions.csv.")],
    new: Annotated[Path, typer.Argument(help="The new build: its output folder or its emissions.csv.")],
    out_dir: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write comparison.csv/.xlsx/.html here.")] = None,
    lang: Annotated[str, typer.Option(help="Language of labels and reports: zh or en.")] = "zh",
    top: Annotated[int, typer.Option(help="Rows in the terminal's lists of largest changes.", min=1)] = 10,
    debug: DebugOpt = False,
):
    """Compare two builds row by row: change split into activity and factor effects, new and dropped sources."""
    from inventory.compare import compare_paths, status_counts
    from inventory.errors import UsageError
    from inventory.report.comparison import terminal_tables, write_comparison
    from inventory.report.summaries import labels

    if lang not in ("zh", "en"):
        raise UsageError(Problem("unknown_language", value=lang, expected="expect_language"))
    comparison = compare_paths(old, new)
    for table in terminal_tables(comparison, lang, top):
        out.print(table)
    lbl = labels(lang)
    err.print(lbl["cmp_counts"].format(**{k: f"{v:,}" for k, v in status_counts(comparison).items()}))
    if out_dir is not None:
        names = write_comparison(comparison, out_dir, str(old), str(new), lang)
        err.print(f"[green]{word('cli_written', lang)}[/green] {out_dir}/ ({', '.join(names)})")


@app.command("version")
def version():
    """Print the program version."""
    out.print(__version__)
