import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const text = new TextEncoder();
const untext = new TextDecoder();

/** The keys payloads are encrypted with: the current one encrypts, every one decrypts (rotation keeps old ones here). */
export interface PayloadKeyring {
  currentId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** A key id the codec cannot decrypt with: the history was written under a key removed from the keyring. */
export class UnknownPayloadKey extends Error {
  constructor(readonly keyId: string) {
    super(`payload encrypted with key ${keyId}, which PAYLOAD_ENCRYPTION_KEYS no longer holds`);
    this.name = 'UnknownPayloadKey';
  }
}

/**
 * `id:base64key,id:base64key…`: 32-byte AES-256 keys, the first the current one. Throws a one-line message on a
 * malformed list (no key, a repeated id, a key of the wrong length).
 */
export function parseKeyring(setting: string): PayloadKeyring {
  const entries = setting.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('no key: give id:base64key, the current key first');
  const keys = new Map<string, Buffer>();
  for (const entry of entries) {
    const match = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/=]+)$/.exec(entry);
    // the entry's position only: a malformed entry may be mostly key
    if (!match) throw new Error(`entry ${keys.size + 1} is not id:base64key`);
    const [, id, encoded] = match;
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new Error(`key ${id} has ${key.length} bytes, AES-256 takes 32 (openssl rand -base64 32)`);
    if (keys.has(id)) throw new Error(`key id ${id} appears twice`);
    keys.set(id, key);
  }
  return { currentId: entries[0].split(':')[0], keys };
}

/**
 * Encrypts every payload workflows and activities exchange (inputs, results, signals, updates, memo) with AES-256-GCM:
 * the whole payload, metadata included, so the server stores neither its content nor its type. The key id travels in
 * the new payload's metadata; a payload that is not encrypted (written before encryption was on) passes as it is.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: PayloadKeyring) {}

  // synchronous work behind the interface's promises: a throw becomes a rejection
  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.encrypt(payload))));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload))));
  }

  private encrypt(payload: Payload): Payload {
    const { currentId } = this.keyring;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyring.keys.get(currentId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(text.encode(currentId));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { metadata: { encoding: text.encode(ENCODING), [KEY_ID]: text.encode(currentId) }, data: sealed };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = untext.decode(payload.metadata![KEY_ID] ?? new Uint8Array());
    const key = this.keyring.keys.get(keyId);
    if (!key) throw new UnknownPayloadKey(keyId);
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error(`encrypted payload of ${sealed.length} bytes: shorter than its nonce and tag`);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(text.encode(keyId));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

export const isEncrypted = (payload: Payload): boolean =>
  payload.metadata?.encoding !== undefined && untext.decode(payload.metadata.encoding) === ENCODING;

/** The key id an encrypted payload names, for tests and the codec endpoint's log. */
export const keyIdOf = (payload: Payload): string | undefined =>
  isEncrypted(payload) && payload.metadata?.[KEY_ID] ? untext.decode(payload.metadata[KEY_ID]) : undefined;
