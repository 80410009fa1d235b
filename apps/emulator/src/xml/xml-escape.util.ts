const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTR_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escapes element text. Passport tickets hold `&`, so every value goes through here. */
export function escapeXmlText(value: string): string {
  return /[&<>]/.test(value) ? value.replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c) : value;
}

/** Escapes a double-quoted attribute value. */
export function escapeXmlAttr(value: string): string {
  return /[&<>"]/.test(value) ? value.replace(/[&<>"]/g, (c) => ATTR_ESCAPES[c] ?? c) : value;
}

/** Escapes text for HTML element content and attributes alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}
