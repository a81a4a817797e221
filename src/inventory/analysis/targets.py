"""Target tracking (DESIGN 3.9, `targets.csv`): a plan's quantified indicators against the inventory.

A targets file (TOML, named by the project key `targets`, DESIGN 3.8) lists indicators as
`[[indicator]]` tables:

    id, name_zh, name_en   the indicator's id and names
    kind                   `intensity` (numerator substance / denominator activity, e.g. CO2 per GDP),
                           `total` (a substance or `CO2e`), `activity_share` (one activity amount over
                           another), `activity` (an activity amount), `indicator` (a level of the
                           build's `indicators` figure table, data/intensities.csv: its one definition)
    direction              `down` (lower is better) or `up`
    numerator              { substance = "CO2" | "CO2e" | ..., category = "1" }  (intensity, total) or
                           { activity = "scrap_steel", category = "stat" }        (activity_share, activity);
                           category (optional) keeps that category and its descendants
    denominator            { activity = "gdp" }                                  (intensity, activity_share)
    indicator              "energy_CO2/gdp_constant"                             (indicator: its item)
    unit                   the unit the values are stated in (`t/万元`, `%`, `万t`); default: canonical
    regions                ["430000", ...] or "all" (every region in the data)
    base_year, target_year
    base_value             optional: the plan's stated base value; when absent, the value computed
                           from the inventory in base_year
    target_value | change_pct  the target, or the change in % relative to the base value
                           (target = base x (1 + change_pct/100): "down 18 %" is change_pct = -18)
    source                 the plan clause, quoted

Values per region and year: emissions in t (CO2e: column co2e_t, t CO2e), gross (`kind == "emission"`,
no memo items, no sinks); activity amounts from the validated activity table in canonical units
(GDP in 元), converted to `unit` with the program's unit registry.

Path and status (per year):
    path_value = base + (target - base) x (year - base_year) / (target_year - base_year)
                 (the target value itself after the target year)
    met        the target is reached (value at or better than target_value)
    on_track   not reached, before the target year, value at or better than path_value
    off_track  not reached, before the target year, worse than path_value
    missed     not reached in or after the target year
    (met needs no base value: a target value reached is met; the path needs one)
    no_data    the value or the base value cannot be computed (`reason` says why)
    ""         a year before the base year (`reason` says so)
`reason` is a code of data/messages.csv (TARGET_REASONS), worded when rendered; `reason_value` is the
value of its placeholder {x} (the id of a numerator or denominator without data), else "".
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from inventory import categories, regions, units, vocabulary
from inventory.errors import Problem, UsageError
from inventory.lookup import map_distinct

TARGET_COLUMNS = ["indicator", "region", "direction", "base_year", "base_value", "target_year", "target_value",
                  "year", "value", "path_value", "status"]
EXTRA_COLUMNS = ["unit", "name_zh", "name_en", "kind", "reason", "reason_value", "source"]
# Why a row has no status (codes of data/messages.csv).
TARGET_REASONS = {"no_region_data": "target_no_region_data", "no_numerator": "target_no_numerator",
                  "no_denominator": "target_no_denominator", "denominator_zero": "target_denominator_zero",
                  "no_base_value": "target_no_base_value", "before_base_year": "target_before_base_year",
                  "no_statistic": "target_no_statistic"}
SPEC_COLUMNS = ["indicator", "name_zh", "name_en", "kind", "direction", "region", "item", "num_substance", "num_activity",
                "num_category", "den_activity", "den_category", "unit", "base_year", "base_value", "change_pct",
                "target_year", "target_value", "source"]
KINDS = {"intensity": ("substance", True), "total": ("substance", False), "activity_share": ("activity", True),
         "activity": ("activity", False), "indicator": ("indicator", False)}
DIRECTIONS = ("down", "up")
CO2E = "CO2e"
STATUSES = ("met", "on_track", "off_track", "missed", "no_data")
_REL = 1e-9  # relative tolerance of "at or better than"


# --- loading ------------------------------------------------------------------------------------------

def load_targets(path: Path) -> pd.DataFrame:
    """Read and check a targets file; one row per indicator and region (SPEC_COLUMNS; region "" = all).

    Every problem (key, value, what was expected, and its line in the file) is collected; any problem
    raises UsageError (exit 2).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        spec = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line = re.search(r"at line (\d+)", str(exc))
        raise UsageError(Problem("targets_file_unreadable", file=str(path), row=int(line.group(1)) if line else None,
                                 params=(("error", str(exc)),))) from exc
    items = spec.get("indicator")
    if not isinstance(items, list) or not items:
        raise UsageError(Problem("targets_without_indicators", file=str(path), column="indicator",
                                 expected="expect_indicator_tables"))
    problems: list[Problem] = []
    rows: list[dict] = []
    seen: set[str] = set()
    lines = _key_lines(text)
    for n, item in enumerate(items, start=1):  # one loop per indicator of the plan, not per data row
        rows += _indicator(item, n, str(path), problems, seen, lines.get(n, {}))
    if problems:
        raise UsageError(problems)
    return pd.DataFrame(rows, columns=SPEC_COLUMNS)


def _key_lines(text: str) -> dict[int, dict[str, int]]:
    """Line numbers (1-based) per [[indicator]] table n: its header ("") and each of its top-level keys."""
    out: dict[int, dict[str, int]] = {}
    n = 0
    for number, line in enumerate(text.splitlines(), start=1):  # the lines of a small settings file
        stripped = line.strip()
        if stripped.startswith("[[indicator]]"):
            n += 1
            out[n] = {"": number}
        elif stripped.startswith("["):
            n = n if stripped.startswith("[indicator.") else 0
        elif n and "=" in stripped and not stripped.startswith("#"):
            out[n].setdefault(stripped.split("=", 1)[0].strip().strip('"'), number)
    return out


def _indicator(item: dict, n: int, file: str, problems: list[Problem], seen: set[str],
               lines: dict[str, int] | None = None) -> list[dict]:
    """The rows of one [[indicator]] table; its problems appended to `problems`, each with its line (the
    key's, else the table header's)."""
    lines = lines or {}

    def bad(where: str, code: str, value, expected: str, suggestion: str = "", **params) -> None:
        key = where.split(".")[0]
        problems.append(Problem(code, file=file, row=lines.get(key, lines.get("")),
                                column=f"indicator[{n}].{where}", value=str(value),
                                expected=expected, suggestion=suggestion, params=tuple(params.items())))

    if not isinstance(item, dict):
        bad("", "indicator_not_a_table", item, "expect_indicator_keys")
        return []
    out = {"indicator": item.get("id"), "name_zh": str(item.get("name_zh", "")),
           "name_en": str(item.get("name_en", "")), "source": str(item.get("source", ""))}
    if not isinstance(out["indicator"], str) or not out["indicator"].strip():
        bad("id", "indicator_id_missing", item.get("id", ""), "expect_indicator_id")
    elif out["indicator"] in seen:
        bad("id", "indicator_id_twice", out["indicator"], "expect_unique_id")
    else:
        seen.add(out["indicator"])
    kind = item.get("kind")
    if kind not in KINDS:
        bad("kind", "unknown_indicator_kind", kind, "expect_one_of", names=", ".join(KINDS))
    direction = item.get("direction")
    if direction not in DIRECTIONS:
        bad("direction", "unknown_direction", direction, "expect_direction")
    out.update(kind=kind, direction=direction)
    out["item"] = ""
    if kind == "indicator":
        out["item"] = _indicator_item(item, bad)
        num = den = {}
    else:
        num = _part(item, "numerator", kind, bad, required=True)
        den = _part(item, "denominator", kind, bad, required=kind in KINDS and KINDS[kind][1])
    out.update(num_substance=num.get("substance", ""), num_activity=num.get("activity", ""),
               num_category=num.get("category", ""), den_activity=den.get("activity", ""),
               den_category=den.get("category", ""))
    for key in ("base_year", "target_year"):
        value = item.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 1900 <= value <= 2100:
            bad(key, "setting_not_a_year", value if value is not None else "", "expect_year", key=key)
            value = None
        out[key] = value
    if out["base_year"] is not None and out["target_year"] is not None and out["target_year"] <= out["base_year"]:
        bad("target_year", "target_year_not_after_base", out["target_year"], "expect_after_year",
            year=out["base_year"])
    for key in ("base_value", "target_value", "change_pct"):
        value = item.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            bad(key, "setting_not_a_number", value, "expect_number", key=key)
            value = None
        out[key] = float(value) if value is not None else np.nan
    if ("target_value" in item) == ("change_pct" in item):
        bad("target_value", "target_value_or_change_pct",
            "target_value, change_pct" if "target_value" in item else "", "expect_target_or_change")
    out["unit"] = _unit(item, kind, num, den, bad)
    return [{**out, "region": r} for r in _regions(item.get("regions", "all"), bad)]


def _indicator_item(item: dict, bad) -> str:
    """The `indicator` key of an indicator of kind `indicator`: an item of data/intensities.csv."""
    from inventory.figures import _intensities

    known = list(_intensities()["item"])
    value = item.get("indicator")
    if value not in known:
        bad("indicator", "unknown_indicator_item", value if value is not None else "", "expect_one_of",
            names=", ".join(known))
        return ""
    for key in ("numerator", "denominator"):
        if key in item:
            bad(key, "indicator_part_not_used", item[key], "expect_no_part", part=key, kind="indicator")
    return value


def _part(item: dict, key: str, kind, bad, required: bool) -> dict:
    """numerator / denominator table: checked ids (substance, activity, category)."""
    part = item.get(key)
    if kind not in KINDS:  # the kind is reported already; its parts cannot be checked against it
        return {}
    if part is None:
        if required:
            what = KINDS[kind][0] if key == "numerator" else "activity"
            bad(key, "indicator_part_missing", "", "expect_part_table", part=key, key=what)
        return {}
    if not required:
        bad(key, "indicator_part_not_used", part, "expect_no_part", part=key, kind=kind)
        return {}
    if not isinstance(part, dict):
        bad(key, "indicator_part_not_a_table", part, "expect_part_example", part=key)
        return {}
    out = {}
    want = KINDS[kind][0] if key == "numerator" else "activity"
    unknown = set(part) - {want, "category"}
    for k in sorted(unknown):
        bad(f"{key}.{k}", "indicator_key_not_used", k, "expect_part_keys", part=key, kind=kind, key=want)
    if want not in part:
        bad(f"{key}.{want}", "indicator_key_missing", "", "expect_part_id", key=want)
    elif want == "substance":
        value = str(part["substance"])
        sub = CO2E if value.lower() == CO2E.lower() else vocabulary.substance_lookup().get(value)
        if sub is None:
            bad(f"{key}.substance", "unknown_substance", value, "expect_target_substance")
        out["substance"] = sub or ""
    else:
        value = str(part["activity"])
        act = vocabulary.activity_lookup().get(value)
        if act is None:
            bad(f"{key}.activity", "unknown_activity", value, "expect_activity",
                suggestion=vocabulary.activity_lookup().suggest(value) or "")
        out["activity"] = act or ""
    if "category" in part:
        value = str(part["category"])
        cat = categories.lookup().get(value)
        if cat is None:
            bad(f"{key}.category", "unknown_category", value, "expect_target_category")
        out["category"] = cat or ""
    return out


def _regions(spec, bad) -> list[str]:
    if spec == "all" or spec == ["all"]:
        return [""]
    items = spec if isinstance(spec, list) else [spec]
    out = []
    for item in items:
        code = regions.lookup().get(str(item))
        if code is None:
            bad("regions", "unknown_region", item, "expect_region_or_all")
        else:
            out.append(code)
    return out


def raw_unit(kind, num: dict, den: dict) -> str | None:
    """The unit an indicator's value has before conversion: t, t/<canonical>, <canonical>/<canonical>."""
    def canonical(activity: str) -> str:
        quantity = vocabulary.activities().set_index("id")["quantity"].get(activity, "")
        return units.canonical_units().get(quantity, "")
    if kind == "intensity":
        return f"t / {canonical(den.get('activity', ''))}" if den.get("activity") else None
    if kind == "total":
        return "t"
    if kind == "activity_share":
        a, b = canonical(num.get("activity", "")), canonical(den.get("activity", ""))
        return f"({a}) / ({b})" if a and b and a != b else ""
    if kind == "activity":
        return canonical(num.get("activity", "")) if num.get("activity") else None
    return None


def _unit(item: dict, kind, num: dict, den: dict, bad) -> str:
    if kind == "indicator":  # the indicator table's own unit
        from inventory.figures import _intensities

        spec = _intensities().set_index("item")["unit"]
        stated = spec.get(item.get("indicator"), "")
        if item.get("unit") not in (None, stated):
            bad("unit", "unit_does_not_fit_indicator", item.get("unit"), "expect_unit_from", unit=stated or "1")
        return stated
    raw = raw_unit(kind, num, den)
    unit = item.get("unit")
    if raw is None:
        return str(unit or "")
    if unit is None:
        return raw
    try:
        units.factor(raw, str(unit))
    except Exception:  # pint raises several types for a bad or unfitting unit
        bad("unit", "unit_does_not_fit_indicator", unit, "expect_unit_from", unit=raw or "1")
    return str(unit)


# --- tracking -----------------------------------------------------------------------------------------

def _under(category: pd.Series, root: str) -> pd.Series:
    """True for `root` and every category below it (all True when root is "")."""
    if not root:
        return pd.Series(True, index=category.index)
    return map_distinct(category.astype(str), lambda c: root in categories.ancestors(c)).astype(bool)


def _substance_sums(emissions: pd.DataFrame, specs: pd.DataFrame) -> pd.DataFrame:
    """(num_substance, num_category, region, year, amount): gross emissions in t (CO2e: t CO2e)."""
    e = emissions[emissions["kind"] == "emission"] if "kind" in emissions else emissions
    out = []
    for (substance, category), _ in specs.groupby(["num_substance", "num_category"]):  # a few indicator specs
        sel = e[_under(e["category"], category)]
        if substance == CO2E:
            vals = pd.to_numeric(sel["co2e_t"], errors="coerce")
            sel = sel.assign(v=vals)[vals.notna()]
        else:
            sel = sel[sel["substance"] == substance].assign(v=lambda f: pd.to_numeric(f["emission"], errors="coerce"))
        sums = sel.groupby(["region", "year"])["v"].sum().rename("amount").reset_index()
        out.append(sums.assign(num_substance=substance, num_category=category))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["region", "year", "amount", "num_substance", "num_category"])


def _activity_sums(activity: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """(act, cat, region, year, amount): activity amounts in canonical units, summed per region-year."""
    out = []
    for act, cat in pairs.drop_duplicates().itertuples(index=False):  # a few indicator specs
        sel = activity[(activity["activity"] == act)]
        sel = sel[_under(sel["category"], cat)]
        sums = sel.groupby(["region", "year"])["amount"].sum().reset_index()
        out.append(sums.assign(act=act, cat=cat))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["region", "year", "amount", "act", "cat"])


def track_targets(targets: pd.DataFrame, emissions: pd.DataFrame, activity: pd.DataFrame,
                  indicator_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """targets.csv (DESIGN 3.9): every indicator's value for each region and year in the data, its linear
    path from base to target and its status (met, on_track, off_track, missed; no_data with a reason).

    targets: load_targets() output. emissions: the long table (t; co2e_t t CO2e; kind).
    activity: Inputs.activity (region, year, category, activity, amount in canonical units).
    indicator_table: the build's `indicators` figure table (figures.indicators), read by kind `indicator`
    (computed from emissions and activity when not given).
    Columns: TARGET_COLUMNS, then EXTRA_COLUMNS. Values in each indicator's `unit`.
    """
    if targets.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS + EXTRA_COLUMNS)
    emissions = emissions.assign(year=emissions["year"].astype(int)) if len(emissions) else emissions
    activity = activity.assign(year=activity["year"].astype(int)) if len(activity) else activity
    frames = [f[["region", "year"]] for f in (emissions, activity) if len(f)]
    region_years = (pd.concat(frames).drop_duplicates() if frames
                    else pd.DataFrame({"region": pd.Series(dtype=str), "year": pd.Series(dtype=int)}))
    specs = targets.assign(_order=range(len(targets)))
    present = region_years[["region"]].drop_duplicates()
    every = specs[specs["region"] == ""]
    if len(present):  # "all": every region in the data; without any data the indicator stays, as no_data
        every = every.drop(columns="region").merge(present, how="cross")
    specs = pd.concat([specs[specs["region"] != ""], every], ignore_index=True)
    grid = specs.merge(region_years, on="region", how="left")
    grid["year"] = grid["year"].astype("Int64")

    # numerator and denominator amounts
    sub = specs[specs["num_substance"] != ""]
    num_e = _substance_sums(emissions, sub) if len(sub) and len(emissions) else None
    acts = pd.concat([specs[["num_activity", "num_category"]].set_axis(["act", "cat"], axis=1),
                      specs[["den_activity", "den_category"]].set_axis(["act", "cat"], axis=1)])
    acts = acts[acts["act"] != ""]
    act_sums = _activity_sums(activity, acts) if len(acts) and len(activity) else None
    key = ["region", "year"]
    grid["num"] = np.nan
    if num_e is not None and len(num_e):
        hit = grid[key + ["num_substance", "num_category"]].merge(
            num_e, on=key + ["num_substance", "num_category"], how="left")["amount"]
        grid["num"] = grid["num"].fillna(pd.Series(hit.to_numpy(), index=grid.index))
    grid["den"] = np.nan
    if act_sums is not None and len(act_sums):
        a = act_sums.rename(columns={"act": "num_activity", "cat": "num_category", "amount": "a"})
        hit = grid[key + ["num_activity", "num_category"]].merge(a, on=key + ["num_activity", "num_category"],
                                                                   how="left")["a"]
        grid["num"] = grid["num"].fillna(pd.Series(hit.to_numpy(), index=grid.index))
        d = act_sums.rename(columns={"act": "den_activity", "cat": "den_category", "amount": "d"})
        hit = grid[key + ["den_activity", "den_category"]].merge(d, on=key + ["den_activity", "den_category"],
                                                                   how="left")["d"]
        grid["den"] = pd.Series(hit.to_numpy(), index=grid.index)

    has_den = grid["kind"].isin([k for k, (_, d) in KINDS.items() if d])
    factor = _factors(grid)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(has_den, grid["num"] / grid["den"].where(grid["den"] != 0), grid["num"])
    grid["value"] = raw * factor
    why = [grid["year"].isna(), grid["num"].isna(), has_den & grid["den"].isna(), has_den & (grid["den"] == 0)]
    grid["reason"] = np.select(why, [TARGET_REASONS[k] for k in ("no_region_data", "no_numerator", "no_denominator",
                                                                 "denominator_zero")], default="")
    numerator = grid["num_substance"].where(grid["num_substance"] != "", grid["num_activity"])
    grid["reason_value"] = np.select(why[:3], ["", numerator, grid["den_activity"]], default="")
    if (grid["kind"] == "indicator").any():
        _from_indicators(grid, emissions, activity, indicator_table)
    return _status(grid)


def _from_indicators(grid: pd.DataFrame, emissions: pd.DataFrame, activity: pd.DataFrame,
                     table: pd.DataFrame | None) -> None:
    """Value and reason of the rows of kind `indicator`, read from the `indicators` figure table (its level);
    a level the table gives as no_data has reason `target_no_statistic` naming the missing statistic."""
    if table is None:
        from inventory.figures import indicators
        from inventory.province import statistics

        stat = activity[activity["category"].isin(categories.with_role("statistic"))] if len(activity) else activity
        table = indicators(emissions, statistics(stat, set(stat["region"])) if len(stat) else None)
    levels = table[table["measure"] == "level"][["region", "year", "item", "value", "missing"]].rename(
        columns={"value": "_v", "missing": "_m"}).astype({"year": int})
    rows = grid["kind"] == "indicator"
    hit = grid.loc[rows, ["region", "year", "item"]].astype({"year": float}).merge(
        levels.astype({"year": float}), on=["region", "year", "item"], how="left")
    hit.index = grid.index[rows]
    grid.loc[rows, "value"] = hit["_v"]
    no_year = grid.loc[rows, "year"].isna()
    # a level the table lacks: its numerator is missing; a statistic numerator (energy_consumption) is named
    from inventory.figures import _intensities

    numerator = grid.loc[rows, "item"].map(_intensities().set_index("item")["numerator"]).fillna("")
    is_stat = numerator.isin(set(vocabulary.activities()["id"]))
    missing = hit["_m"].fillna("").where(hit["_m"].fillna("") != "", numerator.where(is_stat, ""))
    reason = np.where(no_year, TARGET_REASONS["no_region_data"],
                      np.where(hit["_v"].notna(), "", np.where(missing != "", TARGET_REASONS["no_statistic"],
                                                               TARGET_REASONS["no_numerator"])))
    grid.loc[rows, "reason"] = reason
    grid.loc[rows, "reason_value"] = np.where(hit["_v"].notna() | no_year, "",
                                              np.where(missing != "", missing, numerator))


def _factors(grid: pd.DataFrame) -> pd.Series:
    """Factor from each row's raw unit to its stated unit (one conversion per distinct pair)."""
    keys = grid[["kind", "num_activity", "den_activity", "unit"]].drop_duplicates()
    table = {}
    for k, na, da, unit in keys.itertuples(index=False):  # one per indicator, not per row
        raw = raw_unit(k, {"activity": na}, {"activity": da})
        table[(k, na, da, unit)] = (1.0 if k == "indicator" or unit == (raw or "")  # indicators: in their unit
                                    else units.factor(raw or "", unit))
    return pd.Series([table[t] for t in zip(grid["kind"], grid["num_activity"], grid["den_activity"], grid["unit"])],
                     index=grid.index, dtype=float)


def _status(grid: pd.DataFrame) -> pd.DataFrame:
    """Base and target values, the linear path and the status of every row."""
    base_rows = grid[grid["year"] == grid["base_year"]][["indicator", "region", "value"]].rename(
        columns={"value": "computed_base"})
    grid = grid.merge(base_rows, on=["indicator", "region"], how="left")
    grid["base_value"] = grid["base_value"].fillna(grid["computed_base"])
    target = grid["base_value"] * (1 + grid["change_pct"] / 100)
    grid["target_value"] = grid["target_value"].fillna(target)
    span = (grid["target_year"] - grid["base_year"]).astype(float)
    elapsed = np.minimum(grid["year"].astype(float), grid["target_year"]) - grid["base_year"]
    grid["path_value"] = (grid["base_value"] + (grid["target_value"] - grid["base_value"]) * elapsed / span
                          ).astype(float)
    sign = np.where(grid["direction"] == "down", 1.0, -1.0)
    value, target, path = grid["value"] * sign, grid["target_value"] * sign, grid["path_value"] * sign
    tol = _REL * np.maximum(np.abs(grid["target_value"]).fillna(0), 1.0)
    reached = value <= target + tol
    year = grid["year"].astype(float)
    no_base = grid["base_value"].isna() | grid["target_value"].isna()
    before_base = year < grid["base_year"]
    reason = grid["reason"].where(grid["reason"] != "",
                                  np.where(no_base, TARGET_REASONS["no_base_value"], np.where(
                                      before_base, TARGET_REASONS["before_base_year"], "")))
    # A stated target value reached is met even without a base value (the path needs one).
    reached_stated = reached & (reason == TARGET_REASONS["no_base_value"]) & grid["value"].notna()
    status = np.select(
        [reason == TARGET_REASONS["before_base_year"], reached_stated, reason != "", reached,
         year >= grid["target_year"], value <= path + tol],
        ["", "met", "no_data", "met", "missed", "on_track"], default="off_track")
    grid["status"], grid["reason"] = status, reason
    grid.loc[grid["status"] == "", "path_value"] = np.nan
    out = grid.sort_values(["_order", "region", "year"], kind="stable").reset_index(drop=True)
    out["year"] = out["year"].astype("Int64")
    return out[TARGET_COLUMNS + EXTRA_COLUMNS]
