"""Key category analysis (DESIGN 3.9, `key_categories.csv`).

Source: 2006 IPCC Guidelines, Vol. 1, Ch. 4 (Methodological choice and
identification of key categories), Approach 1 (Eq. 4.1-4.3) and Approach 2
(Eq. 4.4-4.5). Categories are assessed per category and gas (the rows of the
emissions table at the level the inputs gave), in t CO2e of the greenhouse gases;
memo items are left out; sinks enter by absolute value in the level assessment.
LULUCF = the categories under 3.B (land); every assessment is made with and
without them.

Approach 1: key categories are those that, summed in descending order of
magnitude, add up to 95 % of the total (level) or of the sum of trend assessments
(trend). The category whose share takes the running total past the threshold is
needed to reach it, so it is key as well. Approach 2 weights each assessment by
the category's uncertainty (Approach 1 of Ch. 3, Eq. 3.1/3.2) and uses 90 %: the
95 % of Approach 1 was chosen so that key categories cover about 90 % of the
inventory's uncertainty (Ch. 4, footnote to section 4.2).
Categories without a known uncertainty are left out of Approach 2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories
from inventory.grouped import _code_type, coded
from inventory.lookup import map_distinct

KEY_CATEGORY_COLUMNS = ["region", "year", "base_year", "category", "substance", "with_lulucf", "assessment",
                        "approach", "share", "cumulative", "key"]
LULUCF_ROOT = "3.B"
THRESHOLD = {1: 0.95, 2: 0.90}


def is_lulucf(category: pd.Series) -> pd.Series:
    """True for LULUCF categories: 3.B and every category under it."""
    def under(code: str) -> bool:
        return code == LULUCF_ROOT or code.startswith(LULUCF_ROOT + ".") or LULUCF_ROOT in categories.ancestors(code)
    return map_distinct(category.astype(str), under).astype(bool)


def level_assessment(estimate: pd.Series) -> pd.Series:
    """IPCC 2006 Vol.1 Eq. 4.1: L_x,t = |E_x,t| / sum_y |E_y,t| (E in t CO2e; sinks by absolute value)."""
    total = estimate.abs().sum()
    return estimate.abs() / total if total else estimate * np.nan


def trend_assessment(base: pd.Series, latest: pd.Series) -> pd.Series:
    """IPCC 2006 Vol.1 Eq. 4.2 (Eq. 4.3 where the base-year estimate is zero), E in t CO2e:

    T_x,t = |E_x,0| / sum_y |E_y,0| * |(E_x,t - E_x,0) / |E_x,0| - (sum_y E_y,t - sum_y E_y,0) / |sum_y E_y,0||
    T_x,t = |E_x,t| / sum_y |E_y,0|                                     (E_x,0 = 0)

    (the 2006 form, with base-year denominators; IPCC GPG 2000/2003 divided by the
    year-t values instead.)
    base, latest: E_x,0 and E_x,t on the same index (0 where a category is absent in a year).
    """
    abs_total0 = base.abs().sum()
    net0, nett = base.sum(), latest.sum()
    if abs_total0 == 0 or net0 == 0:
        return base * np.nan
    total_trend = (nett - net0) / abs(net0)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = (latest - base) / base.abs()
    eq42 = base.abs() / abs_total0 * (own - total_trend).abs()
    eq43 = latest.abs() / abs_total0
    return eq42.where(base != 0, eq43)


def uncertainty_weighted(assessment: pd.Series, u_pct: pd.Series) -> pd.Series:
    """IPCC 2006 Vol.1 Eq. 4.4 (level) / Eq. 4.5 (trend): the assessment times the category's
    uncertainty U_x (%), as a share of the sum over categories with a known uncertainty."""
    weighted = assessment * u_pct
    total = weighted.sum()
    return weighted / total if total else weighted * np.nan


def rank(frame: pd.DataFrame, share: pd.Series, threshold: float) -> pd.DataFrame:
    """Sort by share (descending), add the running total and the key flag.

    key: the running total before this category is below the threshold (so the
    category that crosses it is key too).
    """
    out = frame.assign(share=share.to_numpy()).dropna(subset=["share"])
    out = out.sort_values(["share", "category", "substance"], ascending=[False, True, True], kind="stable")
    out["cumulative"] = out["share"].cumsum()
    out["key"] = (out["cumulative"] - out["share"]) < threshold - 1e-12
    return out


def _category_uncertainty(uncertainties: pd.DataFrame | None) -> pd.Series:
    """Uncertainty (%) of each region, year, category and gas in CO2e: Eq. 3.1 per row, Eq. 3.2 over the
    category's known rows, relative to the category's whole estimate. Empty without uncertainties."""
    index = ["region", "year", "category", "substance"]
    if uncertainties is None or uncertainties.empty:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=index))
    u = uncertainties[uncertainties["co2e_t"].notna()]
    u_row = np.sqrt(u["u_activity_pct"] ** 2 + u["u_factor_pct"] ** 2)
    var = ((u_row / 100 * u["co2e_t"]) ** 2).where(u["known"], 0.0)
    g = u.assign(var=var).groupby(index)
    agg = g.agg(estimate=("co2e_t", "sum"), var=("var", "sum"), known=("known", "sum"))
    agg = agg[(agg["known"] > 0) & (agg["estimate"] != 0)]
    return 100 * np.sqrt(agg["var"]) / agg["estimate"].abs()


def key_categories(emissions: pd.DataFrame, uncertainties: pd.DataFrame | None = None,
                   base_year: int | None = None) -> pd.DataFrame:
    """key_categories.csv (DESIGN 3.9): level and trend assessments, Approach 1 and (with uncertainties) 2.

    emissions: BuildResult.emissions (co2e_t, kind: emission and sink rows are assessed).
    uncertainties: row_uncertainties(..., kinds=("emission", "sink")) output, for Approach 2.
    base_year: None = each region's earliest year; trend rows for every later year.
    share and cumulative are fractions (0-1); level rows have no base_year.
    """
    c = coded(emissions)
    assessed = c.isin("kind", ["emission", "sink"]) & ~np.isnan(c.number("co2e_t"))
    u_cat = _category_uncertainty(uncertainties)
    if u_cat.empty:  # Approach 1 only: on integer codes of the texts, named once at the end (issue 14)
        return _coded_approach1(c, assessed, base_year)
    cat = c.group_sum(["region", "year", "category", "substance"], {"E": c.number("co2e_t")}, assessed)
    cat["lulucf"] = is_lulucf(cat["category"]).to_numpy()
    out = []
    for with_lulucf in (True, False):
        sub = cat if with_lulucf else cat[~cat["lulucf"]]
        out += _approach1(sub, base_year, with_lulucf)
    if not u_cat.empty:
        out += _approach2(cat, u_cat, base_year)
    if not out:
        return pd.DataFrame(columns=KEY_CATEGORY_COLUMNS)
    # Only the output's columns concatenated and sorted (issue 14: the assessments' working columns are as wide).
    table = pd.concat([f[[c for c in KEY_CATEGORY_COLUMNS if c in f]] for f in out], ignore_index=True)
    del out
    table["base_year"] = table["base_year"].astype("Int64")
    table = table.assign(_a=np.where(table["assessment"].to_numpy() == "trend", 1, 0), _l=~table["with_lulucf"])
    table = table.sort_values(["region", "year", "_a", "_l", "approach", "cumulative"], kind="stable")
    return table[KEY_CATEGORY_COLUMNS].reset_index(drop=True)


def _coded_approach1(c, assessed: np.ndarray, base_year: int | None) -> pd.DataFrame:
    """key_categories() without uncertainties (Approach 1 only) with region, category and substance as
    integer codes ranked as their texts sort, so that every merge, sort and group runs on integers and the
    result orders as the texts would; the texts are put back once, on the sorted result (the same values)."""
    groups, sums = c.group_sum(["region", "year", "category", "substance"], {"E": c.number("co2e_t")}, assessed,
                               decode=False)
    cat = pd.DataFrame({"year": groups["year"][1].take(groups["year"][0]).array})
    texts = {}
    for column in ("region", "category", "substance"):
        codes, uniques = groups[column]
        order = np.argsort(uniques.to_numpy(dtype=object), kind="stable")
        rank = np.empty(len(order), dtype=_code_type(len(order)))
        rank[order] = np.arange(len(order))
        texts[column] = uniques.take(order)
        cat[column] = rank[codes]
    cat = cat[["region", "year", "category", "substance"]]
    cat["E"] = sums["E"].to_numpy()
    cat["lulucf"] = is_lulucf(pd.Series(texts["category"].to_numpy(dtype=object))).to_numpy()[cat["category"]]
    out = []
    for with_lulucf in (True, False):
        sub = cat if with_lulucf else cat[~cat["lulucf"]]
        out += _approach1(sub, base_year, with_lulucf)
    if not out:
        return pd.DataFrame(columns=KEY_CATEGORY_COLUMNS)
    table = pd.concat([f[[c for c in KEY_CATEGORY_COLUMNS if c in f]] for f in out], ignore_index=True)
    del out, cat
    table["base_year"] = table["base_year"].astype("Int64")
    table = table.assign(_a=np.where(table["assessment"].to_numpy() == "trend", 1, 0), _l=~table["with_lulucf"])
    table = table.sort_values(["region", "year", "_a", "_l", "approach", "cumulative"], kind="stable")
    table = table[KEY_CATEGORY_COLUMNS].reset_index(drop=True)
    # The texts as Categoricals of the sorted texts (a code a row, not a text: issue 14, 10.6M rows nationally);
    # the same values, sorting as the texts do, and the same CSV bytes.
    for column, uniques in texts.items():
        table[column] = pd.Categorical.from_codes(table[column].to_numpy(), categories=uniques)
    table["assessment"] = _sorted_categorical(table["assessment"])
    return table


def _sorted_categorical(column: pd.Series) -> pd.Categorical:
    """A text column without missing cells as a Categorical of its sorted distinct texts."""
    codes, uniques = pd.factorize(column, sort=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques))


def _ranked(frame: pd.DataFrame, group: list[str], threshold: float) -> pd.DataFrame:
    """rank() for many groups at once: sorted by share within each group, running total and key flag."""
    out = frame.dropna(subset=["share"]).sort_values(
        group + ["share", "category", "substance"], ascending=[True] * len(group) + [False, True, True], kind="stable")
    out["cumulative"] = out.groupby(group, sort=False)["share"].cumsum()
    out["key"] = (out["cumulative"] - out["share"]) < threshold - 1e-12
    return out


def _approach1(cat: pd.DataFrame, base_year: int | None, with_lulucf: bool) -> list[pd.DataFrame]:
    """Approach 1 level (Eq. 4.1) for every region-year and trend (Eq. 4.2/4.3) for every later year, on
    whole tables (one pass, not one per region-year)."""
    if cat.empty:
        return []
    level = cat.assign(share=cat["E"].abs() / _abs_sum(cat["E"], [cat["region"], cat["year"]]).replace(0, np.nan))
    level = _ranked(level, ["region", "year"], THRESHOLD[1]).assign(
        base_year=pd.NA, with_lulucf=with_lulucf, assessment="level", approach=1)
    base = cat.groupby("region")["year"].transform("min") if base_year is None else pd.Series(base_year, cat.index)
    cat = cat.assign(base=base)
    e0 = cat[cat["year"] == cat["base"]][["region", "category", "substance", "E"]].rename(columns={"E": "E0"})
    later = cat[cat["year"] > cat["base"]][["region", "year", "base"]].drop_duplicates()
    if later.empty:
        return [level]
    grid = later.merge(pd.concat([e0[["region", "category", "substance"]],
                                  cat[cat["year"] > cat["base"]][["region", "category", "substance"]]]).drop_duplicates(),
                       on="region")
    grid = grid.merge(e0, on=["region", "category", "substance"], how="left").merge(
        cat[["region", "year", "category", "substance", "E"]].rename(columns={"E": "Et"}),
        on=["region", "year", "category", "substance"], how="left").fillna({"E0": 0.0, "Et": 0.0})
    g = grid.groupby(["region", "year"])
    abs0 = _abs_sum(grid["E0"], [grid["region"], grid["year"]])
    net0, nett = g["E0"].transform("sum"), g["Et"].transform("sum")
    valid = (abs0 != 0) & (net0 != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        eq42 = grid["E0"].abs() / abs0 * ((grid["Et"] - grid["E0"]) / grid["E0"].abs() - (nett - net0) / net0.abs()).abs()
        eq43 = grid["Et"].abs() / abs0
    trend = eq42.where(grid["E0"] != 0, eq43).where(valid)
    total = trend.groupby([grid["region"], grid["year"]]).transform("sum")
    grid = grid.assign(share=(trend / total.replace(0, np.nan)).where(total != 0, trend * np.nan))
    trend_rows = _ranked(grid, ["region", "year"], THRESHOLD[1]).rename(columns={"base": "base_year"}).assign(
        with_lulucf=with_lulucf, assessment="trend", approach=1)
    return [level, trend_rows]


def _abs_sum(values: pd.Series, by: list[pd.Series]) -> pd.Series:
    """`values.groupby(by).transform(lambda e: e.abs().sum())` without pandas' per-group call: the rows sorted
    by group once, then each group's |values| (missing as 0) summed by numpy over its contiguous slice in the
    rows' order, as Series.sum does (np.add.reduceat would sum in another order and differ in the last bit)."""
    group = values.groupby(by, sort=False).ngroup().to_numpy()  # -1: a missing key, in no group
    order = np.argsort(group, kind="stable")
    data = np.abs(values.to_numpy(dtype=float))[order]
    data[np.isnan(data)] = 0.0
    ordered = group[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(ordered) else np.empty(0, dtype=int)
    ends = np.r_[starts[1:], len(data)].astype(int)
    sums = np.full(int(group.max()) + 2 if len(group) else 1, np.nan)
    for a, b in zip(starts, ends):
        if ordered[a] >= 0:
            sums[ordered[a]] = data[a:b].sum()
    return pd.Series(sums[group], index=values.index)


def _approach2(cat: pd.DataFrame, u_cat: pd.Series, base_year: int | None) -> list[pd.DataFrame]:
    """Approach 2 (Eq. 4.4/4.5) where category uncertainties are known, per region-year."""
    out = []
    for region, by_region in cat.groupby("region", sort=True):
        years = sorted(int(y) for y in by_region["year"].unique())
        base = int(base_year) if base_year is not None else years[0]
        for with_lulucf in (True, False):
            sub = by_region if with_lulucf else by_region[~by_region["lulucf"]]
            for year in years:
                now = sub[sub["year"] == year].reset_index(drop=True)
                if now.empty:
                    continue
                lv = level_assessment(now["E"])
                u = _lookup(u_cat, region, year, now)
                ok = u.notna()
                if ok.any():
                    out.append(_rows(now[ok], uncertainty_weighted(lv[ok], u[ok]), region, year, None, with_lulucf,
                                     "level", 2))
            for year in (y for y in years if y > base):
                pair = _pair(sub, base, year)
                if pair.empty:
                    continue
                tr = trend_assessment(pair["E0"], pair["Et"])
                if tr.isna().all():
                    continue
                u = _lookup(u_cat, region, year, pair).fillna(_lookup(u_cat, region, base, pair))
                ok = u.notna()
                if ok.any():
                    out.append(_rows(pair[ok], uncertainty_weighted(tr[ok], u[ok]), region, year, base, with_lulucf,
                                     "trend", 2))
    return out


def _pair(sub: pd.DataFrame, base: int, year: int) -> pd.DataFrame:
    """Categories of the base year and `year` side by side (E0, Et; 0 where absent)."""
    b = sub[sub["year"] == base][["category", "substance", "E"]].rename(columns={"E": "E0"})
    t = sub[sub["year"] == year][["category", "substance", "E"]].rename(columns={"E": "Et"})
    pair = b.merge(t, on=["category", "substance"], how="outer").fillna({"E0": 0.0, "Et": 0.0})
    return pair.sort_values(["category", "substance"]).reset_index(drop=True)


def _lookup(u_cat: pd.Series, region: str, year: int, frame: pd.DataFrame) -> pd.Series:
    if u_cat.empty:
        return pd.Series(np.nan, index=frame.index)
    keys = pd.MultiIndex.from_arrays([[region] * len(frame), [year] * len(frame), frame["category"],
                                      frame["substance"]])
    return pd.Series(u_cat.reindex(keys).to_numpy(), index=frame.index)


def _rows(frame: pd.DataFrame, share: pd.Series, region: str, year: int, base: int | None, with_lulucf: bool,
          assessment: str, approach: int) -> pd.DataFrame:
    ranked = rank(frame[["category", "substance"]], share, THRESHOLD[approach])
    return ranked.assign(region=region, year=int(year), base_year=base if base is not None else pd.NA,
                         with_lulucf=with_lulucf, assessment=assessment, approach=approach)
