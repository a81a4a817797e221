"""Make src/inventory/data/regions.csv and code_changes.csv from the GB/T 2260 snapshot in source/.

Inputs (copies, values unchanged; provenance in PROVENANCE.md):
  source/2024.txt    the Ministry of Civil Affairs' county-and-above code list as of 2024-12-31, `code name`
  source/result.csv  every code since 1981 with its status and successors (yescallop/areacodes)

regions.csv: CN, every province-, prefecture- and county-level unit of the list. A code ending in 0000
is a province, one ending in 00 a prefecture, any other a county-level unit whose parent is its
prefecture (code[:4] + "00") when the list has it, else its province (直辖/省直辖). Names, English names
and aliases already in regions.csv are kept; a unit without an English name in it takes its Chinese name
(no English name is made up).

code_changes.csv: each retired code (状态 弃用) with one successor at the time it was retired (an entry of
新代码 without a `[year]`), followed through later retirements to a code of the list. A code retired into
several (a split) has no single successor and is left out; so is a retired code that the list uses again.

Run from the repository root: python tools/regions/make_regions.py
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE.parents[1] / "src" / "inventory" / "data"
SOURCE = "民政部县级以上行政区划代码（GB/T 2260）及变更情况，yescallop/areacodes@2066ac5 result.csv"


def current() -> dict[str, str]:
    """code -> name of the 2024 list."""
    rows = (line.split(" ", 1) for line in (HERE / "source" / "2024.txt").read_text(encoding="utf-8").splitlines()
            if line.strip())
    return {code: name.strip() for code, name in rows}


def level_and_parent(code: str, codes: dict[str, str]) -> tuple[str, str]:
    """(level, parent code) of a code of the list (DESIGN 3.1)."""
    if code.endswith("0000"):
        return "province", "CN"
    if code.endswith("00"):
        return "prefecture", code[:2] + "0000"
    prefecture = code[:4] + "00"
    return "county", prefecture if prefecture in codes else code[:2] + "0000"


def regions(codes: dict[str, str]) -> list[dict]:
    """The rows of regions.csv: CN first, then the list in code order, kept names and aliases merged in."""
    with (DATA / "regions.csv").open(encoding="utf-8") as f:
        kept = {r["code"]: r for r in csv.DictReader(f)}
    out = [kept["CN"]]
    for code in sorted(codes):
        level, parent = level_and_parent(code, codes)
        old = kept.get(code, {})
        out.append({"code": code, "name_zh": codes[code], "name_en": old.get("name_en") or codes[code],
                    "parent": parent, "level": level, "aliases": old.get("aliases", "")})
    return out


def changes(codes: dict[str, str]) -> list[dict]:
    """The rows of code_changes.csv: old_code, old_name, new_code, new_name, year, source."""
    with (HERE / "source" / "result.csv").open(encoding="utf-8-sig") as f:
        retired = [r for r in csv.DictReader(f) if r["状态"] == "弃用"]
    successor: dict[str, set[str]] = {}
    record = {}
    for r in retired:
        direct = [c for c in r["新代码"].split(";") if c and not re.search(r"\[\d{4}\]", c)]
        successor.setdefault(r["代码"], set()).update(direct if len(direct) == 1 else ["?"])
        record[r["代码"]] = r

    def final(code: str, seen: frozenset = frozenset()) -> str | None:
        if code in codes:
            return code
        nxt = successor.get(code, {"?"})
        if len(nxt) != 1 or "?" in nxt or code in seen:
            return None
        return final(next(iter(nxt)), seen | {code})

    out = []
    for code in sorted(successor):
        new = final(code) if code not in codes else None
        if new:
            r = record[code]
            out.append({"old_code": code, "old_name": r["名称"], "new_code": new, "new_name": codes[new],
                         "year": r["变更/弃用时间"], "source": SOURCE})
    return out


def write(name: str, rows: list[dict]) -> None:
    with (DATA / name).open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    codes = current()
    write("regions.csv", regions(codes))
    write("code_changes.csv", changes(codes))
