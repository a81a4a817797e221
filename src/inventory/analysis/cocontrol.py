"""Co-control indicators of greenhouse gases and air pollutants (DESIGN 3.9, `cocontrol.csv`).

Sources: the co-control effects coordinate system (协同控制效应坐标系) and the co-control
(cross-)elasticity (协同控制弹性系数 / 交叉弹性) of Mao Xianqiang (毛显强) and co-workers:
Mao X., Zeng A., Hu T. et al., "Co-control of local air pollutants and CO2 in the Chinese iron
and steel industry", Environ. Sci. Technol. 2013, 47(21), 12002-12010; applied to a city's
measures in 邢有凯, 毛显强, 冯相昭 等, 城市蓝天保卫战行动协同控制局地大气污染物和温室气体效果
评估——以唐山市为例, 中国环境管理 2020, 12(4): 20-28. The elasticity is

    Els_j/k = (ER_j / Q_j) / (ER_k / Q_k)

with ER the emission reduction and Q the emission before it, j the air pollutant and k the
greenhouse gas; Els > 0 with both ratios positive: both reduced (co-control); Els < 0: one
reduced while the other grows; Els > 1: the pollutant falls by a larger share than the
greenhouse gas; 0 < Els < 1: the greenhouse gas by a larger share; ER/Q = 0: no effect on that
substance. This form and reading were checked in a later paper only (PubMed Central
PMC11666946, Table 2, which tabulates Els_j/k and these readings); the two papers above were not
at hand in full text, so no equation number is quoted. Since numerator and denominator change sign together,
Els = change_pct / co2e_change_pct with changes taken as increases.

Carbon measure: Mao et al. 2013 use CO2; Xing et al. 2020 greenhouse gases. The contract
(co2e_change_pct) uses CO2e (t CO2e, column co2e_t, every greenhouse gas); the CO2-only change
and elasticity are given as well (`co2_change_pct`, `elasticity_co2`).

Coordinate system: the quadrant is read from the sign of the absolute change ΔE = E_to - E_from
of CO2e (x) and of the pollutant (y): `both_down` (ΔCO2e < 0, ΔE < 0), `co2e_down_only`
(ΔCO2e < 0, ΔE > 0), `pollutant_down_only` (ΔCO2e > 0, ΔE < 0), `both_up` (both > 0).
A point on an axis (either change exactly zero) lies in no quadrant: the quadrant is empty
(the measure "has no effect" on that substance, as the source reads ER/Q = 0). The sign of
ΔE is used, not the percentage, so a source whose `year_from` emission is 0 (percent undefined)
is still placed.

Elasticity band (`elasticity_band`): the reading of PMC11666946 Table 2 that the elasticity AND the
quadrant fall in (a positive Els arises from both falling and from both rising, so the sign alone
cannot tell them apart), one of ELASTICITY_BANDS: both down with Els > 1 (`synergy_pollutant_more`:
"the degree of emission reduction of the j-type air pollutant is greater"), Els = 1 (`synergy_equal`),
0 < Els < 1 (`synergy_ghg_more`); both up (`both_increase`: "promotes the emissions of both"); one
down and the other up, Els < 0 (`non_synergy`); a pollutant change of exactly 0 (`no_effect_pollutant`,
ER_j/Q_j = 0) or a greenhouse-gas change of exactly 0 (`no_effect_ghg`, ER_k/Q_k = 0). Empty where
the changes are unknown. Labels: data/labels.csv `band_<id>` (zh, en).

Synergy degree (减污降碳协同度): no citable formula was found (the plan defines none), so none is
computed; the coupling coordination degree is its own table (analysis/ccd.py, `ccd.csv`) under its own
name.

Scope: emission rows only (`kind == "emission"`: memo items and sinks are not in the gross
totals); `total`, each sector (emissions `sector`) and each category at the level the inputs
gave; one row per air pollutant present (substances of group `pollutant` in data/substances.csv). A key present in
only one of the two years has no percentage (NaN), never an invented zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, vocabulary
from inventory.grouped import coded

COCONTROL_COLUMNS = ["region", "category", "year_from", "year_to", "substance", "change_pct", "co2e_change_pct",
                     "elasticity", "quadrant", "elasticity_band"]
EXTRA_COLUMNS = ["level", "emission_from", "emission_to", "co2e_from", "co2e_to", "co2_change_pct",
                 "elasticity_co2"]
QUADRANTS = ("both_down", "co2e_down_only", "pollutant_down_only", "both_up")
ELASTICITY_BANDS = ("synergy_pollutant_more", "synergy_equal", "synergy_ghg_more", "both_increase", "non_synergy",
                    "no_effect_pollutant", "no_effect_ghg")
_EQUAL = 1e-9  # |Els - 1| below this is Els = 1
_LEVEL_ORDER = {"total": 0, "sector": 1, "category": 2}


def change_pct(before, after):
    """Relative change in percent: 100 (E_after - E_before) / E_before; NaN where E_before is 0 or missing."""
    before = pd.Series(before, dtype=float)
    after = pd.Series(after, dtype=float).set_axis(before.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (100 * (after - before) / before.where(before != 0)).astype(float)


def elasticity(pollutant_change_pct, carbon_change_pct):
    """Co-control elasticity Els_j/k = (ΔE_j/E_j) / (ΔE_k/E_k) (Mao et al. 2013; Xing et al. 2020):
    the pollutant's relative change over the greenhouse gas's, both in %; NaN where the latter is 0."""
    p = pd.Series(pollutant_change_pct, dtype=float)
    c = pd.Series(carbon_change_pct, dtype=float).set_axis(p.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (p / c.where(c != 0)).astype(float)


def quadrant(carbon_delta, pollutant_delta) -> pd.Series:
    """Quadrant of the co-control effects coordinate system from the signs of the absolute changes
    (x: greenhouse gas, y: pollutant); "" on an axis (a change of exactly zero) or where one is unknown."""
    x = pd.Series(carbon_delta, dtype=float)
    y = pd.Series(pollutant_delta, dtype=float).set_axis(x.index)
    out = np.select([(x < 0) & (y < 0), (x < 0) & (y > 0), (x > 0) & (y < 0), (x > 0) & (y > 0)],
                    np.arange(len(QUADRANTS), dtype=np.int8), default=-1)
    return _named(out, QUADRANTS, x.index)


def _named(codes: np.ndarray, names, index) -> pd.Series:
    """The names of codes (-1: "") as an object Series referring to one str per name, not a fixed-width text
    array and a str per row (issue 14: millions of rows at national scale)."""
    return pd.Series(np.array([*names, ""], dtype=object)[codes], index=index, dtype=object)


def elasticity_band(carbon_delta, pollutant_delta, els) -> pd.Series:
    """The PMC11666946 Table 2 band of each row from the signs of the absolute changes (x: greenhouse gas,
    y: pollutant) and the elasticity (see the module docstring); "" where a change is unknown."""
    x = pd.Series(carbon_delta, dtype=float)
    y = pd.Series(pollutant_delta, dtype=float).set_axis(x.index)
    e = pd.Series(els, dtype=float).set_axis(x.index)
    both_down = (x < 0) & (y < 0)
    bands = ["no_effect_pollutant", "no_effect_ghg", "synergy_equal", "synergy_pollutant_more",
             "synergy_ghg_more", "both_increase", "non_synergy"]
    out = np.select([y == 0, x == 0, both_down & ((e - 1).abs() <= _EQUAL), both_down & (e > 1),
                     both_down & (e > 0) & (e < 1), (x > 0) & (y > 0), ((x < 0) & (y > 0)) | ((x > 0) & (y < 0))],
                    np.arange(len(bands), dtype=np.int8), default=-1)
    return _named(out, bands, x.index)


def default_pairs(region_years: pd.DataFrame) -> pd.DataFrame:
    """(region, year_from, year_to): each region's consecutive years and its first -> last year."""
    ry = region_years[["region", "year"]].drop_duplicates().sort_values(["region", "year"])
    nxt = ry.assign(year_to=ry.groupby("region")["year"].shift(-1)).dropna(subset=["year_to"])
    span = ry.groupby("region")["year"].agg(["min", "max"]).reset_index()
    span = span[span["max"] > span["min"]].rename(columns={"min": "year", "max": "year_to"})
    pairs = pd.concat([nxt, span], ignore_index=True).rename(columns={"year": "year_from"})
    pairs = pairs.astype({"year_from": int, "year_to": int}).drop_duplicates()
    return pairs.sort_values(["region", "year_from", "year_to"]).reset_index(drop=True)


def _levels(e: pd.DataFrame) -> pd.DataFrame:
    """Every emission row three times: as `total`, as its sector and as its category (column `key`)."""
    sector = e["sector"] if "sector" in e else e["category"].map(categories.table()["sector"])
    return pd.concat([e.assign(level="total", key="total"),
                      e.assign(level="sector", key=sector.fillna("").astype(str)),
                      e.assign(level="category", key=e["category"].astype(str))], ignore_index=True)


def _sums(e: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per region, year, level and key: pollutant emissions (t) and CO2e / CO2 totals (t CO2e, t)."""
    keys = ["region", "year", "level", "key"]
    ghg = e["co2e_t"].notna()
    pollutant = e["substance"].isin(vocabulary.pollutants())
    pol = e[pollutant].groupby(keys + ["substance"], sort=False)["emission"].sum().rename("E").reset_index()
    carbon = e[ghg].assign(co2=e["emission"].where(e["substance"] == "CO2"))
    carbon = carbon.groupby(keys, sort=False).agg(C=("co2e_t", "sum"), CO2=("co2", "sum"),
                                                  n_co2=("co2", "count")).reset_index()
    carbon["CO2"] = carbon["CO2"].where(carbon["n_co2"] > 0)
    return pol, carbon.drop(columns="n_co2")


def _coded_sums(emissions: pd.DataFrame, gross: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """_sums(_levels(rows)) of the `gross` rows of `emissions`, each level grouped by the coded columns
    (inventory.grouped) instead of the rows copied three times: the same groups, rows and sums."""
    c = coded(emissions)
    keys = ["region", "year", "level", "key"]
    levels = (("total", None), ("sector", "sector"), ("category", "category"))
    co2 = np.where(c.eq("substance", "CO2"), c.number("emission"), np.nan)
    carbon_rows = gross & ~np.isnan(c.number("co2e_t"))
    pol_rows = gross & c.isin("substance", vocabulary.pollutants())
    pols, carbons = [], []
    for level, column in levels:
        by = ["region", "year"] + ([column] if column else [])
        fill = {"sector": ""} if column == "sector" else None  # _levels: the sector's key fillna("")
        pol = c.group_sum([*by, "substance"], {"E": c.number("emission")}, pol_rows, sort=False, fill=fill)
        carbon = c.group_sum(by, {"C": c.number("co2e_t"), "CO2": co2, "n_co2": ~np.isnan(co2)}, carbon_rows,
                             sort=False, fill=fill, together=False)
        for frame, out in ((pol, pols), (carbon, carbons)):
            key = frame.pop(column).astype(str) if column else "total"
            frame.insert(2, "level", level)
            frame.insert(3, "key", key)
            out.append(frame)
    pol = pd.concat(pols, ignore_index=True)
    carbon = pd.concat(carbons, ignore_index=True)
    carbon["CO2"] = carbon["CO2"].where(carbon["n_co2"] > 0)
    return pol, carbon[keys + ["C", "CO2"]]


def _side(frame: pd.DataFrame, pairs: pd.DataFrame, year_col: str, suffix: str) -> pd.DataFrame:
    out = pairs.merge(frame.rename(columns={"year": year_col}), on=["region", year_col])
    return out.rename(columns={c: c + suffix for c in ("E", "C", "CO2") if c in out})


def _compare(pol_from: pd.DataFrame, carbon_from: pd.DataFrame, pol_to: pd.DataFrame, carbon_to: pd.DataFrame,
             pairs: pd.DataFrame) -> pd.DataFrame:
    """Pollutant and carbon sums of both sides of every pair side by side (outer: a key of one side only stays)."""
    pk = ["region", "year_from", "year_to", "level", "key"]
    p = _side(pol_from, pairs, "year_from", "_from").merge(_side(pol_to, pairs, "year_to", "_to"),
                                                           on=pk + ["substance"], how="outer")
    c = _side(carbon_from, pairs, "year_from", "_from").merge(_side(carbon_to, pairs, "year_to", "_to"),
                                                              on=pk, how="outer")
    return p.merge(c, on=pk, how="left")


def _table(rows: pd.DataFrame, texts: dict[str, pd.Index] | None = None) -> pd.DataFrame:
    """Changes, elasticities and quadrants of compared rows; COCONTROL_COLUMNS then EXTRA_COLUMNS, sorted.
    texts: {column: uniques sorted} when the rows' region, level, key and substance are integer codes into them
    (ranked as the texts sort, so the rows sort as the texts would): named once the table is sorted."""
    if rows.empty:
        return pd.DataFrame(columns=COCONTROL_COLUMNS + EXTRA_COLUMNS)
    if texts is None:
        level_order = rows["level"].map(_LEVEL_ORDER).to_numpy()
    else:
        level_order = texts["level"].to_series().map(_LEVEL_ORDER).to_numpy()[rows["level"].to_numpy()]
    # The order first, from the sort keys alone; each column is then made in that order (issue 14: the sort
    # of the whole table, then its column selection, were two more copies of millions of rows).
    rows = rows.reset_index(drop=True)  # no copy: positions and labels the same
    order = pd.DataFrame({"region": rows["region"], "year_from": rows["year_from"].astype(int),
                          "year_to": rows["year_to"].astype(int), "_l": level_order, "category": rows["key"],
                          "substance": rows["substance"]}).sort_values(
        ["region", "year_from", "year_to", "_l", "category", "substance"], kind="stable").index.to_numpy()

    def taken(column: str) -> pd.Series:
        return rows[column].take(order).reset_index(drop=True)

    e_from, e_to, c_from, c_to = taken("E_from"), taken("E_to"), taken("C_from"), taken("C_to")
    out = pd.DataFrame({
        "region": taken("region"), "category": taken("key"), "year_from": taken("year_from").astype(int),
        "year_to": taken("year_to").astype(int), "substance": taken("substance"),
        "change_pct": change_pct(e_from, e_to).to_numpy(),
        "co2e_change_pct": change_pct(c_from, c_to).to_numpy(),
    })
    out["elasticity"] = elasticity(out["change_pct"], out["co2e_change_pct"]).to_numpy()
    out["quadrant"] = quadrant(c_to - c_from, e_to - e_from).to_numpy()
    out["elasticity_band"] = elasticity_band(c_to - c_from, e_to - e_from, out["elasticity"]).to_numpy()
    out["level"] = taken("level").to_numpy()
    out["emission_from"], out["emission_to"] = e_from.to_numpy(), e_to.to_numpy()
    out["co2e_from"], out["co2e_to"] = c_from.to_numpy(), c_to.to_numpy()
    out["co2_change_pct"] = change_pct(taken("CO2_from"), taken("CO2_to")).to_numpy()
    out["elasticity_co2"] = elasticity(out["change_pct"], out["co2_change_pct"]).to_numpy()
    if texts is not None:  # Categoricals of the sorted texts (a code a row, issue 14): the same values and CSV bytes
        for column, name in (("region", "region"), ("category", "key"), ("substance", "substance"),
                             ("level", "level")):
            out[column] = pd.Categorical.from_codes(out[column].to_numpy(), categories=texts[name])
        for column in ("quadrant", "elasticity_band"):
            codes, uniques = pd.factorize(out[column], sort=True)
            out[column] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques))
    return out


def _gross_rows(emissions: pd.DataFrame) -> np.ndarray:
    """True for the rows _emission_rows keeps (kind `emission`)."""
    c = coded(emissions)
    return c.eq("kind", "emission") if "kind" in emissions else np.ones(c.n, dtype=bool)


def _emission_rows(emissions: pd.DataFrame) -> pd.DataFrame:
    e = emissions[emissions["kind"] == "emission"] if "kind" in emissions else emissions
    return e.assign(emission=pd.to_numeric(e["emission"], errors="coerce").astype(float),
                    co2e_t=pd.to_numeric(e["co2e_t"], errors="coerce").astype(float),
                    year=e["year"].astype(int))


def cocontrol(emissions: pd.DataFrame, pairs: list[tuple[int, int]] | None = None) -> pd.DataFrame:
    """cocontrol.csv (DESIGN 3.9): per region, pair of years, level (total, sector, category) and pollutant,
    the pollutant's and CO2e's change (%), the co-control elasticity and the coordinate-system quadrant.

    emissions: the long table (region, year, category, sector, substance, emission t, co2e_t t CO2e, kind).
    pairs: (year_from, year_to) applied to every region that has both years; None = each region's
        consecutive years and its first -> last year.
    Columns: COCONTROL_COLUMNS, then EXTRA_COLUMNS (level; sums in t / t CO2e; the CO2-only change and
    elasticity). elasticity_band: the PMC11666946 Table 2 band (see the module docstring).
    """
    fast = len(emissions) and {"sector", "category", "substance", "emission", "co2e_t"} <= set(emissions)
    if not fast:
        return _cocontrol_rows(_emission_rows(emissions), pairs)
    gross = _gross_rows(emissions)
    if not gross.any():
        return _table(pd.DataFrame())
    c = coded(emissions)
    first = c.first_rows(["region", "year"], gross)
    region_years = pd.DataFrame({"region": c.take("region", first).array,
                                 "year": c.take("year", first).to_numpy().astype(int)})
    pair_table = _pairs(region_years, pairs)
    if pair_table.empty:
        return _table(pd.DataFrame())
    pol, carbon = _coded_sums(emissions, gross)
    # compared on integer codes of the texts (merges of a few hundred thousand rows), named again for _table
    # (ranked as the texts sort: _table sorts the codes and names the sorted rows, issue 14)
    texts = {}
    for column in ("region", "level", "key", "substance"):
        frames = [f for f in (pol, carbon, pair_table) if column in f]
        uniques = pd.Index(pd.concat([f[column] for f in frames], ignore_index=True).unique())
        texts[column] = uniques.take(np.argsort(uniques.to_numpy(dtype=object), kind="stable"))
        for f in frames:
            f[column] = texts[column].get_indexer(f[column])
    rows = _compare(pol, carbon, pol, carbon, pair_table)
    del pol, carbon  # the sums, freed before the table is made from their comparison (issue 14)
    return _table(rows, texts)


def _pairs(region_years: pd.DataFrame, pairs: list[tuple[int, int]] | None) -> pd.DataFrame:
    """(region, year_from, year_to) of `pairs` that a region has both years of; None: default_pairs."""
    if pairs is None:
        return default_pairs(region_years)
    wanted = pd.DataFrame(list(pairs), columns=["year_from", "year_to"]).astype(int).drop_duplicates()
    pair_table = region_years.rename(columns={"year": "year_from"}).merge(wanted, on="year_from")
    return pair_table.merge(region_years.rename(columns={"year": "year_to"}), on=["region", "year_to"])


def _cocontrol_rows(e: pd.DataFrame, pairs: list[tuple[int, int]] | None) -> pd.DataFrame:
    """cocontrol() of the emission rows `e` (_emission_rows), on the rows themselves."""
    if e.empty:
        return _table(pd.DataFrame())
    pair_table = _pairs(e[["region", "year"]].drop_duplicates(), pairs)
    if pair_table.empty:
        return _table(pd.DataFrame())
    pol, carbon = _sums(_levels(e))
    return _table(_compare(pol, carbon, pol, carbon, pair_table))


def cocontrol_editions(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Co-control indicators between two editions of the same inventory: for each region-year in both,
    the change from `old` to `new` (year_from = year_to = that year). Same columns as cocontrol()."""
    a, b = _emission_rows(old), _emission_rows(new)
    if a.empty or b.empty:
        return _table(pd.DataFrame())
    common = a[["region", "year"]].drop_duplicates().merge(b[["region", "year"]].drop_duplicates())
    pairs = common.assign(year_from=common["year"], year_to=common["year"])[["region", "year_from", "year_to"]]
    return _table(_compare(*_sums(_levels(a)), *_sums(_levels(b)), pairs))
