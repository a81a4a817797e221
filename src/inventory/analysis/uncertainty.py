"""Uncertainty of the inventory (DESIGN 3.9, `uncertainty.csv`): IPCC Approach 1 and Approach 2.

Source: 2006 IPCC Guidelines, Vol. 1, Ch. 3 (Uncertainties).

Every emission row (`kind == "emission"`; sinks and memo items are not in the
gross totals and are left out) gets two uncertainties, each the half-width of the
95 % interval in percent of the row's value (DESIGN 3.3):

- activity: a local `uncertainty.activity` parameter row (same rules as every
  local parameter: region, activity, category or an ancestor, year, technology);
  unknown without one. No default is invented.
- factor: the uncertainties of the factor ids the row used (factor tables,
  `uncertainty_low_pct`/`uncertainty_high_pct`) combined by the product rule
  (Eq. 3.1): an emission is the product of its factors (NCV x carbon content x
  oxidation, or one emission factor). Ids without an uncertainty count as exact;
  a row none of whose ids has one has an unknown factor uncertainty. A local
  `uncertainty.ef.<substance>` row replaces the combination.

A row is *known* when both are known. Unknown rows stay in every estimate but add
no spread to any interval (they are treated as exact); `UncertaintyResult.excluded`
counts them per group, so a reader sees how much of a total has no interval.

Approach 1 (error propagation): Eq. 3.1 per row, Eq. 3.2 for sums (category,
sector, total; every substance in t and CO2e in t CO2e); the trend between a base
year and each later year as Table 3.2 computes it (type A / type B sensitivity).
Asymmetric ranges enter Approach 1 with their larger half-width: where uncertainty
is highly asymmetrical, the larger percentage difference between the mean and the
confidence limit is entered (the instruction of the Approach 1 table, read here in
a secondary quotation of IPCC GPG 2000 Table 6.1, New Zealand NIR 2008 Annex 7).
Approach 1 takes rows as uncorrelated within a year (Eq. 3.2); Approach 2 does not.

Approach 2 (Monte Carlo): every distinct factor id is drawn once per iteration and
that draw is shared by every row (and every year) that uses it, so factors are
fully correlated across rows and years, as Table 3.2 assumes for the trend;
activity is drawn once per row and year (uncorrelated). The 95 % interval is the
2.5th and 97.5th percentile of the draws.
"""

from __future__ import annotations

import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from inventory import categories
from inventory.factors.resolve import KEY_COLUMNS, local_to_long, resolve

UNCERTAINTY_COLUMNS = ["region", "year", "base_year", "level", "key", "substance", "approach",
                       "estimate", "mean", "low_95", "high_95"]
EXCLUDED_COLUMNS = ["region", "year", "level", "key", "substance", "rows", "rows_unknown", "estimate_unknown"]
LEVELS = ("category", "sector", "total")
CO2E = "CO2e"
Z95 = 1.959963984540054  # standard normal 97.5th percentile: half-width of a 95 % interval = Z95 sigma
_LEVEL_ORDER = {"category": 0, "sector": 1, "total": 2, "trend": 3}
_ROW_KEY = ["region", "category", "activity", "technology", "substance"]


@dataclass
class UncertaintyResult:
    """table: UNCERTAINTY_COLUMNS (DESIGN 3.9). excluded: EXCLUDED_COLUMNS, per group the
    number of rows and the part of the estimate (t or t CO2e) without a known uncertainty."""

    table: pd.DataFrame
    excluded: pd.DataFrame


# --- per-row uncertainties --------------------------------------------------------------------------

def row_uncertainties(emissions: pd.DataFrame, factor_table: pd.DataFrame, local_params: pd.DataFrame | None = None,
                      kinds: tuple[str, ...] = ("emission",)) -> pd.DataFrame:
    """The emission rows of `kinds` with their activity and factor uncertainty (% half-widths of the 95 % interval).

    emissions: the long table (BuildResult.emissions: region, year, category, activity,
        technology, substance, emission t, co2e_t t CO2e, factor_ids joined by `;`, kind).
    factor_table: the loaded factor table (factor_id, uncertainty_low_pct, uncertainty_high_pct).
    local_params: Inputs.params (name, region, year, category, activity, technology, value as a fraction).

    Adds: u_activity_pct; u_factor_low_pct, u_factor_high_pct (Eq. 3.1 over each side);
    u_factor_pct (Eq. 3.1 over each id's larger half-width, for Approach 1);
    u_factor_parts (tuple of (draw id, low %, high %): what the Monte Carlo draws); known.
    Unknown values are NaN. Index 0..n-1 in the emissions' order.
    """
    rows = emissions[emissions["kind"].isin(kinds)].reset_index(drop=True)
    if "sector" not in rows:
        rows["sector"] = rows["category"].map(categories.table()["sector"])
    rows["technology"] = rows["technology"].fillna("").astype(str)
    for column in ("emission", "co2e_t"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce").astype(float)
    parts = _factor_parts(rows, factor_table)
    activity, local_ef = _local_uncertainties(rows, local_params)
    if len(local_ef):
        parts = pd.concat([parts[~parts["row"].isin(local_ef["row"])], local_ef], ignore_index=True)
    parts = parts.sort_values(["row", "draw_id"], kind="stable")
    sums = parts.assign(l2=parts["low"] ** 2, h2=parts["high"] ** 2,
                        b2=np.maximum(parts["low"], parts["high"]) ** 2).groupby("row")[["l2", "h2", "b2"]].sum()
    sums = sums.reindex(rows.index)
    rows["u_activity_pct"] = activity.to_numpy(dtype=float)
    rows["u_factor_low_pct"] = np.sqrt(sums["l2"])
    rows["u_factor_high_pct"] = np.sqrt(sums["h2"])
    rows["u_factor_pct"] = np.sqrt(sums["b2"])
    triples = pd.Series(list(zip(parts["draw_id"], parts["low"], parts["high"])), index=parts.index)
    rows["u_factor_parts"] = triples.groupby(parts["row"]).agg(tuple).reindex(rows.index)
    rows["u_factor_parts"] = rows["u_factor_parts"].apply(lambda t: t if isinstance(t, tuple) else ())
    rows["known"] = rows["u_activity_pct"].notna() & rows["u_factor_pct"].notna()
    return rows


def _factor_parts(rows: pd.DataFrame, factor_table: pd.DataFrame) -> pd.DataFrame:
    """(row, draw_id, low, high) for every factor id of every row that has an uncertainty."""
    ids = rows["factor_ids"].fillna("").astype(str).str.split(";").explode()
    pairs = pd.DataFrame({"row": ids.index, "draw_id": ids.str.strip()})
    pairs = pairs[pairs["draw_id"] != ""].drop_duplicates()
    table = factor_table[["factor_id", "uncertainty_low_pct", "uncertainty_high_pct"]].drop_duplicates(
        "factor_id", keep="last").rename(columns={"factor_id": "draw_id", "uncertainty_low_pct": "low",
                                                  "uncertainty_high_pct": "high"})
    out = pairs.merge(table, on="draw_id", how="inner")
    out["low"] = out["low"].astype(float).fillna(out["high"])
    out["high"] = out["high"].astype(float).fillna(out["low"])
    return out.dropna(subset=["low", "high"]).reset_index(drop=True)[["row", "draw_id", "low", "high"]]


def _local_uncertainties(rows: pd.DataFrame, params: pd.DataFrame | None) -> tuple[pd.Series, pd.DataFrame]:
    """Activity uncertainty per row (%) and local factor-uncertainty overrides (row, draw_id, low, high).

    The most specific `uncertainty.activity` / `uncertainty.ef.<substance>` row wins, by the
    same resolution as every local parameter (factors.resolve).
    """
    empty = pd.DataFrame(columns=["row", "draw_id", "low", "high"])
    none = pd.Series(np.nan, index=rows.index)
    if params is None or params.empty or rows.empty:
        return none, empty
    mine = params[params["name"].astype(str).str.startswith("uncertainty.")]
    if mine.empty:
        return none, empty
    keys = rows[KEY_COLUMNS].drop_duplicates().reset_index(drop=True)
    keys["key_id"] = keys.index
    won = resolve(keys, local_to_long(mine.reset_index(drop=True)), ["uncertainty.activity", "uncertainty.ef"])
    key_of_row = rows[KEY_COLUMNS].merge(keys, on=KEY_COLUMNS, how="left")["key_id"]
    act = won[won["name"] == "uncertainty.activity"].set_index("key_id")["value"] * 100
    activity = key_of_row.map(act).astype(float)
    ef = won[won["name"].str.startswith("uncertainty.ef.")]
    ef = ef.assign(substance=ef["name"].str[len("uncertainty.ef."):], pct=ef["value"].astype(float) * 100)
    hit = pd.DataFrame({"row": rows.index, "key_id": key_of_row, "substance": rows["substance"]}).merge(
        ef[["key_id", "substance", "pct", "factor_id"]], on=["key_id", "substance"])
    local = pd.DataFrame({"row": hit["row"], "draw_id": hit["factor_id"], "low": hit["pct"], "high": hit["pct"]})
    return activity, local


# --- Approach 1 ---------------------------------------------------------------------------------------

def combined_uncertainty_pct(*u_pct):
    """Uncertainty of a product (IPCC 2006 Vol.1 Eq. 3.1): sqrt(U1^2 + U2^2 + ...), all in % of the value."""
    return np.sqrt(sum(np.asarray(u, dtype=float) ** 2 for u in u_pct))


def sum_half_width(values, u_pct, by=None):
    """Half-width of the 95 % interval of a sum (IPCC 2006 Vol.1 Eq. 3.2 times |sum|).

    values: the summed quantities x_i (t); u_pct: their uncertainties U_i (%), NaN = left out.
    Returns sqrt(sum (U_i/100 x_i)^2) in the unit of x (Eq. 3.2's U_total in % is 100 times
    this over |sum x_i|); with `by` (group labels aligned with values), one per group.
    The x_i are taken as uncorrelated, as Eq. 3.2 does.
    """
    terms = pd.Series((np.asarray(u_pct, dtype=float) / 100 * np.asarray(values, dtype=float)) ** 2)
    if by is None:
        return float(np.sqrt(terms.sum()))
    return np.sqrt(terms.groupby([pd.Series(np.asarray(b)) for b in by], sort=True).sum())


def _measures(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows once per measure: the substance (x = emission, t) and, for greenhouse gases, CO2e (x = co2e_t)."""
    base = rows.assign(row_id=rows.index, u_row=combined_uncertainty_pct(rows["u_activity_pct"],
                                                                          rows["u_factor_pct"]))
    sub = base.assign(measure=base["substance"], x=base["emission"].astype(float))
    ghg = base[base["co2e_t"].notna()]
    co2e = ghg.assign(measure=CO2E, x=ghg["co2e_t"].astype(float))
    return pd.concat([sub, co2e], ignore_index=True)


def _with_key(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    key = {"category": frame["category"], "sector": frame["sector"].astype(str),
           "total": pd.Series("total", index=frame.index)}[level]
    return frame.assign(level=level, key=key)


def approach1(rows: pd.DataFrame) -> pd.DataFrame:
    """Approach 1 level rows of uncertainty.csv: Eq. 3.1 per row, Eq. 3.2 per category, sector and total.

    rows: row_uncertainties() output. estimate = mean = the sum of every row (t or t CO2e);
    low_95/high_95 = estimate -/+ the Eq. 3.2 half-width over the known rows.
    Groups without any known row are left out.
    """
    m = _measures(rows)
    out = []
    for level in LEVELS:
        k = _with_key(m, level)
        by = [k[c] for c in ("region", "year", "level", "key", "measure")]
        agg = k.groupby(by, sort=True).agg(estimate=("x", "sum"), known=("known", "sum"))
        agg["half"] = sum_half_width(k["x"], k["u_row"].where(k["known"]), by).to_numpy()
        out.append(agg[agg["known"] > 0].reset_index())
    agg = pd.concat(out, ignore_index=True)
    table = pd.DataFrame({"region": agg["region"], "year": agg["year"].astype(int), "base_year": pd.NA,
                          "level": agg["level"], "key": agg["key"], "substance": agg["measure"], "approach": 1,
                          "estimate": agg["estimate"], "mean": agg["estimate"],
                          "low_95": agg["estimate"] - agg["half"], "high_95": agg["estimate"] + agg["half"]})
    return _finish(table)


def excluded_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Per group (as approach1), how many rows have no known uncertainty and how much they emit."""
    m = _measures(rows)
    m["unknown"] = ~m["known"]
    m["x_unknown"] = m["x"].where(m["unknown"], 0.0)
    out = []
    for level in LEVELS:
        g = _with_key(m, level).groupby(["region", "year", "level", "key", "measure"], sort=True)
        out.append(g.agg(rows=("x", "size"), rows_unknown=("unknown", "sum"),
                         estimate_unknown=("x_unknown", "sum")).reset_index())
    frame = pd.concat(out, ignore_index=True).rename(columns={"measure": "substance"})
    return frame[EXCLUDED_COLUMNS]


def trend_sensitivities(base: pd.Series, latest: pd.Series, base_total: pd.Series, latest_total: pd.Series):
    """Type A and type B sensitivity of IPCC 2006 Vol.1 Table 3.2 (Approach 1), columns I and J.

    base, latest: the source's emission C_x (base year) and D_x (year t); base_total,
    latest_total: sum C and sum D of the inventory (or group) it belongs to, same unit.
    Type A = ((0.01 D_x + sum D - (0.01 C_x + sum C)) / (0.01 C_x + sum C)) x 100
             - ((sum D - sum C) / sum C) x 100   (%-points of trend per % change in both years);
    type B = D_x / sum C.
    """
    a = ((0.01 * latest + latest_total - (0.01 * base + base_total)) / (0.01 * base + base_total) * 100
         - (latest_total - base_total) / base_total * 100)
    b = latest / base_total
    return a, b


def trend_uncertainty_terms(a, b, u_factor_pct, u_activity_pct):
    """Table 3.2 columns K and L (%-points): factor uncertainty enters through type A sensitivity
    (fully correlated between years), activity uncertainty through type B times sqrt(2)
    (uncorrelated between years). Column M = K^2 + L^2; the trend's uncertainty is sqrt(sum M)."""
    return a * u_factor_pct, b * u_activity_pct * np.sqrt(2)


def _base_years(rows: pd.DataFrame, base_year: int | None) -> dict[str, int]:
    years = rows.groupby("region")["year"].min()
    return {r: (int(base_year) if base_year is not None else int(y)) for r, y in years.items()}


def approach1_trend(rows: pd.DataFrame, base_year: int | None = None) -> pd.DataFrame:
    """Approach 1 trend rows (level `trend`) between the base year and every later year (Table 3.2).

    Sources are matched across years by region, category, activity, technology and
    substance; a source missing in a year counts as 0 there. Its uncertainties are
    those of year t (of the base year when it is missing in t). estimate = mean =
    percent change of the group's total; low/high = estimate -/+ sqrt(sum M) in %-points.
    base_year: None = each region's earliest year.
    """
    m = _measures(rows)
    cols = _ROW_KEY + ["sector", "measure"]
    out = []
    for region, b in _base_years(rows, base_year).items():
        mr = m[m["region"] == region]
        base = mr[mr["year"] == b]
        for t in sorted(y for y in mr["year"].unique() if y > b):
            latest = mr[mr["year"] == t]
            j = base[cols + ["x", "known", "u_activity_pct", "u_factor_pct"]].merge(
                latest[cols + ["x", "known", "u_activity_pct", "u_factor_pct"]], on=cols, how="outer",
                suffixes=("_0", "_t"))
            in_t = j["x_t"].notna()
            j["C"], j["D"] = j["x_0"].fillna(0.0), j["x_t"].fillna(0.0)
            for c in ("known", "u_activity_pct", "u_factor_pct"):
                j[c] = j[c + "_t"].where(in_t, j[c + "_0"])
            j["known"] = j["known"].fillna(False).astype(bool)
            for level in LEVELS:
                k = _with_key(j, level)
                grp = k.groupby(["key", "measure"])
                k["SC"], k["SD"] = grp["C"].transform("sum"), grp["D"].transform("sum")
                a, bb = trend_sensitivities(k["C"], k["D"], k["SC"], k["SD"])
                kk, ll = trend_uncertainty_terms(a, bb, k["u_factor_pct"], k["u_activity_pct"])
                k["M"] = np.where(k["known"], kk ** 2 + ll ** 2, 0.0)
                agg = k.groupby(["key", "measure"]).agg(SC=("C", "sum"), SD=("D", "sum"), M=("M", "sum"),
                                                        known=("known", "sum")).reset_index()
                agg = agg[(agg["known"] > 0) & (agg["SC"] != 0)]
                est = (agg["SD"] - agg["SC"]) / agg["SC"] * 100
                half = np.sqrt(agg["M"])
                out.append(pd.DataFrame({"region": region, "year": int(t), "base_year": int(b), "level": "trend",
                                         "key": agg["key"], "substance": agg["measure"], "approach": 1,
                                         "estimate": est, "mean": est, "low_95": est - half,
                                         "high_95": est + half}))
    if not out:
        return pd.DataFrame(columns=UNCERTAINTY_COLUMNS)
    return _finish(pd.concat(out, ignore_index=True))


# --- Approach 2 ---------------------------------------------------------------------------------------

def _truncated_normal(rng: np.random.Generator, sigma: np.ndarray, draws: int) -> np.ndarray:
    """Multipliers 1 + sigma z (draws x len(sigma)), z standard normal, truncated at zero by
    resampling the non-positive draws.

    Resampling (not clipping) keeps a proper truncated normal: clipping would put a
    probability mass on exactly zero emission. The truncation raises the mean by
    sigma phi(1/sigma)/Phi(1/sigma), negligible below U = 50 % (sigma = 0.26).
    """
    x = rng.standard_normal((draws, len(sigma)))
    x *= sigma
    x += 1.0
    while x.size and x.min() <= 0:
        bad = x <= 0
        which = np.nonzero(bad)[1]
        x[bad] = 1.0 + sigma[which] * rng.standard_normal(len(which))
    return x


def lognormal_from_bounds(low_pct, high_pct):
    """(mu, s) of ln X for a factor multiplier X whose 95 % interval is [1 - low/100, 1 + high/100].

    Fit: ln(1 - low/100) = mu - Z95 s and ln(1 + high/100) = mu + Z95 s, so
    s = (ln(1 + high/100) - ln(1 - low/100)) / (2 Z95), mu = their mean. Only the two
    bounds are matched: the estimate itself is neither forced to the mean nor the
    median (mean = exp(mu + s^2/2)). When low >= 100 % the lower bound is not positive
    and cannot be matched: the median is then put at the estimate (mu = 0) and s
    matched to the upper bound.
    """
    low = np.asarray(low_pct, dtype=float) / 100
    high = np.asarray(high_pct, dtype=float) / 100
    up = np.log1p(high)
    with np.errstate(divide="ignore", invalid="ignore"):
        down = np.log(np.clip(1 - low, 1e-300, None))
    fits = low < 1
    s = np.where(fits, (up - down) / (2 * Z95), up / Z95)
    mu = np.where(fits, (up + down) / 2, 0.0)
    return mu, s


@dataclass
class _Draws:
    """What one region's Monte Carlo needs; rows sorted by cell (year, category, substance)."""

    xs: np.ndarray          # emission per row (t)
    xc: np.ndarray          # co2e per row (t CO2e, 0 for pollutants)
    act_rows: np.ndarray    # rows with an activity uncertainty > 0
    act_sigma: np.ndarray   # their sigma (fraction)
    by_parts: list          # [(rows, ids (rows x k))] for rows drawing k factor ids, k = 1, 2, ...
    id_normal: np.ndarray   # ids drawn from a truncated normal
    id_sigma: np.ndarray
    id_lognormal: np.ndarray
    id_mu: np.ndarray
    id_s: np.ndarray
    n_ids: int
    cell_starts: np.ndarray
    group_matrix_t: np.ndarray  # (2 cells) x groups: substance cells then CO2e cells


def _prepare(r: pd.DataFrame, group_matrix: np.ndarray, cell_starts: np.ndarray) -> _Draws:
    known = r["known"].to_numpy()
    sigma = np.where(known, r["u_activity_pct"].fillna(0).to_numpy(float), 0.0) / 100 / Z95
    act_rows = np.flatnonzero(sigma > 0)
    parts = r.loc[known, "u_factor_parts"].explode().dropna()
    pairs = pd.DataFrame(parts.tolist(), columns=["draw_id", "low", "high"])
    pairs["row"] = parts.index.to_numpy(int)
    ids = pairs.drop_duplicates("draw_id").sort_values("draw_id").reset_index(drop=True)
    pairs["id"] = pairs["draw_id"].map(pd.Series(ids.index, index=ids["draw_id"])).astype(int)
    pairs["k"] = pairs.groupby("row")["id"].transform("size")
    pairs["j"] = pairs.groupby("row").cumcount()
    by_parts = []
    for k, sub in pairs.groupby("k"):
        wide = sub.pivot(index="row", columns="j", values="id")
        by_parts.append((wide.index.to_numpy(int), wide.to_numpy(int)))
    low, high = ids["low"].to_numpy(float), ids["high"].to_numpy(float)
    symmetric = np.isclose(low, high, rtol=0, atol=1e-9)
    mu, s = lognormal_from_bounds(low[~symmetric], high[~symmetric])
    return _Draws(xs=r["emission"].to_numpy(float), xc=r["co2e_t"].fillna(0).to_numpy(float),
                  act_rows=act_rows, act_sigma=sigma[act_rows], by_parts=by_parts,
                  id_normal=np.flatnonzero(symmetric), id_sigma=low[symmetric] / 100 / Z95,
                  id_lognormal=np.flatnonzero(~symmetric), id_mu=mu, id_s=s, n_ids=len(ids),
                  cell_starts=cell_starts, group_matrix_t=np.ascontiguousarray(group_matrix.T))


def _chunk(d: _Draws, rng: np.random.Generator, c: int) -> np.ndarray:
    """Group totals of c draws (c x groups). Matrices are draws x rows, float64."""
    factor = np.empty((c, d.n_ids))
    factor[:, d.id_normal] = _truncated_normal(rng, d.id_sigma, c)
    factor[:, d.id_lognormal] = np.exp(d.id_mu + d.id_s * rng.standard_normal((c, len(d.id_s))))
    n = len(d.xs)
    if len(d.act_rows) == n:
        mult = _truncated_normal(rng, d.act_sigma, c)
    else:
        mult = np.ones((c, n))
        mult[:, d.act_rows] = _truncated_normal(rng, d.act_sigma, c)
    for rows, ids in d.by_parts:
        product = np.take(factor, ids[:, 0], axis=1)
        for j in range(1, ids.shape[1]):
            product *= np.take(factor, ids[:, j], axis=1)
        mult[:, rows] *= product
    cells_s = np.add.reduceat(mult * d.xs, d.cell_starts, axis=1)
    mult *= d.xc
    cells_c = np.add.reduceat(mult, d.cell_starts, axis=1)
    return np.hstack([cells_s, cells_c]) @ d.group_matrix_t


def _simulate(d: _Draws, seed: np.random.SeedSequence, draws: int, max_bytes: int, workers: int) -> np.ndarray:
    """Group totals per draw (groups x draws), in chunks of draws that bound memory.

    Chunk i draws from its own stream (seed.spawn), so the numbers do not depend on
    how many threads run the chunks; they do depend on the chunk size, which follows
    from the problem's size and max_bytes alone.
    """
    width = max(len(d.xs), d.n_ids, 1)
    chunk = int(min(draws, max(1, max_bytes // (8 * 3 * width))))
    bounds = [(i, min(i + chunk, draws)) for i in range(0, draws, chunk)]
    streams = [np.random.default_rng(s) for s in seed.spawn(len(bounds))]
    totals = np.empty((draws, d.group_matrix_t.shape[1]))

    def run(i: int) -> None:
        lo, hi = bounds[i]
        totals[lo:hi] = _chunk(d, streams[i], hi - lo)

    if workers > 1 and len(bounds) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(len(bounds))))
    else:
        for i in range(len(bounds)):
            run(i)
    return totals.T


def _groups(cells: pd.DataFrame, n_cells: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Output groups (year, level, key, measure) and their 0/1 matrix over substance and CO2e cells."""
    sub = cells.assign(col=np.arange(n_cells), measure=cells["substance"])
    ghg = cells[cells["ghg"]]
    co2e = ghg.assign(col=n_cells + np.flatnonzero(cells["ghg"].to_numpy()), measure=CO2E)
    members = pd.concat([sub, co2e], ignore_index=True)
    members = pd.concat([_with_key(members, lv) for lv in LEVELS], ignore_index=True)
    gid = members.groupby(["year", "level", "key", "measure"], sort=True).ngroup().to_numpy()
    groups = members.assign(gid=gid).drop_duplicates("gid").sort_values("gid")[["year", "level", "key", "measure"]]
    matrix = np.zeros((len(groups), 2 * n_cells))
    matrix[gid, members["col"].to_numpy()] = 1.0
    return groups.reset_index(drop=True), matrix


def monte_carlo(rows: pd.DataFrame, draws: int = 10000, seed: int = 0, base_year: int | None = None,
                max_bytes: int = 64 * 2 ** 20, workers: int | None = None) -> pd.DataFrame:
    """Approach 2 (Monte Carlo) rows of uncertainty.csv: level rows and trend rows.

    rows: row_uncertainties() output. draws: iterations; seed: numpy default_rng seed
    (each region's streams are seeded by (seed, crc32(region)), so a region's numbers do not
    depend on the other regions built). Per iteration: one multiplier per distinct factor
    id (shared by all rows and years using it), one per row for activity; symmetric
    ranges -> normal with sigma = U/1.96 truncated at zero (_truncated_normal);
    asymmetric -> lognormal fitted to the two 95 % bounds (lognormal_from_bounds).
    estimate = the inventory's value; mean = mean of the draws; low/high = 2.5/97.5
    percentiles. Trend rows: percent change between the base year and each later
    year, per draw, with the same factor draws in both years.
    max_bytes: memory bound of one chunk's working matrices (float64), per worker thread;
    workers: threads running chunks (None = min(4, CPUs)); the numbers do not depend on it.
    """
    workers = workers or min(4, os.cpu_count() or 1)
    out = []
    for region, b in _base_years(rows, base_year).items():
        r = rows[rows["region"] == region].sort_values(["year", "category", "substance"], kind="stable")
        r = r.reset_index(drop=True)
        if not r["known"].any():
            continue
        cell = r.groupby(["year", "category", "substance"], sort=False).ngroup().to_numpy()
        starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
        cells = r.iloc[starts][["year", "category", "sector", "substance"]].reset_index(drop=True)
        cells["ghg"] = np.add.reduceat(r["co2e_t"].notna().to_numpy(int), starts) > 0
        groups, matrix = _groups(cells, len(cells))
        d = _prepare(r, matrix, starts)
        known_cells = np.add.reduceat(r["known"].to_numpy(int), starts)
        groups["known"] = matrix @ np.r_[known_cells, known_cells * cells["ghg"].to_numpy()] > 0
        groups["estimate"] = matrix @ np.r_[np.add.reduceat(d.xs, starts), np.add.reduceat(d.xc, starts)]
        stream = np.random.SeedSequence([seed, zlib.crc32(str(region).encode())])
        totals = _simulate(d, stream, draws, max_bytes, workers)
        groups["mean"] = totals.mean(axis=1)
        groups["low_95"], groups["high_95"] = np.percentile(totals, [2.5, 97.5], axis=1)
        level = groups[groups["known"]]
        out.append(pd.DataFrame({"region": region, "year": level["year"].astype(int), "base_year": pd.NA,
                                 "level": level["level"], "key": level["key"], "substance": level["measure"],
                                 "approach": 2, "estimate": level["estimate"], "mean": level["mean"],
                                 "low_95": level["low_95"], "high_95": level["high_95"]}))
        out.append(_mc_trend(region, b, groups, totals))
    out = [f for f in out if len(f)]
    if not out:
        return pd.DataFrame(columns=UNCERTAINTY_COLUMNS)
    return _finish(pd.concat(out, ignore_index=True))


def _mc_trend(region: str, base_year: int, groups: pd.DataFrame, totals: np.ndarray) -> pd.DataFrame:
    """Percent change per draw between the base year's and each later year's group totals."""
    g = groups.reset_index().rename(columns={"index": "gid"})
    base = g[g["year"] == base_year]
    out = []
    for t in sorted(y for y in g["year"].unique() if y > base_year):
        j = base.merge(g[g["year"] == t], on=["level", "key", "measure"], how="left", suffixes=("_0", "_t"))
        j = j[(j["estimate_0"] != 0) & (j["known_0"] | j["known_t"].fillna(False).astype(bool))]
        if j.empty:
            continue
        t0 = totals[j["gid_0"].to_numpy(int)]
        has_t = j["gid_t"].notna().to_numpy()
        tt = np.zeros_like(t0)
        tt[has_t] = totals[j.loc[has_t, "gid_t"].to_numpy(int)]
        pct = (tt - t0) / t0 * 100
        est = (j["estimate_t"].fillna(0.0) - j["estimate_0"]) / j["estimate_0"] * 100
        low, high = np.percentile(pct, [2.5, 97.5], axis=1)
        out.append(pd.DataFrame({"region": region, "year": int(t), "base_year": int(base_year), "level": "trend",
                                 "key": j["key"], "substance": j["measure"], "approach": 2,
                                 "estimate": est.to_numpy(), "mean": pct.mean(axis=1), "low_95": low,
                                 "high_95": high}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=UNCERTAINTY_COLUMNS)


# --- together -------------------------------------------------------------------------------------------

def _finish(table: pd.DataFrame) -> pd.DataFrame:
    table = table.assign(_lv=table["level"].map(_LEVEL_ORDER))
    table = table.sort_values(["region", "year", "_lv", "key", "substance", "approach"], kind="stable")
    table = table.drop(columns="_lv").reset_index(drop=True)
    table["year"] = table["year"].astype(int)
    table["base_year"] = table["base_year"].astype("Int64")
    table["approach"] = table["approach"].astype(int)
    for c in ("estimate", "mean", "low_95", "high_95"):
        table[c] = table[c].astype(float)
    return table[UNCERTAINTY_COLUMNS]


def analyse_uncertainty(emissions: pd.DataFrame, factor_table: pd.DataFrame, local_params: pd.DataFrame | None = None,
                        base_year: int | None = None, draws: int = 10000, seed: int = 0) -> UncertaintyResult:
    """uncertainty.csv (DESIGN 3.9): Approach 1 and Approach 2, levels and trend, with the excluded-row counts.

    emissions: BuildResult.emissions; factor_table: load.load_all(); local_params:
    Inputs.params; base_year: None = each region's earliest year; draws, seed: --draws, --seed.
    """
    rows = row_uncertainties(emissions, factor_table, local_params)
    if rows.empty or not rows["known"].any():
        return UncertaintyResult(pd.DataFrame(columns=UNCERTAINTY_COLUMNS), excluded_rows(rows)
                                 if len(rows) else pd.DataFrame(columns=EXCLUDED_COLUMNS))
    table = pd.concat([approach1(rows), approach1_trend(rows, base_year),
                       monte_carlo(rows, draws, seed, base_year)], ignore_index=True)
    return UncertaintyResult(_finish(table), excluded_rows(rows))
