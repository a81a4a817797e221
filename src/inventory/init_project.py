"""`inventory init`: a new project folder with a project file, blank templates and a README (DESIGN 3.8)."""

from __future__ import annotations

from pathlib import Path

from inventory import regions as region_table
from inventory.aggregate import GWP_SETS
from inventory.errors import Problem, UsageError
from inventory.factors.load import FACTOR_COLUMNS
from inventory.project import parse_regions, parse_years
from inventory.template import write_templates

PROJECT_FILE = "inventory.toml"
DATA_DIR = "data"
FACTORS_DIR = "factors"
# Thresholds of the province-vs-prefectures check written into a new project file (DESIGN 3.8).
RECONCILE_WARN, RECONCILE_FAIL = 0.02, 0.05

README_ZH = """# {name}

本文件夹由 `inventory init` 生成。

## 文件

- `inventory.toml`：项目设置（地区、年份、GWP 版本、数据和排放因子文件夹）。
- `data/`：各部门活动水平填报模板，每个部门一个工作簿。先阅读每个工作簿的“填表说明”工作表。
- `factors/`：本地排放因子和参数表（可选），格式见其中的 README.txt。

## 步骤

1. 填表：在 `data/` 的工作簿中从第 2 行起逐行填写活动水平；本地参数（如含硫率、低位发热量）填在“参数”工作表。不要修改第 1 行表头。
2. 检查：在本文件夹运行

       inventory validate .

   按提示修改所有错误（文件、工作表、行号和列都会列出），直到显示 clean。
3. 计算：

       inventory build . -o out

   结果写入 `out/`：inventory.xlsx、报告网页和 CSV 表。
"""

README_EN = """# {name}

Created by `inventory init`.

## Files

- `inventory.toml`: project settings (regions, years, GWP set, data and factor folders).
- `data/`: activity templates, one workbook per sector. Read each workbook's Instructions sheet first.
- `factors/`: local emission factor and parameter tables (optional); see README.txt there.

## Steps

1. Fill in: in the workbooks of `data/`, one activity amount per row from row 2 on; local parameters
   (sulfur content, calorific value...) go on the Parameters sheet. Do not change the header row.
2. Check, in this folder:

       inventory validate .

   Fix every error listed (file, sheet, row and column are given) until it says clean.
3. Compute:

       inventory build . -o out

   The results go to `out/`: inventory.xlsx, the HTML report and CSV tables.
"""

FACTORS_README = """本地排放因子和参数表 / Local emission factor and parameter tables
==================================================================

把 UTF-8 编码的 CSV 文件放在本文件夹，构建时优先于程序自带的缺省值使用。
Put UTF-8 CSV files here; a build uses them before the shipped defaults.

排放因子表的列 / Columns of an emission factor table:
{columns}

参数表（低位发热量、含碳量、氧化率、去除效率等）把 substance 列换成 parameter 列。
Parameter tables (calorific value, carbon content, oxidation rate, removal
efficiency...) have a `parameter` column instead of `substance`.

- factor_id: 唯一编号 / a unique id
- category, activity, technology: 与活动水平表相同的代码；留空表示适用于全部 / as in the
  activity workbooks; empty = any
- substance: CO2, CH4, N2O, SO2, NOx, CO, PM10, PM2.5, NMVOC, NH3, BC, OC ...
- value, unit: 数值和单位，如 kg/TJ、t/t、kg/head/a、g/kg / number and explicit unit
- region: 行政区划代码；CN 为全国；留空为 IPCC 缺省 / GB/T 2260 code, CN, or empty
- year_from, year_to: 适用年份范围，可留空 / years the value applies to, may be empty
- tier, method: 方法层级和方法 / tier and method (e.g. ef)
- source, source_detail: 数据出处（文献和表号），每个数值都必须注明 / every value names
  its source (document and table)
- uncertainty_low_pct, uncertainty_high_pct: 不确定性（%，非负）/ uncertainty, %, non-negative
- notes: 备注 / free text

检查本文件夹的表：inventory factors check factors/
Check the tables: inventory factors check factors/
"""


def project_toml(name: str, regions: list[str], years: list[int], gwp: str) -> str:
    """The text of a new project file (DESIGN 3.8)."""
    region_list = ", ".join(f'"{r}"' for r in regions)
    year_list = ", ".join(str(y) for y in years)
    return (
        "[project]\n"
        f'name = "{name}"\n'
        f"regions = [{region_list}]\n"
        f"years = [{year_list}]\n"
        f'gwp = "{gwp}"\n'
        f'inputs = ["{DATA_DIR}/"]\n'
        f'factors = ["{FACTORS_DIR}/"]           # on top of the shipped tables\n'
        "\n"
        "[checks.province_vs_prefectures]\n"
        f"warn = {RECONCILE_WARN}\n"
        f"fail = {RECONCILE_FAIL}\n"
    )


def _codes(regions: list[str]) -> list[str]:
    """Region codes in the order given (names and aliases accepted); unknown ones are a usage error."""
    parse_regions(regions)  # raises UsageError listing every unknown region
    codes = [region_table.lookup().get(str(r)) for r in regions]
    return list(dict.fromkeys(codes))


def init_project(directory: Path, regions: list[str], years: list[int], lang: str = "zh",
                 gwp: str = "AR5") -> list[Path]:
    """Create a project folder: inventory.toml, data/ templates, factors/README.txt, README.md.

    Refuses a folder that exists and is not empty. Returns the files written.
    """
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(Problem("folder_not_empty", file=str(directory), expected="expect_empty_folder"))
    problems = []
    if not regions:
        problems.append(Problem("no_region_given", expected="expect_region_option"))
    if not years:
        problems.append(Problem("no_year_given", expected="expect_year_option"))
    if gwp not in GWP_SETS:
        problems.append(Problem("unknown_gwp_set", value=gwp, expected="expect_one_of",
                                params=(("names", ", ".join(GWP_SETS)),)))
    if lang not in ("zh", "en"):
        problems.append(Problem("unknown_language", value=lang, expected="expect_language"))
    if problems:
        raise UsageError(problems)
    codes = _codes(regions)
    year_list = sorted(parse_years([str(y) for y in years]))

    first = region_table.name(codes[0], lang)
    name = (f"{first}温室气体与大气污染物排放清单" if lang == "zh"
            else f"{first} greenhouse gas and air pollutant emission inventory")
    directory.mkdir(parents=True, exist_ok=True)
    project_file = directory / PROJECT_FILE
    project_file.write_text(project_toml(name, codes, year_list, gwp), encoding="utf-8")
    written = [project_file]
    written += write_templates(directory / DATA_DIR, lang, codes, year_list)
    factors = directory / FACTORS_DIR
    factors.mkdir()
    readme_factors = factors / "README.txt"
    readme_factors.write_text(FACTORS_README.format(columns=", ".join(FACTOR_COLUMNS)), encoding="utf-8")
    readme = directory / "README.md"
    readme.write_text((README_ZH if lang == "zh" else README_EN).format(name=name), encoding="utf-8")
    return written + [readme_factors, readme]
