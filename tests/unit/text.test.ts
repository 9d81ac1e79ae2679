import { escapeHtml, hasForbiddenCharacter } from '../../lib/text';

test('text the API takes: letters of any script, emoji, and line breaks where a text may span lines', () => {
  for (const text of ['Caf\u00e9 d\u00e9j\u00e0', '\u65e5\u672c', '\u{1F4B8} pay\u00e9', '']) expect([text, hasForbiddenCharacter(text)]).toEqual([text, false]);
  expect(hasForbiddenCharacter('ligne 1\nligne 2\r\n\tfin', { lineBreaks: true })).toBe(false);
});

test('not text: NUL, other controls, DEL, and lone surrogates (PostgreSQL refuses NUL and them)', () => {
  for (const text of ['a\u0000b', '\u0007', 'x\u007f', '\ud800', 'a\udc00b', '\ud83d', '\ud83d\ud83d']) expect([text, hasForbiddenCharacter(text, { lineBreaks: true })]).toEqual([text, true]);
  expect(hasForbiddenCharacter('a\nb')).toBe(true);
});

test('HTML escaping covers element text and quoted attributes', () => {
  expect(escapeHtml(`<a href="x">l'\u00e9t\u00e9 & co</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;l&#39;\u00e9t\u00e9 &amp; co&lt;/a&gt;');
});
