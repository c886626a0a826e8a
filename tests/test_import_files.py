"""Reading statement files: encodings, headers, amounts, summary rows, and bad files.

A bad file gives exit status 2 and a Chinese message naming the file and the row, and the
ledger is not touched.
"""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from clirun import init_studio, run

from studiofund.importers import builtin_layouts
from studiofund.importers.layout import header_forms
from studiofund.importers.statement import parse_date, read_statement
from studiofund.importers.table import StatementError, read_table

FIXTURES = Path(__file__).parent / "fixtures" / "banks"
ABC_HEADER = "交易时间,收入金额,支出金额,本次余额,对方户名,对方账号,交易用途\n"


@pytest.fixture
def ledger(tmp_path) -> Path:
    return init_studio(tmp_path / "studio.beancount")


def refused(ledger: Path, statement: Path, *extra) -> str:
    """Import ``statement``; assert exit 2 and an untouched ledger; return the message."""
    before = ledger.read_bytes()
    result = run("import", statement, "--ledger", ledger, *extra)
    assert result.exit_code == 2, result.output
    assert ledger.read_bytes() == before
    assert not list(ledger.parent.glob(".*.tmp"))
    assert result.output.startswith("错误：")
    return result.output


# -- unit level ----------------------------------------------------------------------------------
def test_header_forms_normalise_padding_fullwidth_and_bilingual_headers():
    assert "交易日期" in header_forms("交易日期[ Transaction Date ]")
    assert "借方发生额" in header_forms("　借方发生额（支取）  ")
    assert "交易时间" in header_forms("  交　易　时　间  ")
    assert "收(付)方名称" in header_forms("收（付）方名称")


@pytest.mark.parametrize("header,form", [
    ("借方发生额/元(支取)", "借方发生额"),      # CCB: a unit, then a qualifier
    (" 贷方发生额/元（收入） ", "贷方发生额"),
    ("余额/元", "余额"),
    ("金额（元）", "金额"),
    ("支出金额(人民币元)", "支出金额"),
    ("交易日期/Transaction Date", "交易日期"),  # bilingual without brackets
    ("Trade Amount 交易金额", "交易金额"),
    ("交易后余额[ After-transaction balance ]", "交易后余额"),
])
def test_header_forms_drop_units_and_english(header, form):
    assert form in header_forms(header)


def test_units_do_not_merge_distinct_headers():
    """账户明细编号-交易流水号 keeps its own form (the hyphen is not an English word)."""
    assert "账户明细编号-交易流水号" in header_forms("账户明细编号-交易流水号")
    assert "余额" not in header_forms("可用余额")


@pytest.mark.parametrize("text,expected", [
    ("2020-06-12", (datetime.date(2020, 6, 12), "")),
    ("20200612 10:23:45", (datetime.date(2020, 6, 12), "10:23:45")),
    ("2020/6/2 9:05", (datetime.date(2020, 6, 2), "09:05:00")),
    ("2020年06月12日", (datetime.date(2020, 6, 12), "")),
    ("2020.06.12 102345", (datetime.date(2020, 6, 12), "10:23:45")),
    ("2020-06-12-10.23.45.123456", (datetime.date(2020, 6, 12), "10:23:45")),  # ICBC's timestamp
    ("2020-06-12T10:23:45.000", (datetime.date(2020, 6, 12), "10:23:45")),
    ("合计", None), ("", None), ("2020-13-01", None),
    ("2020-03-01至2020-06-30", None),  # a period, not a line's date
    ("2020-06-30 本月合计", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_text_encodings(tmp_path, encoding):
    path = tmp_path / "abc.csv"
    path.write_bytes((ABC_HEADER + "2020-03-10 10:00:00,\"1,000.50\",,\"1,000.50\",深圳市教育局,1,拨款\n").encode(encoding))
    st = read_statement(path, builtin_layouts())
    assert st.layout.id == "abc"
    assert [(ln.amount, ln.counterparty) for ln in st.lines] == [(Decimal("1000.50"), "深圳市教育局")]


def test_tab_separated_text_under_an_xls_name(tmp_path):
    """Some online banks save tab-separated UTF-16 text as .xls."""
    path = tmp_path / "明细.xls"
    rows = ["交易时间\t收入金额\t支出金额\t本次余额\t对方户名", "2020-03-10\t500.00\t\t500.00\t深圳市教育局"]
    path.write_bytes("\r\n".join(rows).encode("utf-16"))
    assert read_table(path).kind == "csv"
    assert read_statement(path, builtin_layouts()).closing_balance == Decimal("500.00")


def test_amount_cells_with_separators_blanks_dashes_and_fullwidth_digits(tmp_path):
    path = tmp_path / "abc.csv"
    path.write_text(
        ABC_HEADER
        + "2020-03-10,\"12,345.60\",-,\"12,345.60\",深圳市教育局,1,拨款\n"
        + "2020-03-11,--,１００．００,\"12,245.60\",书店,2,图书\n"
        + "2020-03-12,, 45.6 ,\"12,200.00\",书店,2,图书\n",
        encoding="utf-8",
    )
    st = read_statement(path, builtin_layouts())
    assert [ln.amount for ln in st.lines] == [Decimal("12345.60"), Decimal("-100.00"), Decimal("-45.60")]


def _abc(tmp_path, *rows: str) -> Path:
    path = tmp_path / "abc.csv"
    path.write_text(ABC_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_counts_and_totals_rows_are_summaries_wherever_they_are(tmp_path):
    """Trailer blocks known by their shape, with no keyword: count, 收/支, total; and a bare row
    of counts and totals. One sits between the lines (a page break)."""
    path = _abc(tmp_path,
                "2020-03-10,\"80,000.00\",,\"80,000.00\",深圳市教育局,1,拨款",
                "1,收,\"80,000.00\"",
                "2020-03-12,,12.34,\"79,987.66\",书店,2,图书",
                "",
                "1,收,\"80,000.00\"",
                "1,支,12.34",
                "1,80000.00,1,12.34")
    st = read_statement(path, builtin_layouts())
    assert [ln.amount for ln in st.lines] == [Decimal("80000.00"), Decimal("-12.34")]


def test_a_line_that_lost_its_date_is_an_error_not_a_summary(ledger, tmp_path):
    path = _abc(tmp_path, "2020-03-10,100.00,,100.00,深圳市教育局,1,拨款", ",,12.34,87.66,书店,2,图书")
    msg = refused(ledger, path)
    assert "第 3 行" in msg and "无法识别的行" in msg
    bare = _abc(tmp_path, "2020-03-10,100.00,,100.00,深圳市教育局,1,拨款", ",,12.34,87.66")
    assert "第 3 行" in refused(ledger, bare)


def test_dated_balance_and_total_rows_are_summaries(tmp_path):
    """期初余额 and 本月合计 rows carry a date; they are not lines, and the stated opening balance
    is kept."""
    path = tmp_path / "bocom.csv"
    path.write_text(
        "交易日期,摘要,借方发生额,贷方发生额,余额,对方户名\n"
        "2020-03-01,期初余额,,,500.00,\n"
        "2020-03-10,拨款,,100.00,600.00,深圳市教育局\n"
        "2020-03-31,本月合计,0.00,100.00,,\n"
        "2020-04-02,转账支出,50.00,,550.00,书店\n"
        "2020-04-30,本月合计,50.00,0.00,550.00,\n", encoding="utf-8")
    st = read_statement(path, builtin_layouts())
    assert [ln.amount for ln in st.lines] == [Decimal("100.00"), Decimal("-50.00")]
    assert st.stated_opening == Decimal("500.00") and st.opening_balance == Decimal("500.00")


def test_a_serial_shared_by_a_payment_and_its_fee(tmp_path):
    """Some banks give a transfer and its fee one serial: both lines import, with distinct keys."""
    path = tmp_path / "h.csv"
    path.write_text("交易日期,对方户名,支出,收入,账户余额,附言,交易流水号\n"
                    "2020/04/08,深圳书城,3250.00,,6750.00,图书,SZ1\n"
                    "2020/04/08,,5.50,,6744.50,手续费,SZ1\n"
                    "2020/04/09,深圳书城,100.00,,6644.50,图书,SZ2\n", encoding="utf-8")
    st = read_statement(path, builtin_layouts())
    keys = st.keys()
    assert keys[2] == "SZ2" and keys[0].startswith("SZ1/") and keys[1].startswith("SZ1/") and keys[0] != keys[1]


def test_the_statement_sheet_is_found_behind_a_cover_sheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "说明"
    for text in ("本文件由网上银行生成", "如有疑问请致电 95533", "请妥善保管"):
        cover.append([text])
    sheet = book.create_sheet("明细")
    sheet.append(["交易时间", "收入金额", "支出金额", "本次余额", "对方户名"])
    sheet.append(["2020-03-10", "500.00", "", "500.00", "深圳市教育局"])
    path = tmp_path / "two.xlsx"
    book.save(path)
    assert read_statement(path, builtin_layouts()).closing_balance == Decimal("500.00")


def test_a_known_bank_in_an_unknown_layout_keeps_its_name(ledger, tmp_path):
    """--bank ccb with headers no CCB layout lists: read by the common headers, shown as CCB."""
    path = tmp_path / "ccb.csv"
    path.write_text("日期,借方金额,贷方金额,账户余额,对方户名,摘要\n2020-03-10,,500.00,500.00,深圳市教育局,拨款\n",
                    encoding="utf-8")
    result = run("import", path, "--ledger", ledger, "--bank", "ccb", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "中国建设银行（按表头识别）" in result.output


def test_a_title_names_the_bank_of_a_generic_layout(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("中国农业银行对公账户明细\n日期,借方金额,贷方金额,账户余额,对方户名\n"
                    "2020-03-10,,500.00,500.00,深圳市教育局\n", encoding="utf-8")
    assert read_statement(path, builtin_layouts()).label == "中国农业银行（按表头识别）"


def test_an_expense_list_is_not_a_statement(ledger, tmp_path):
    """A sheet with only 日期 and 金额 (an officer's own list) is not taken for a bank export."""
    path = tmp_path / "list.csv"
    path.write_text("日期,金额,说明\n2020-03-10,500.00,图书\n", encoding="utf-8")
    assert "无法识别的对账单格式" in refused(ledger, path)


def test_newest_first_statement_is_put_in_time_order():
    st = read_statement(FIXTURES / "cmb_detail.csv", builtin_layouts())
    assert [ln.date for ln in st.lines] == sorted(ln.date for ln in st.lines)
    assert st.closing_balance == Decimal("61001.28")
    assert st.lines[-1].serial == "SZ20200628004102"


def test_summary_rows_inside_the_data_are_skipped():
    st = read_statement(FIXTURES / "abc_detail.xls", builtin_layouts())
    assert len(st.lines) == 8
    assert st.account_number == "755912345678901"


def test_boc_counterparty_is_the_side_that_is_not_our_account():
    st = read_statement(FIXTURES / "boc_detail.csv", builtin_layouts())
    assert st.account_number == "755912345678901"
    assert [ln.counterparty for ln in st.lines][:3] == ["深圳市教育局", "深圳市南山区教育局", "深圳书城南山城"]
    assert st.lines[2].counterparty_account == "755900011122233"


# -- bad files, through the command ---------------------------------------------------------------
def test_unknown_layout(ledger, tmp_path):
    path = tmp_path / "通讯录.csv"
    path.write_text("姓名,电话\n张三,13800000000\n", encoding="utf-8")
    msg = refused(ledger, path)
    assert str(path) in msg and "无法识别的对账单格式" in msg and "--mapping" in msg


def test_broken_encoding_names_the_row(ledger, tmp_path):
    good = (ABC_HEADER + "2020-03-10,100.00,,100.00,深圳市教育局,1,拨款\n").encode("gbk")
    path = tmp_path / "broken.csv"
    path.write_bytes(good + b"2020-03-11,,1.00,99.00,\xff\xfe\xff,2,x\n")
    msg = refused(ledger, path)
    assert "编码损坏" in msg and "第 3 行" in msg and "broken.csv" in msg


def test_truncated_row_names_the_row(ledger, tmp_path):
    text = (FIXTURES / "icbc_historydetail.csv").read_bytes().decode("gbk")
    lines = text.split("\r\n")
    # Cut the file in the middle of the last statement line (right after its date cell).
    last = max(i for i, ln in enumerate(lines) if "2020-06-28" in ln)
    cut = lines[last][: lines[last].index("2020-06-28") + len("2020-06-28 11:00:00")]
    path = tmp_path / "historydetail.csv"
    path.write_bytes("\r\n".join(lines[:last] + [cut]).encode("gbk"))
    msg = refused(ledger, path)
    assert f"第 {last + 1} 行" in msg and "不完整" in msg


def test_truncated_xlsx(ledger, tmp_path):
    raw = (FIXTURES / "bocom_detail.xlsx").read_bytes()
    path = tmp_path / "bocom.xlsx"
    path.write_bytes(raw[: len(raw) // 2])
    assert "XLSX 文件损坏" in refused(ledger, path)


def test_truncated_xls(ledger, tmp_path):
    raw = (FIXTURES / "ccb_detail.xls").read_bytes()
    path = tmp_path / "ccb.xls"
    path.write_bytes(raw[:1500])
    assert "XLS 文件损坏" in refused(ledger, path)


def test_a_line_missing_from_the_middle_breaks_the_running_balance(ledger, tmp_path):
    lines = (FIXTURES / "boc_detail.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    path = tmp_path / "boc.csv"
    path.write_bytes("\r\n".join(lines[:3] + lines[4:]).encode("utf-8-sig"))  # drop the 3rd line
    msg = refused(ledger, path)
    assert "余额不连续" in msg and "第 4 行" in msg


def test_bad_amount_names_the_row(ledger, tmp_path):
    path = tmp_path / "abc.csv"
    path.write_text(ABC_HEADER + "2020-03-10,一百元,,100.00,深圳市教育局,1,拨款\n", encoding="utf-8")
    msg = refused(ledger, path)
    assert "第 2 行" in msg and "不是有效金额" in msg


def test_unexplained_row_is_an_error_not_silently_skipped(ledger, tmp_path):
    path = tmp_path / "abc.csv"
    path.write_text(ABC_HEADER + "2020-03-10,100.00,,100.00,深圳市教育局,1,拨款\n"
                    "昨天,5.00,,105.00,某人,3,补记\n", encoding="utf-8")
    msg = refused(ledger, path)
    assert "第 3 行" in msg and "无法识别的行" in msg


def test_foreign_currency_account_is_refused(ledger, tmp_path):
    path = tmp_path / "cmb.csv"
    text = (FIXTURES / "cmb_detail.csv").read_bytes().decode("gbk").replace("币种：人民币", "币种：美元")
    path.write_bytes(text.encode("gbk"))
    assert "人民币" in refused(ledger, path)


def test_html_page_without_a_statement(ledger, tmp_path):
    path = tmp_path / "detail.xls"
    path.write_text("<html><body><table><tr><td>交易时间</td></tr></table></body></html>", encoding="utf-8")
    assert "无法识别的对账单格式" in refused(ledger, path)
    page = tmp_path / "page.xls"
    page.write_text("<html><body><p>会话已超时，请重新登录网上银行</p></body></html>", encoding="utf-8")
    assert "没有表格" in refused(ledger, page)


def test_spreadsheet_xml_with_entities_is_refused(ledger, tmp_path):
    """A bank file is untrusted: a DTD with entities (the billion-laughs shape) is not expanded."""
    path = tmp_path / "detail.xls"
    raw = (FIXTURES / "icbc_spreadsheet.xls").read_text(encoding="utf-8")
    raw = raw.replace('<?mso-application progid="Excel.Sheet"?>',
                      '<!DOCTYPE Workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>')
    path.write_text(raw.replace("历史明细</Data>", "&b;</Data>", 1), encoding="utf-8")
    assert "XML 表格文件损坏" in refused(ledger, path)


def test_broken_spreadsheet_xml(ledger, tmp_path):
    path = tmp_path / "detail.xls"
    raw = (FIXTURES / "icbc_spreadsheet.xls").read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    assert "XML 表格文件损坏" in refused(ledger, path)


def test_wrong_bank_named(ledger, tmp_path):
    shutil.copy(FIXTURES / "icbc_historydetail.csv", tmp_path / "h.csv")
    msg = refused(ledger, tmp_path / "h.csv", "--bank", "ccb")
    assert "中国建设银行" in msg


def test_unknown_bank_name(ledger):
    assert "未知的银行" in refused(ledger, FIXTURES / "cmb_detail.csv", "--bank", "hsbc")


def test_statements_of_two_accounts_are_refused(ledger, tmp_path):
    other = tmp_path / "other.csv"
    text = (FIXTURES / "cmb_detail.csv").read_bytes().decode("gbk").replace("账号：755912345678901", "账号：755900000000000")
    other.write_bytes(text.encode("gbk"))
    msg = refused(ledger, FIXTURES / "icbc_historydetail.csv", other)
    assert "不同账户" in msg


def test_one_bad_file_among_several_writes_nothing(ledger, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(ABC_HEADER + "2020-03-10,一百元,,100.00,x,1,y\n", encoding="utf-8")
    assert "bad.csv" in refused(ledger, FIXTURES / "cmb_detail.csv", bad)


def test_missing_ledger_and_missing_statement(tmp_path):
    result = run("import", FIXTURES / "cmb_detail.csv", "--ledger", tmp_path / "nope.beancount")
    assert result.exit_code == 2 and "不存在" in result.output


def test_missing_statement_file(ledger, tmp_path):
    assert "nope.csv：对账单文件不存在" in refused(ledger, tmp_path / "nope.csv")


def test_bad_mapping_file(ledger, tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text('id = "x"\nlabel = "某银行"\n[columns]\ndate = "日期"\n', encoding="utf-8")
    msg = refused(ledger, FIXTURES / "cmb_detail.csv", "--mapping", mapping)
    assert "m.toml" in msg and "debit" in msg


def test_statement_error_message_shape(tmp_path):
    with pytest.raises(StatementError) as info:
        read_table(tmp_path / "empty.csv") if (tmp_path / "empty.csv").write_bytes(b"") is not None else None
    assert "empty.csv" in str(info.value) and "空" in str(info.value)
