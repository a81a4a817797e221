"""Regenerate the example workbooks in ``data/`` (and ``../hunan-revision/data/``) from ``source/``.

    python examples/hunan/make_example.py

Needs pandas and openpyxl only. Deterministic: the same ``source/`` gives
byte-identical workbooks. For every year Y of YEARS (2011-2022, every year of
CEADs' Hunan energy inventory):

* ``data/430000_能源平衡表_<Y>.xlsx``: the province's CEADs energy inventory of
  year Y, values unchanged, laid out as a wide energy balance (DESIGN 3.3).

For every year Y of PREFECTURE_YEARS (2017-2019) only (the build of the example
stays fast; the split is illustrative in any year):

* ``data/<code>_能源_<Y>.xlsx``: ILLUSTRATIVE prefecture workbooks in the long
  v1 format. For every category of ``energy_balance_sectors.csv`` and fuel, the
  province's combusted amount in Y (final use of the ``sector`` rows plus the
  positive inputs of the ``transformation_combustion`` rows) is multiplied by
  the prefecture's share of CEADs' published city CO2 in SHARE_YEAR (2011, the
  year CEADs covers 13 of the 14 prefectures), divided by CEADs' Hunan Scope 1
  total of that year; 娄底, absent from CEADs, gets the remainder. The shares
  add up to 1, so the prefectures add up to the province (up to the rounding
  of each cell). These are NOT statistics.

And once:

* ``data/统计指标.xlsx``: statistics (category ``stat``). The province, 2011-2022:
  GDP, GDP at comparable prices (2020 prices, chained with the GDP index),
  year-end resident population (NBS provincial panel,
  ``source/nbs_hunan_gdp_population_2011_2022.csv``), and energy consumption and
  the non-fossil share in the years a figure was read
  (``source/hunan_energy_statistics_published.csv``); no other year is filled.
  The prefectures, PREFECTURE_YEARS: GDP and population, the published figures
  of ``source/hunan_statistics_published.csv`` where one was found, the rest
  derived by ``derive_statistics`` from the province's NBS figures and marked
  示例数据（非统计数据）.
* ``data/430000_活动水平不确定性.xlsx``: the province's ``uncertainty.activity``
  rows, one per year of PREFECTURE_YEARS and fuel it burns: ACTIVITY_UNCERTAINTY.
* ``../hunan-revision/data/431300_能源_2019_修订.xlsx``: the revised copy of one
  prefecture-year workbook for the revised edition (``revise_rows``).
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd

# openpyxl serialises XML differently with and without lxml: always without, so the bytes do not
# depend on whether lxml is installed. Read when openpyxl is first imported.
os.environ["OPENPYXL_LXML"] = "False"
from openpyxl import Workbook  # noqa: E402

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
OUT = HERE / "data"
REVISION_OUT = HERE.parent / "hunan-revision" / "data"
YEARS = tuple(range(2011, 2023))  # CEADs' Hunan energy inventory
PREFECTURE_YEARS = (2017, 2018, 2019)  # the illustrative prefecture split
GDP_CONSTANT_BASE = 2020  # gdp_constant is at the prices of this year (the plan's base year)
PROVINCE = "430000"
FIXED_TIME = datetime(2019, 12, 31)
ILLUSTRATIVE = "示例数据（非统计数据）"
SHARE_YEAR = 2011  # the year of CEADs' city CO2 whose shares split the province (13 of 14 prefectures)
SIGNIFICANT = 6  # digits kept of each prefecture amount (a fixed number of decimals would lose small amounts)


def source_note(year: int) -> str:
    """The 数据来源 cell of the illustrative prefecture rows of `year`."""
    return (f"{ILLUSTRATIVE}：由CEADs湖南省{year}年能源清单按CEADs {SHARE_YEAR}年城市CO2份额分配，"
            "见 examples/hunan/README.md")


def vocab_dir() -> Path:
    """The package's data folder: in the repository, else the installed package."""
    repo = HERE.parent.parent / "src" / "inventory" / "data"
    if repo.is_dir():
        return repo
    from importlib.resources import files

    return Path(str(files("inventory") / "data"))


def load_vocab():
    d = vocab_dir()
    sectors = pd.read_csv(d / "energy_balance_sectors.csv", dtype=str, keep_default_na=False)
    fuels = pd.read_csv(d / "ceads_fuels.csv", dtype=str, keep_default_na=False)
    acts = pd.read_csv(d / "activities.csv", dtype=str, keep_default_na=False)
    cats = pd.read_csv(d / "categories.csv", dtype=str, keep_default_na=False)
    regions = pd.read_csv(d / "regions.csv", dtype=str, keep_default_na=False)
    fuels = fuels.merge(acts[["id", "name_zh"]], left_on="activity", right_on="id", how="left")
    assert fuels.name_zh.notna().all()
    return sectors, fuels, cats, regions


@contextlib.contextmanager
def exact_floats():
    """Make openpyxl write floats with repr() (17 digits) instead of "%.16g".

    "%.16g" turns 19.470000000000002 into 19.47: not the CEADs value. openpyxl
    has no option for this, so its cell writer's formatter is swapped for the
    duration of one save.
    """
    import openpyxl.cell._writer as writer

    original = writer.safe_string

    def safe_string(value):
        if isinstance(value, float) and value == value and abs(value) != float("inf"):
            return repr(float(value))  # numpy floats repr as "np.float64(...)"
        return original(value)

    writer.safe_string = safe_string
    try:
        yield
    finally:
        writer.safe_string = original


def core_xml() -> str:
    """The document properties part, written whole: openpyxl stamps the save time into it, and
    its namespace layout differs between versions (with and without lxml)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
            'terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>examples/hunan/'
            f'make_example.py</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')


def save(wb: Workbook, path: Path) -> None:
    """Save with exact floats and fixed timestamps, so the file bytes are reproducible."""
    wb.properties.creator = "examples/hunan/make_example.py"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    with exact_floats():
        wb.save(buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps save time here
                data = core_xml().encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)


def read_energy() -> pd.DataFrame:
    """The CEADs provincial energy inventory rows of YEARS (long shape, CEADs units)."""
    e = pd.read_csv(SOURCE / "ceads_hunan_energy_inventory_2011_2022.csv")
    return e[e.year.isin(YEARS)]


def write_province_balance(energy, sectors, fuels, year) -> None:
    wide = energy.pivot(index="row_order", columns="fuel", values="value")
    labels = energy.drop_duplicates("row_order").set_index("row_order").row_label
    zh = dict(zip(sectors.row_label_en, sectors.row_label_zh))
    wb = Workbook()
    ws = wb.active
    ws.title = f"能源平衡表 {PROVINCE} {year}"
    ws.append(["地区", "湖南省"])
    ws.append(["年份", year])
    ws.append([])
    ws.append(["项目"] + [f"{f.name_zh}({f.unit})" for f in fuels.itertuples()])
    for order in sorted(labels.index):
        row = [zh[labels[order]]]
        for f in fuels.ceads_fuel:
            v = wide.loc[order, f]
            row.append(None if pd.isna(v) else float(v))
        ws.append(row)
    path = OUT / f"{PROVINCE}_能源平衡表_{year}.xlsx"
    save(wb, path)
    check_province_balance(path, energy, zh)


def check_province_balance(path, energy, zh) -> None:
    """The workbook must hold the CEADs values unchanged."""
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True).active
    rows = ws.iter_rows(min_row=4, values_only=True)
    header = next(rows)
    got = {(r[0], h): v for r in rows for h, v in zip(header[1:], r[1:])}
    wb_fuels = dict(zip(energy.fuel.unique(), header[1:]))
    for e in energy.itertuples():
        v = got[(zh[e.row_label], wb_fuels[e.fuel])]
        assert (v is None and pd.isna(e.value)) or v == e.value, (e.row_label, e.fuel, v)


def combusted_by_category(energy, sectors, fuels) -> pd.DataFrame:
    """Province amounts burned, by category and fuel, in CEADs units."""
    m = energy.merge(sectors, left_on="row_label", right_on="row_label_en")
    m = m[m.role.isin(["sector", "transformation_combustion"])]
    # Transformation rows: inputs (+) are burned, outputs (-) are products.
    m = m[m.value > 0]
    m = m.merge(fuels[["ceads_fuel", "activity"]], left_on="fuel", right_on="ceads_fuel")
    return m.groupby(["category", "activity"], as_index=False, sort=True).value.sum()


def prefecture_shares(regions, year: int = SHARE_YEAR) -> pd.Series:
    """Each prefecture's share: its CEADs city CO2 of `year` / CEADs' Hunan Scope 1 total of `year`;
    prefectures absent from CEADs in `year` (娄底) share the remainder equally. The shares add up to 1."""
    cities = pd.read_csv(SOURCE / "ceads_hunan_cities_co2_1997_2019.csv")
    cities = cities[cities.year == year]
    total = pd.read_csv(SOURCE / f"ceads_hunan_co2_total_{year}.csv")
    total = total[(total.year == year) & (total.fuel == "Scope_1_Total")].value.item()
    prefs = regions[regions.parent == PROVINCE]
    co2 = {}
    for r in prefs.itertuples():
        short = r.aliases.split(";")[0]
        hit = cities[cities.city == "湖南" + short]
        if len(hit):
            co2[r.code] = hit.co2.item()
    missing = [c for c in prefs.code if c not in co2]
    rest = max(total - sum(co2.values()), 0.0)
    for c in missing:
        co2[c] = rest / len(missing)
    return pd.Series(co2) / total


# Units the prefecture files use, per style; amounts are converted from CEADs units.
# (factor from the CEADs unit, unit string)
UNIT_STYLES = {
    0: {"万吨": (1, "万吨"), "亿立方米": (1, "亿立方米"), "亿千瓦时": (1e4, "万千瓦时"),
        "1e10 kJ": (1e7, "GJ"), "万吨标准煤": (1e4, "吨标准煤")},
    1: {"万吨": (1e4, "吨"), "亿立方米": (1e4, "万立方米"), "亿千瓦时": (1e4, "万千瓦时"),
        "1e10 kJ": (1e7, "GJ"), "万吨标准煤": (1, "万吨标准煤")},
}
SOLID = {"raw_coal", "cleaned_coal", "other_washed_coal", "briquettes", "coke"}
POWER_PLANTS = {"430300", "430400", "430600", "430700"}  # illustrative
TCE_ROW = "433100"  # gives residential raw coal in 吨标准煤
RAW_COAL_KGCE_PER_KG = 0.7143  # GB/T 2589-2020 Appendix A, 原煤


def prefecture_rows(i, region, amounts, share, cats_zh, fuel_zh, fuel_unit, year):
    code = region.code
    region_cell = [code, region.aliases.split(";")[0], region.name_zh][i % 3]
    style = UNIT_STYLES[i % 2]
    rows = []
    for cat, grp in amounts.groupby("category", sort=True):
        # Some files name categories in Chinese (only names that are unique).
        cat_cell = cats_zh.get(cat, cat) if i % 2 == 1 else cat
        for a in grp.itertuples():
            amount = a.value * share
            tech = ""
            note = ""
            mult, unit = style[fuel_unit[a.activity]]
            # Oil products: tonnes in every other file, 万吨 otherwise; coal as the style says.
            if a.activity not in SOLID and unit in ("万吨", "吨"):
                mult, unit = ((1e4, "吨") if i % 4 in (0, 1) else (1, "万吨"))
            if cat == "1.A.1.a":
                note = "火力发电、供热投入量与电力热力行业终端消费之和"
                if a.activity == "raw_coal" and code in POWER_PLANTS:
                    tech = "pc_boiler+scr+fgd+esp"
            if code == TCE_ROW and cat == "1.A.4.b" and a.activity == "raw_coal":
                mult, unit = 1e4 * RAW_COAL_KGCE_PER_KG, "吨标准煤"
                note = f"按原煤折标准煤系数{RAW_COAL_KGCE_PER_KG} kgce/kg（GB/T 2589）折算"
            value = float(f"{amount * mult:.{SIGNIFICANT}g}")  # six significant digits: the parts add up
            if value == 0:
                continue
            act_cell = a.activity if (i + len(rows)) % 5 == 0 else fuel_zh[a.activity]
            rows.append([region_cell, year, cat_cell, act_cell, tech, value, unit, "",
                         source_note(year), note])
    return rows


HEADER = ["地区", "年份", "排放源类别", "活动", "技术", "活动水平", "单位", "参数", "数据来源", "备注"]


def write_rows(rows, path: Path, sheet: str) -> None:
    """One v1 sheet (HEADER + rows, empty strings as blank cells), saved reproducibly."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(HEADER)
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    save(wb, path)


def write_prefectures(energy, sectors, fuels, cats, regions, year) -> pd.DataFrame:
    """The illustrative prefecture workbooks of `year` (and the revised copy, REVISED)."""
    amounts = combusted_by_category(energy, sectors, fuels)
    shares = prefecture_shares(regions)
    counts = cats.name_zh.value_counts()
    cats_zh = {c.code: c.name_zh for c in cats.itertuples() if counts[c.name_zh] == 1}
    fuel_zh = dict(zip(fuels.activity, fuels.name_zh))
    fuel_unit = dict(zip(fuels.activity, fuels.unit))
    prefs = regions[regions.parent == PROVINCE].reset_index(drop=True)
    for i, region in enumerate(prefs.itertuples()):
        rows = prefecture_rows(i, region, amounts, shares[region.code], cats_zh, fuel_zh, fuel_unit, year)
        write_rows(rows, OUT / f"{region.code}_能源_{year}.xlsx", "能源活动")
        if (region.code, year) == REVISED:
            write_rows(revise_rows(rows), REVISION_OUT / f"{region.code}_能源_{year}_修订.xlsx", "能源活动")
    return amounts


# --- the revised edition (examples/hunan-revision) ------------------------------------------------

REVISED = ("431300", 2019)          # 娄底 2019: the one workbook the revised edition replaces
REVISED_CATEGORY = "1.A.2.f"        # raw coal of non-metallic minerals (cement, bricks): amount revised
REVISION_FACTOR = 1.10              # illustrative: +10 %
REVISED_EF = ("1.A.1.a", 96100, "kg/TJ",
              "IPCC 2006 Vol.2 Ch.1 Table 1.4: sub-bituminous coal 次烟煤, default CO2 EF 96100 kg/TJ "
              "(secondary: iClimate/ghgpy src/ghgpy/data/efs.py @352b27c; cross-checked: Table 1.3 "
              "carbon content 26.2 tC/TJ x 44/12 x 1000 = 96067)")


def revise_rows(rows):
    """The revised copy of a prefecture workbook: its REVISED_CATEGORY raw-coal amount x REVISION_FACTOR
    (an activity change) and a local ef.CO2 for its power-plant raw coal (a factor change)."""
    out = []
    for row in rows:
        row = list(row)
        if row[2] == REVISED_CATEGORY and row[3] in ("raw_coal", "原煤") and row[7] == "":
            old = row[5]
            row[5] = round(old * REVISION_FACTOR, 2) if isinstance(old, float) else int(round(old * REVISION_FACTOR))
            row[8] = "示例数据（非统计数据）：修订版，见 examples/hunan-revision/README.md"
            row[9] = f"修订：原填报 {old} {row[6]}，按企业能源统计核实上调10%（示意）"
        out.append(row)
    category, value, unit, source = REVISED_EF
    out.append([rows[0][0], REVISED[1], category, "原煤", "", value, unit, "ef.CO2", source,
                "修订示例：假设电厂入炉煤经化验为次烟煤，采用IPCC次烟煤缺省CO2排放因子"])
    return out


def write_revision_project() -> None:
    """`../hunan-revision/inventory.toml`: every workbook of `data/` (as it is when this runs) except
    the one REVISED replaces and the province's balances and supply workbooks outside PREFECTURE_YEARS, then
    the revised copy."""
    code, year = REVISED
    replaced = f"{code}_能源_{year}.xlsx"
    outside = {f"{PROVINCE}_{kind}_{y}.xlsx" for kind in ("能源平衡表", "能源供应") for y in YEARS
               if y not in PREFECTURE_YEARS}  # the revision's years only
    inputs = [f"../hunan/data/{p.name}" for p in sorted(OUT.glob("*.xlsx")) if p.name not in {replaced, *outside}]
    inputs.append(f"data/{code}_能源_{year}_修订.xlsx")
    listed = "\n".join(f'    "{i}",' for i in inputs)
    text = f"""# Revised edition of the Hunan example (see README.md). Written by ../hunan/make_example.py:
# every workbook of ../hunan/data/ except {replaced}, which data/{code}_能源_{year}_修订.xlsx replaces.
[project]
name = "湖南省温室气体与大气污染物排放清单（示例，修订版）"
regions = "all"
years = "{PREFECTURE_YEARS[0]}-{PREFECTURE_YEARS[-1]}"
gwp = "AR5"
inputs = [
{listed}
]
"""
    (REVISION_OUT.parent / "inventory.toml").write_text(text, encoding="utf-8")


# --- statistics (category stat): GDP and resident population ------------------------------------

STAT_UNITS = {"gdp": "亿元", "population": "万人"}  # the unit every figure is kept in here
EXTRA_STAT_UNITS = {"gdp_constant": "亿元", "energy_consumption": "万吨标准煤", "non_fossil_share": "%"}
# Weights for splitting what is left of a province figure among prefectures without one: the lower
# bounds of the 2018 resident-population classes the provincial statistics bureau gave (邵阳、衡阳
# 超过700万, 常德、岳阳、永州超过500万, 怀化、郴州、益阳、株洲超过400万, 娄底接近400万, 湘潭、湘西
# 超过200万, 张家界153.79万; 长沙815.47万), read in https://renkou.net.cn/china/hunan/2019/70948.html.
# Used for GDP too (equal GDP per head among those prefectures): illustrative only.
SPLIT_WEIGHTS = pd.Series({
    "430100": 815.47, "430200": 400, "430300": 200, "430400": 700, "430500": 700, "430600": 500,
    "430700": 500, "430800": 153.79, "430900": 400, "431000": 400, "431100": 500, "431200": 400,
    "431300": 400, "433100": 200})


def derive_statistics(published: pd.DataFrame, regions, weights: pd.Series = SPLIT_WEIGHTS) -> pd.DataFrame:
    """Every region x year x indicator: the published figure where there is one, else derived.

    published: region, year, indicator, value (in STAT_UNITS), source. weights: prefecture code ->
    weight for step 3 (SPLIT_WEIGHTS). Derivation, in this order:
    1. province, year without a figure: geometric inter/extrapolation of its two nearest published
       years, v_Y = v_a * (v_a / v_b) ** ((Y - a) / (a - b)) (a constant growth rate);
    2. prefecture, year without a figure but with one in another year y: v_Y = v_y * P_Y / P_y
       (its share of the province held constant; nearest y);
    3. the rest: the province's remainder P_Y - sum(known) split in proportion to `weights`.
    Returns region, year, indicator, value, source, notes.
    """
    prefs = list(regions[regions.parent == PROVINCE].code)
    pub = published.set_index(["indicator", "region", "year"])["value"]
    out = []
    for ind in STAT_UNITS:
        known = {(r, y): pub[(ind, r, y)] for r in [PROVINCE] + prefs for y in PREFECTURE_YEARS
                 if (ind, r, y) in pub.index}
        how = {}
        prov_years = sorted(y for (r, y) in known if r == PROVINCE)
        for y in PREFECTURE_YEARS:
            if (PROVINCE, y) not in known:
                a, b = sorted(prov_years, key=lambda t: (abs(t - y), t))[:2]
                known[(PROVINCE, y)] = known[(PROVINCE, a)] * (known[(PROVINCE, a)] / known[(PROVINCE, b)]) ** (
                    (y - a) / (a - b))
                how[(PROVINCE, y)] = f"按全省{min(a, b)}–{max(a, b)}年公布数的年均变化率推算"
        for r in prefs:
            own = sorted(y for (q, y) in known if q == r)
            for y in PREFECTURE_YEARS:
                if (r, y) not in known and own:
                    near = sorted(own, key=lambda t: (abs(t - y), t))[0]
                    known[(r, y)] = known[(r, near)] * known[(PROVINCE, y)] / known[(PROVINCE, near)]
                    how[(r, y)] = f"按{near}年公布数占全省比重不变推算"
        for y in PREFECTURE_YEARS:
            rest = [r for r in prefs if (r, y) not in known]
            left = known[(PROVINCE, y)] - sum(known[(r, y)] for r in prefs if (r, y) in known)
            assert left > 0, (ind, y, left)
            w = weights[rest]
            for r in rest:
                known[(r, y)] = left * w[r] / w.sum()
                how[(r, y)] = "全省数减去已知市州后的余量，按2018年常住人口分档下限（省统计局）分配"
        for (r, y), v in known.items():
            src = published.set_index(["indicator", "region", "year"]).source.get((ind, r, y))
            out.append({"region": r, "year": y, "indicator": ind, "value": v,
                        "source": src if src is not None else ILLUSTRATIVE, "notes": how.get((r, y), "")})
    return pd.DataFrame(out).sort_values(["region", "year", "indicator"], ignore_index=True)


NBS_SOURCE = ("国家统计局 分省年度数据（第五次全国经济普查后修订）：{table}，湖南省，{year}年；"
              "read in upstream1119/statistical-modeling_CUC_PYH data_raw/nbs/{file} (see source/PROVENANCE.md)")
NBS_FILES = {"gdp": ("地区生产总值(亿元)", "NBS_地区生产总值_GDP_省级_2011-2022.csv"),
             "gdp_index": ("地区生产总值指数(上年=100)", "NBS_地区生产总值指数_上年100_省级_2011-2022.csv"),
             "population": ("年末常住人口(万人)", "NBS_年末常住人口_省级_2011-2022.csv")}


def nbs_source(indicator: str, year: int) -> str:
    table, file = NBS_FILES[indicator]
    return NBS_SOURCE.format(table=table, year=year, file=file)


def gdp_constant(nbs: pd.DataFrame, base: int = GDP_CONSTANT_BASE) -> pd.Series:
    """GDP at the prices of `base` (亿元) per year: GDP_base x the product of the GDP indices (previous
    year = 100) from base to the year (forward), or divided by them (backward):
    G_Y = G_base x prod_{y=base+1..Y} I_y/100 for Y > base, G_base / prod_{y=Y+1..base} I_y/100 for Y < base."""
    n = nbs.set_index("year")
    growth = n["gdp_index_prev_100"] / 100
    out = {}
    for y in n.index:  # twelve years
        if y >= base:
            out[y] = n.at[base, "gdp"] * growth.loc[base + 1:y].prod()
        else:
            out[y] = n.at[base, "gdp"] / growth.loc[y + 1:base].prod()
    return pd.Series(out)


def province_statistics() -> pd.DataFrame:
    """The province's statistics, YEARS: gdp, gdp_constant, population (NBS panel) and energy_consumption,
    non_fossil_share in the years a figure was read; region, year, indicator, value (亿元, 万人, 万吨标准煤,
    %), source, notes."""
    nbs = pd.read_csv(SOURCE / "nbs_hunan_gdp_population_2011_2022.csv")
    nbs = nbs[nbs.year.isin(YEARS)]
    constant = gdp_constant(nbs)
    rows = []
    for r in nbs.itertuples():
        rows.append({"region": PROVINCE, "year": r.year, "indicator": "gdp", "value": r.gdp,
                     "source": nbs_source("gdp", r.year), "notes": "当年价格"})
        rows.append({"region": PROVINCE, "year": r.year, "indicator": "population", "value": float(r.population),
                     "source": nbs_source("population", r.year), "notes": "年末常住人口"})
        rows.append({"region": PROVINCE, "year": r.year, "indicator": "gdp_constant",
                     "value": round(float(constant[r.year]), 4),
                     "source": nbs_source("gdp", GDP_CONSTANT_BASE) + "；" + nbs_source("gdp_index", r.year),
                     "notes": f"{GDP_CONSTANT_BASE}年价格：{GDP_CONSTANT_BASE}年地区生产总值按地区生产总值指数（上年=100）"
                              "逐年链接推算（本项目计算）"})
    energy = pd.read_csv(SOURCE / "hunan_energy_statistics_published.csv", dtype={"region": str})
    energy = energy[energy.year.isin(YEARS)]
    for r in energy.itertuples():
        rows.append({"region": r.region, "year": r.year, "indicator": r.indicator, "value": float(r.value),
                     "source": r.source, "notes": ""})
    return pd.DataFrame(rows)


def statistics_rows(stats: pd.DataFrame, regions):
    """v1 rows of `stats`, spelled in mixed ways on purpose (region, category, activity, unit)."""
    order = {c: i for i, c in enumerate(regions[(regions.code == PROVINCE) | (regions.parent == PROVINCE)].code)}
    names = regions.set_index("code")
    rows = []
    for s in stats.itertuples():
        i = order[s.region]
        region = names.loc[s.region]
        region_cell = [s.region, region.aliases.split(";")[0], region.name_zh][i % 3]
        if s.indicator in EXTRA_STAT_UNITS:
            act, unit = s.indicator, EXTRA_STAT_UNITS[s.indicator]
            value = s.value
        elif s.indicator == "gdp":
            value, unit = ((round(s.value, 2), "亿元") if i % 2 == 0 else (round(s.value * 1e4), "万元"))
            act = "gdp" if i % 2 == 0 else "地区生产总值"
        else:
            value, unit = ((round(s.value * 1e4), "人") if i % 3 == 0 else (round(s.value, 2), "万人"))
            act = "population" if i % 2 == 1 else "常住人口"
        rows.append([region_cell, s.year, "stat" if i % 2 == 0 else "统计指标", act, "", value, unit, "",
                     s.source, s.notes])
    return rows


# --- activity uncertainty of the province's fuel rows ---------------------------------------------

ACTIVITY_UNCERTAINTY = (
    5, "%",
    "recommended default uncertainty range for fossil fuel combustion data, +/-5 % (95 % interval), where "
    "no further data are available; read only in a secondary web copy: https://www.climate-policy-watcher.org/"
    "emission-factors/activity-data-uncertainties.html ('Activity data uncertainties'); original document "
    "not identified; IPCC 2006 Vol.2 Ch.2 Table 2.15 could not be read",
)


def uncertainty_rows(amounts_by_year: dict, fuel_zh):
    """One `uncertainty.activity` row per year of PREFECTURE_YEARS and fuel the province burns in it
    (category empty: every category). Only these years, so that the uncertainty analysis (Monte Carlo)
    of the example's build stays fast; the same 5 % holds in every year: add rows to extend it."""
    value, unit, source = ACTIVITY_UNCERTAINTY
    return [["湖南省", year, "", fuel_zh[f], "", value, unit, "uncertainty.activity", source,
             "能源统计活动水平不确定性（95%置信区间半宽），适用于该年全省全部类别"]
            for year in PREFECTURE_YEARS for f in sorted(set(amounts_by_year[year].activity))]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    sectors, fuels, cats, regions = load_vocab()
    energy = read_energy()
    amounts = {}
    for year in YEARS:
        e = energy[energy.year == year]
        write_province_balance(e, sectors, fuels, year)
        if year in PREFECTURE_YEARS:
            write_prefectures(e, sectors, fuels, cats, regions, year)
        amounts[year] = combusted_by_category(e, sectors, fuels)
    province = province_statistics()
    published = pd.read_csv(SOURCE / "hunan_statistics_published.csv", dtype={"region": str})
    # The prefectures' split uses the province's NBS figures (one series), not the bulletins' first releases.
    base = province[province.indicator.isin(list(STAT_UNITS)) & province.year.isin(PREFECTURE_YEARS)]
    published = pd.concat([published[published.region != PROVINCE], base[published.columns.intersection(base.columns)]],
                          ignore_index=True)
    derived = derive_statistics(published, regions)
    stats = pd.concat([province, derived[derived.region != PROVINCE]], ignore_index=True)
    stats = stats.sort_values(["region", "year", "indicator"], ignore_index=True)
    write_rows(statistics_rows(stats, regions), OUT / "统计指标.xlsx", "统计指标")
    write_rows(uncertainty_rows(amounts, dict(zip(fuels.activity, fuels.name_zh))),
               OUT / f"{PROVINCE}_活动水平不确定性.xlsx", "参数")
    write_revision_project()


if __name__ == "__main__":
    main()
