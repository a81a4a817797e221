"""An external published inventory (CEADs) against the build (DESIGN 3.9 "External inventories").

CEADs' provincial CO2 inventory is read as published: a workbook with a sheet per
province-year (`Hunan2019`: sector rows × fuel columns, Mt CO2), or the long CSV
`year, row_label, fuel, unit, value` (a `source_sheet` column such as `Hunan2019`
names the region; else the check table's `region`). Sector rows map to categories
through data/energy_balance_sectors.csv, fuel columns to activities through
data/ceads_fuels.csv; columns that are not fuels (Process, Scope_1_Total,
Scope_2_*) and total rows are left out of the fuel comparison. CEADs' `Process` column (cement process
CO2 on its sector rows) is checked on its own against the build's 2.A.1 CO2 (process_checks, issue 19):
a check, never an input.

Each difference is split as DESIGN 3.9's comparison does:
activity_effect = (A_ours − A_ext) × F_ext and factor_effect = A_ours × (F_ours − F_ext),
A in TJ, F in t CO2/TJ. A_ext is CEADs' energy inventory (same sectors and fuels,
10^4 t, 10^8 m3...; `activity_path`), converted to TJ with the NCV the build
resolves for the same key; without it A_ext = A_ours and the whole difference is
the factor's.

The files of `[checks.external_ceads]` (`path`, optional `activity_path` and `region`) are
read and validated in a build's read stage, before any compute (read_files): a bad cell is
a problem naming its file, sheet, row and column.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from inventory import categories, regions, resources, units, vocabulary
from inventory.errors import Problem, UsageError, column_letter
from inventory.factors.resolve import resolve
from inventory.lookup import map_distinct, normalise_name
from inventory.qa.grading import difference_pct, grade
from inventory.qa.reconcile import fuel_key
from inventory.result import CHECK_COLUMNS

CHECK = "external_ceads"
DEFAULT_THRESHOLDS = {"warn": 0.05, "fail": 0.10}
LONG_COLUMNS = ["year", "row_label", "fuel", "unit", "value"]
_SHEET = re.compile(r"^\s*(?P<region>[A-Za-z][A-Za-z ]*?)\s*(?P<year>\d{4})\s*$")
TABLE_COLUMNS = ["region", "year", "category", "activity", "ours_t", "external_t", "difference_t",
                 "activity_ours_tj", "activity_external_tj", "factor_ours_t_per_tj", "factor_external_t_per_tj",
                 "activity_effect_t", "factor_effect_t", "activity_source", "amount_ours", "amount_external",
                 "amount_unit"]
# The per-fuel table (issue 12): ours and the external inventory's CO2 and their factors per physical unit.
FUEL_COLUMNS = ["region", "year", "activity", "ours_t", "external_t", "difference_t", "difference_pct",
                "factor_ours", "factor_external", "factor_unit", "amount_ours", "amount_external", "amount_unit"]
# Physical units of the amounts -> how a factor per that unit is shown (t CO2 per t, per 10^4 m3).
_PER = {"t": (1.0, "t/t"), "m3": (1e4, "t/万m3")}


def _fuels() -> pd.DataFrame:
    return resources.data_table("ceads_fuels.csv")


def read_csv_table(path: Path, columns: list[str], line: str, **read_csv) -> pd.DataFrame:
    """An external CSV as text cells, its CSV line number in column `line` (the header is line 1) and
    its blank lines dropped; an unreadable file or a missing column is a UsageError naming the file."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", **read_csv)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UsageError(Problem("external_file_unreadable", file=str(path), value=str(exc),
                                 expected="expect_external_file")) from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UsageError(Problem("external_columns_missing", file=str(path), value=", ".join(missing),
                                 expected="expect_columns", params=(("columns", ", ".join(columns)),)))
    frame = frame.assign(**{line: frame.index + 2})
    return frame[frame[columns].ne("").any(axis=1)]


def read_long(path: Path, region: str | None = None, co2: bool = False) -> pd.DataFrame:
    """CEADs rows of a long CSV (year, row_label, fuel, unit, value[, source_sheet]) -> region, year,
    row_label, fuel, unit, value. region: GB/T 2260 code for files without a source_sheet column;
    co2: the file is the CO2 inventory (its units must be masses of CO2). Bad cells are problems
    located by CSV line and column (see _checked)."""
    frame = read_csv_table(path, LONG_COLUMNS, "row", skip_blank_lines=False)
    sheet = frame["source_sheet"] if "source_sheet" in frame.columns else None
    frame = frame.assign(region=map_distinct(sheet, lambda s: _sheet_region(s) or region or "")
                         if sheet is not None else region or "",
                         sheet="", value_column="value",
                         region_column="source_sheet" if sheet is not None else "",
                         region_cell=sheet if sheet is not None else "")
    return _checked(frame, str(path), co2)


def read_workbook(path: Path, region: str | None = None, co2: bool = False) -> pd.DataFrame:
    """CEADs' workbook as published: sheets named `<Province><year>` with the sector labels in the first
    column and a header row of fuel names (Raw_Coal, Cleaned Coal, ...): the same long rows as read_long,
    each located by sheet, Excel row and column letter."""
    from inventory.read.files import open_workbook

    book = open_workbook(path)
    if book.problems and not book.sheets:
        raise UsageError(book.problems)
    frames = []
    fuels = {normalise_name(f).replace(" ", "_"): f for f in _fuels()["ceads_fuel"]}
    for sheet, grid in book.sheets.items():
        m = _SHEET.match(sheet)
        if not m:
            continue
        header = next((i for i in range(min(12, len(grid)))
                       if sum(normalise_name(c).replace(" ", "_") in fuels for c in grid.iloc[i]) >= 2), None)
        if header is None:
            continue
        body = grid.iloc[header + 1:]
        heads = grid.iloc[header]
        cols = [p for p in grid.columns[1:] if isinstance(heads[p], str)]
        long = body[[grid.columns[0], *cols]].rename_axis("index").reset_index().melt(
            id_vars=["index", grid.columns[0]], var_name="pos", value_name="value")
        long = long.rename(columns={grid.columns[0]: "row_label"})
        long = long[long["row_label"].notna() & long["value"].notna()]
        long["fuel"] = long["pos"].map({p: str(heads[p]).strip().replace(" ", "_") for p in cols})
        long["fuel"] = long["fuel"].replace({"CleanedCoal": "Cleaned_Coal"})
        long["year"], long["unit"] = int(m["year"]), "Mt CO2"
        long["region"] = _sheet_region(sheet) or region or ""
        long = long.assign(sheet=sheet, row=long["index"] + 1, value_column=long["pos"].map(column_letter),
                           region_column="", region_cell=sheet)
        frames.append(long)
    if not frames:
        raise UsageError(Problem("external_no_ceads_sheet", file=str(path), expected="expect_ceads_sheets"))
    return _checked(pd.concat(frames, ignore_index=True), str(path), co2)


def _sheet_region(sheet: object) -> str | None:
    m = _SHEET.match(str(sheet)) if isinstance(sheet, str) else None
    return regions.lookup().get(m["region"]) if m else None


def _checked(frame: pd.DataFrame, file: str, co2: bool) -> pd.DataFrame:
    """The rows (region, LONG_COLUMNS) with a known region, an integer year and a number (empty values
    left out); every other row is a problem located by file, sheet, row and column, all raised in one
    UsageError. co2: each unit (less `CO2`) must be a mass."""
    year = pd.to_numeric(frame["year"], errors="coerce")
    value = pd.to_numeric(frame["value"], errors="coerce")
    blank = frame["value"].isna() | frame["value"].astype(str).str.strip().eq("")
    problems = []

    def located(rows: pd.DataFrame, code: str, column: str | pd.Series, cells: pd.Series, expected: str, **params):
        columns = column if isinstance(column, pd.Series) else pd.Series(column, index=rows.index)
        problems.extend(Problem(code, file=file, sheet=s, row=int(r), column=str(c), value=str(v), expected=expected,
                                params=tuple((k, str(p)) for k, p in params.items()))
                        for s, r, c, v in zip(rows["sheet"], rows["row"], columns[rows.index], cells[rows.index]))

    bad = year.isna() | (year % 1 != 0)
    located(frame[bad], "not_a_year", "year", frame["year"], "expect_year")
    bad = value.isna() & ~blank
    located(frame[bad], "not_a_number", frame["value_column"], frame["value"], "expect_number")
    unknown = frame[frame["region"].eq("")].drop_duplicates("region_cell")  # one problem per unknown sheet name
    located(unknown, "external_region_unknown", unknown["region_column"], unknown["region_cell"],
            "expect_external_region")
    if co2:
        tonnes = map_distinct(frame["unit"], _tonnes_per)
        wrong = frame[tonnes.isna()].drop_duplicates("unit")
        located(wrong, "unit_not_a_mass", "unit", frame["unit"], "expect_co2_mass_unit")
    if problems:
        raise UsageError(problems)
    out = frame.assign(year=year.astype("Int64").astype(int) if len(frame) else year, value=value)
    return out[~blank][["region", *LONG_COLUMNS]].reset_index(drop=True)


def _tonnes_per(unit: object) -> float | None:
    """Tonnes in one `unit` of CO2 (`Mt CO2` -> 1e6), or None when the unit is no mass."""
    text = str(unit).replace("CO2", "").strip() if unit is not None else ""
    if not units.is_unit(text) or units.quantity_of(text) != "mass":
        return None
    return units.factor(text, "t")


def read_external(path: Path, region: str | None = None, co2: bool = False) -> pd.DataFrame:
    """An external inventory file, by its suffix: .xlsx (as published) or .csv (long); co2: the CO2
    inventory (units checked), else the energy inventory."""
    path = Path(path)
    if not path.exists():
        raise UsageError(Problem("file_not_found", file=str(path), expected="expect_file_relative_to_project"))
    return read_workbook(path, region, co2) if path.suffix.lower() == ".xlsx" else read_long(path, region, co2)


def read_files(settings: dict) -> dict[str, pd.DataFrame]:
    """The files an `[checks.external_ceads]` table names, read and validated (the read stage of a
    build, before any compute): {"external": CO2 inventory, "energy": energy inventory (when
    `activity_path` is given)}; empty without a `path`. All problems of both files in one UsageError."""
    if not settings.get("path"):
        return {}
    region = regions.lookup().get(str(settings["region"])) if settings.get("region") else None
    out, problems = {}, []
    for key, setting, co2 in (("external", "path", True), ("energy", "activity_path", False)):
        if settings.get(setting):
            try:
                out[key] = read_external(Path(settings[setting]), region, co2)
            except UsageError as exc:
                problems += exc.problems
    if problems:
        raise UsageError(problems)
    return out


def _sector_index() -> dict:
    """Normalised CEADs row label (English or Chinese) -> its balance-row record (category, role)."""
    from inventory.read.energy_balance import sector_table

    index = {}
    for rec in sector_table().to_dict("records"):
        index.setdefault(normalise_name(rec["row_label_en"]), rec)
        index.setdefault(normalise_name(rec["row_label_zh"]), rec)
    return index


def _tonnes(unit: pd.Series) -> pd.Series:
    """The factor to t of each CO2 unit cell (`Mt CO2` -> 1e6)."""
    return map_distinct(unit.str.replace("CO2", "", regex=False).str.strip(), lambda u: units.factor(u, "t"))


def to_categories(frame: pd.DataFrame, energy: bool = False) -> pd.DataFrame:
    """CEADs rows -> region, year, category, activity, amount: CO2 in t, or (energy=True) the energy
    inventory's amounts in canonical units (t, m3, TJ) with their `quantity`. Rows that are not combustion
    (totals, transformation other than power and heat, loss, non-energy use) and non-fuel columns drop out;
    power and heat transformation inputs count (positive values), as CEADs' power CO2 does."""
    index = _sector_index()
    key = map_distinct(frame["row_label"], normalise_name)
    role = key.map({k: r["role"] for k, r in index.items()})
    category = key.map({k: r["category"] for k, r in index.items()})
    fuels = _fuels().set_index("ceads_fuel")
    activity = frame["fuel"].map(fuels["activity"])
    keep = (role.isin(["sector", "transformation_combustion"]) & (category.fillna("") != "") & activity.notna()
            & ~activity.isin(vocabulary.non_sources()))
    keep &= ~((role == "transformation_combustion") & (frame["value"] < 0))
    out = frame[keep].assign(category=category[keep], activity=activity[keep])
    if energy:
        conv = units.to_canonical(out["fuel"].map(fuels["unit"]))
        out = out.assign(amount=out["value"] * conv["factor"].to_numpy(), quantity=conv["quantity"].to_numpy())
    else:
        out = out.assign(amount=out["value"] * _tonnes(out["unit"]), quantity="")
    return out[["region", "year", "category", "activity", "amount", "quantity"]].reset_index(drop=True)


def _common_level(ours: pd.DataFrame, ext: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both sides at common categories: ours rolled up to the external inventory's category (own or
    nearest ancestor); where ours is coarser than every external one (our 1.A.2 against CEADs'
    1.A.2.a...), the external rows are rolled up to ours instead. One lookup per distinct category."""
    cats = set(ext["category"])
    coarse = {c for c in set(ours["category"]) if not any(a in cats for a in categories.ancestors(c))}
    up = {c: next((a for a in categories.ancestors(c) if a in coarse), c) for c in cats}
    ext = ext.assign(category=ext["category"].map(up))
    cats = set(ext["category"])
    roll = {c: next((a for a in categories.ancestors(c) if a in cats), None) for c in set(ours["category"])}
    return ours.assign(category=ours["category"].map(roll)).dropna(subset=["category"]), ext


def _external_tj(energy: pd.DataFrame, factor_table: pd.DataFrame) -> pd.DataFrame:
    """CEADs' energy inventory in TJ: amounts × the NCV the build resolves for the same key."""
    k = energy[["region", "year", "category", "activity"]].drop_duplicates().reset_index(drop=True)
    k = k.assign(technology="", key_id=np.arange(len(k)))
    won = resolve(k, factor_table, ["ncv"])
    ncv = won.set_index("key_id")[["value", "basis"]]
    k = k.join(ncv, on="key_id")
    e = energy.merge(k, on=["region", "year", "category", "activity"], how="left")
    per = np.where(e["quantity"] == "energy", 1.0, e["value"].where(e["basis"] == e["quantity"]))
    return e.assign(tj=e["amount"] * per).groupby(["region", "year", "category", "activity"])["tj"].sum(min_count=1)


def comparison_table(external: pd.DataFrame, emissions: pd.DataFrame, factor_table: pd.DataFrame,
                     external_energy: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per region, year, category and fuel: our CO2 and the external inventory's, with the activity
    and factor effects (TABLE_COLUMNS; t CO2, TJ, t CO2/TJ), and each side's physical amount (`amount_ours`
    as reported, `amount_external` from the external energy inventory; t or m3, `amount_unit`). Only
    region-years present in both. `activity_source`: `external` (from the external energy inventory) or
    `ours` (assumed equal to ours)."""
    ext = to_categories(external)
    e = emissions[(emissions["substance"] == "CO2") & (emissions["kind"] == "emission")]
    e = e[e["region"].isin(set(ext["region"])) & e["year"].isin(set(ext["year"]))]
    if e.empty or ext.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    ours, ext = _common_level(e, ext)
    keys = ["region", "year", "category", "activity"]
    unit = ours["reported_unit"].fillna("") if "reported_unit" in ours else pd.Series("", index=ours.index)
    physical = unit.isin(list(_PER))
    ours = ours.assign(amount=ours["reported_amount"].where(physical) if "reported_amount" in ours else np.nan,
                       amount_unit=unit.where(physical, ""), not_physical=~physical)
    ours = ours.groupby(keys).agg(ours_t=("emission", "sum"), activity_ours_tj=("activity_amount", "sum"),
                                  amount_ours=("amount", "sum"), amount_unit=("amount_unit", "max"),
                                  not_physical=("not_physical", "any"))
    # A key with an amount in TJ or tce (no physical amount) has no factor per tonne.
    ours.loc[ours.pop("not_physical"), "amount_ours"] = np.nan
    theirs = ext.groupby(keys)["amount"].sum().rename("external_t")
    t = pd.concat([ours, theirs], axis=1)
    both = pd.MultiIndex.from_frame(e[["region", "year"]].drop_duplicates())
    t = t[t.index.droplevel(["category", "activity"]).isin(both)].fillna({"ours_t": 0.0, "external_t": 0.0})
    t = t[(t["ours_t"] != 0) | (t["external_t"] != 0)]
    if external_energy is not None and len(external_energy):
        energy = to_categories(external_energy, energy=True)
        a_ext = _external_tj(energy, factor_table)
        t["activity_external_tj"] = a_ext.reindex(t.index)
        t["activity_source"] = "external"
        physical = energy[energy["quantity"].isin(["mass", "volume"])]
        t["amount_external"] = physical.groupby(keys)["amount"].sum().reindex(t.index)
        unit = physical.groupby(keys)["quantity"].first().map(units.canonical_units()).reindex(t.index)
        t["amount_unit"] = t["amount_unit"].fillna("").where(t["amount_unit"].fillna("") != "", unit.fillna(""))
    else:
        t["activity_external_tj"] = t["activity_ours_tj"]
        t["activity_source"] = "ours"
        t["amount_external"] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        t["factor_ours_t_per_tj"] = t["ours_t"] / t["activity_ours_tj"].where(t["activity_ours_tj"] != 0)
        t["factor_external_t_per_tj"] = t["external_t"] / t["activity_external_tj"].where(t["activity_external_tj"] != 0)
    t["difference_t"] = t["ours_t"] - t["external_t"]
    a_ours, a_ext = t["activity_ours_tj"].fillna(0.0), t["activity_external_tj"].fillna(0.0)
    t["activity_effect_t"] = (a_ours - a_ext) * t["factor_external_t_per_tj"].fillna(0.0)
    t["factor_effect_t"] = a_ours * (t["factor_ours_t_per_tj"].fillna(0.0) - t["factor_external_t_per_tj"].fillna(0.0))
    return t.reset_index().sort_values(keys).reset_index(drop=True).reindex(columns=TABLE_COLUMNS)


def fuel_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per region, year and fuel (FUEL_COLUMNS): our CO2 and the external inventory's (t), the difference in t
    and % of the external figure, and each side's factor per physical unit: Σ CO2 / Σ amount in t CO2 per t,
    or per 10^4 m3 for gases (`factor_unit`); ours over the amounts as reported, the external one over its
    energy inventory (empty without one, or where an amount of ours is in TJ or tce)."""
    if table.empty:
        return pd.DataFrame(columns=FUEL_COLUMNS)
    keys = ["region", "year", "activity"]
    t = table.assign(missing_ours=table["amount_ours"].isna() & (table["ours_t"] != 0),
                     missing_ext=table["amount_external"].isna() & (table["external_t"] != 0))
    f = t.groupby(keys).agg(ours_t=("ours_t", "sum"), external_t=("external_t", "sum"),
                            amount_ours=("amount_ours", "sum"), amount_external=("amount_external", "sum"),
                            amount_unit=("amount_unit", "max"), missing_ours=("missing_ours", "any"),
                            missing_ext=("missing_ext", "any")).reset_index()
    f.loc[f.pop("missing_ours"), "amount_ours"] = np.nan
    f.loc[f.pop("missing_ext"), "amount_external"] = np.nan
    per = f["amount_unit"].map({u: p for u, (p, _) in _PER.items()})
    f["factor_unit"] = f["amount_unit"].map({u: n for u, (_, n) in _PER.items()}).fillna("")
    with np.errstate(divide="ignore", invalid="ignore"):
        f["factor_ours"] = f["ours_t"] / f["amount_ours"].where(f["amount_ours"] != 0) * per
        f["factor_external"] = f["external_t"] / f["amount_external"].where(f["amount_external"] != 0) * per
        f["difference_t"] = f["ours_t"] - f["external_t"]
        f["difference_pct"] = f["difference_t"] / f["external_t"].where(f["external_t"] != 0) * 100
    return f.sort_values(keys).reset_index(drop=True)[FUEL_COLUMNS]


def external_checks(table: pd.DataFrame, thresholds: dict | None = None, name: str = CHECK) -> pd.DataFrame:
    """Check rows from the comparison table: per region-year the 1.A total (category `1.A`), per
    category, and per fuel over all categories (category `1.A:<activity>`); value = ours, reference =
    the external inventory (t CO2), diff_pct = (ours − external) / |external| × 100, graded by
    qa.grading (no external figure: warn)."""
    lim = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    if table.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    sums = ["ours_t", "external_t"]
    total = table.groupby(["region", "year"], as_index=False)[sums].sum().assign(category="1.A")
    per_cat = table.groupby(["region", "year", "category"], as_index=False)[sums].sum()
    per_fuel = table.groupby(["region", "year", "activity"], as_index=False)[sums].sum()
    per_fuel["category"] = fuel_key(pd.Series("1.A", index=per_fuel.index), per_fuel["activity"])
    rows = pd.concat([total, per_cat, per_fuel.drop(columns="activity")], ignore_index=True)
    rows = rows.rename(columns={"ours_t": "value", "external_t": "reference"})
    rows["diff_pct"] = difference_pct(rows["value"], rows["reference"])
    rows["result"] = grade(rows["value"], rows["reference"], lim["warn"], lim["fail"])
    rows["check"], rows["substance"] = name, "CO2"
    return rows.drop_duplicates(["region", "year", "category"]).sort_values(
        ["region", "year", "category"]).reset_index(drop=True)[CHECK_COLUMNS]


PROCESS_FUEL, PROCESS_CATEGORY = "Process", "2.A.1"


def process_checks(external: pd.DataFrame, emissions: pd.DataFrame, thresholds: dict | None = None,
                   name: str = CHECK) -> pd.DataFrame:
    """Check rows of CEADs' cement process CO2 against the build's 2.A.1 CO2, per region-year (category `2.A.1`).

    reference = CEADs' `Process` column summed over its sector rows (total rows left out), in t CO2; value =
    the build's CO2 of 2.A.1 and its sub-categories (kind `emission`), missing where 2.A.1 has no row (then
    the row warns: CEADs has cement process CO2 the inventory does not estimate). Only region-years the
    build has. diff_pct and result as in external_checks. A check, never an input (issue 19).
    """
    lim = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    proc = external[external["fuel"] == PROCESS_FUEL]
    if proc.empty or emissions.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    index = _sector_index()
    role = map_distinct(proc["row_label"], normalise_name).map({k: r["role"] for k, r in index.items()})
    proc = proc[role == "sector"]
    ref = (proc["value"] * _tonnes(proc["unit"])).groupby([proc["region"], proc["year"]]).sum().rename("reference")
    have = emissions[["region", "year"]].drop_duplicates()
    ref = ref[pd.MultiIndex.from_frame(ref.index.to_frame()).isin(pd.MultiIndex.from_frame(have))]
    cat = emissions["category"].astype(str)
    e = emissions[(emissions["substance"] == "CO2") & (emissions["kind"] == "emission")
                  & ((cat == PROCESS_CATEGORY) | cat.str.startswith(PROCESS_CATEGORY + "."))]
    value = e.groupby(["region", "year"])["emission"].sum().rename("value")
    rows = pd.concat([ref, value.reindex(ref.index)], axis=1).reset_index()
    if rows.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    rows["diff_pct"] = difference_pct(rows["value"], rows["reference"])
    rows["result"] = grade(rows["value"], rows["reference"], lim["warn"], lim["fail"])
    rows["check"], rows["substance"], rows["category"] = name, "CO2", PROCESS_CATEGORY
    return rows.sort_values(["region", "year"]).reset_index(drop=True)[CHECK_COLUMNS]


def external_table(ctx, files: dict | None = None) -> pd.DataFrame:
    """The comparison table of a build's check context with the external inventory of its
    `[checks.external_ceads]` table: `files` as read_files returns them (read before the compute),
    else read now; empty without a `path`."""
    files = read_files(ctx.thresholds.get(CHECK) or {}) if files is None else files
    if "external" not in files:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    return comparison_table(files["external"], ctx.emissions, ctx.factor_table, files.get("energy"))
