import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, keyIdOf, parseKeyring, UnknownPayloadKey } from '../../lib/payload-codec';

const key = () => randomBytes(32).toString('base64');
const [k1, k2] = [key(), key()];
const statement = { statement: 'Le client client@example.test refuse de payer.' };
const payload = () => defaultPayloadConverter.toPayload(statement);
const clear = (p: ReturnType<typeof payload>) => Buffer.from(JSON.stringify({ m: p.metadata, d: Buffer.from(p.data!).toString('latin1') })).toString('latin1');

test('a payload is sealed whole under the current key, its key id in the metadata, and opens to the same payload', async () => {
  const codec = new AesGcmPayloadCodec(parseKeyring(`k1:${k1}`));
  const [sealed] = await codec.encode([payload()]);
  expect(keyIdOf(sealed)).toBe('k1');
  expect(Object.keys(sealed.metadata!).sort()).toEqual(['encoding', 'encryption-key-id']);
  expect(clear(sealed)).not.toContain('client@example.test');
  expect(clear(sealed)).not.toContain('json/plain'); // the inner payload's own encoding is sealed too
  const [opened] = await codec.decode([sealed]);
  expect(defaultPayloadConverter.fromPayload(opened)).toEqual(statement);
  // each encryption draws its own nonce: the same payload twice gives two ciphertexts
  const [again] = await codec.encode([payload()]);
  expect(Buffer.from(again.data!).equals(Buffer.from(sealed.data!))).toBe(false);
});

test('rotation: a new current key encrypts, the old one still opens what it sealed; once removed, decoding says which key is missing', async () => {
  const [old] = await new AesGcmPayloadCodec(parseKeyring(`k1:${k1}`)).encode([payload()]);
  const rotated = new AesGcmPayloadCodec(parseKeyring(`k2:${k2},k1:${k1}`));
  const [fresh] = await rotated.encode([payload()]);
  expect(keyIdOf(fresh)).toBe('k2');
  const opened = await rotated.decode([old, fresh]);
  expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([statement, statement]);
  const retired = new AesGcmPayloadCodec(parseKeyring(`k2:${k2}`));
  await expect(retired.decode([old])).rejects.toEqual(new UnknownPayloadKey('k1'));
});

test('a payload written before encryption passes as it is; a tampered or mislabelled one is refused', async () => {
  const codec = new AesGcmPayloadCodec(parseKeyring(`k1:${k1},k2:${k2}`));
  const plain = payload();
  expect(await codec.decode([plain])).toEqual([plain]);
  const [sealed] = await codec.encode([payload()]);
  const tampered = { ...sealed, data: Buffer.from(sealed.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
  await expect(codec.decode([tampered])).rejects.toThrow(/unable to authenticate/i);
  // shorter than a nonce and a full tag: refused before any decryption (no truncated tag is ever checked)
  const truncated = { ...sealed, data: Buffer.from(sealed.data!).subarray(0, 27) };
  await expect(codec.decode([truncated])).rejects.toThrow(/shorter than its nonce and tag/);
  // the key id is bound to the ciphertext: relabelled with another key of the ring, it does not open
  const relabelled = { ...sealed, metadata: { ...sealed.metadata, 'encryption-key-id': new TextEncoder().encode('k2') } };
  await expect(codec.decode([relabelled])).rejects.toThrow(/unable to authenticate/i);
});

test('PAYLOAD_ENCRYPTION_KEYS is read strictly: the current key first, 32 bytes each, no repeated id', () => {
  expect(parseKeyring(` k2:${k2} , k1:${k1} `)).toMatchObject({ currentId: 'k2' });
  expect(() => parseKeyring('')).toThrow(/no key/);
  expect(() => parseKeyring('k1')).toThrow(/not id:base64key/);
  // a malformed entry is named by its position, never echoed: it may be mostly key
  expect(() => parseKeyring(`k1:${k1},${k2}`)).toThrow(/^entry 2 is not id:base64key$/);
  expect(() => parseKeyring(`k1:${randomBytes(16).toString('base64')}`)).toThrow(/16 bytes, AES-256 takes 32/);
  expect(() => parseKeyring(`k1:${k1},k1:${k2}`)).toThrow(/appears twice/);
});
