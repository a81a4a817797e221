"""Coupling coordination degree (耦合协调度, CCD) of a carbon and a pollution subsystem (DESIGN 3.9, `ccd.csv`).

Formulas (n = 2 subsystems; zhjx19/mathmodels-book, system-eval.qmd, commit 3d71106a, a textbook page):
    C = (u_1 u_2)^(1/2) / ((u_1 + u_2) / 2)     coupling degree
    T = w_1 u_1 + w_2 u_2, w_1 + w_2 = 1          coordination index (here w_1 = w_2 = 0.5)
    D = (C T)^(1/2)                               coupling coordination degree, in [0, 1]
Bands (田深圳, 李雪铭, 杨俊 等, 东北三省城市拟态与现实人居环境时空耦合协调特征与机制, 地理学报 2021, 76(4): 781,
表1 耦合度和协调度等级标准), each interval open below and closed above: D in (0, 0.1] 极度失调 ... (0.9, 1] 优质协调
(D_BANDS); C in (0, 0.3] 低水平耦合, (0.3, 0.5] 拮抗阶段, (0.5, 0.8] 磨合阶段, (0.8, 1] 高水平耦合 (C_BANDS).

Subsystems and their indicators (SUBSYSTEMS), every one oriented "lower is better" (emissions):
    carbon     CO2 (t, gross) and CO2 per GDP (t/万元, the `indicators` table's level CO2/gdp)
    pollution  SO2, NOx, PM2.5 and NMVOC (t, gross)
Normalisation, over a set of observations (scope `own_years`: the region's own years; `panel`: the
prefecture-years of a province pooled): x' = 0.01 + 0.99 (max − x) / (max − min), the negative (lower is
better) min–max form that the textbook asks for (indicators "正向化" before scoring), shifted into
[0.01, 1] so that no subsystem score is 0 (C is 0/0 at u_1 = u_2 = 0): the shift is this program's choice,
no source read gives one. A subsystem's score is the mean of its indicators' x' (equal weights: this
program's choice; published studies often use entropy weights over a panel, not reproduced here).
An indicator equal in every observation of the set (max = min) or missing leaves the observation out. Only the
sectors a region has in every one of its years count (a year without a sector, figures.series_gaps, would
otherwise show missing data as a lower emission): e.g. energy alone where the other sectors are patchy.
These values are relative to the set they are normalised over: they compare years (or prefectures)
within it, not with published CCD values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import regions
from inventory.grouped import coded

CCD_COLUMNS = ["region", "year", "scope", "u_carbon", "u_pollution", "c", "t", "d", "band", "c_band", "n_obs"]
SUBSYSTEMS = {"carbon": ["CO2", "CO2/gdp"], "pollution": ["SO2", "NOx", "PM2.5", "NMVOC"]}
WEIGHTS = {"carbon": 0.5, "pollution": 0.5}
SHIFT = 0.01
D_BANDS = [(0.1, "d_extreme_imbalance"), (0.2, "d_serious_imbalance"), (0.3, "d_moderate_imbalance"),
           (0.4, "d_mild_imbalance"), (0.5, "d_verge_imbalance"), (0.6, "d_barely_coordinated"),
           (0.7, "d_primary_coordinated"), (0.8, "d_intermediate_coordinated"), (0.9, "d_good_coordinated"),
           (1.0, "d_high_quality_coordinated")]
C_BANDS = [(0.3, "c_low"), (0.5, "c_antagonism"), (0.8, "c_running_in"), (1.0, "c_high")]


def band(values: pd.Series, bands: list[tuple[float, str]]) -> pd.Series:
    """The band of each value: the first (upper, id) with lower < value <= upper; "" for 0, NaN or above 1."""
    v = pd.Series(values, dtype=float)
    lowers = [0.0] + [u for u, _ in bands[:-1]]
    conditions = [(v > lo) & (v <= up + 1e-12) for lo, (up, _) in zip(lowers, bands)]
    return pd.Series(np.select(conditions, [b for _, b in bands], default=""), index=v.index, dtype=object)


def coupling(u1, u2, w1: float = 0.5, w2: float = 0.5) -> pd.DataFrame:
    """C, T and D of two subsystem scores (module docstring formulas); columns c, t, d."""
    u1, u2 = pd.Series(u1, dtype=float), pd.Series(u2, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.sqrt(u1 * u2) / ((u1 + u2) / 2)
    t = w1 * u1 + w2 * u2
    return pd.DataFrame({"c": c, "t": t, "d": np.sqrt(c * t)})


def normalised(obs: pd.DataFrame, group: pd.Series, columns: list[str]) -> pd.DataFrame:
    """x' = SHIFT + (1 − SHIFT)(max − x)/(max − min) per column within each group (lower is better);
    NaN where max = min."""
    lo = obs[columns].groupby(group).transform("min")
    hi = obs[columns].groupby(group).transform("max")
    span = (hi - lo).where(hi > lo)
    return SHIFT + (1 - SHIFT) * (hi - obs[columns]) / span


def observations(emissions: pd.DataFrame, indicator_table: pd.DataFrame | None) -> pd.DataFrame:
    """Per region-year: the gross emissions (t) of CO2 and the pollutants of SUBSYSTEMS and CO2/gdp (t/万元)."""
    names = [n for cols in SUBSYSTEMS.values() for n in cols if "/" not in n]
    if len(emissions) and "sector" in emissions:
        c = coded(emissions)
        gross = c.eq("kind", "emission") if "kind" in emissions else np.ones(c.n, dtype=bool)
        rows = gross & _common_sector_rows(c, gross) & c.isin("substance", names)
        # each region-year and substance summed over the rows (as pivot_table would), pivoted from the sums
        e = c.group_sum(["region", "year", "substance"], ["emission"], rows)
    else:
        e = emissions[emissions["kind"] == "emission"] if "kind" in emissions else emissions
        e = _common_sectors(e)
        e = e[e["substance"].isin(names)]
        e = e.assign(emission=pd.to_numeric(e["emission"], errors="coerce"))
    wide = e.pivot_table(index=["region", "year"], columns="substance", values="emission", aggfunc="sum")
    wide = wide.reindex(columns=names)
    if indicator_table is not None and len(indicator_table):
        i = indicator_table[(indicator_table["measure"] == "level") & (indicator_table["item"] == "CO2/gdp")]
        wide["CO2/gdp"] = i.set_index(["region", "year"])["value"].reindex(wide.index)
    else:
        wide["CO2/gdp"] = np.nan
    return wide.reset_index()


def _common_sector_rows(c, gross: np.ndarray) -> np.ndarray:
    """_common_sectors over coded emissions: True for the rows of a sector that the region has in every one of
    its `gross` years."""
    region, regions_ = c.code("region")
    year, years = c.code("year")
    sector, sectors = c.code("sector")
    dated = gross & (region >= 0) & (year >= 0)
    known = dated & (sector >= 0)
    n_years, n_sectors = len(years), len(sectors)
    region_years = np.zeros((len(regions_), n_years), dtype=bool)
    region_years[region[dated], year[dated]] = True
    have = np.zeros((len(regions_), n_years, n_sectors), dtype=bool)
    have[region[known], year[known], sector[known]] = True
    common = have.sum(axis=1) == region_years.sum(axis=1)[:, None]  # region x sector
    out = np.zeros(c.n, dtype=bool)
    out[known] = common[region[known], sector[known]]
    return out


def _common_sectors(e: pd.DataFrame) -> pd.DataFrame:
    """The rows of the sectors that the region has in every one of its years."""
    if "sector" not in e or e.empty:
        return e
    have = e[["region", "year", "sector"]].drop_duplicates()
    years = e.groupby("region")["year"].nunique()
    count = have.groupby(["region", "sector"]).size()
    common = count[count.to_numpy() == years.reindex(count.index.get_level_values("region")).to_numpy()]
    return e[pd.MultiIndex.from_frame(e[["region", "sector"]]).isin(common.index)]


def _scores(obs: pd.DataFrame, group: pd.Series, scope: str) -> pd.DataFrame:
    columns = [c for cols in SUBSYSTEMS.values() for c in cols]
    x = normalised(obs, group, columns)
    u = {name: x[cols].mean(axis=1, skipna=False) for name, cols in SUBSYSTEMS.items()}
    out = obs[["region", "year"]].assign(scope=scope, u_carbon=u["carbon"], u_pollution=u["pollution"])
    out = out.join(coupling(out["u_carbon"], out["u_pollution"], WEIGHTS["carbon"], WEIGHTS["pollution"])
                   .set_axis(out.index))
    out["n_obs"] = group.map(group.value_counts()).to_numpy()
    return out.dropna(subset=["d"])


def ccd(emissions: pd.DataFrame, indicator_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """ccd.csv (DESIGN 3.9): per region, year and scope (`own_years`, `panel`) the subsystem scores, C, T, D,
    the D band and the C band (see the module docstring). Observations lacking an indicator are left out;
    a set of fewer than two observations gives no rows."""
    obs = observations(emissions, indicator_table)
    obs = obs.dropna(subset=[c for cols in SUBSYSTEMS.values() for c in cols]).reset_index(drop=True)
    if obs.empty:
        return pd.DataFrame(columns=CCD_COLUMNS)
    parts = [_scores(obs, obs["region"], "own_years")]
    table = regions.table()
    parent = obs["region"].map(table["parent"]).fillna("")
    prefs = obs[(obs["region"].map(table["level"]) == "prefecture") & (parent != "")]
    if prefs["region"].nunique() > 1:
        parts.append(_scores(prefs.reset_index(drop=True), parent[prefs.index].reset_index(drop=True), "panel"))
    out = pd.concat(parts, ignore_index=True)
    out = out[out["n_obs"] > 1]
    out["band"] = band(out["d"], D_BANDS).to_numpy()
    out["c_band"] = band(out["c"], C_BANDS).to_numpy()
    return out.sort_values(["scope", "region", "year"], kind="stable").reset_index(drop=True)[CCD_COLUMNS]
