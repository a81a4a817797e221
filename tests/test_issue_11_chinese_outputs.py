"""Issue 11, "done when": a Chinese build of a project with a waste row, pollutant-only sources and a failed
check has no English sentence in report.html, inventory.xlsx or the terminal output.

The detector is objective: an English sentence is three or more consecutive ASCII words of two or more
letters separated by spaces. Codes (`ne_road_dust`, `raw_coal`), factor ids, units (t CO2e), citations
(IPCC 2006 Vol.5 Eq. 5.1, AP-42 13.2.1) and single words are not: digits, dots, underscores and
punctuation break a run. The user's own labels (every text cell of the input workbook) and command names
(`inventory factors list`) are taken out before the scan.
"""

from __future__ import annotations

import html
import re

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import write_workbook
from inventory import resources
from inventory.cli import app

SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ]+[A-Za-z]{2,}){2,}")
COMMAND = re.compile(r"inventory (?:factors )?[a-z]+")

ROWS = [["湖南省", 2019, "1.A.1.a", "原煤", "pc_boiler+scr+fgd+esp", 100, "万吨", "", "统计局", ""],
        ["长沙", 2019, "1.A.1.a", "原煤", "", 40, "万吨", "", "统计局", ""],
        ["株洲", 2019, "1.A.1.a", "原煤", "", 55, "万吨", "", "统计局", ""],  # province 100 vs 95: fails
        ["长沙", 2019, "1.A.4.b", "型煤", "", "1", "万吨", "", "统计局", ""],  # a number as text: a warning
        ["湘潭", 2019, "4.A", "城市生活垃圾", "", 5, "万吨", "", "环卫处", ""],  # no DOC or k: NE
        ["湘潭", 2019, "4.C", "城市生活垃圾", "", 1, "万吨", "", "环卫处", ""],  # no dm, CF...: CO2 NE
        ["长沙", 2019, "P.1.A.3.b.vii", "铺装道路机动车行驶里程", "road_adt_gt10000", 50, "万车公里", "", "交通局",
         ""],  # no vehicle weight: NE
        ["长沙", 2019, "P.2.A.5.b", "施工面积", "", 100, "公顷", "", "住建局", ""]]  # no construction type: NE


def sentences(texts, allowed=()) -> list[str]:
    """The English sentences in `texts`, after taking out the allowed texts and command names."""
    found = []
    for text in texts:
        for part in sorted(allowed, key=len, reverse=True):
            if part:
                text = text.replace(part, " ")
        found += SENTENCE.findall(COMMAND.sub(" ", text))
    return found


def html_texts(path) -> list[str]:
    """Text nodes and attribute values of a page (SVG charts included), without <style> and <script>."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    attributes = re.findall(r'\s[\w:-]+="([^"]*)"', page)
    return [html.unescape(t) for t in re.split(r"<[^>]+>", page) + attributes if t.strip()]


def xlsx_texts(path) -> list[str]:
    """Every text cell and sheet name of a workbook."""
    book = openpyxl.load_workbook(path, read_only=True)
    return [*book.sheetnames, *(v for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                                for v in row if isinstance(v, str))]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The project built in Chinese (the default) and in English, with the CLI's terminal output."""
    tmp = tmp_path_factory.mktemp("issue11")
    data = write_workbook(tmp / "data" / "activity.xlsx", ROWS)
    runs = {}
    for lang in ("zh", "en"):
        out = tmp / lang
        result = CliRunner().invoke(app, ["build", str(data), "-o", str(out), "--jobs", "1", "--lang", lang],
                                    env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        runs[lang] = (out, result.output)
    labels = {str(v) for row in ROWS for v in row if isinstance(v, str)}
    return runs, labels


def test_issue_11_zh_build_has_no_english_sentence(built):
    (out, terminal), labels = built[0]["zh"], built[1]
    checks = pd.read_csv(out / "checks.csv", encoding="utf-8-sig")
    assert (checks["check"].eq("province_vs_prefectures") & checks["result"].eq("fail")).any()
    ne = set(pd.read_excel(out / "inventory.xlsx", sheet_name="质量检查", engine="calamine", header=None)
             .astype(str).stack())
    assert {"ne_waste_landfill_ch4", "ne_waste_incineration_co2", "ne_road_dust", "ne_construction_dust"} <= ne
    assert "以文本形式存储的数字" in terminal and "项核查未通过" in terminal
    assert sentences(html_texts(out / "report.html"), labels) == []
    # the factor sheet cites documents and their tables as published (issue 18: a title is a citation, never
    # translated), the one place English text may stand in a Chinese workbook; the copy a value was read in
    # (转引自, the seventh column) is worded in Chinese
    cited = {v for row in openpyxl.load_workbook(out / "inventory.xlsx", read_only=True)["排放因子"].iter_rows(
        min_row=2, values_only=True) for v in row[4:6] if isinstance(v, str)}
    assert sentences(xlsx_texts(out / "inventory.xlsx"), labels | cited) == []
    assert sentences([terminal], labels) == []


def test_issue_11_the_detector_finds_english_where_there_is_some(built):
    """The same project in English is full of sentences the detector finds, and so are the English
    wordings of the reasons the old pipeline carried; it would have caught them in a Chinese output."""
    (out, terminal), labels = built[0]["en"], built[1]
    assert sentences(html_texts(out / "report.html"), labels)
    assert sentences(xlsx_texts(out / "inventory.xlsx"), labels)
    assert sentences([terminal], labels)
    old = ["no citable default factor", "waste amounts must be a mass (t, 万吨)",
           "no dm, CF, FCF or OF for this waste: give local dm, cf, fcf, of rows (IPCC 2006 Vol.5 Eq. 5.1)",
           "no data for the numerator (scrap_steel)", "unknown region", "number stored as text (converted)"]
    assert all(sentences([text]) for text in old[:4]) and sentences([" ".join(old[4:])])
    messages = resources.data_table("messages.csv")
    reasons = messages[messages["code"].str.startswith(("ne_", "target_"))]
    assert all(sentences([en]) for en in reasons["en"])


def test_issue_11_chinese_wordings_hold_no_english_sentence():
    """No zh wording of a message or label is an English sentence (command names aside)."""
    for name in ("messages.csv", "labels.csv"):
        table = resources.data_table(name)
        assert sentences(table["zh"]) == [], name


def test_issue_11_detail_sheet_names_in_the_chosen_language_codes_beside_them(built):
    def briquettes(lang, sheet, id_column):
        detail = pd.read_excel(built[0][lang][0] / "inventory.xlsx", sheet_name=sheet, engine="calamine", dtype=str)
        return detail, detail[(detail[id_column] == "briquettes") & (detail.iloc[:, 0] == "430100")].iloc[0]

    zh, row = briquettes("zh", "明细", "活动代码")
    assert (row["活动"], row["类型"], row["口径"], row["部门"]) == ("型煤", "排放", "本级", "能源活动")
    assert not zh["类型"].isin(["emission", "memo", "sink"]).any()
    _, row = briquettes("en", "Detail", "Activity id")
    assert (row["Activity"], row["Kind"], row["Basis"]) == ("Briquettes", "emission", "own")
    emissions = pd.read_csv(built[0]["zh"][0] / "emissions.csv", encoding="utf-8-sig")
    assert set(emissions["kind"]) == {"emission"}  # the CSV keeps its codes (DESIGN 3.7)
