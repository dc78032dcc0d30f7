import { html } from "hono/html";
import { LANGUAGES, type Language } from "../core/languages";
import { type Html, htmlText } from "../platform/html";
import type { Staff } from "../staff/auth";
import { dateTime, staffPage } from "../staff/render/html";
import { staffTopBar } from "../staff/render/nav";
import type { Role } from "../staff/roles";
import { allFields, type Field, fieldFor, fieldText, formSections, type Section } from "./form";
import type { Draft, Published } from "./service";
import type { FieldIssue, StoredSettings } from "./validate";

/** The settings editor, its preview and its history: staff pages without a script. Pure renderers. */

export type Chrome = { site: { id: string; name: string }; staff: Staff; role: Role; accessLogout: boolean };

export const LANGUAGE_NAMES: Record<Language, string> = { en: "English", ru: "Russian" };

const q = (params: Record<string, string | number | undefined>) => {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") out.set(k, String(v));
  return out.toString();
};

const idOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;

const who = (by: string | null) => by ?? "the sites file";

function page(chrome: Chrome, current: "settings", title: string, body: Html): string {
  return staffPage({
    title: `${title} — ${chrome.site.name} — Reader Support staff`,
    header: staffTopBar({
      site: chrome.site.id,
      current,
      staff: chrome.staff,
      role: chrome.role,
      accessLogout: chrome.accessLogout,
    }),
    body,
  });
}

/** Where the site stands: what is live, the draft, and what can be done about them. */
function statusBox(chrome: Chrome, live: Published, draft: Draft | null, canEdit: boolean): Html {
  const site = chrome.site.id;
  const liveLine =
    live.version === 0
      ? html`Live: <strong>the sites file</strong> (nothing published here yet).`
      : html`Live: <strong data-live-version="${live.version}">version ${live.version}</strong>, published ${dateTime(live.createdAt ?? 0)} by ${who(live.createdBy)}.`;
  const problem = live.problem
    ? html`<p class="warn" role="alert">Version ${live.version} no longer passes the checks, so the site runs on the sites file: ${live.problem}</p>`
    : "";
  const stale =
    draft && draft.baseVersion !== live.version
      ? html`<p class="note">This draft began from ${draft.baseVersion === 0 ? "the sites file" : `version ${draft.baseVersion}`}; version ${live.version} was published since. Publishing it replaces version ${live.version}.</p>`
      : "";
  const draftLine = draft
    ? html`<p>Draft: saved ${dateTime(draft.updatedAt)} by ${draft.updatedBy}. <a href="/admin/settings/preview?${q({ site, source: "draft" })}">Preview the draft</a></p>${stale}`
    : html`<p>No draft: the form shows the live settings.</p>`;
  const actions =
    canEdit && draft
      ? html`<div class="actions">
<form method="post" action="/admin/settings/publish?${q({ site })}"><button type="submit" data-action="publish">Publish the draft</button></form>
<form method="post" action="/admin/settings/discard?${q({ site })}"><button class="quiet" type="submit">Discard the draft</button></form>
</div>`
      : "";
  return html`<section class="card status" aria-label="What is live">
<p>${liveLine} <a href="/admin/settings/history?${q({ site })}">History and rollback</a> · <a href="/admin/settings/preview?${q({ site, source: "live" })}">Preview the live ask</a></p>
${problem}${draftLine}${actions}
</section>`;
}

function input(field: Field, value: string, error: string | undefined): Html {
  const id = idOf(field.name);
  const described = [field.hint ? `${id}-hint` : "", error ? `${id}-err` : ""].filter(Boolean).join(" ");
  const aria = html`${described ? html` aria-describedby="${described}"` : ""}${error ? html` aria-invalid="true"` : ""}`;
  const hint = field.hint ? html`<span class="hint" id="${id}-hint">${field.hint}</span>` : "";
  const err = error
    ? html`<span class="field-error" id="${id}-err" data-error-for="${field.name}">${error}</span>`
    : "";
  switch (field.kind) {
    case "bool":
      return html`<div class="field check${error ? " invalid" : ""}"><input type="checkbox" id="${id}" name="${field.name}"${value ? html` checked` : ""}${aria}><label for="${id}">${field.label}</label>${hint}${err}</div>`;
    case "multi": {
      const chosen = new Set(value.split("\n"));
      return html`<fieldset class="field multi${error ? " invalid" : ""}" id="${id}"${aria}><legend>${field.label}</legend>${(
        field.options ?? []
      ).map(
        (o) =>
          html`<label class="chip"><input type="checkbox" name="${field.name}" value="${o}"${chosen.has(o) ? html` checked` : ""}> ${o}</label>`,
      )}${hint}${err}</fieldset>`;
    }
    case "select": {
      const options = [...(field.options ?? [])];
      if (value && !options.includes(value)) options.push(value);
      return html`<div class="field${error ? " invalid" : ""}"><label for="${id}">${field.label}</label><select id="${id}" name="${field.name}"${aria}>${options.map(
        (o) => html`<option value="${o}"${o === value ? html` selected` : ""}>${o === "" ? "—" : o}</option>`,
      )}</select>${hint}${err}</div>`;
    }
    case "textarea":
    case "paragraphs":
    case "lines":
    case "pairs": {
      const rows = field.kind === "paragraphs" ? 8 : field.kind === "textarea" ? 3 : 4;
      return html`<div class="field wide${error ? " invalid" : ""}"><label for="${id}">${field.label}</label><textarea id="${id}" name="${field.name}" rows="${rows}"${aria}>${value}</textarea>${hint}${err}</div>`;
    }
    default: {
      const type = field.kind === "colour" ? "color" : field.kind === "date" ? "date" : "text";
      const mode = ["int", "bps", "money"].includes(field.kind) ? html` inputmode="decimal"` : "";
      const wide = field.kind === "text" || field.kind === "list" || field.kind === "moneyList" ? " wide" : "";
      return html`<div class="field${wide}${error ? " invalid" : ""}"><label for="${id}">${field.label}</label><input type="${type}" id="${id}" name="${field.name}" value="${value}"${mode}${aria}>${hint}${err}</div>`;
    }
  }
}

function sectionHtml(
  section: Section,
  values: StoredSettings,
  errors: Record<string, string>,
  typed: Record<string, string>,
): Html {
  return html`<section class="sett" id="s-${section.id}" aria-labelledby="h-${section.id}">
<h2 id="h-${section.id}">${section.title}</h2>
<p class="lede">${section.intro}</p>
${section.groups.map((g) => {
  const inputs = g.fields.map((field) =>
    input(field, typed[field.name] ?? fieldText(values, field), errors[field.name]),
  );
  const inner = html`${g.note ? html`<p class="muted">${g.note}</p>` : ""}<div class="fields">${inputs}</div>`;
  if (!g.collapsed) return html`<div class="group">${g.title ? html`<h3>${g.title}</h3>` : ""}${inner}</div>`;
  const open = g.fields.some((field) => errors[field.name] || (field.kind !== "bool" && fieldText(values, field)));
  return html`<details class="group"${open ? html` open` : ""}><summary>${g.title}</summary>${inner}</details>`;
})}
</section>`;
}

export type EditorView = Chrome & {
  live: Published;
  draft: Draft | null;
  /** What the form shows: the draft, the live settings, or what was just submitted. */
  values: StoredSettings;
  /** Problems of the submitted form (conversion and schema), by field name. */
  issues: FieldIssue[];
  typed: Record<string, string>;
  canEdit: boolean;
  notice?: string;
};

/** `/admin/settings`: what is live, the draft, and the form (read-only for viewers). */
export function editorPage(view: EditorView): string {
  const sections = formSections(view.values);
  const fields = allFields(sections);
  const errors: Record<string, string> = {};
  const summary: { field: string | null; label: string; message: string }[] = [];
  for (const issue of view.issues) {
    const name = fieldFor(fields, issue.field);
    if (name && !errors[name]) errors[name] = issue.message;
    const label = name ? (fields.find((f) => f.name === name)?.label ?? name) : "Settings";
    summary.push({ field: name, label: `${issue.field || "settings"} (${label})`, message: issue.message });
  }
  const site = view.site.id;
  const errorBox = summary.length
    ? html`<div class="warn" role="alert" id="problems" tabindex="-1"><h2>Nothing was saved: ${summary.length === 1 ? "one field needs" : `${summary.length} fields need`} a change</h2><ul>${summary.map(
        (s) => html`<li>${s.field ? html`<a href="#${idOf(s.field)}">${s.label}</a>` : s.label}: ${s.message}</li>`,
      )}</ul></div>`
    : "";
  const notice = view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : "";
  const readOnly = view.canEdit
    ? ""
    : html`<p class="note" data-read-only>Your role on this site is ${view.role}: you can read the settings and preview the ask, not change them.</p>`;
  const toc = html`<nav class="toc" aria-label="Sections">${sections.map((s) => html`<a href="#s-${s.id}">${s.title}</a>`)}</nav>`;
  const body = html`<h1>Settings of ${view.site.name}</h1>
<p class="lede">Changes are saved as a draft, previewed, then published as a new version: live for readers within a minute, no deploy. The site's id and allowed origins stay in <code>worker/sites.config.ts</code>.</p>
${notice}${errorBox}${statusBox(view, view.live, view.draft, view.canEdit)}${readOnly}
${toc}
<form method="post" action="/admin/settings/draft?${q({ site })}" class="settings" novalidate>
<fieldset class="plain"${view.canEdit ? "" : html` disabled`}>
${sections.map((s) => sectionHtml(s, view.values, errors, view.typed))}
${view.canEdit ? html`<div class="actions sticky"><button type="submit" data-action="save">Save draft and preview</button></div>` : ""}
</fieldset>
</form>`;
  return page(view, "settings", "Settings", body);
}

export type PreviewView = Chrome & {
  source: "draft" | "live";
  variant: string;
  variants: string[];
  hasDraft: boolean;
  canEdit: boolean;
  notice?: string;
};

/** `/admin/settings/preview`: the real ask with the draft (or live) settings, at desktop and phone width, in each language. */
export function previewPage(view: PreviewView): string {
  const site = view.site.id;
  const variantLinks = ["", ...view.variants].map((v) => {
    const href = `/admin/settings/preview?${q({ site, source: view.source, variant: v })}`;
    const label = v === "" ? "as readers get them" : v;
    return v === view.variant
      ? html`<li><a href="${href}" aria-current="page">${label}</a></li>`
      : html`<li><a href="${href}">${label}</a></li>`;
  });
  const frames = LANGUAGES.map((lang) => {
    const src = (width: string) =>
      `/admin/settings/preview/frame?${q({ site, source: view.source, lang, variant: view.variant, width })}`;
    return html`<section class="pv-lang" aria-labelledby="pv-${lang}"><h2 id="pv-${lang}">${LANGUAGE_NAMES[lang]}</h2>
<div class="frames">
<figure><figcaption>Desktop, 1024 px</figcaption><div class="scroll"><iframe class="pv-desktop" title="${LANGUAGE_NAMES[lang]} ask on a desktop" src="${src("desktop")}"></iframe></div></figure>
<figure><figcaption>Phone, 390 px</figcaption><iframe class="pv-phone" title="${LANGUAGE_NAMES[lang]} ask on a phone" src="${src("phone")}"></iframe></figure>
</div></section>`;
  });
  const publish =
    view.source === "draft" && view.hasDraft && view.canEdit
      ? html`<form method="post" action="/admin/settings/publish?${q({ site })}" class="inline"><button type="submit" data-action="publish">Publish the draft</button></form>`
      : "";
  const missing =
    view.source === "draft" && !view.hasDraft ? html`<p class="note">There is no draft: this is the live ask.</p>` : "";
  const body = html`<h1>Preview: ${view.source === "draft" ? "the draft" : "the live ask"}</h1>
<p class="lede">The real ask, rendered by the widget with ${view.source === "draft" ? "the draft" : "the live"} settings. Nothing here is counted, remembered or charged: Continue starts no checkout.</p>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}${missing}
<div class="actions">${publish}<a class="btn quiet" href="/admin/settings?${q({ site })}">Back to the settings</a></div>
<nav aria-label="Variant"><p class="muted">Variant:</p><ul class="presets">${variantLinks}</ul></nav>
${frames}`;
  return page(view, "settings", "Preview", body);
}

export type HistoryView = Chrome & {
  live: Published;
  versions: { version: number; createdAt: number; createdBy: string; changes: string[]; restoredFrom: number | null }[];
  canEdit: boolean;
  notice?: string;
};

/** `/admin/settings/history`: every version, who published it and what it changed, each restorable in one click. */
export function historyPage(view: HistoryView): string {
  const site = view.site.id;
  const restore = (version: number) =>
    view.canEdit && version !== view.live.version
      ? html`<form method="post" action="/admin/settings/rollback?${q({ site })}" class="inline"><input type="hidden" name="version" value="${version}"><button class="quiet" type="submit" data-restore="${version}">Restore</button></form>`
      : version === view.live.version
        ? html`<span class="status active">live</span>`
        : "";
  const changes = (list: string[]) =>
    list.length === 0
      ? html`<span class="muted">nothing</span>`
      : html`<ul class="changes">${list.slice(0, 12).map((c) => html`<li><code>${c}</code></li>`)}${list.length > 12 ? html`<li>…and ${list.length - 12} more</li>` : ""}</ul>`;
  const rows = view.versions.map(
    (v) =>
      html`<tr data-version="${v.version}"><td>${v.version}</td><td>${dateTime(v.createdAt)}</td><td class="l">${v.createdBy}</td><td class="l">${v.restoredFrom !== null ? html`Restored ${v.restoredFrom === 0 ? "the sites file" : `version ${v.restoredFrom}`}: ` : ""}${changes(v.changes)}</td><td>${restore(v.version)}</td></tr>`,
  );
  const body = html`<h1>History of ${view.site.name}'s settings</h1>
<p class="lede">Each publish is a new version; restoring an old one publishes it again as the newest, so nothing is ever lost.</p>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
<div class="scroll"><table><caption>Versions, newest first</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col" class="l">By</th><th scope="col" class="l">What changed</th><th scope="col"><span class="sr">Action</span></th></tr></thead>
<tbody>${rows}<tr data-version="0"><td>0</td><td>—</td><td class="l">the sites file</td><td class="l"><code>worker/sites.config.ts</code> as deployed</td><td>${restore(0)}</td></tr></tbody>
</table></div>
<p><a href="/admin/settings?${q({ site })}">Back to the settings</a></p>`;
  return page(view, "settings", "History", body);
}

/**
 * The preview frame's document: a short article with the ask's slot, our preview script (which
 * loads the ask bundle and gives it the settings to preview) and nothing else.
 */
export function previewFrame(opts: {
  site: string;
  name: string;
  lang: Language;
  source: string;
  variant: string;
  script: string;
  css: string;
}): string {
  const ru = opts.lang === "ru";
  return htmlText(html`<!doctype html>
<html lang="${opts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Preview</title>
<link rel="stylesheet" href="${opts.css}">
</head>
<body class="pv">
<article class="pv-article">
<p class="pv-kicker">${opts.name}</p>
<h1>${ru ? "Совет гавани одобрил новый причал" : "Harbour council approves the new pier"}</h1>
<p>${ru ? "Это пример статьи, чтобы показать обращение на странице." : "This is a sample article, to show the ask where readers meet it."}</p>
<p>${ru ? "Второй абзац статьи." : "A second paragraph of the article."}</p>
<div data-reader-support></div>
<p>${ru ? "Статья продолжается после обращения." : "The article goes on after the ask."}</p>
</article>
<script src="${opts.script}" data-site="${opts.site}" data-lang="${opts.lang}" data-source="${opts.source}" data-variant="${opts.variant}"></script>
</body>
</html>`);
}
