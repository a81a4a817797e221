"""Every figure the outputs show, computed once from the finished emissions (DESIGN 4, STYLE 12).

`compute` returns the named tables that the build result carries (`BuildResult.figures`);
the workbook, the report and the CSVs select, format and translate them and never
recompute them, so two outputs cannot disagree. The tables hold ids (sectors,
categories, substances, row types), never display labels; amounts are in t (greenhouse
gases summed as t CO2e), percentages in %:

- `sector_gas`: t CO2e by region-year × sector × gas, with gross, sink, net and memo rows.
- `pollutants`: air pollutants (t) by region-year × sector, with a total row.
- `sector_trees`: each sector's categories, each with the sum over its descendants.
- `energy`: gross energy emissions by level-3 category × fuel group × substance.
- `energy_shares`: each sub-sector's and fuel group's total of a substance and its share (%).
- `region_comparison`: each prefecture beside its province; their difference and its %.
- `indicators`: each region-year's intensities, per-capita figures and shares (data/intensities.csv), each
  level and its year-on-year change, or `no_data` naming the missing statistic: the one definition that the
  series, the report, the workbook and targets.csv read.
- `series`: each region's totals per year by sector and substance, and its intensities (from `indicators`).
- `series_change`: each series' change from the first to the last year (%).
- `series_gaps`: each region-year lacking a sector the region has in another year (an incomplete year).
- `series_index`: each substance's emission as an index (the region's first year = 100).
- `map_values`: the series the maps show (data/maps/items.csv), each with its year-on-year change (%).
- `uncertainty_half_width`: half the 95 % interval in % of the estimate.
- `control_penetration`: the share of each combustion key's activity behind each control technology, per
  control group, with how the share was found (sourced, interpolated, carried forward; DESIGN 3.4).
- `plant_coverage`: per region, year, category, activity and substance with plant data (IPCC Tier 3), the
  share of the activity and of the emission the named plants' reported rows cover (%), and whether
  confidential plants are folded into the rest (their share shown as `C`, never a number).
- `official`: the official pollutant totals and ours over 1.A, 1.B and 2 by region, substance and year
  (check `external_official`), one row per side (`ours`, `official`), in t.
- `official_structure`: a published official inventory's sector structure (data/official_inventories.csv,
  Hunan 2005) beside the build's own sectors of every year, for plausibility: never an input.
- `key_figures`: the few figures a summary page leads with, per region-year (see `key_figures`).

Differences and changes are `qa.grading.relative_difference`, the one definition of the
checks: (value − reference) / |reference|, none for a zero reference.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from inventory import categories, memory, regions, resources, units, vocabulary
from inventory.grouped import _code_type, coded, combine, split_key
from inventory.lookup import map_distinct
from inventory.qa.grading import difference_pct

REGION_KEYS = ["region", "region_name", "year"]
FUEL_GROUPS = ["solid", "liquid", "gas", "other"]
_FUEL_RANK = {g: i for i, g in enumerate(FUEL_GROUPS)}
SERIES_COLUMNS = ["region", "group", "item", "unit", "year", "value"]
_TOTAL_KEYS = [*REGION_KEYS, "sector", "kind", "basis", "substance", "substance_kind"]
KEY_FIGURE_COLUMNS = [*REGION_KEYS, "item", "rank", "detail", "value", "unit", "share_pct", "previous_year",
                      "change_pct"]
TOP_SOURCES = 5  # the largest sources a summary page lists
_ROW_RANK = {"sector": 0, "gross": 1, "sink": 2, "net": 3, "memo": 4}
_COMPARISON_RANK = {"prefecture": 0, "prefecture_sum": 1, "province_own": 2, "province_aggregated": 3,
                    "province_total": 4, "difference": 5, "difference_pct": 6}


def compute(emissions: pd.DataFrame, statistics: pd.DataFrame | None = None,
            analysis: dict[str, pd.DataFrame] | None = None,
            qa_tables: dict[str, pd.DataFrame] | None = None,
            indicator_table: pd.DataFrame | None = None,
            factor_table: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The figure tables of a build (see the module docstring), from its emissions (EMISSION_COLUMNS +
    sector, substance_kind), its statistics (region, year, activity, amount in canonical units), its
    analysis tables, the checks' explanation tables, its `indicators` table when the build computed it
    already (for targets.csv) and its factor table (the control penetration it used; None: the shipped one)."""
    # Every function below masks and groups the emissions by their columns' integer codes (inventory.grouped),
    # coded once for all of them (and for the analyses); the totals by region-year, sector and gas once for three.
    energy_table = energy(emissions)
    memory.give_back()  # the largest figures' freed temporaries returned before the next one (issue 14)
    table = indicators(emissions, statistics) if indicator_table is None else indicator_table
    long = series(emissions, table)
    totals = _totals(emissions)
    trees = sector_trees(emissions)
    memory.give_back()
    makers = {
        "sector_gas": lambda: sector_gas(emissions, totals),
        "pollutants": lambda: pollutants(emissions, totals),
        "sector_trees": lambda: trees,
        "energy": lambda: energy_table,
        "energy_shares": lambda: energy_shares(energy_table),
        "region_comparison": lambda: region_comparison(emissions, totals),
        "indicators": lambda: table,
        "series": lambda: long,
        "series_change": lambda: series_change(long),
        "series_gaps": lambda: series_gaps(long),
        "series_index": lambda: series_index(long),
        "map_values": lambda: map_values(long),
        "uncertainty_half_width": lambda: uncertainty_half_width((analysis or {}).get("uncertainty")),
        "official": lambda: official((qa_tables or {}).get("official")),
        "control_penetration": lambda: control_penetration(emissions, factor_table),
        "plant_coverage": lambda: plant_coverage(emissions),
        "official_structure": lambda: official_structure(emissions),
        "key_figures": lambda: key_figures(emissions, long),
    }
    out = {}
    for name, make in makers.items():
        out[name] = make()
        memory.give_back()  # each figure's freed temporaries returned before the next one (issue 14)
    return out


PENETRATION_COLUMNS = ["region", "year", "category", "activity", "control_group", "technology", "share",
                       "derivation", "penetration_ids"]


def control_penetration(emissions: pd.DataFrame, factor_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each key's control split (factors.penetration.shares) for the keys whose emissions used a
    penetration row (their factor ids name one), share as a fraction; the penetration rows of
    `factor_table` (shipped and user directories'), the shipped table when None."""
    from inventory.factors import penetration

    if emissions.empty or "factor_ids" not in emissions:
        return pd.DataFrame(columns=PENETRATION_COLUMNS)
    table = penetration.shipped() if factor_table is None else penetration.from_table(factor_table)
    ids = set(table["penetration_id"])
    used = coded(emissions).flags("factor_ids", lambda t: any(i in ids for i in str(t or "").split(";")))
    keys = emissions.loc[used, ["region", "year", "category", "activity"]].drop_duplicates().reset_index(drop=True)
    if keys.empty:
        return pd.DataFrame(columns=PENETRATION_COLUMNS)
    keys["key_id"] = keys.index
    split = penetration.shares(keys, table).merge(keys, on="key_id")
    return split.sort_values(["region", "year", "category", "activity", "control_group", "technology"],
                             kind="stable")[PENETRATION_COLUMNS].reset_index(drop=True)


PLANT_COVERAGE_COLUMNS = ["region", "year", "category", "activity", "substance", "plant_activity", "activity_total",
                          "activity_unit", "activity_share_pct", "plant_emission", "emission_total",
                          "emission_share_pct", "plants", "confidential"]


def plant_coverage(emissions: pd.DataFrame) -> pd.DataFrame:
    """The share of each key covered by plant data (DESIGN 3.3 "Facility rows"): the named plants' rows (tier
    T3) against the key's whole, their own rows plus the region's factor-based rest (same region, year, activity
    and substance at the plants' category or an ancestor, memo items left out). activity_share_pct =
    100 × a / A and emission_share_pct = 100 × E / ((A − a) × F + E), a and E the named plants' amount and
    reported emission, A the region's activity (methods.tier3); `plants` counts the named plants, `confidential`
    is True where confidential plants are folded into the rest (factor id `facility:C`): their share is never
    shown as a number. `category` is the region row's (the key's) category. Amounts are the rows' reported
    amounts (canonical unit of the quantity given, `activity_unit`), the basis methods.tier3 splits on: the
    computed activity of a combustion row is in TJ, a plant's in its own unit."""
    from inventory.methods.tier3 import CONFIDENTIAL_ID, FACILITY_ID

    need = {"tier", "factor_ids", "reported_amount"}
    if emissions.empty or not need <= set(emissions):
        return pd.DataFrame(columns=PLANT_COVERAGE_COLUMNS)
    c = coded(emissions)
    kept = ~c.eq("kind", "memo") if "kind" in emissions else np.ones(c.n, dtype=bool)
    plant_rows = c.eq("tier", "T3") | c.flags("factor_ids", lambda t: CONFIDENTIAL_ID in str(t or "").split(";"))
    if not (kept & plant_rows).any():  # no plant data: nothing to cover (without masking the whole table)
        return pd.DataFrame(columns=PLANT_COVERAGE_COLUMNS)
    e = emissions[kept]
    own = e["tier"].eq("T3")
    ids = e["factor_ids"].fillna("").astype(str)
    hidden = map_distinct(ids, lambda t: CONFIDENTIAL_ID in t.split(";")).astype(bool) & ~own
    if not own.any() and not hidden.any():
        return pd.DataFrame(columns=PLANT_COVERAGE_COLUMNS)
    keys = ["region", "year", "activity", "substance", "reported_unit"]  # amounts compared in one unit
    e = e.assign(reported_unit=e["reported_unit"].fillna(""))
    plants = e[own]
    anc = pd.DataFrame([(c, a) for c in plants["category"].unique() for a in categories.ancestors(c)],
                       columns=["plant_category", "category"])
    rest = e[~own]
    # The rest rows each plant row draws on (nearest ancestor with a row), and the confidential-only keys.
    matched = plants.rename(columns={"category": "plant_category"}).merge(anc, on="plant_category").merge(
        rest[[*keys, "category"]].drop_duplicates(), on=[*keys, "category"])
    depth = matched["category"].str.count(r"\.")
    matched = matched.assign(_d=depth).sort_values("_d", ascending=False, kind="stable").drop_duplicates(
        [*keys, "plant_category"])
    named = matched.groupby([*keys, "category"]).agg(
        plant_activity=("reported_amount", "sum"), plant_emission=("emission", "sum"),
        plants=("factor_ids", lambda f: len({x for t in f for x in str(t).split(";") if x.startswith(FACILITY_ID)})))
    key_index = pd.concat([named.index.to_frame(index=False),
                           rest.loc[hidden[~own], [*keys, "category"]]]).drop_duplicates()
    r = rest.merge(key_index, on=[*keys, "category"])
    whole = r.groupby([*keys, "category"]).agg(
        rest_activity=("reported_amount", "sum"), rest_emission=("emission", "sum"),
        confidential=("factor_ids", lambda f: any(CONFIDENTIAL_ID in str(t).split(";") for t in f)))
    out = whole.join(named, how="left").fillna({"plant_activity": 0.0, "plant_emission": 0.0, "plants": 0})
    out["activity_total"] = out["rest_activity"] + out["plant_activity"]
    out["emission_total"] = out["rest_emission"] + out["plant_emission"]
    out["activity_share_pct"] = _share_pct(out["plant_activity"], out["activity_total"])
    out["emission_share_pct"] = _share_pct(out["plant_emission"], out["emission_total"])
    out["plants"] = out["plants"].astype(int)
    out = out.reset_index().rename(columns={"reported_unit": "activity_unit"})
    return out.sort_values(["region", "year", "category", "activity", "substance"], kind="stable")[
        PLANT_COVERAGE_COLUMNS].reset_index(drop=True)


def _share_pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    """100 × part / whole (%), NaN where the whole is 0."""
    return 100.0 * part / whole.where(whole != 0)


OFFICIAL_TOTAL_COLUMNS = ["region", "year", "substance", "compared_with", "side", "value"]


def official(table: pd.DataFrame | None) -> pd.DataFrame:
    """Ours and the official total per region, official substance and year (t), long: one row per side
    (`ours`, `official`), from the external_official check's table (qa/official.py)."""
    if table is None or table.empty:
        return pd.DataFrame(columns=OFFICIAL_TOTAL_COLUMNS)
    long = table.melt(id_vars=["region", "year", "substance", "compared_with"], value_vars=["ours_t", "official_t"],
                      var_name="side", value_name="value")
    long["side"] = long["side"].map({"ours_t": "ours", "official_t": "official"})
    return long.sort_values(["region", "substance", "year", "side"], ascending=[True, True, True, False],
                            kind="stable")[OFFICIAL_TOTAL_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- vocabulary order

@cache
def _orders() -> dict[str, dict[str, int]]:
    """Position of each substance (substances.csv `order`), sector (sectors.csv `order`) and category
    (row of categories.csv)."""
    subs = vocabulary.substances()
    sectors = resources.data_table("sectors.csv")
    cats = resources.data_table("categories.csv")
    return {"substance": dict(zip(subs["id"], subs["order"].astype(int))),
            "sector": dict(zip(sectors["sector"], sectors["order"].astype(int))),
            "category": {c: i for i, c in enumerate(cats["code"])}}


def ordered_substances(ids) -> list[str]:
    """Substance ids in the order of substances.csv (unknown ones last, by name)."""
    order = _orders()["substance"]
    distinct = pd.unique(pd.Series(ids)) if isinstance(ids, (pd.Series, pd.Index, np.ndarray)) else ids
    return sorted(set(distinct), key=lambda s: (order.get(s, 10_000), s))


def _rank(values: pd.Series, order: dict, unknown: int) -> pd.Series:
    """Each value's position in `order` (`unknown` when not listed): `values.map(order).fillna(unknown)`, looked up
    once per distinct value."""
    if values.empty:
        return values.map(order).fillna(unknown)
    codes, uniques = pd.factorize(values)
    ranks = np.array([order.get(u, np.nan) for u in uniques] + [np.nan], dtype=float)[codes]
    found = ~np.isnan(ranks)
    out = ranks.astype(np.int64) if found.all() else np.where(found, ranks, unknown)
    return pd.Series(out, index=values.index, name=values.name)


def _sorted(frame: pd.DataFrame, keys: list) -> pd.DataFrame:
    """`frame` sorted by `keys`: column names or Series aligned with it; a fresh index."""
    columns = {f"_k{i}": frame[k] if isinstance(k, str) else k for i, k in enumerate(keys)}
    order = pd.DataFrame(columns, index=frame.index).sort_values(list(columns), kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def level3_category(code: str) -> str:
    """The level-3 ancestor of a category (1.A.1.a.i -> 1.A.1); codes of level 3 or above stay themselves.

    Follows the parents of categories.csv; a code not listed there is cut to its first three parts.
    """
    parents = categories.table()["parent"]
    seen = set()
    while code.count(".") > 2 and code in parents.index and code not in seen:
        seen.add(code)
        code = parents[code] or code
    return ".".join(code.split(".")[:3])


@cache
def fuel_groups() -> dict[str, str]:
    """Activity id -> fuel group (solid, liquid, gas, other) from activities.csv; non-fuels are 'other'."""
    acts = vocabulary.activities()
    return {a: g if g in FUEL_GROUPS else "other" for a, g in zip(acts["id"], acts["fuel_group"])}


# ---------------------------------------------------------------- sums

def _totals(emissions: pd.DataFrame) -> pd.DataFrame:
    """emission (t) and co2e_t (t CO2e) summed by region-year, sector, kind, basis and substance (all
    missing: NaN); missing keys as ""."""
    text = [k for k in _TOTAL_KEYS if k != "year"]
    if set(_TOTAL_KEYS) <= set(emissions) and len(emissions):
        return coded(emissions).group_sum(_TOTAL_KEYS, ["emission", "co2e_t"], sort=False, min_count=1,
                                          fill=dict.fromkeys(text, ""))
    keyed = emissions.reindex(columns=[*_TOTAL_KEYS, "emission", "co2e_t"])
    keyed[text] = keyed[text].fillna("")
    return keyed.groupby(_TOTAL_KEYS, sort=False)[["emission", "co2e_t"]].sum(min_count=1).reset_index()


def _wide(rows: pd.DataFrame, index: list[str], value: str, columns: list[str],
          column: str = "substance") -> pd.DataFrame:
    """`value` of `rows` summed by `index` and `column` (all missing: NaN), one column per value of
    `column`, in `columns` order."""
    if rows.empty:
        return pd.DataFrame(columns=[*index, *columns])
    sums = rows.groupby([*index, column], sort=False)[value].sum(min_count=1)
    return sums.unstack(column).reindex(columns=columns).rename_axis(columns=None).reset_index()


# ---------------------------------------------------------------- tables

def sector_gas(emissions: pd.DataFrame, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """t CO2e by region-year × sector × gas, with the gross total, sinks, net total and memo items.

    Columns: region, region_name, year, row_type (sector, gross, sink, net, memo), sector
    ("" on total rows), one column per gas present, total (over the gases). The gross total
    holds kind `emission` only; sinks and memo items are rows of their own; the net row
    (gross + sinks) is given for the region-years that have sinks. totals: `_totals(emissions)` when computed.
    """
    t = _totals(emissions) if totals is None else totals
    g = t[t["substance_kind"] == "ghg"]
    emission = g["kind"] == "emission"
    sink_years = g.loc[g["kind"] == "sink", ["region", "year"]].drop_duplicates()
    net = g[g["kind"].isin(["emission", "sink"])].merge(sink_years, on=["region", "year"])
    sinks = g[g["kind"] == "sink"]
    rows = pd.concat([g[emission].assign(row_type="sector"), g[emission].assign(row_type="gross", sector=""),
                      sinks.assign(row_type="sink", sector=""), _memo_items(emissions),
                      net.assign(row_type="net", sector="")], ignore_index=True)
    gases = ordered_substances(rows.loc[rows["co2e_t"].notna(), "substance"])
    wide = _wide(rows, [*REGION_KEYS, "row_type", "sector"], "co2e_t", gases)
    wide["total"] = wide[gases].sum(axis=1, min_count=1) if gases else np.nan
    return _sorted(wide, ["region", "year", wide["row_type"].map(_ROW_RANK),
                          _rank(wide["sector"], _orders()["sector"], 0), "sector"])


def _memo_items(emissions: pd.DataFrame) -> pd.DataFrame:
    """Greenhouse-gas memo rows summed per memo item (column `sector` holds the item, see memo_item):
    the items overlap (electricity used and brought in), so each is a row of its own, never added up."""
    keys = [*REGION_KEYS, "row_type", "sector", "substance"]
    if len(emissions) and {*REGION_KEYS, "kind", "substance_kind", "category", "substance", "co2e_t"} <= set(emissions):
        c = coded(emissions)
        mask = c.eq("kind", "memo") & c.eq("substance_kind", "ghg")
        if mask.any():
            item = ("sector", *c.derived("category", lambda v: memo_item(str(v)), sort=False))
            codes = np.zeros(c.n, dtype=np.int32)
            row_type = ("row_type", codes, pd.Index(["memo"], dtype=object))
            out = c.group_sum(["region", "region_name", "year", row_type, item, "substance"], ["co2e_t"], mask,
                              sort=False, min_count=1)
            return out
    memo = emissions[(emissions["kind"] == "memo") & (emissions["substance_kind"] == "ghg")]
    memo = memo.assign(sector=map_distinct(memo["category"].astype(str), memo_item), row_type="memo")
    return memo.groupby(keys, sort=False)[["co2e_t"]].sum(
        min_count=1).reset_index()


def memo_item(category: str) -> str:
    """The memo item of a memo row: the highest memo-role category of its chain (`M.EL.use.1.A.2` ->
    `M.EL.use`; `1.A.3.a.i` itself), or `biogenic` for the memo row of an emission category (biogenic CO2)."""
    role = categories.table()["role"]
    top = ""
    for code in [category, *categories.ancestors(category)]:
        if role.get(code) == "memo":
            top = code
    return top or "biogenic"


def pollutants(emissions: pd.DataFrame, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Air pollutants in t by region-year × sector (memo items left out), with a total row.

    Columns: region, region_name, year, row_type (sector, total), sector ("" on the total
    row), one column per pollutant present. totals: `_totals(emissions)` when computed.
    """
    t = _totals(emissions) if totals is None else totals
    p = t[(t["substance_kind"] == "pollutant") & (t["kind"] == "emission")]
    rows = pd.concat([p.assign(row_type="sector"), p.assign(row_type="total", sector="")], ignore_index=True)
    names = ordered_substances(rows.loc[rows["emission"].notna(), "substance"])
    wide = _wide(rows, [*REGION_KEYS, "row_type", "sector"], "emission", names)
    return _sorted(wide, ["region", "year", wide["row_type"] == "total",
                          _rank(wide["sector"], _orders()["sector"], 0), "sector"])


@cache
def _in_sector_chain(code: str) -> tuple[str, ...]:
    """The category and its ancestors of the same sector, nearest first."""
    cats = categories.table()
    sector = cats["sector"].get(code, "")
    return tuple(c for c in categories.ancestors(code) if c in cats.index and cats.at[c, "sector"] == sector) or (code,)


def sector_trees(emissions: pd.DataFrame) -> pd.DataFrame:
    """Each sector's categories in the guideline's layout, each with the sum over its descendants.

    Columns: region, region_name, year, sector, category, depth (0 = the sector's top),
    memo (a memo category), then one column per greenhouse gas (t), co2e_t (t CO2e), one
    column per pollutant (t). Memo items count only at their own category and its memo
    ancestors, never in an emission category's sum, and biogenic CO2 of an emission category (the summary's memo row) not
    at all; sinks count (negative). A sector's columns are those with a value in its rows.
    """
    cats = categories.table()
    keys = [*REGION_KEYS, "sector", "category", "kind", "substance"]
    if len(emissions):
        c = coded(emissions)
        role = cats["role"].to_dict()
        biogenic = c.eq("kind", "memo") & c.flags("category", lambda v: role.get(v) != "memo")
        mask = ~c.isin("sector", [""]) & (c.code("sector")[0] >= 0) & ~biogenic
        if mask.any():
            return _coded_trees(c, keys, mask)
        sums = c.group_sum(keys, ["emission", "co2e_t"], mask, sort=False, min_count=1, fill={"region_name": ""})
    else:
        e = emissions[emissions["sector"].fillna("") != ""].fillna({"region_name": ""})
        biogenic = (e["kind"] == "memo") & (e["category"].map(cats["role"]) != "memo")
        e = e[~biogenic]
        sums = e.groupby(keys, sort=False)[["emission", "co2e_t"]].sum(min_count=1).reset_index()
    # Each sum counts at its category and the category's ancestors in the sector; a memo item only at its own
    # category and its memo ancestors (M.EL.use sums its consumers), never in an emission category's sum.
    nodes = sums.assign(node=map_distinct(sums["category"], lambda c: list(_in_sector_chain(c)))).explode("node")
    nodes = nodes[(nodes["kind"] != "memo") | nodes["node"].map(cats["role"]).eq("memo")]
    index = [*REGION_KEYS, "sector", "node"]
    subs = ordered_substances(nodes["substance"])
    ghg = set(vocabulary.greenhouse_gases())
    ghgs, pols = [s for s in subs if s in ghg], [s for s in subs if s not in ghg]
    wide = _wide(nodes, index, "emission", ghgs + pols)
    if len(wide):
        co2e = nodes.groupby(index, sort=False)["co2e_t"].sum(min_count=1)
        wide["co2e_t"] = co2e.reindex(pd.MultiIndex.from_frame(wide[index])).to_numpy()
    else:
        wide["co2e_t"] = pd.Series(dtype=float)
    wide = wide.rename(columns={"node": "category"})
    wide["depth"] = wide["category"].map(lambda c: len(_in_sector_chain(c)) - 1)
    wide["memo"] = wide["category"].map(cats["role"]).eq("memo")
    wide = _sorted(wide, ["region", "year", _rank(wide["sector"], _orders()["sector"], 0),
                          _rank(wide["category"], _orders()["category"], len(cats)), "category"])
    return wide[[*REGION_KEYS, "sector", "category", "depth", "memo", *ghgs, "co2e_t", *pols]]


def _coded_trees(c, keys: list[str], mask: np.ndarray) -> pd.DataFrame:
    """sector_trees() over the coded emissions (inventory.grouped): the sums of the rows of `mask` by `keys`,
    each counted at its category's chain (node) and summed by node, all on integer codes; the same groups,
    rows and order of addition as the frame-based steps, so the same sums."""
    cats = categories.table()
    role = cats["role"].to_dict()
    groups, sums = c.group_sum(keys, ["emission", "co2e_t"], mask, sort=False, min_count=1,
                               fill={"region_name": ""}, decode=False)
    category, category_texts = groups["category"]
    chains = [_in_sector_chain(x) for x in category_texts]
    nodes = pd.Index(list(dict.fromkeys(n for chain in chains for n in chain)), dtype=object)
    lengths = np.array([len(chain) for chain in chains])
    flat = np.concatenate([nodes.get_indexer(list(chain)) for chain in chains])
    first_node = np.cumsum(lengths) - lengths
    kind, kind_texts = groups["kind"]
    memo_kind = np.asarray(kind_texts == "memo", dtype=bool)
    memo_node = np.array([role.get(n) == "memo" for n in nodes], dtype=bool)
    index = ["region", "region_name", "year", "sector"]
    radix = [len(groups[k][1]) + 1 for k in index] + [len(nodes) + 1]
    substance, substance_texts = groups["substance"]
    group_key = combine([groups[k][0] for k in index], radix[:-1])
    present = np.zeros(len(sums), dtype=bool)
    emissions_by, co2es = [], []
    for g0, g1 in _group_ranges(groups["region"][0]):  # whole regions at a time: every node's rows in one range
        per_row = lengths[category[g0:g1]]
        row = np.repeat(np.arange(g0, g1, dtype=_row_type(len(sums))), per_row)  # the explode: each sum once per
        # node of its chain
        within = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        node = flat[first_node[category[row]] + within]
        del within, per_row  # arrays over every exploded row, freed as soon as done with (issue 14)
        keep = ~memo_kind[kind[row]] | memo_node[node]
        row, node = row[keep], node[keep]
        del keep
        present[row] = True
        # combine(parts of every exploded row, radix): the groups' key once per group, then per row with its node
        node_key = group_key[row]
        node_key *= radix[-1]
        node_key += node
        del node
        # _wide: emission by node and substance (then one column per substance), co2e_t by node
        by_node_sub = node_key * (len(substance_texts) + 1)
        by_node_sub += substance[row]
        emissions_by.append(pd.Series(sums["emission"].to_numpy()[row]).groupby(by_node_sub, sort=False)
                            .sum(min_count=1))
        del by_node_sub
        co2es.append(pd.Series(sums["co2e_t"].to_numpy()[row]).groupby(node_key, sort=False).sum(min_count=1))
        del row, node_key
    del group_key
    emission = pd.concat(emissions_by) if len(emissions_by) > 1 else emissions_by[0]
    co2e = pd.concat(co2es) if len(co2es) > 1 else co2es[0]
    del emissions_by, co2es
    subs = ordered_substances(substance_texts.take(np.unique(substance[present])))
    ghg = set(vocabulary.greenhouse_gases())
    ghgs, pols = [s for s in subs if s in ghg], [s for s in subs if s not in ghg]
    place = np.full(len(substance_texts), -1)
    place[substance_texts.get_indexer(ghgs + pols)] = np.arange(len(subs))
    combos = np.sort(co2e.index.to_numpy(dtype=np.int64))
    cell_node, cell_sub = np.divmod(emission.index.to_numpy(dtype=np.int64), len(substance_texts) + 1)
    values = np.full((len(combos), len(subs)), np.nan)
    values[np.searchsorted(combos, cell_node), place[cell_sub]] = emission.to_numpy()
    decoded = split_key(combos, radix)
    wide = pd.DataFrame({k: groups[k][1].take(p).array for k, p in zip(index, decoded)})
    wide["category"] = nodes.take(decoded[-1]).to_numpy()
    for i, s in enumerate(ghgs + pols):
        wide[s] = values[:, i]
    wide["co2e_t"] = co2e.reindex(combos).to_numpy()
    wide["depth"] = wide["category"].map(lambda x: len(_in_sector_chain(x)) - 1)
    wide["memo"] = wide["category"].map(cats["role"]).eq("memo")
    wide = _sorted(wide, ["region", "year", _rank(wide["sector"], _orders()["sector"], 0),
                          _rank(wide["category"], _orders()["category"], len(cats)), "category"])
    return wide[[*REGION_KEYS, "sector", "category", "depth", "memo", *ghgs, "co2e_t", *pols]]


TREE_GROUPS = 1_500_000  # sector_trees' group sums exploded at a time (whole regions)


def _group_ranges(region: np.ndarray) -> list[tuple[int, int]]:
    """Ranges [g0, g1) of about TREE_GROUPS groups each, cut where the groups' region code changes; one range
    when a region's groups are not contiguous (a node's rows must lie in one range)."""
    n = len(region)
    if n <= TREE_GROUPS:
        return [(0, n)]
    starts = np.r_[0, np.flatnonzero(region[1:] != region[:-1]) + 1]
    if len(starts) != len(np.unique(region)):
        return [(0, n)]
    cuts = starts[np.searchsorted(starts, np.arange(TREE_GROUPS, n, TREE_GROUPS)).clip(max=len(starts) - 1)]
    bounds = np.unique(np.r_[0, cuts, n])
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))


def _row_type(count: int) -> type:
    """int32 for positions below 2**31 (half the memory of an exploded row's position), else int64."""
    return np.int32 if count < 2**31 - 1 else np.int64


def energy(emissions: pd.DataFrame) -> pd.DataFrame:
    """Gross energy emissions by region-year × level-3 category (1.A.1 ...) × fuel group × substance.

    Columns: region, region_name, year, category (level 3), fuel_group (solid, liquid, gas,
    other: activities.csv), substance (`CO2e` for the greenhouse gases together, else the
    pollutant), value (t CO2e for CO2e, t for pollutants). Memo items and sinks are left out.
    """
    keys = [*REGION_KEYS, "category", "fuel_group", "substance"]
    if len(emissions):
        out = _energy_sums(coded(emissions), keys)
    else:
        e = emissions[(emissions["sector"] == "energy") & (emissions["kind"] == "emission")].fillna(
            {"region_name": ""})
        ghg = e["substance_kind"] == "ghg"
        rows = e[REGION_KEYS].assign(
            category=map_distinct(e["category"].astype(str), level3_category),
            fuel_group=e["activity"].map(fuel_groups()).fillna("other"),
            substance=e["substance"].where(~ghg, "CO2e"), value=e["emission"].where(~ghg, e["co2e_t"]))
        rows = rows.dropna(subset=["value"])
        out = rows.groupby(keys, sort=False)["value"].sum().reset_index()
    order = _orders()
    return _sorted(out, ["region", "year", _rank(out["category"], order["category"], len(order["category"])),
                         "category", _rank(out["fuel_group"], _FUEL_RANK, len(FUEL_GROUPS)),
                         _rank(out["substance"], {"CO2e": 0, **order["substance"]}, 10_000), "substance"])


def _energy_sums(c, keys: list[str]) -> pd.DataFrame:
    """energy()'s sums by region-year, level-3 category, fuel group and substance (CO2e for the greenhouse
    gases together), over the coded emissions."""
    ghg = c.eq("substance_kind", "ghg")
    value = np.where(ghg, c.number("co2e_t"), c.number("emission"))
    mask = c.eq("sector", "energy") & c.eq("kind", "emission") & ~np.isnan(value)
    category = ("category", *c.derived("category", lambda v: level3_category(str(v)), sort=False))
    groups = fuel_groups()
    fuel_codes, activities = c.code("activity")
    fuel_texts = [groups.get(a, "other") for a in activities]
    fuel_uniques = pd.Index(list(dict.fromkeys([*fuel_texts, "other"])), dtype="str")
    fuel = ("fuel_group", np.append(fuel_uniques.get_indexer(fuel_texts), fuel_uniques.get_loc("other"))
            .astype(_code_type(len(fuel_uniques)))[fuel_codes], fuel_uniques)  # a byte a row (issue 14)
    sub_codes, subs = c.code("substance")
    sub_uniques = subs.append(pd.Index(["CO2e"], dtype=subs.dtype))
    substance = ("substance", np.where(ghg, len(subs), sub_codes).astype(_code_type(len(sub_uniques))), sub_uniques)
    return c.group_sum(["region", "region_name", "year", category, fuel, substance], {"value": value}, mask,
                       sort=False, fill={"region_name": ""})


def energy_shares(energy_table: pd.DataFrame) -> pd.DataFrame:
    """Each sub-sector's and each fuel group's total of a substance and its share, per region-year.

    Columns: region, region_name, year, substance, by (`category` or `fuel_group`), key (the
    level-3 category or the fuel group), value (t CO2e or t; empty for a sub-sector without
    the substance), share_pct (value as % of the sum over the sub-sectors or fuel groups,
    negative values and missing ones counted as 0; 0 when that sum is 0). Every sub-sector of
    the region-year and every fuel group has a row for every substance of the region-year.
    """
    columns = [*REGION_KEYS, "substance", "by", "key", "value", "share_pct"]
    if energy_table.empty:
        return pd.DataFrame(columns=columns)
    t = energy_table
    present = t[[*REGION_KEYS, "substance"]].drop_duplicates()
    cats = t[[*REGION_KEYS, "category"]].drop_duplicates().merge(present, on=REGION_KEYS)
    fuels = present.merge(pd.DataFrame({"fuel_group": FUEL_GROUPS}), how="cross")
    by_cat = t.groupby([*REGION_KEYS, "substance", "category"], sort=False)["value"].sum()
    by_fuel = t.groupby([*REGION_KEYS, "substance", "fuel_group"], sort=False)["value"].sum()
    cats["value"] = by_cat.reindex(pd.MultiIndex.from_frame(cats[by_cat.index.names])).to_numpy()
    fuels["value"] = by_fuel.reindex(pd.MultiIndex.from_frame(fuels[by_fuel.index.names])).fillna(0.0).to_numpy()
    out = pd.concat([cats.rename(columns={"category": "key"}).assign(by="category"),
                     fuels.rename(columns={"fuel_group": "key"}).assign(by="fuel_group")], ignore_index=True)
    counted = out["value"].fillna(0.0).clip(lower=0.0)
    whole = counted.groupby([out[k] for k in ["region", "year", "substance", "by"]]).transform("sum")
    out["share_pct"] = (counted / whole.where(whole > 0) * 100).fillna(0.0)
    order = _orders()
    key_rank = np.where(out["by"] == "category", _rank(out["key"], order["category"], len(order["category"])),
                        _rank(out["key"], {g: i for i, g in enumerate(FUEL_GROUPS)}, len(FUEL_GROUPS)))
    out = _sorted(out, ["region", "year", _rank(out["substance"], {"CO2e": 0, **order["substance"]}, 10_000),
                        "substance", "by", pd.Series(key_rank, index=out.index), "key"])
    return out[columns]


def region_comparison(emissions: pd.DataFrame, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each prefecture beside its province: gross emission in t per substance, CO2e in t CO2e.

    Rows per province and year: one per prefecture (region, region_name), the prefectures'
    sum, the province's own-basis and aggregated-basis parts, the province total, their
    difference (province total − prefecture sum, t) and that difference in % of the sum,
    (total − sum) / |sum| × 100 (qa.grading: none for a zero sum). Columns: province, year,
    row_type, region, region_name ("" except on prefecture rows), the substances, CO2e. totals:
    `_totals(emissions)` when computed.
    """
    t = _totals(emissions) if totals is None else totals
    t = t[t["kind"] == "emission"]
    table = regions.table()
    level = t["region"].map(table["level"])
    province = t["region"].where(level == "province", t["region"].map(table["parent"]))
    t = t.assign(province=province)[province.map(table["level"]).eq("province").to_numpy()]
    ghg = t[t["substance_kind"] == "ghg"]
    values = pd.concat([t.assign(column=t["substance"], value=t["emission"]),
                        ghg.assign(column="CO2e", value=ghg["co2e_t"])], ignore_index=True)
    own = values["region"] == values["province"]
    blank = {"region": "", "region_name": ""}
    rows = pd.concat([values[~own].assign(row_type="prefecture"),
                      values[~own].assign(row_type="prefecture_sum", **blank),
                      values[own & (values["basis"] == "own")].assign(row_type="province_own", **blank),
                      values[own & (values["basis"] == "aggregated")].assign(row_type="province_aggregated", **blank),
                      values[own].assign(row_type="province_total", **blank)], ignore_index=True)
    subs = ordered_substances(rows.loc[rows["value"].notna(), "column"]) if len(rows) else []
    subs = [s for s in subs if s != "CO2e"] + ["CO2e"]
    index = ["province", "year", "row_type", "region", "region_name"]
    wide = _wide(rows, index, "value", subs, column="column")
    if wide.empty:
        return pd.DataFrame(columns=index)
    pair = ["province", "year"]
    total = wide[wide["row_type"] == "province_total"].set_index(pair)[subs]
    summed = wide[wide["row_type"] == "prefecture_sum"].set_index(pair)[subs]
    total, summed = total.align(summed, join="inner")
    either = total.notna() | summed.notna()
    diff = (total.fillna(0.0) - summed.fillna(0.0)).where(either)
    pct = pd.DataFrame({s: difference_pct(total[s].fillna(0.0), summed[s]) for s in subs}, index=total.index)
    extra = [frame.where(either).reset_index().assign(row_type=row_type, **blank)
             for frame, row_type in ((diff, "difference"), (pct, "difference_pct"))]
    wide = pd.concat([wide, *extra], ignore_index=True)
    return _sorted(wide, ["province", "year", wide["row_type"].map(_COMPARISON_RANK), "region"])[[*index, *subs]]


# ---------------------------------------------------------------- series

INDICATOR_COLUMNS = ["region", "year", "item", "measure", "numerator", "numerator_category", "denominator",
                     "unit", "value", "status", "missing"]


@cache
def _intensities() -> pd.DataFrame:
    """The indicators (data/intensities.csv: item, numerator (a substance, CO2e or a statistic),
    numerator_category ("" = all), denominator (a statistic, "" = none), unit, change_denominator,
    numerator_name), each with the factor that turns the numerator's canonical unit (t for a substance)
    per the denominator's canonical unit into its unit (pint)."""
    spec = resources.data_table("intensities.csv")
    quantity = vocabulary.activities().set_index("id")["quantity"]

    def canonical(activity: str) -> str:
        return units.canonical_unit(quantity[activity]) if activity in quantity.index else "t"

    def factor(num: str, den: str, unit: str) -> float:
        raw = canonical(num) if not den else f"{canonical(num) or 1}/{canonical(den)}"
        return units.factor(raw or "", unit)

    factors = [factor(n, d, u) for n, d, u in zip(spec["numerator"], spec["denominator"], spec["unit"])]
    return spec.assign(factor=factors)


def indicators(emissions: pd.DataFrame, statistics: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every region-year's indicators (data/intensities.csv), computed once for every output.

    Level (measure `level`): numerator / denominator of the same region-year, converted to the unit:
    the numerator is the region's gross total (kind `emission`, no memo items, no sinks) of a
    substance or of CO2e (t CO2e), within numerator_category when one is named (e.g. CO2 of 1.A,
    energy-related CO2), or a statistic (energy_consumption, non_fossil_share); the denominator is a
    statistic (DESIGN 3.3): intensity levels on nominal `gdp` (元), per capita on year-end `population`
    (人), the CO2- and energy-intensity target bases on `gdp_constant` (元 at comparable prices).
    Change (measure `change_pct`): the year-on-year change of numerator / change_denominator,
    100 (I_y / I_(y-1) − 1), on GDP at comparable prices for every GDP-based indicator (never on
    nominal GDP). A numerator the region-year has, whose statistic is missing, gives status `no_data`
    and `missing` names the statistic(s) (value empty); a region-year without the numerator has no row.
    Columns: INDICATOR_COLUMNS.
    """
    spec = _intensities()
    c = coded(emissions)
    gross = c.eq("kind", "emission") if "kind" in emissions else np.ones(c.n, dtype=bool)
    if not gross.any():
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    first = c.first_rows(["region", "year"], gross)
    years = pd.DataFrame({"region": c.take("region", first).array, "year": c.take("year", first).array})
    stats = (statistics.pivot_table(index=["region", "year"], columns="activity", values="amount", aggfunc="sum")
             if statistics is not None and len(statistics) else pd.DataFrame(index=pd.MultiIndex.from_frame(years)))
    stats = stats.reindex(pd.MultiIndex.from_frame(years).union(stats.index))
    frames = []
    for row in spec.itertuples(index=False):  # one per indicator of data/intensities.csv
        if row.numerator in stats.columns or row.numerator in vocabulary.activities()["id"].values:
            num = stats[row.numerator] if row.numerator in stats.columns else pd.Series(np.nan, index=stats.index)
        else:
            sel = gross & _under_category_rows(c, row.numerator_category) if row.numerator_category else gross
            value = "co2e_t" if row.numerator == "CO2e" else "emission"
            if row.numerator != "CO2e":
                sel = sel & c.eq("substance", row.numerator)
            sums = c.group_sum(["region", "year"], [value], sel, sort=True, min_count=1)
            num = sums.set_index(["region", "year"])[value].reindex(stats.index)
        frames += _indicator_rows(row, num, stats)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=INDICATOR_COLUMNS)
    out = out[out["numerator_present"]]
    order = {item: i for i, item in enumerate(spec["item"])}
    return _sorted(out, ["region", out["item"].map(order), "measure", "year"])[INDICATOR_COLUMNS]


def _statistic(stats: pd.DataFrame, name: str) -> pd.Series:
    return stats[name] if name in stats.columns else pd.Series(np.nan, index=stats.index)


def _indicator_rows(row, num: pd.Series, stats: pd.DataFrame) -> list[pd.DataFrame]:
    """The level and change rows of one indicator (see `indicators`)."""
    base = {"item": row.item, "numerator": row.numerator_name, "numerator_category": row.numerator_category,
            "unit": row.unit}
    present = num.notna()
    den = _statistic(stats, row.denominator) if row.denominator else pd.Series(1.0, index=stats.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = (num / den.where(den != 0) * row.factor).replace([np.inf, -np.inf], np.nan)
    missing_level = np.where(den.isna(), row.denominator, "")
    frame = level.rename("value").reset_index().assign(
        measure="level", denominator=row.denominator, numerator_present=present.to_numpy(),
        missing=missing_level, **base)
    out = [frame]
    if row.change_denominator:
        cden = _statistic(stats, row.change_denominator)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = num / cden.where(cden != 0)
        ratio = ratio.sort_index()
        previous = ratio.groupby(level="region").shift(1)
        prev_year = pd.Series(ratio.index.get_level_values("year"), index=ratio.index).groupby(level="region").shift(1)
        consecutive = prev_year == pd.Series(ratio.index.get_level_values("year"), index=ratio.index) - 1
        change = ((ratio / previous - 1) * 100).where(consecutive)
        prev_den = cden.sort_index().groupby(level="region").shift(1)
        prev_num = num.sort_index().groupby(level="region").shift(1)
        lacks = cden.sort_index().isna() | (consecutive & prev_den.isna())
        present_c = present.reindex(ratio.index) & consecutive
        # the statistic missing: the change denominator, else (a statistic numerator) the previous year's numerator
        missing = np.where(lacks, row.change_denominator,
                           np.where(prev_num.isna() & (row.numerator in set(vocabulary.activities()["id"])),
                                    row.numerator, ""))
        out.append(change.rename("value").reset_index().assign(
            measure="change_pct", denominator=row.change_denominator, numerator_present=present_c.to_numpy(),
            missing=missing, **base))
    for f in out:
        f["status"] = np.where(f["value"].isna(), "no_data", "")
        f.loc[f["value"].notna(), "missing"] = ""
    return out


def _under_category_rows(c, root: str) -> np.ndarray:
    """True for the coded rows whose category is `root` or below it."""
    return c.flags("category", lambda v: v is not None and (v == root or root in categories.ancestors(str(v))))


def series(emissions: pd.DataFrame, indicator_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each region's yearly series (long): region, group, item, unit, year, value.

    Groups: `sector` (gross t CO2e per sector, then `gross` and `net`, the net total with
    sinks), `substance` (each substance in t: gases and pollutants, memo items and sinks
    excluded) and `intensity`: the levels of the `indicators` table that have a value (its
    one definition: data/intensities.csv, DESIGN 3.3).
    """
    e = emissions
    if e.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    c = coded(e)
    kept = c.eq("kind", "emission")  # aggregate.totals: gross, memo items and sinks left out

    def totals(by: list[str]) -> pd.DataFrame:
        return c.group_sum(by, ["emission", "co2e_t"], kept, sort=True, min_count=1)

    by_sector = totals(["region", "year", "sector"]).rename(columns={"sector": "item", "co2e_t": "value"})
    by_sector = by_sector.dropna(subset=["value"]).assign(group="sector", unit="t CO2e")
    gross = totals(["region", "year"]).rename(columns={"co2e_t": "value"}).assign(
        group="sector", item="gross", unit="t CO2e")
    net = c.group_sum(["region", "year"], ["co2e_t"], c.isin("kind", ["emission", "sink"]), min_count=1)
    net = net.rename(columns={"co2e_t": "value"}).assign(group="sector", item="net", unit="t CO2e")
    by_sub = totals(["region", "year", "substance"]).rename(columns={"substance": "item", "emission": "value"})
    by_sub = by_sub.assign(group="substance", unit="t")
    parts = [by_sector, gross, net, by_sub]
    if indicator_table is not None and len(indicator_table):
        levels = indicator_table[(indicator_table["measure"] == "level") & indicator_table["value"].notna()]
        parts.append(levels.assign(group="intensity"))
    return pd.concat([p[SERIES_COLUMNS] for p in parts], ignore_index=True)


def series_gaps(long: pd.DataFrame) -> pd.DataFrame:
    """The incomplete years of each region's series: a year without a sector (gross t CO2e) that the region
    has in another year. Columns: region, year, sector (one row per missing sector); the year's total
    lacks it (its categories show NE, qa.completeness), it is not a lower emission."""
    columns = ["region", "year", "sector"]
    s = long[(long["group"] == "sector") & ~long["item"].isin(["gross", "net"])]
    if s.empty:
        return pd.DataFrame(columns=columns)
    have = s[["region", "year", "item"]].drop_duplicates()
    grid = have[["region", "item"]].drop_duplicates().merge(long[["region", "year"]].drop_duplicates(), on="region")
    gaps = grid.merge(have, how="left", indicator=True)
    gaps = gaps[gaps["_merge"] == "left_only"].rename(columns={"item": "sector"})
    return _sorted(gaps, ["region", "year", _rank(gaps["sector"], _orders()["sector"], 0)])[columns]


def series_change(long: pd.DataFrame) -> pd.DataFrame:
    """Each series' change from the build's first to its last year, (last − first) / |first| × 100
    (qa.grading; none when the first value is 0 or missing). Columns: region, group, item, unit,
    year_from, year_to, change_pct; empty with fewer than two years."""
    columns = ["region", "group", "item", "unit", "year_from", "year_to", "change_pct"]
    years = sorted(int(y) for y in long["year"].unique())
    if len(years) < 2:
        return pd.DataFrame(columns=columns)
    keys = ["region", "group", "item", "unit"]
    first = long[long["year"] == years[0]].set_index(keys)["value"]
    last = long[long["year"] == years[-1]].set_index(keys)["value"]
    both = pd.concat({"first": first, "last": last}, axis=1)
    out = both.reset_index().assign(year_from=years[0], year_to=years[-1])
    out["change_pct"] = difference_pct(out["last"], out["first"])
    return out[columns]


def series_index(long: pd.DataFrame) -> pd.DataFrame:
    """CO2 and each pollutant as an index of its region's first year (= 100): value / first × 100.

    Columns: region, item, year, value. A substance whose first-year value is 0 or missing
    has no index."""
    columns = ["region", "item", "year", "value"]
    subs = long[(long["group"] == "substance") & long["item"].isin(["CO2", *vocabulary.pollutants()])]
    first_year = subs["region"].map(long.groupby("region")["year"].min())
    firsts = subs[subs["year"] == first_year][["region", "item", "value"]].rename(columns={"value": "first"})
    out = subs.merge(firsts, on=["region", "item"])
    out = out[out["first"].notna() & (out["first"] != 0)]
    out = out.assign(value=out["value"] / out["first"] * 100)
    return _sorted(out, ["region", _rank(out["item"], _orders()["substance"], 10_000), "item", "year"])[columns]


def map_values(long: pd.DataFrame) -> pd.DataFrame:
    """The series the report's maps show (rows of data/maps/items.csv: gross CO2e in t CO2e, SO2, NOx
    and PM2.5 in t, intensities in their units), each with its change from the year before,
    (value − value of year − 1) / |value of year − 1| × 100 (qa.grading; none without that year or
    when it is 0). Columns: region, group, item, unit, year, value, change_pct."""
    columns = ["region", "group", "item", "unit", "year", "value", "change_pct"]
    items = resources.data_table("maps/items.csv")[["group", "item"]]
    rows = long.merge(items, on=["group", "item"])
    if rows.empty:
        return pd.DataFrame(columns=columns)
    keys = ["region", "group", "item", "unit"]
    before = rows.assign(year=rows["year"].astype(int) + 1)[[*keys, "year", "value"]]
    rows = rows.assign(year=rows["year"].astype(int)).merge(before, on=[*keys, "year"], how="left",
                                                            suffixes=("", "_before"))
    rows["change_pct"] = difference_pct(rows["value"], rows["value_before"])
    return _sorted(rows, ["region", "year", "group", "item"])[columns]


def uncertainty_half_width(uncertainty: pd.DataFrame | None) -> pd.DataFrame:
    """Half the 95 % interval in % of the estimate, (high_95 − low_95) / 2 / |estimate| × 100, per row
    of uncertainty.csv (none for trend rows, whose interval is already in percentage points, or a
    zero estimate). Columns: region, year, level, key, substance, approach, half_width_pct."""
    keys = ["region", "year", "level", "key", "substance", "approach"]
    if uncertainty is None or uncertainty.empty:
        return pd.DataFrame(columns=[*keys, "half_width_pct"])
    u = uncertainty
    estimate = u["estimate"].abs()
    half = (u["high_95"] - u["low_95"]) / 2 / estimate.where(estimate != 0) * 100
    return u[keys].assign(half_width_pct=half.where(u["level"] != "trend")).reset_index(drop=True)


OFFICIAL_COLUMNS = ["region", "region_name", "sector", "official_year", "official_t", "official_share_pct",
                    "year", "inventory_t", "inventory_share_pct"]


def official_structure(emissions: pd.DataFrame) -> pd.DataFrame:
    """A published official inventory's sectors beside the build's own, per region the table covers (issue 19).

    official_t = the published net total × the sector's published share (t CO2e; the share is of the net
    total, a sink negative); inventory_t = the build's CO2e of the sector, emissions and sinks (t CO2e, at
    the build's GWP set), for each year the build has; each share is of its own net total (%, its sinks
    included). Regions without an official inventory in data/official_inventories.csv have no rows.
    A plausibility table with the years stated, never an input.
    """
    official = resources.data_table("official_inventories.csv")
    official = official.assign(total_net=official["total_net"].astype(float),
                               share_pct=official["share_pct"].astype(float), year=official["year"].astype(int))
    e = emissions[emissions["region"].isin(set(official["region"])) & emissions["kind"].isin(["emission", "sink"])]
    if e.empty:
        return pd.DataFrame(columns=OFFICIAL_COLUMNS)
    factor = map_distinct(official["unit"], lambda u: units.factor(u.replace("二氧化碳当量", "").strip(), "t"))
    official = official.assign(official_t=official["total_net"] * factor * official["share_pct"] / 100,
                               official_share_pct=official["share_pct"], official_year=official["year"])
    ours = e.groupby(["region", "region_name", "year", "sector"])["co2e_t"].sum(min_count=1).rename("inventory_t")
    ours = ours.reset_index()
    net = ours.groupby(["region", "year"])["inventory_t"].transform("sum")
    ours["inventory_share_pct"] = ours["inventory_t"] / net.where(net != 0) * 100
    years = ours[["region", "region_name", "year"]].drop_duplicates()
    grid = official[["region", "sector", "official_year", "official_t", "official_share_pct"]].merge(years, on="region")
    out = grid.merge(ours, on=["region", "region_name", "year", "sector"], how="left")
    order = _orders()["sector"]
    return _sorted(out[OFFICIAL_COLUMNS], ["region", "year", _rank(out["sector"], order, 0)])
# ---------------------------------------------------------------- key figures

_KEY_SERIES = {("sector", "gross"): "gross", ("sector", "net"): "net", ("intensity", "CO2e/population"): "per_capita",
               ("intensity", "CO2e/gdp"): "per_gdp"}
_KEY_RANK = {"gross": 0, "net": 1, "per_capita": 2, "per_gdp": 3, "top_source": 4, "pollutant": 5, "plant_share": 6}


def key_figures(emissions: pd.DataFrame, long: pd.DataFrame) -> pd.DataFrame:
    """The figures a summary page leads with, per region-year (columns KEY_FIGURE_COLUMNS), taken from the
    `series` figures (`long`) and the emissions:

    - `gross`, `net` (t CO2e; net = gross + sinks), `per_capita` (t CO2e/人, gross ÷ population) and
      `per_gdp` (t CO2e/万元, gross ÷ nominal GDP), the last two only where the statistics give the
      denominator; each with its change on the previous year, (this − previous) / |previous| × 100
      (qa.grading), where the build holds the year before (`previous_year`, `change_pct`);
    - `top_source`: the TOP_SOURCES largest level-3 categories by gross t CO2e (`rank` 1.., `detail` the
      category, `share_pct` its share of the gross total);
    - `pollutant`: each air pollutant's gross total in t (`detail` the substance, in vocabulary order);
    - `plant_share`: the share (%) of the gross t CO2e reported by plants (tier `T3`), when the emissions
      carry a tier column.
    """
    if emissions.empty or long.empty:
        return pd.DataFrame(columns=KEY_FIGURE_COLUMNS)
    c = coded(emissions)
    first = c.first_rows(["region", "year"])
    names = pd.Series(c.take("region_name", first).array, index=pd.MultiIndex.from_arrays(
        [c.take("region", first).array, c.take("year", first).array], names=["region", "year"]), name="region_name")
    parts = []
    keyed = long.assign(item=[_KEY_SERIES.get(k) for k in zip(long["group"], long["item"])]).dropna(subset=["item"])
    keyed = keyed[["region", "year", "item", "unit", "value"]].assign(rank=0, detail="")
    previous = keyed.assign(year=keyed["year"] + 1).set_index(["region", "year", "item"])["value"]
    before = pd.Series(list(zip(keyed["region"], keyed["year"], keyed["item"])), index=keyed.index).map(previous)
    keyed["previous_year"] = (keyed["year"] - 1).where(before.notna())
    keyed["change_pct"] = difference_pct(keyed["value"], before)
    parts.append(keyed)
    gross = keyed[keyed["item"] == "gross"].set_index(["region", "year"])["value"]
    e = c.eq("kind", "emission")
    ghg = e & c.eq("substance_kind", "ghg")
    if ghg.any():
        detail = ("detail", *c.derived("category", lambda v: level3_category(str(v))))
        by_cat = c.group_sum(["region", "year", detail], {"value": c.number("co2e_t")}, ghg, min_count=1)
        by_cat = by_cat.dropna(subset=["value"]).reset_index(drop=True)
        by_cat = by_cat.sort_values(["region", "year", "value", "detail"], ascending=[True, True, False, True],
                                    kind="stable")
        by_cat["rank"] = by_cat.groupby(["region", "year"]).cumcount() + 1
        top = by_cat[by_cat["rank"] <= TOP_SOURCES].assign(item="top_source", unit="t CO2e")
        parts.append(top.assign(share_pct=top["value"] / _lookup(gross, top) * 100))
    pol = e & c.eq("substance_kind", "pollutant")
    if pol.any():
        sums = c.group_sum(["region", "year", "substance"], {"value": c.number("emission")}, pol, min_count=1)
        sums = sums.dropna(subset=["value"]).reset_index(drop=True).rename(columns={"substance": "detail"})
        sums["rank"] = _rank(sums["detail"], _orders()["substance"], 10_000)
        parts.append(sums.assign(item="pollutant", unit="t"))
    if "tier" in emissions and ghg.any():
        plant = c.group_sum(["region", "year"], ["co2e_t"], ghg & c.eq("tier", "T3")).set_index(
            ["region", "year"])["co2e_t"]
        share = gross.index.to_frame(index=False).assign(item="plant_share", unit="%", rank=0, detail="")
        share["value"] = _lookup(plant.reindex(gross.index, fill_value=0.0), share) / _lookup(gross, share) * 100
        parts.append(share)
    out = pd.concat([p.reindex(columns=KEY_FIGURE_COLUMNS) for p in parts], ignore_index=True)
    out["region_name"] = _lookup(names, out)
    out["year"] = out["year"].astype(int)
    return _sorted(out, ["region", "year", out["item"].map(_KEY_RANK), "rank", "detail"])[KEY_FIGURE_COLUMNS]


def _lookup(values: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """`values` (indexed by region and year) for each row of `frame`, by its region and year."""
    keys = pd.MultiIndex.from_arrays([frame["region"], frame["year"]])
    return pd.Series(values.reindex(keys).to_numpy(), index=frame.index)
