"""Cell facts from one streaming pass over each worksheet's XML inside the .xlsx (DESIGN 5).

calamine gives the values; this pass gives what values alone cannot show and what
must be known before calamine is let near a sheet:

- merged ranges (`<mergeCell ref="B5:B7"/>`),
- cells with a formula (`<f>`) but no saved value (no `<v>`, or an empty one),
- the sheet's `<dimension>` and an upper bound of the area calamine will
  allocate (last row × last column holding a cell). calamine allocates that
  area densely, so a 1 KB sheet with one cell in XFD1048576 would take ~500 GB:
  such a sheet is refused here, never read.

It is safe on hostile input: every part is read in chunks through `zipfile`
(which stops at the declared size and checks the CRC), no part may exceed
MAX_PART_BYTES, and any part holding a DTD or entity declaration (`<!DOCTYPE`,
`<!ENTITY`: billion laughs, external entities) is refused before any XML
parser sees it. Nothing here expands entities or builds a tree of a sheet.

The fast path works on bytes with C-speed searches (no Python per cell) and
relies on every row and cell carrying its `r` position, as Excel, WPS, openpyxl
and calamine's writers do. A sheet where that does not hold (cells or rows
without `r`, unexpected namespace prefixes) is scanned exactly with expat, a
slower path capped at MAX_EXACT_BYTES.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import xml.parsers.expat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# Caps (DESIGN 5): what one part, one sheet and the slow exact scan may hold.
MAX_PART_BYTES = 512 * 1024 * 1024          # uncompressed size of any one XML part
MAX_SMALL_PART_BYTES = 32 * 1024 * 1024     # workbook.xml and .rels parts, parsed whole
MAX_EXACT_BYTES = 64 * 1024 * 1024          # sheets that need the exact (expat) scan
MAX_ROWS_PER_SHEET = 1_048_576              # Excel's own limit: more is not a real sheet
MAX_CELLS_PER_SHEET = 20_000_000            # last row × last column calamine would allocate
MAX_LISTED = 1_000                          # merged ranges / formula cells kept per sheet (all are counted)
CHUNK = 1 << 20

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class UnsafeWorkbook(Exception):
    """The workbook cannot be read safely: `code` says why, `expected` what would do (codes of
    data/messages.csv), `params` the values of their placeholders."""

    def __init__(self, code: str, expected: str = "expect_xlsx_from_excel", **params):
        super().__init__(code, params)
        self.code, self.expected, self.params = code, expected, tuple(params.items())


@dataclass
class SheetFacts:
    """What the streaming pass found in one worksheet.

    max_row / max_col: upper bounds of the last row and column holding a cell
    (1-based; 0 when the sheet is empty). over_cap: why the sheet must not be
    read, a code of data/messages.csv ("" when it may), over_cap_params the values
    of its placeholders. formulas: cell refs of formulas without a saved value.
    """

    name: str
    part: str
    dimension: str = ""
    merged: list[str] = field(default_factory=list)
    merged_count: int = 0
    formulas: list[str] = field(default_factory=list)
    formula_count: int = 0
    max_row: int = 0
    max_col: int = 0
    exact: bool = False
    over_cap: str = ""
    over_cap_params: tuple = ()


# --------------------------------------------------------------------------- helpers

def col_number(letters: bytes | str) -> int:
    """1-based column number of column letters (A -> 1, XFD -> 16384)."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def split_ref(ref: str) -> tuple[int, int] | None:
    """(row, column) of `B7`, 1-based; None if it is not a cell reference."""
    m = _REF.match(ref.strip())
    return (int(m.group(2)), col_number(m.group(1))) if m else None


def range_rows(ref: str) -> tuple[int, int, int, int] | None:
    """(first row, last row, first col, last col) of `B5:C7` or `B5`; None if malformed."""
    parts = ref.split(":")
    if len(parts) > 2:
        return None
    ends = [split_ref(p) for p in parts]
    if any(e is None for e in ends):
        return None
    (r1, c1), (r2, c2) = ends[0], ends[-1]
    return min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)


def _has_dtd(data: bytes) -> bool:
    if b"!" not in data:  # one byte searched at memchr speed: most parts hold no `!` at all
        return False
    return b"<!DOCTYPE" in data or b"<!ENTITY" in data or b"<!doctype" in data


def _read_part(zf: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """A whole (small) part, refused when over `cap` or holding a DTD."""
    info = zf.getinfo(name)
    if info.file_size > cap:
        raise UnsafeWorkbook("part_too_large", "expect_ordinary_size", part=name, mb=_mb(info.file_size),
                             limit=_mb(cap))
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise UnsafeWorkbook("part_larger_than_declared", part=name)
    if _has_dtd(data):
        raise _dtd(name)
    return data


def _dtd(name: str) -> UnsafeWorkbook:
    return UnsafeWorkbook("part_declares_dtd", "expect_xlsx_without_dtd", part=name)


def _mb(size: float) -> str:
    """A size in bytes as whole megabytes, for messages."""
    return f"{size / 1e6:.0f}"


def _parse_small(zf: zipfile.ZipFile, name: str) -> ET.Element:
    data = _read_part(zf, name, MAX_SMALL_PART_BYTES)
    try:
        return ET.fromstring(data)  # no DTD (checked above): nothing to expand
    except ET.ParseError as exc:
        raise UnsafeWorkbook("part_not_well_formed", part=name, error=str(exc)) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, worksheet part) in workbook order, mapped through xl/_rels/workbook.xml.rels.

    Chart sheets and sheets whose part is missing are left out (they hold no cells).
    """
    workbook = _parse_small(zf, "xl/workbook.xml")
    names = set(zf.namelist())
    rels = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in _parse_small(zf, "xl/_rels/workbook.xml.rels").iter():
            if _local(rel.tag) == "Relationship":
                rels[rel.get("Id")] = (rel.get("Type", ""), rel.get("Target", ""))
    out = []
    for el in workbook.iter():
        if _local(el.tag) != "sheet":
            continue
        name = el.get("name", "")
        rid = el.get(f"{{{_NS_REL}}}id") or next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
        rel_type, target = rels.get(rid, ("", ""))
        if not target or not rel_type.endswith("/worksheet"):
            continue
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if part in names:
            out.append((name, part))
    return out


# --------------------------------------------------------------------------- the fast byte scan

_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s[^>]*?\bref="([^"]{1,40})"')
_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref="([^"]{1,40})"')
# Non-self-closing row tags (their number), non-self-closing cells in columns past J (letters and
# row), and cells in A..J from row 1,000,000 on. Other cells in A..J are not captured (most sheets
# have only those, and Python work per cell is what would make this slow): any cell means >= 10 columns.
# The row numbers are found on their own (a flat list, its maximum taken without a Python loop); the
# cells only where a search finds one past J or that low (most sheets: none).
_ROW_NUMBERS = re.compile(rb' r="(\d{1,9})"[^>]*(?<!/)>')
_CELLS = re.compile(rb' r="(?:([A-Z]{2,3}|[K-Z])(\d{1,9})"[^>]*(?<!/)>|[A-J](\d{7,9})")')
_ANY_CELL = re.compile(rb' r="(?:[A-Z]{2}|[K-Z]|[A-J]\d{7})')  # finds every cell _CELLS captures (and more)
# Sheets wider than this get a second pass for cells in A..J below the last row tag.
_WIDE = 20
_FOREIGN = re.compile(rb":(?:c[ >]|row[ >])")
_ROOT = re.compile(rb"<(?!\?|!)(?:([\w.-]+):)?worksheet[\s>]")
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3}\d{1,9})"')
_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v>\s*[^<\s]|is[\s>])")


def _above(m: int) -> bytes:
    """A regex alternation of decimal numbers greater than `m` (no leading zeros)."""
    s = str(m)
    d = len(s)
    alts = [rb"[1-9]\d{%d,}" % d]  # more digits
    for i in range(d):
        digit = int(s[i])
        if digit == 9:
            continue
        rest = d - i - 1
        alts.append(s[:i].encode() + (b"[%d-9]" % (digit + 1)) + (rb"\d{%d}" % rest if rest else b""))
    return b"|".join(alts)


def _rows_above(m: int) -> re.Pattern:
    """A search for a non-self-closing row tag numbered above `m` (leading zeros allowed), shaped as
    _ROW_NUMBERS: finds nothing exactly when every number _ROW_NUMBERS finds is at most `m`."""
    return re.compile(rb' r="(?=\d)0*(?:%s)"[^>]*(?<!/)>' % _above(m))


class _FastScan:
    """Byte-level scan of one worksheet; raises _NeedExact when its assumptions do not hold."""

    def __init__(self, facts: SheetFacts):
        self.f = facts
        self.prefix = b""  # namespace prefix of the root element, b"" or b"x:"
        self.first = True

    def feed(self, chunk: bytes) -> None:
        f, p = self.f, self.prefix
        if self.first:  # <dimension> comes before <sheetData>
            self.first = False
            m = _DIMENSION.search(chunk, 0, 64 * 1024)
            if m:
                f.dimension = m.group(1).decode("ascii", "replace")
        n_rows = chunk.count(b"<" + p + b"row ") + chunk.count(b"<" + p + b"row>")
        n_cells = chunk.count(b"<" + p + b"c ") + chunk.count(b"<" + p + b"c>")
        if chunk.count(b' r="') != n_rows + n_cells:
            raise _NeedExact  # a row or cell without its position, or r= in an odd place
        if not p:
            if _FOREIGN.search(chunk):
                raise _NeedExact  # cells or rows under a prefix (or such text): check exactly
        elif (b"<c " in chunk or b"<c>" in chunk or b"<row" in chunk
              or chunk.count(b":c ") + chunk.count(b":c>") != n_cells + chunk.count(b"</" + p + b"c>")
              or chunk.count(b":row ") + chunk.count(b":row>") != n_rows + chunk.count(b"</" + p + b"row>")):
            raise _NeedExact
        top = max(f.max_row, self._last_row(chunk))
        if _rows_above(top).search(chunk):  # rows out of order: every row number of the chunk
            top = max(f.max_row, max(map(int, _ROW_NUMBERS.findall(chunk)), default=0))
        if _ANY_CELL.search(chunk):
            for col, col_row, low_row in _CELLS.findall(chunk):
                if col:
                    f.max_col = max(f.max_col, col_number(col))
                    top = max(top, int(col_row))
                else:
                    top = max(top, int(low_row))
        f.max_row = top
        if n_cells and f.max_col < 10:
            f.max_col = 10
        if b"f" in chunk and b"<" + p + b"f" in chunk:
            for tag in (b"<" + p + b"f>", b"<" + p + b"f ", b"<" + p + b"f/>"):
                if tag in chunk:
                    self._formulas(chunk, tag)
        if b"mergeCell" in chunk:
            for ref in _MERGE.findall(chunk):
                _add_merge(f, ref.decode("ascii", "replace"))

    def _last_row(self, chunk: bytes) -> int:
        """The number of the chunk's last row tag (0 when it has none or is self-closing): rows come in
        order, so this is the chunk's highest unless a search for a higher one finds it (_rows_above)."""
        pos = chunk.rfind(b"<" + self.prefix + b"row")
        m = _ROW_NUMBERS.search(chunk, pos) if pos >= 0 else None
        return int(m.group(1)) if m else 0

    def below_last_row(self, chunk: bytes) -> bool:
        """True when a cell of the chunk lies below the last row found (<row r="1"><c r="A999999">)."""
        return bool(re.search(rb' r="[A-Z]{1,3}(?:%s)"' % _above(self.f.max_row), chunk))

    def _formulas(self, chunk: bytes, tag: bytes) -> None:
        p = self.prefix
        start_tags = (b"<" + p + b"c ", b"<" + p + b"c>")
        end_tag = b"</" + p + b"c>"
        pos = chunk.find(tag)
        while pos >= 0:
            begin = max(chunk.rfind(t, 0, pos) for t in start_tags)
            end = chunk.find(end_tag, pos)
            if begin < 0 or end < 0:
                raise _NeedExact
            cell = chunk[begin:end]
            if not _VALUE.search(cell):
                m = _CELL_REF.search(cell[:cell.find(b">") + 1])
                _add_formula(self.f, m.group(1).decode("ascii") if m else "?")
            pos = chunk.find(tag, end)


class _NeedExact(Exception):
    pass


def _add_merge(f: SheetFacts, ref: str) -> None:
    f.merged_count += 1
    if len(f.merged) < MAX_LISTED:
        f.merged.append(ref)


def _add_formula(f: SheetFacts, ref: str) -> None:
    f.formula_count += 1
    if len(f.formulas) < MAX_LISTED:
        f.formulas.append(ref)


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, prefix: bytes = b""):
    """Decompressed pieces of a part, each ending where a row ends (or at a tag start), DTD-checked."""
    carry = b""
    read = 0
    row_end = b"</" + prefix + b"row>"
    with zf.open(info) as fh:
        while True:
            block = fh.read(CHUNK)
            read += len(block)
            if read > MAX_PART_BYTES:
                raise _OverCap("sheet_xml_over_limit", limit=_mb(MAX_PART_BYTES))
            data = carry + block
            if not block:
                if _has_dtd(data):
                    raise _dtd(info.filename)
                if data:
                    yield data
                return
            cut = data.rfind(row_end)
            cut = cut + len(row_end) if cut >= 0 else data.rfind(b"<")
            if cut <= 0:
                if len(data) > 64 * CHUNK:
                    raise UnsafeWorkbook("part_tag_too_large", part=info.filename, limit=_mb(64 * CHUNK))
                carry = data
                continue
            piece, carry = data[:cut], data[cut:]
            # a DTD marker split across the cut is caught in the next piece: the carry starts with "<"
            if _has_dtd(piece):
                raise _dtd(info.filename)
            yield piece


class _OverCap(Exception):
    """A sheet over a cap: `code` (data/messages.csv) and the values of its placeholders."""

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code, self.params = code, tuple(params.items())


def _scan_fast(zf: zipfile.ZipFile, info: zipfile.ZipInfo, facts: SheetFacts) -> None:
    scan = _FastScan(facts)
    scan.prefix = _prefix_of(zf, info)
    for piece in _chunks(zf, info, scan.prefix):
        scan.feed(piece)
    # A cell in A..J placed below every row tag escapes the bound above; on a narrow sheet it can add
    # at most 1,000,000 × 20 cells (checked at once by the cap), on a wide one check it in a second pass.
    if facts.max_col > _WIDE and facts.max_row < 1_000_000:
        if any(scan.below_last_row(piece) for piece in _chunks(zf, info, scan.prefix)):
            raise _NeedExact


def _prefix_of(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The namespace prefix of the worksheet's root element (b"" or b"x:")."""
    with zf.open(info) as fh:
        head = fh.read(64 * 1024)
    if _has_dtd(head):
        raise _dtd(info.filename)
    m = _ROOT.search(head)
    if not m:
        raise UnsafeWorkbook("part_not_a_worksheet", part=info.filename)
    return (m.group(1) + b":") if m.group(1) else b""


# --------------------------------------------------------------------------- the exact (expat) scan

def _scan_exact(zf: zipfile.ZipFile, info: zipfile.ZipInfo, facts: SheetFacts) -> None:
    """Element by element with expat; DTDs refused; only value-bearing cells count for the bound."""
    if info.file_size > MAX_EXACT_BYTES:
        raise _OverCap("sheet_xml_without_positions", mb=_mb(info.file_size), limit=_mb(MAX_EXACT_BYTES))
    facts.__init__(facts.name, facts.part, exact=True)
    state = {"row": 0, "col": 0, "in_cell": False, "ref": "", "formula": False, "value": False,
             "in_v": False, "root": False}

    def refuse(*_args):
        raise _dtd(info.filename)

    def start(name, attrs):
        tag = name.rsplit(":", 1)[-1]
        if tag == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = 0
        elif tag == "c":
            pos = split_ref(attrs.get("r", "")) if attrs.get("r") else None
            if pos:
                state["row"], state["col"] = pos
            else:
                state["col"] += 1
            state.update(in_cell=True, formula=False, value=False,
                         ref=attrs.get("r") or f"{_letters(state['col'])}{state['row']}")
        elif state["in_cell"] and tag == "f":
            state["formula"] = True
        elif state["in_cell"] and tag == "v":
            state["in_v"] = True
        elif state["in_cell"] and tag == "is":
            state["value"] = True
        elif tag == "mergeCell" and attrs.get("ref"):
            _add_merge(facts, attrs["ref"])
        elif tag == "dimension" and not facts.dimension:
            facts.dimension = attrs.get("ref", "")[:40]

    def end(name):
        tag = name.rsplit(":", 1)[-1]
        if tag == "v":
            state["in_v"] = False
        elif tag == "c" and state["in_cell"]:
            state["in_cell"] = False
            if state["formula"] and not state["value"]:
                _add_formula(facts, state["ref"])
            if state["value"]:
                facts.max_row = max(facts.max_row, state["row"])
                facts.max_col = max(facts.max_col, state["col"])

    def text(data):
        if state["in_v"] and data.strip():
            state["value"] = True

    parser = xml.parsers.expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    try:
        with zf.open(info) as fh:
            while block := fh.read(CHUNK):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as exc:
        raise UnsafeWorkbook("part_not_well_formed", part=info.filename, error=str(exc)) from None


def _letters(col: int) -> str:
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


# --------------------------------------------------------------------------- the workbook

def scan_sheet(zf: zipfile.ZipFile, name: str, part: str) -> SheetFacts:
    """Facts of one worksheet part; over_cap set when calamine must not read it."""
    facts = SheetFacts(name, part)
    info = zf.getinfo(part)
    try:
        if info.file_size > MAX_PART_BYTES:
            raise _OverCap("sheet_xml_too_large", mb=_mb(info.file_size), limit=_mb(MAX_PART_BYTES))
        try:
            _scan_fast(zf, info, facts)
        except _NeedExact:
            _scan_exact(zf, info, facts)
    except _OverCap as exc:
        facts.over_cap, facts.over_cap_params = exc.code, exc.params
        return facts
    if facts.max_row > MAX_ROWS_PER_SHEET:
        facts.over_cap = "sheet_past_last_row"
        facts.over_cap_params = (("row", f"{facts.max_row:,}"), ("limit", f"{MAX_ROWS_PER_SHEET:,}"))
    elif facts.max_row * facts.max_col > MAX_CELLS_PER_SHEET:
        facts.over_cap = "sheet_too_many_cells"
        facts.over_cap_params = (("rows", f"{facts.max_row:,}"), ("columns", f"{facts.max_col:,}"),
                                 ("cells", f"{facts.max_row * facts.max_col:,}"),
                                 ("limit", f"{MAX_CELLS_PER_SHEET:,}"))
    return facts


def scan_workbook(path: Path) -> list[SheetFacts]:
    """Facts of every worksheet, in workbook order; raises UnsafeWorkbook when nothing may be read.

    Every other XML part calamine may read (shared strings, styles, relationships)
    is read through once too: refused when it holds a DTD, and checked against
    its CRC and declared size by zipfile.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            sheets = sheet_parts(zf)
            parts = {part for _, part in sheets}
            for info in zf.infolist():
                low = info.filename.lower()
                if info.filename in parts or not (low.endswith(".xml") or low.endswith(".rels")):
                    continue
                if info.file_size > MAX_PART_BYTES:
                    raise UnsafeWorkbook("part_too_large", "expect_ordinary_size", part=info.filename,
                                         mb=_mb(info.file_size), limit=_mb(MAX_PART_BYTES))
                for _ in _chunks(zf, info):
                    pass
            return [scan_sheet(zf, name, part) for name, part in sheets]
    except _OverCap as exc:
        raise UnsafeWorkbook(exc.code, "expect_ordinary_size", **dict(exc.params)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method
        raise UnsafeWorkbook("file_corrupt_detail", error=str(exc)) from None
