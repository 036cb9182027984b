/** HTML building blocks shared by the report's sections: escaping and plain tables. Pure. */

export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside <script>: "<" escaped so no "</script>" or "<!--" can end or bend the element. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A table of escaped headings and ready-made `<td>` cells. */
export function table(head: string[], rows: string[][], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function td(s: unknown, cls = ''): string {
  return cls ? `<td class="${cls}">${esc(s)}</td>` : `<td>${esc(s)}</td>`;
}
