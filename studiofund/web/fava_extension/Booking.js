// @ts-check
// studiofund 记账: the finance officer's desk. As the officer types, the payment is previewed
// (POST preview: the voucher lines, the tax, the findings); error findings block saving; saving
// (POST book) sends the scans base64-encoded in the JSON body. No network beyond this server.

/** @param {string} text */
function el(tag, text = "", cls = "") {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

/** @param {HTMLFormElement} form */
function formBody(form) {
  /** @type {Record<string, any>} */
  const body = {};
  for (const name of ["date", "voucher", "payee", "narration", "account", "amount", "payee-id", "asset-id",
    "approver", "reviewer", "hours", "title", "persons", "days"]) {
    const input = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));
    if (input && !input.hidden && input.value.trim()) body[name] = input.value.trim();
  }
  body.invoice = [...form.querySelectorAll('input[name="invoice"]')]
    .map((i) => /** @type {HTMLInputElement} */ (i).value.trim())
    .filter(Boolean);
  const account = /** @type {HTMLSelectElement} */ (form.elements.namedItem("account"));
  const option = account.selectedOptions[0];
  if (option && option.dataset.person === "1") body.tax = "auto";
  // completing a pending entry: date and amount are the bank's (the server reads them)
  if (form.dataset.complete) {
    body.complete = form.dataset.complete;
    delete body.amount;
    delete body.date;
  }
  if (form.dataset.corrects) body.corrects = form.dataset.corrects;
  if (einvoice && !form.dataset.complete) body.einvoice = einvoice;
  return body;
}

/** The uploaded e-invoice ({name, content}: base64), sent with every preview and the booking. */
/** @type {{name: string, content: string} | null} */
let einvoice = null;

/** @param {File} file */
function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** @param {string} url @param {any} body */
async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    credentials: "same-origin",
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = { error: `服务器返回 ${response.status}` };
  }
  return { status: response.status, data };
}

/** @param {HTMLElement} box @param {any[]} findings */
function showFindings(box, findings) {
  box.replaceChildren();
  if (!findings.length) {
    box.append(el("div", "检查通过：这笔支出没有违规或待复核事项，可以保存。", "sfd-ok"));
    return;
  }
  for (const f of findings) {
    const item = el("div", "", `sfd-finding ${f.severity === "error" ? "error" : "review"}`);
    item.dataset.rule = f.rule;
    item.append(el("b", f.severity === "error" ? "违规，不能保存" : "待复核（可以保存）"));
    item.append(el("span", f.shown || f.message));
    if (f.advice) item.append(el("b", `怎么办：${f.advice}`));
    box.append(item);
  }
}

/** @param {HTMLElement} box @param {any} data */
function showVoucher(box, data) {
  box.replaceChildren();
  const table = el("table");
  const head = el("tr");
  for (const h of ["", "科目", "金额（元）"]) head.append(el("th", h));
  table.append(head);
  for (const line of data.lines || []) {
    const row = el("tr");
    row.append(el("td", line.side), el("td", line.label), el("td", line.amount, "num"));
    table.append(row);
  }
  const title = el("p", `凭证号 ${data.voucher}`, "sfd-sub");
  title.id = "sfd-preview-voucher";
  box.append(title, table);
}

function setupDesk() {
  const desk = document.getElementById("sf-desk");
  const form = /** @type {HTMLFormElement | null} */ (document.getElementById("sfd-form"));
  if (!desk || !form || form.dataset.sfBound) return;
  form.dataset.sfBound = "1";
  const base = desk.dataset.base || "";
  const save = /** @type {HTMLButtonElement} */ (document.getElementById("sfd-save"));
  const status = /** @type {HTMLElement} */ (document.getElementById("sfd-status"));
  const findingsBox = /** @type {HTMLElement} */ (document.getElementById("sfd-findings"));
  const previewBox = /** @type {HTMLElement} */ (document.getElementById("sfd-preview"));
  const taxBox = /** @type {HTMLElement} */ (document.getElementById("sfd-tax"));
  const account = /** @type {HTMLSelectElement} */ (form.elements.namedItem("account"));
  const amount = /** @type {HTMLInputElement} */ (form.elements.namedItem("amount"));
  const threshold = Number((desk.querySelector("[data-asset-only].sfd-hint")?.textContent || "").replace(/[^\d.]/g, "")) || 1000;
  let sequence = 0;
  let timer = 0;

  function toggleConditional() {
    const option = account.selectedOptions[0];
    const person = option?.dataset.person === "1";
    const asset = option?.dataset.asset === "1" && Number(amount.value.replace(/,/g, "")) >= threshold;
    const lecture = option?.dataset.lecture === "1";
    const daily = option?.dataset.daily === "1";
    form.querySelectorAll("[data-person-only]").forEach((n) => ((/** @type {HTMLElement} */ (n)).hidden = !person));
    form.querySelectorAll("[data-asset-only]").forEach((n) => ((/** @type {HTMLElement} */ (n)).hidden = !asset));
    form.querySelectorAll("[data-lecture-only]").forEach((n) => ((/** @type {HTMLElement} */ (n)).hidden = !lecture));
    form.querySelectorAll("[data-daily-only]").forEach((n) => ((/** @type {HTMLElement} */ (n)).hidden = !daily));
    const invoiceLabel = form.querySelector("[data-invoice-label]");
    if (invoiceLabel) invoiceLabel.classList.toggle("req", !person);
  }

  async function preview() {
    toggleConditional();
    const body = formBody(form);
    const ready = body.complete ? body.account
      : body.einvoice ? body.narration && body.account
        : body.date && body.payee && body.narration && body.account && body.amount;
    if (!ready) {
      save.disabled = true;
      status.textContent = body.einvoice ? "请填写摘要并选择支出科目。" : "请填写日期、收款方、摘要、支出科目和金额。";
      status.className = "sfd-status";
      return;
    }
    const mine = ++sequence;
    const { status: code, data } = await post(`${base}preview`, body);
    if (mine !== sequence) return; // a newer preview is on its way
    if (code !== 200) {
      save.disabled = true;
      showFindings(findingsBox, []);
      findingsBox.replaceChildren(el("div", data.error || "无法检查", "sfd-finding error"));
      status.textContent = data.error || "";
      status.className = "sfd-status bad";
      return;
    }
    if (data.einvoice) fillFromInvoice(data.einvoice);
    showVoucher(previewBox, data);
    showFindings(findingsBox, data.findings);
    const voucherInput = /** @type {HTMLInputElement} */ (form.elements.namedItem("voucher"));
    if (!voucherInput.value.trim()) voucherInput.placeholder = `自动编号：${data.voucher}`;
    if (data.tax) {
      taxBox.textContent = `代扣个人所得税 ${data.tax.withheld} 元，实付 ${data.tax.net} 元（${data.tax.explanation}）`;
    }
    save.disabled = Boolean(data.blocked);
    status.textContent = data.blocked ? "有违规，不能保存：请按右侧提示补齐或改正。" : "";
    status.className = data.blocked ? "sfd-status bad" : "sfd-status";
  }

  /** The e-invoice's payee, amount and number in the empty fields (the officer sees what is booked). */
  /** @param {any} filled */
  function fillFromInvoice(filled) {
    for (const [name, value] of [["payee", filled.payee], ["amount", filled.amount]]) {
      const input = /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
      if (input && !input.value.trim() && value) {
        input.value = value;
        input.dataset.fromInvoice = "1";
      }
    }
    const first = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="invoice"]'));
    if (first && !first.value.trim() && filled.invoice?.length) {
      first.value = filled.invoice[0];
      first.dataset.fromInvoice = "1";
    }
  }

  /** Another e-invoice chosen (or none): what the previous one filled in goes. */
  function forgetInvoice() {
    form.querySelectorAll("[data-from-invoice]").forEach((i) => {
      const input = /** @type {HTMLInputElement} */ (i);
      input.value = "";
      delete input.dataset.fromInvoice;
    });
  }

  /** After a save: the form empty for the next payment (the date and the signers stay). */
  /** @param {string} saved */
  function clearForm(saved) {
    form.querySelectorAll("input, select").forEach((i) => {
      const input = /** @type {HTMLInputElement} */ (i);
      if (!["date", "approver", "reviewer"].includes(input.name)) input.value = "";
    });
    einvoice = null;
    forgetInvoice();
    showFileNames();
    previewBox.replaceChildren(el("p", `凭证 ${saved} 已保存。填写下一笔后这里显示借贷分录。`, "sfd-sub"));
    toggleConditional();
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void preview(), 300);
  }

  async function book() {
    window.clearTimeout(timer); // a preview scheduled before saving must not overwrite its outcome
    sequence += 1;
    save.disabled = true;
    status.textContent = "正在保存…";
    status.className = "sfd-status";
    const body = formBody(form);
    const files = /** @type {HTMLInputElement} */ (form.elements.namedItem("attach")).files || [];
    body.attach = [];
    for (const file of files) body.attach.push({ name: file.name, content: await base64Of(file) });
    const { status: code, data } = await post(`${base}book`, body);
    if (code === 200 && data.written && body.complete) {
      const done = data.flag === "*";
      status.textContent = done ? `已补全：凭证 ${data.voucher} 已入账` : `已保存补齐的内容：凭证 ${data.voucher}，仍有违规，仍列为待补全`;
      status.className = done ? "sfd-status good" : "sfd-status bad";
      status.dataset.voucher = data.voucher;
      showFindings(findingsBox, data.findings || []);
      endCompleting();
      if (done) {
        document.querySelector(`#sfd-pending tr[data-ref="${CSS.escape(body.complete)}"]`)?.remove();
        const table = document.getElementById("sfd-pending");
        if (table && !table.querySelector("tbody tr")) {
          const none = el("p", "没有待补全的分录。", "sfd-sub");
          none.id = "sfd-pending-none";
          table.replaceWith(none);
        }
        clearForm(data.voucher);
      }
      return;
    }
    if (code === 200 && data.written) {
      status.textContent = `已记账：凭证 ${data.voucher}`;
      status.className = "sfd-status good";
      status.dataset.voucher = data.voucher;
      showFindings(findingsBox, data.findings || []);
      clearForm(data.voucher);
      endRebooking();
      const voucher = /** @type {HTMLInputElement} */ (form.elements.namedItem("voucher"));
      const [year, number] = String(data.voucher).split("-");
      if (number && /^\d+$/.test(number)) {
        voucher.placeholder = `自动编号：${year}-${String(Number(number) + 1).padStart(number.length, "0")}`;
      }
      toggleConditional();
      return;
    }
    if (code === 422) {
      showFindings(findingsBox, data.findings || []);
      status.textContent = "未保存：有违规，请按提示补齐或改正。";
    } else {
      status.textContent = `未保存：${data.error || `服务器返回 ${code}`}`;
    }
    status.className = "sfd-status bad";
    save.disabled = false;
  }

  const completing = document.getElementById("sfd-completing");
  const rebooking = document.getElementById("sfd-rebooking");
  /** @param {string} name @param {string} value @param {boolean} [locked] */
  function setField(name, value, locked = false) {
    const input = /** @type {HTMLInputElement | null} */ (form?.elements.namedItem(name));
    if (!input) return;
    input.value = value;
    input.readOnly = locked;
  }

  function endCompleting() {
    delete form.dataset.complete;
    if (completing) completing.hidden = true;
    for (const name of ["date", "amount", "payee", "narration", "voucher"]) setField(name, "", false);
    setField("date", desk?.querySelector("#sfd-date")?.getAttribute("value") || "", false);
  }

  function endRebooking() {
    delete form.dataset.corrects;
    if (rebooking) rebooking.hidden = true;
  }

  /** @param {HTMLElement} button */
  function startCompleting(button) {
    endRebooking();
    const d = button.dataset;
    form.dataset.complete = d.ref || "";
    setField("date", d.date || "", true);
    setField("amount", d.amount || "", true);
    setField("payee", d.payee || "");
    setField("narration", d.narration || "");
    setField("voucher", d.voucher || "");
    const ref = document.getElementById("sfd-completing-ref");
    if (ref) ref.textContent = d.ref || "";
    if (completing) completing.hidden = false;
    account.focus();
    schedule();
  }

  /** @param {any} rebook */
  function startRebooking(rebook) {
    endCompleting();
    form.dataset.corrects = rebook.corrects;
    setField("date", rebook.date);
    setField("payee", rebook.payee);
    setField("narration", rebook.narration);
    setField("amount", rebook.amount);
    account.value = rebook.account;
    const ref = document.getElementById("sfd-rebooking-ref");
    if (ref) ref.textContent = rebook.corrects;
    if (rebooking) rebooking.hidden = false;
    schedule();
  }

  document.querySelectorAll(".sfd-complete").forEach((b) =>
    b.addEventListener("click", () => startCompleting(/** @type {HTMLElement} */ (b))));
  document.getElementById("sfd-completing-cancel")?.addEventListener("click", () => { endCompleting(); schedule(); });
  document.getElementById("sfd-rebooking-cancel")?.addEventListener("click", () => { endRebooking(); schedule(); });

  const correctForm = /** @type {HTMLFormElement | null} */ (document.getElementById("sfd-correct-form"));
  const correctStatus = document.getElementById("sfd-correct-status");
  document.querySelectorAll(".sfd-pick-correct").forEach((b) => b.addEventListener("click", () => {
    const input = /** @type {HTMLInputElement | null} */ (correctForm?.elements.namedItem("corrects"));
    if (input) { input.value = (/** @type {HTMLElement} */ (b)).dataset.voucher || ""; input.focus(); }
  }));
  document.getElementById("sfd-correct-save")?.addEventListener("click", async () => {
    if (!correctForm || !correctStatus) return;
    /** @type {Record<string, any>} */
    const body = {};
    for (const name of ["corrects", "how", "date", "amount"]) {
      const input = /** @type {HTMLInputElement | null} */ (correctForm.elements.namedItem(name));
      if (input && input.value.trim()) body[name] = input.value.trim();
    }
    correctStatus.textContent = "正在记整改凭证…";
    correctStatus.className = "sfd-status";
    const { status: code, data } = await post(`${base}correct`, body);
    if (code === 200 && data.written) {
      const done = (data.corrected || []).filter((f) => f.status === "rectified").length;
      correctStatus.textContent = `已记整改凭证 ${data.voucher}（更正 ${data.corrects}）；已整改 ${done} 项。`;
      correctStatus.className = "sfd-status good";
      correctStatus.dataset.voucher = data.voucher;
      document.querySelector(`#sfd-to-correct tr[data-voucher="${CSS.escape(data.corrects)}"]`)?.remove();
      if (data.rebook) startRebooking(data.rebook);
      return;
    }
    correctStatus.textContent = `未记账：${data.error || (data.findings || []).map((f) => f.shown || f.message).join("；") || `服务器返回 ${code}`}`;
    correctStatus.className = "sfd-status bad";
  });

  /** The chosen files' names beside our Chinese file buttons. */
  function showFileNames() {
    form.querySelectorAll("[data-file-name]").forEach((span) => {
      const input = /** @type {HTMLInputElement | null} */ (document.getElementById((/** @type {HTMLElement} */ (span)).dataset.fileName || ""));
      const names = [...(input?.files || [])].map((f) => f.name);
      span.textContent = names.length ? names.join("、") : "未选择文件";
    });
  }
  form.querySelectorAll(".sfd-file-input").forEach((i) => i.addEventListener("change", showFileNames));

  const einvoiceInput = /** @type {HTMLInputElement | null} */ (document.getElementById("sfd-einvoice"));
  einvoiceInput?.addEventListener("change", async () => {
    const file = einvoiceInput.files?.[0];
    forgetInvoice();
    einvoice = file ? { name: file.name, content: await base64Of(file) } : null;
    schedule();
  });
  form.addEventListener("submit", (event) => event.preventDefault()); // saving is the button's
  form.addEventListener("input", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (target?.dataset) delete target.dataset.fromInvoice; // typed by the officer: theirs now
    schedule();
  });
  form.addEventListener("change", schedule);
  save.addEventListener("click", () => void book());
  document.getElementById("sfd-add-invoice")?.addEventListener("click", () => {
    const list = document.getElementById("sfd-invoices");
    const row = el("div", "", "sfd-row");
    const input = /** @type {HTMLInputElement} */ (el("input"));
    input.name = "invoice";
    input.placeholder = "发票号码";
    row.append(input);
    list?.insertBefore(row, list.lastElementChild);
    input.focus();
  });
  toggleConditional();
}

export default {
  onExtensionPageLoad() {
    setupDesk();
  },
  onPageLoad() {
    setupDesk();
  },
};
