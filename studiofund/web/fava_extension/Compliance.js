// @ts-check
// studiofund: the logged-in user and a logout link in Fava's header (on every page of the
// ledger), and small conveniences on the 经费合规 page. No network beyond this server.

/** @param {{api: {get: (endpoint: string) => Promise<any>}}} ctx */
async function showUser(ctx) {
  if (document.getElementById("sf-user")) return;
  let who;
  try {
    who = await ctx.api.get("whoami");
  } catch {
    return;
  }
  if (!who || !who.login || document.getElementById("sf-user")) return;
  if (who.role === "auditor") hideWriteControls();
  const header = document.querySelector("body > header") || document.querySelector("header");
  if (!header) return;
  const box = document.createElement("div");
  box.id = "sf-user";
  box.style.cssText =
    "display:flex;align-items:center;gap:10px;margin-left:12px;font-size:13px;white-space:nowrap;color:inherit";
  const name = document.createElement("span");
  name.textContent = `${who.name}（${who.role_label}）`;
  const logout = document.createElement("a");
  logout.href = "/logout";
  logout.textContent = "退出登录";
  logout.style.cssText = "color:inherit;text-decoration:underline";
  box.append(name, logout);
  header.append(box);
}

/** Auditors are read-only: hide the editor, import and add-entry controls they cannot use. */
function hideWriteControls() {
  if (document.getElementById("sf-readonly-style")) return;
  const style = document.createElement("style");
  style.id = "sf-readonly-style";
  style.textContent =
    'aside a[href$="/editor/"], aside a[href$="/import/"], aside li:has(> a[href$="/editor/"]), ' +
    'aside li:has(> a[href$="/import/"]), a[href="#add-transaction"] { display:none !important; }';
  document.head.append(style);
}

/** Expand/collapse all finding groups with one click on the section title. */
function findingsToggle() {
  const section = document.getElementById("sf-findings");
  const title = section?.querySelector("h3");
  if (!section || !title || title.dataset.sfBound) return;
  title.dataset.sfBound = "1";
  title.style.cursor = "pointer";
  title.title = "点击全部展开 / 收起";
  title.addEventListener("click", () => {
    const groups = [...section.querySelectorAll("details.sf-group")];
    const open = !groups.every((d) => d.open);
    groups.forEach((d) => {
      d.open = open;
    });
  });
}

export default {
  /** @param {any} ctx */
  init(ctx) {
    void showUser(ctx);
  },
  /** @param {any} ctx */
  onPageLoad(ctx) {
    void showUser(ctx);
  },
  onExtensionPageLoad() {
    findingsToggle();
  },
};
