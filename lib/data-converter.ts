import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, type PayloadKeyring } from './payload-codec';

/**
 * How the API, the workers and the tools encode what they send Temporal: encrypted with PAYLOAD_ENCRYPTION_KEYS when
 * set (required in production), the SDK's default otherwise. All of them must agree, or a worker cannot read an
 * update the API sent.
 */
export function dataConverterFor(config: { PAYLOAD_ENCRYPTION_KEYS?: PayloadKeyring }): DataConverter | undefined {
  return config.PAYLOAD_ENCRYPTION_KEYS ? { payloadCodecs: [new AesGcmPayloadCodec(config.PAYLOAD_ENCRYPTION_KEYS)] } : undefined;
}
