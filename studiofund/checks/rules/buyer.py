"""An e-invoice is bought by the host school (购买方为主办学校), not by a person or another unit.

The buyer of a payment's e-invoice is recorded when the payment is booked from the invoice
(``record --einvoice``): ``invoice-buyer:`` (购买方名称) and ``invoice-buyer-tax-id:``
(购买方纳税人识别号). Expenses of the studio are the host school's expenses, so the invoice must
name the school: an invoice made out to a person is personal spending reimbursed from the
dedicated account, one made out to another unit is that unit's spending.
"""

from __future__ import annotations

from ...ledger.meta import text
from ...ledger.parties import looks_like_person, normalize_tax_id, same_name
from ..framework import ERROR, Check, Hit, RuleInfo, transaction_rule

INVOICE_BUYER_MISMATCH = RuleInfo(
    "invoice-buyer-mismatch", ERROR, "发票购买方不是主办学校", "invoice-buyer-mismatch",
)


@transaction_rule(INVOICE_BUYER_MISMATCH)
def invoice_buyer_mismatch(ctx):
    """A transaction with ``invoice-buyer`` (or ``invoice-buyer-tax-id``) names the host school:

    * a person as buyer (the name 个人/自然人, a resident id number as tax id, or a personal name
      without any tax id) is always an error;
    * when the studio declaration has ``host-school-tax-id:`` (统一社会信用代码) and the invoice
      has the buyer's tax id, the two ids must agree;
    * otherwise the buyer's name must be the declared ``host-school``, compared regardless of
      全角/半角, brackets （）() 【】 and spaces.

    Transactions without these keys (invoices typed by hand) are not judged: the rule reads what
    the e-invoice said, it does not guess.
    """
    studio = ctx.studio
    school = studio.host_school if studio is not None else None
    declared_id = studio.host_school_tax_id if studio is not None else ""
    school_tax_id = normalize_tax_id(declared_id)

    def facts(form):
        # only the forms that carry what the e-invoice said of its buyer
        return True if "invoice-buyer" in form.keys or "invoice-buyer-tax-id" in form.keys else None

    def check(txn, _):
        tx_meta = txn.meta
        buyer = text(tx_meta, "invoice-buyer")
        tax_id = text(tx_meta, "invoice-buyer-tax-id")
        shown = f"{buyer or '（未载明名称）'}" + (f"（{tax_id}）" if tax_id else "")
        evidence = tuple(v for v in (buyer, tax_id) if v)
        invoice = text(tx_meta, "invoice")
        which = f"发票 {invoice} " if invoice else "发票"
        if looks_like_person(buyer, tax_id):
            return [Hit(
                txn.entry,
                f"{which}的购买方是个人（{shown}），不是主办学校：以个人名义取得的发票不得在专项经费中报销。"
                "请取得以主办学校为购买方的发票，或由个人自行承担这笔支出。",
                evidence=evidence,
            )]
        if school_tax_id and tax_id:
            if normalize_tax_id(tax_id) == school_tax_id:
                return None
            return [Hit(
                txn.entry,
                f"{which}的购买方纳税人识别号 {tax_id}（{buyer or '未载明名称'}）与主办学校的统一社会信用代码 "
                f"{declared_id} 不一致：发票不是开给主办学校的。请向开票方重新开具以主办学校为购买方的发票。",
                evidence=evidence,
            )]
        if same_name(buyer, school):
            return None
        return [Hit(
            txn.entry,
            f"{which}的购买方是「{shown}」，不是主办学校「{school}」：发票抬头应为主办学校。"
            "请向开票方重新开具；如学校名称有变更，请在工作室声明中补记 host-school-tax-id: \"统一社会信用代码\"，按代码核对。",
            evidence=evidence,
        )]

    return Check(check, facts, by_form=True)
