/** Text as the API takes it in and as it writes it out in HTML. */

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe inside HTML elements and quoted attributes. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);

const LINE_BREAKS_AND_TAB = new Set([0x09, 0x0a, 0x0d]);

/**
 * True when the text holds NUL, another C0 control character or DEL (tab and line breaks allowed where a text may
 * span lines), or a lone UTF-16 surrogate: no id, filter or text of the API holds one, and PostgreSQL refuses NUL and
 * lone surrogates in text and JSON.
 */
export function hasForbiddenCharacter(text: string, opts: { lineBreaks?: boolean } = {}): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 || code === 0x7f) && !(opts.lineBreaks && LINE_BREAKS_AND_TAB.has(code))) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) return true;
  }
  return false;
}
