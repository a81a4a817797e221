"""Write ../ceads_co2_factors.csv, the `ceads` factor set (DESIGN 3.4), from the CEADs copies in this folder.

    PYTHONPATH=src python emission_factors/ceads/make_ceads_factors.py

For every year 2011-2019, fuel and category of the IPCC tree under 1.A the factor is
CEADs' CO2 divided by CEADs' energy over the CEADs sector rows that
src/inventory/data/energy_balance_sectors.csv maps into that category or below it:

    EF(year, category, fuel) = sum of CO2 (t) / sum of energy (t, or 10^4 m3 for gases)

Energy is what a build reads from the same balance as burned: the final use of the
`sector` rows plus the positive inputs of the `transformation_combustion` rows
(Thermal Power, Heating Supply), whose CO2 CEADs books in the power row. The sum is
an activity-weighted mean of the rows' factors, so a build of CEADs' balance with
these factors gives CEADs' CO2 per category and fuel. A category with no CEADs energy
of the fuel gets no row (its parent's applies). Years before 2011 and after 2019 take
the nearest year's factors through rows marked `nearest`. Deterministic: the same
copies give the same file. Needs pandas and the package's data files (PYTHONPATH=src).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from inventory import categories, resources

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "ceads_co2_factors.csv"
ENERGY = HERE / "ceads_hunan_energy_inventory_2011_2019.csv"
CO2 = HERE / "ceads_hunan_co2_sectoral_2011_2019.csv"
REGION, FIRST, LAST = "430000", 2011, 2019
COLUMNS = ["factor_id", "category", "activity", "technology", "substance", "value", "unit", "region", "year_from",
           "year_to", "tier", "method", "source", "source_detail", "uncertainty_low_pct", "uncertainty_high_pct",
           "notes", "factor_sets", "read_in"]
# CEADs units of its 17 fossil fuels -> (factor to t or 10^4 m3, factor unit); heat, electricity and other energy
# have no CO2 in CEADs' accounts and get no factor.
UNITS = {"10^4 ton": (1e4, "t/t"), "10^8 cu.m": (1e4, "t/万m3")}
SOURCE = "ceads_hunan: {year}"
READ_IN = "emission_factors/ceads/ (copies; provenance in emission_factors/README.md)"


def mapped(frame: pd.DataFrame, roles: set[str]) -> pd.DataFrame:
    """CEADs rows with their category (energy_balance_sectors.csv) and activity id (ceads_fuels.csv)."""
    sectors = resources.data_table("energy_balance_sectors.csv").drop_duplicates("row_label_en")
    fuels = resources.data_table("ceads_fuels.csv")
    fuels = fuels[fuels["unit_ceads"].isin(list(UNITS))]
    m = frame.merge(sectors[["row_label_en", "category", "role"]], left_on="row_label", right_on="row_label_en")
    m = m[m["role"].isin(roles) & (m["category"] != "")]
    return m.merge(fuels[["ceads_fuel", "activity", "unit_ceads"]], left_on="fuel", right_on="ceads_fuel")


def with_ancestors(frame: pd.DataFrame) -> pd.DataFrame:
    """Every row once for its category and once for each ancestor under 1.A."""
    up = {c: [a for a in categories.ancestors(c) if a == "1.A" or a.startswith("1.A.")] for c in frame["category"].unique()}
    return frame.assign(category=frame["category"].map(up)).explode("category")


def factors() -> pd.DataFrame:
    """year, category, activity, co2_t, energy (t or 10^4 m3), unit, rows: one row per key with CEADs energy."""
    energy = pd.read_csv(ENERGY)
    energy = mapped(energy, {"sector", "transformation_combustion"})
    energy = energy[(energy["role"] == "sector") | (energy["value"] > 0)]
    energy = energy.assign(amount=energy["value"] * energy["unit_ceads"].map(lambda u: UNITS[u][0]),
                           unit=energy["unit_ceads"].map(lambda u: UNITS[u][1]))
    co2 = mapped(pd.read_csv(CO2), {"sector"})
    co2 = co2.assign(co2_t=co2["value"] * 1e6)
    keys = ["year", "category", "activity"]
    e = with_ancestors(energy).groupby(keys).agg(energy=("amount", "sum"), unit=("unit", "first"),
                                                 rows=("amount", "size"))
    c = with_ancestors(co2).groupby(keys)["co2_t"].sum()
    table = e.join(c, how="outer").reset_index()
    unmatched = table[(table["energy"].fillna(0) == 0) & (table["co2_t"].fillna(0) != 0)]
    if len(unmatched):
        raise SystemExit(f"CEADs CO2 without energy, cannot be reproduced:\n{unmatched}")
    return table[table["energy"] > 0].fillna({"co2_t": 0.0}).sort_values(keys, kind="stable").reset_index(drop=True)


def rows(table: pd.DataFrame) -> list[dict]:
    """The factor rows: one per year, category and fuel, plus the `nearest` rows of the first and last year."""
    out = []
    for r in table.itertuples(index=False):
        value = repr(float(r.co2_t / r.energy))
        cat = r.category.replace(".", "")
        spans = [(str(r.year), r.year, r.year, "")]
        if r.year == FIRST:
            spans.append((f"nearest{FIRST}", None, FIRST - 1, f"nearest year: CEADs' {FIRST} factor applied to earlier years"))
        if r.year == LAST:
            spans.append((f"nearest{LAST}", LAST + 1, None, f"nearest year: CEADs' {LAST} factor applied to later years"))
        for tag, year_from, year_to, note in spans:
            out.append({
                "factor_id": f"ceads.hunan.{tag}.{cat}.{r.activity}", "category": r.category, "activity": r.activity,
                "technology": "", "substance": "CO2", "value": value, "unit": r.unit, "region": REGION,
                "year_from": "" if year_from is None else str(year_from),
                "year_to": "" if year_to is None else str(year_to), "tier": "2", "method": "ef",
                "source": SOURCE.format(year=r.year),
                "source_detail": f"derived: CEADs CO2 / CEADs energy over {r.rows} row(s) mapped to {r.category} or below",
                "uncertainty_low_pct": "", "uncertainty_high_pct": "", "notes": note, "factor_sets": "ceads",
                "read_in": READ_IN,
            })
    return out


def main(out: Path = OUT) -> None:
    """Write the factor table to `out` (default: emission_factors/ceads_co2_factors.csv)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(factors()))
    out.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
