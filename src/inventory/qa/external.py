"""An external published inventory (CEADs) against the build (DESIGN 3.9 "External inventories").

CEADs' provincial CO2 inventory is read as published: a workbook with a sheet per
province-year (`Hunan2019`: sector rows × fuel columns, Mt CO2), or the long CSV
`year, row_label, fuel, unit, value` (a `source_sheet` column such as `Hunan2019`
names the region; else the check table's `region`). Sector rows map to categories
through data/energy_balance_sectors.csv, fuel columns to activities through
data/ceads_fuels.csv; columns that are not fuels (Process, Scope_1_Total,
Scope_2_*) and total rows are left out.

Each difference is split as DESIGN 3.9's comparison does:
activity_effect = (A_ours − A_ext) × F_ext and factor_effect = A_ours × (F_ours − F_ext),
A in TJ, F in t CO2/TJ. A_ext is CEADs' energy inventory (same sectors and fuels,
10^4 t, 10^8 m3...; `activity_path`), converted to TJ with the NCV the build
resolves for the same key; without it A_ext = A_ours and the whole difference is
the factor's.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from inventory import categories, regions, resources, units
from inventory.errors import Problem, UsageError
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
                 "activity_effect_t", "factor_effect_t", "activity_source"]


def _fuels() -> pd.DataFrame:
    return resources.data_table("ceads_fuels.csv")


def read_long(path: Path, region: str | None = None) -> pd.DataFrame:
    """CEADs rows of a long CSV (year, row_label, fuel, unit, value[, source_sheet]) -> region, year,
    row_label, fuel, unit, value. region: GB/T 2260 code for files without a source_sheet column."""
    try:
        frame = pd.read_csv(path, dtype={"row_label": str, "fuel": str, "unit": str}, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise UsageError(Problem(f"external inventory cannot be read: {exc}", file=str(path))) from exc
    missing = [c for c in LONG_COLUMNS if c not in frame.columns]
    if missing:
        raise UsageError(Problem("external inventory lacks columns", file=str(path), value=", ".join(missing),
                                 expected="columns " + ", ".join(LONG_COLUMNS)))
    if "source_sheet" in frame.columns:
        frame["region"] = map_distinct(frame["source_sheet"], lambda s: _sheet_region(s) or region or "")
    else:
        frame["region"] = region or ""
    return _checked(frame, str(path))


def read_workbook(path: Path, region: str | None = None) -> pd.DataFrame:
    """CEADs' workbook as published: sheets named `<Province><year>` with the sector labels in the first
    column and a header row of fuel names (Raw_Coal, Cleaned Coal, ...): the same long rows as read_long."""
    from inventory.read.files import open_workbook

    book = open_workbook(path)
    frames = []
    for sheet, grid in book.sheets.items():
        m = _SHEET.match(sheet)
        if not m:
            continue
        fuels = {normalise_name(f).replace(" ", "_"): f for f in _fuels()["ceads_fuel"]}
        header = next((i for i in range(min(12, len(grid)))
                       if sum(normalise_name(c).replace(" ", "_") in fuels for c in grid.iloc[i]) >= 2), None)
        if header is None:
            continue
        body = grid.iloc[header + 1:]
        heads = grid.iloc[header]
        cols = [p for p in grid.columns[1:] if isinstance(heads[p], str)]
        long = body[[grid.columns[0], *cols]].melt(id_vars=grid.columns[0], var_name="pos", value_name="value")
        long = long.rename(columns={grid.columns[0]: "row_label"}).dropna(subset=["row_label", "value"])
        long["fuel"] = long["pos"].map({p: str(heads[p]).strip().replace(" ", "_") for p in cols})
        long["fuel"] = long["fuel"].replace({"CleanedCoal": "Cleaned_Coal"})
        long["year"], long["unit"] = int(m["year"]), "Mt CO2"
        long["region"] = _sheet_region(sheet) or region or ""
        frames.append(long[["region", *LONG_COLUMNS]])
    if not frames:
        raise UsageError(Problem("no CEADs sheet found in the external inventory", file=str(path),
                                 expected="sheets named like Hunan2019 with fuel columns Raw_Coal, Coke, ..."))
    return _checked(pd.concat(frames, ignore_index=True), str(path))


def _sheet_region(sheet: object) -> str | None:
    m = _SHEET.match(str(sheet)) if isinstance(sheet, str) else None
    return regions.lookup().get(m["region"]) if m else None


def _checked(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """Rows with a known region and a numeric value; a problem names the first rows at fault."""
    frame = frame.assign(value=pd.to_numeric(frame["value"], errors="coerce"))
    bad = frame["region"].eq("")
    if bad.any():
        raise UsageError(Problem("external inventory: region unknown", file=file,
                                 expected="a source_sheet like Hunan2019, or `region` in [checks.external]"))
    return frame.dropna(subset=["value"]).reset_index(drop=True)


def read_external(path: Path, region: str | None = None) -> pd.DataFrame:
    """An external inventory file, by its suffix: .xlsx (as published) or .csv (long)."""
    path = Path(path)
    if not path.exists():
        raise UsageError(Problem("external inventory not found", file=str(path),
                                 expected="a CEADs workbook (.xlsx) or long CSV; the path is relative to the project file"))
    return read_workbook(path, region) if path.suffix.lower() == ".xlsx" else read_long(path, region)


def to_categories(frame: pd.DataFrame, energy: bool = False) -> pd.DataFrame:
    """CEADs rows -> region, year, category, activity, amount: CO2 in t, or (energy=True) the energy
    inventory's amounts in canonical units (t, m3, TJ) with their `kind`. Rows that are not combustion
    (totals, transformation other than power and heat, loss, non-energy use) and non-fuel columns drop out;
    power and heat transformation inputs count (positive values), as CEADs' power CO2 does."""
    from inventory.read.energy_balance import sector_table

    sectors = sector_table()
    index = {}
    for rec in sectors.to_dict("records"):
        index.setdefault(normalise_name(rec["row_label_en"]), rec)
        index.setdefault(normalise_name(rec["row_label_zh"]), rec)
    key = map_distinct(frame["row_label"], normalise_name)
    role = key.map({k: r["role"] for k, r in index.items()})
    category = key.map({k: r["category"] for k, r in index.items()})
    fuels = _fuels().set_index("ceads_fuel")
    activity = frame["fuel"].map(fuels["activity"])
    keep = (role.isin(["sector", "transformation_combustion"]) & (category.fillna("") != "") & activity.notna()
            & ~activity.isin(["heat", "electricity"]))
    keep &= ~((role == "transformation_combustion") & (frame["value"] < 0))
    out = frame[keep].assign(category=category[keep], activity=activity[keep])
    if energy:
        conv = units.to_canonical(out["fuel"].map(fuels["unit"]))
        out = out.assign(amount=out["value"] * conv["factor"].to_numpy(), kind=conv["kind"].to_numpy())
    else:
        unit = out["unit"].str.replace("CO2", "", regex=False).str.strip()
        factor = map_distinct(unit, lambda u: units.factor(u, "t"))
        out = out.assign(amount=out["value"] * factor, kind="")
    return out[["region", "year", "category", "activity", "amount", "kind"]].reset_index(drop=True)


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
    per = np.where(e["kind"] == "energy", 1.0, e["value"].where(e["basis"] == e["kind"]))
    return e.assign(tj=e["amount"] * per).groupby(["region", "year", "category", "activity"])["tj"].sum(min_count=1)


def comparison_table(external: pd.DataFrame, emissions: pd.DataFrame, factor_table: pd.DataFrame,
                     external_energy: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per region, year, category and fuel: our CO2 and the external inventory's, with the activity
    and factor effects (TABLE_COLUMNS; t CO2, TJ, t CO2/TJ). Only region-years present in both."""
    ext = to_categories(external)
    e = emissions[(emissions["substance"] == "CO2") & (emissions["kind"] == "emission")]
    e = e[e["region"].isin(set(ext["region"])) & e["year"].isin(set(ext["year"]))]
    if e.empty or ext.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    ours, ext = _common_level(e, ext)
    keys = ["region", "year", "category", "activity"]
    ours = ours.groupby(keys).agg(ours_t=("emission", "sum"), activity_ours_tj=("activity_amount", "sum"))
    theirs = ext.groupby(keys)["amount"].sum().rename("external_t")
    t = pd.concat([ours, theirs], axis=1)
    both = pd.MultiIndex.from_frame(e[["region", "year"]].drop_duplicates())
    t = t[t.index.droplevel(["category", "activity"]).isin(both)].fillna({"ours_t": 0.0, "external_t": 0.0})
    t = t[(t["ours_t"] != 0) | (t["external_t"] != 0)]
    if external_energy is not None and len(external_energy):
        a_ext = _external_tj(to_categories(external_energy, energy=True), factor_table)
        t["activity_external_tj"] = a_ext.reindex(t.index)
        t["activity_source"] = "external energy inventory"
    else:
        t["activity_external_tj"] = t["activity_ours_tj"]
        t["activity_source"] = "assumed equal to ours"
    with np.errstate(divide="ignore", invalid="ignore"):
        t["factor_ours_t_per_tj"] = t["ours_t"] / t["activity_ours_tj"].where(t["activity_ours_tj"] != 0)
        t["factor_external_t_per_tj"] = t["external_t"] / t["activity_external_tj"].where(t["activity_external_tj"] != 0)
    t["difference_t"] = t["ours_t"] - t["external_t"]
    a_ours, a_ext = t["activity_ours_tj"].fillna(0.0), t["activity_external_tj"].fillna(0.0)
    t["activity_effect_t"] = (a_ours - a_ext) * t["factor_external_t_per_tj"].fillna(0.0)
    t["factor_effect_t"] = a_ours * (t["factor_ours_t_per_tj"].fillna(0.0) - t["factor_external_t_per_tj"].fillna(0.0))
    return t.reset_index().sort_values(keys).reset_index(drop=True).reindex(columns=TABLE_COLUMNS)


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


def external_table(ctx) -> pd.DataFrame:
    """The comparison table of a build's check context with the external inventory named in its
    `[checks.external]` table (`path`, optional `activity_path`, `region`); empty without one."""
    spec = ctx.thresholds.get("external") or {}
    if not spec.get("path"):
        return pd.DataFrame(columns=TABLE_COLUMNS)
    region = regions.lookup().get(str(spec["region"])) if spec.get("region") else None
    external = read_external(Path(spec["path"]), region)
    energy = read_external(Path(spec["activity_path"]), region) if spec.get("activity_path") else None
    return comparison_table(external, ctx.emissions, ctx.factor_table, energy)
