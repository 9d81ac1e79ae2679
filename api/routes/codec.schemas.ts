import { z } from 'zod';

const base64 = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const METADATA_KEY = /^[A-Za-z0-9._-]{1,100}$/;

/** A payload as Temporal's codec-server protocol carries it: protobuf JSON, bytes in base64. */
const wirePayload = (dataMax: number) => z.strictObject({
  // Temporal's metadata keys: `encoding`, `encryption-key-id`, `messageType`…
  metadata: z
    .record(z.string().regex(METADATA_KEY), base64(400))
    .refine((m) => Object.keys(m).length <= 10, 'at most 10 metadata entries')
    .meta({ maxProperties: 10, propertyNames: { type: 'string', pattern: METADATA_KEY.source } })
    .optional(),
  data: base64(dataMax).optional(),
});

/** The largest batch (50 × 60,000 + metadata) fits the codec routes' own body limit. */
export const CODEC_BODY_LIMIT = '4mb';

export const PayloadBatch = z
  .strictObject({ payloads: z.array(wirePayload(60_000)).max(50) })
  .meta({ id: 'Payloads', description: "Temporal's codec-server protocol: the Web UI posts the payloads it shows and gets them back decoded" });

/** What comes back: sealing adds a nonce, a tag and the inner metadata (at most 28 bytes and 4 KB before base64). */
export const CodedPayloadBatch = z
  .strictObject({ payloads: z.array(wirePayload(66_000)).max(50) })
  .meta({ id: 'CodedPayloads', description: 'the same payloads, encoded or decoded' });
