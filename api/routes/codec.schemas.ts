import { z } from 'zod';

const Base64 = z.string().max(70_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

/** A payload as Temporal's codec-server protocol carries it: protobuf JSON, bytes in base64. */
const WirePayload = z.object({
  metadata: z.record(z.string().min(1).max(200), Base64).optional(),
  data: Base64.optional(),
});

export const PayloadBatch = z
  .strictObject({ payloads: z.array(WirePayload).max(500) })
  .meta({ id: 'Payloads', description: "Temporal's codec-server protocol: the Web UI posts the payloads it shows and gets them back decoded" });
