"""Regenerate the example workbooks in ``data/`` from the CEADs files in ``source/``.

    python examples/hunan/make_example.py

Needs pandas and openpyxl only. Deterministic: the same ``source/`` gives
byte-identical workbooks.

* ``data/430000_能源平衡表_2019.xlsx``: the province's 2019 CEADs energy
  inventory, values unchanged, laid out as a wide energy balance (DESIGN 3.3).
* ``data/<code>_能源_2019.xlsx``: ILLUSTRATIVE prefecture workbooks in the long
  v1 format. For every category of ``energy_balance_sectors.csv`` and fuel, the
  province's combusted amount (final use of the ``sector`` rows plus the
  positive inputs of the ``transformation_combustion`` rows) is multiplied by
  the prefecture's share of CEADs city CO2 (latest year <= 2019; 娄底, absent
  from CEADs, gets the remainder of the province's 2019 Scope 1 total) and by a
  deterministic factor in [0.85, 1.15] per prefecture and category, so the
  prefectures do not add up exactly to the province. These are NOT statistics.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
OUT = HERE / "data"
YEAR = 2019
PROVINCE = "430000"
FIXED_TIME = datetime(2019, 12, 31)
SOURCE_NOTE = (
    "示例数据（非统计数据）：由CEADs湖南省2019年能源清单按CEADs城市CO2份额推算，"
    "见 examples/hunan/README.md"
)
PARAM_NOTE = "示例数据（假设的电厂入炉煤化验值）"


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
                text = data.decode("utf-8")
                start = text.find("<dcterms:modified")
                end = text.find("</dcterms:modified>")
                if start >= 0 and end >= 0:
                    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
                    text = (text[:start]
                            + f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}'
                            + text[end:])
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)


def read_energy() -> pd.DataFrame:
    e = pd.read_csv(SOURCE / "ceads_hunan_energy_inventory_2019.csv")
    return e[e.year == YEAR]


def write_province_balance(energy, sectors, fuels) -> None:
    wide = energy.pivot(index="row_order", columns="fuel", values="value")
    labels = energy.drop_duplicates("row_order").set_index("row_order").row_label
    zh = dict(zip(sectors.row_label_en, sectors.row_label_zh))
    wb = Workbook()
    ws = wb.active
    ws.title = f"能源平衡表 {PROVINCE} {YEAR}"
    ws.append(["地区", "湖南省"])
    ws.append(["年份", YEAR])
    ws.append([])
    ws.append(["项目"] + [f"{f.name_zh}({f.unit})" for f in fuels.itertuples()])
    for order in sorted(labels.index):
        row = [zh[labels[order]]]
        for f in fuels.ceads_fuel:
            v = wide.loc[order, f]
            row.append(None if pd.isna(v) else float(v))
        ws.append(row)
    path = OUT / f"{PROVINCE}_能源平衡表_{YEAR}.xlsx"
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


def prefecture_shares(regions) -> pd.Series:
    cities = pd.read_csv(SOURCE / "ceads_hunan_cities_co2_1997_2019.csv")
    cities = cities[cities.year <= YEAR].sort_values("year").groupby("city").tail(1)
    total = pd.read_csv(SOURCE / "ceads_hunan_co2_total_2019.csv")
    total = total[(total.year == YEAR) & (total.fuel == "Scope_1_Total")].value.item()
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


def unit_factor(u: int) -> float:
    return 0.85 + 0.30 * u / 0xFFFFFFFF


def perturbation(code: str, category: str) -> float:
    h = hashlib.sha256(f"{code}|{category}".encode()).hexdigest()
    return unit_factor(int(h[:8], 16))


# Units the prefecture files use, per style; amounts are converted from CEADs units.
# (factor from the CEADs unit, unit string, decimals)
UNIT_STYLES = {
    0: {"万吨": (1, "万吨", 2), "亿立方米": (1, "亿立方米", 4), "亿千瓦时": (1e4, "万千瓦时", 0),
        "1e10 kJ": (1e7, "GJ", 0), "万吨标准煤": (1e4, "吨标准煤", 0)},
    1: {"万吨": (1e4, "吨", 0), "亿立方米": (1e4, "万立方米", 1), "亿千瓦时": (1e4, "万千瓦时", 0),
        "1e10 kJ": (1e7, "GJ", 0), "万吨标准煤": (1, "万吨标准煤", 2)},
}
SOLID = {"raw_coal", "cleaned_coal", "other_washed_coal", "briquettes", "coke"}
POWER_PLANTS = {"430300", "430400", "430600", "430700"}  # illustrative
LOCAL_PARAMS = {  # code: (sulfur content %, NCV kJ/kg)
    "430300": (1.2, 20908),
    "430400": (0.9, 19570),
    "430600": (1.5, 21300),
}
TCE_ROW = "433100"  # gives residential raw coal in 吨标准煤
RAW_COAL_KGCE_PER_KG = 0.7143  # GB/T 2589-2020 Appendix A, 原煤


def prefecture_rows(i, region, amounts, share, cats_zh, fuel_zh, fuel_unit):
    code = region.code
    region_cell = [code, region.aliases.split(";")[0], region.name_zh][i % 3]
    style = UNIT_STYLES[i % 2]
    rows = []
    for cat, grp in amounts.groupby("category", sort=True):
        f = perturbation(code, cat)
        # Some files name categories in Chinese (only names that are unique).
        cat_cell = cats_zh.get(cat, cat) if i % 2 == 1 else cat
        for a in grp.itertuples():
            amount = a.value * share * f
            tech = ""
            note = ""
            mult, unit, dec = style[fuel_unit[a.activity]]
            # Oil products: tonnes in every other file, 万吨 otherwise; coal as the style says.
            if a.activity not in SOLID and unit in ("万吨", "吨"):
                mult, unit, dec = ((1e4, "吨", 0) if i % 4 in (0, 1) else (1, "万吨", 2))
            if cat == "1.A.1.a":
                note = "火力发电、供热投入量与电力热力行业终端消费之和"
                if a.activity == "raw_coal" and code in POWER_PLANTS:
                    tech = "pc_boiler+scr+fgd+esp"
            if code == TCE_ROW and cat == "1.A.4.b" and a.activity == "raw_coal":
                mult, unit, dec = 1e4 * RAW_COAL_KGCE_PER_KG, "吨标准煤", 0
                note = f"按原煤折标准煤系数{RAW_COAL_KGCE_PER_KG} kgce/kg（GB/T 2589）折算"
            value = round(float(amount * mult), dec)
            if value == 0:
                continue
            if dec == 0:
                value = int(value)
            act_cell = a.activity if (i + len(rows)) % 5 == 0 else fuel_zh[a.activity]
            rows.append([region_cell, YEAR, cat_cell, act_cell, tech, value, unit, "",
                         SOURCE_NOTE, note])
    if code in LOCAL_PARAMS:
        s, ncv = LOCAL_PARAMS[code]
        tech = "pc_boiler+scr+fgd+esp" if code == "430600" else ""
        rows.append([region_cell, YEAR, "1.A.1.a", "原煤", tech, s, "%", "含硫率",
                     PARAM_NOTE, "电厂入炉煤收到基全硫"])
        rows.append([region_cell, YEAR, "", "原煤", "", ncv, "kJ/kg", "低位发热量",
                     PARAM_NOTE, "适用于本市全部原煤"])
    return rows


def write_prefectures(energy, sectors, fuels, cats, regions) -> pd.DataFrame:
    amounts = combusted_by_category(energy, sectors, fuels)
    shares = prefecture_shares(regions)
    counts = cats.name_zh.value_counts()
    cats_zh = {c.code: c.name_zh for c in cats.itertuples() if counts[c.name_zh] == 1}
    fuel_zh = dict(zip(fuels.activity, fuels.name_zh))
    fuel_unit = dict(zip(fuels.activity, fuels.unit))
    prefs = regions[regions.parent == PROVINCE].reset_index(drop=True)
    header = ["地区", "年份", "排放源类别", "活动", "技术", "活动水平", "单位", "参数", "数据来源", "备注"]
    for i, region in enumerate(prefs.itertuples()):
        wb = Workbook()
        ws = wb.active
        ws.title = "能源活动"
        ws.append(header)
        for row in prefecture_rows(i, region, amounts, shares[region.code], cats_zh, fuel_zh,
                                   fuel_unit):
            ws.append([None if v == "" else v for v in row])
        save(wb, OUT / f"{region.code}_能源_{YEAR}.xlsx")
    return amounts


def main() -> None:
    OUT.mkdir(exist_ok=True)
    sectors, fuels, cats, regions = load_vocab()
    energy = read_energy()
    write_province_balance(energy, sectors, fuels)
    write_prefectures(energy, sectors, fuels, cats, regions)


if __name__ == "__main__":
    main()
