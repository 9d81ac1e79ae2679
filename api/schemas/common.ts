import { z } from 'zod';
import { CURRENCY_CODES } from '../../domain/currencies';
import { USER_ID, USER_ID_RULE } from '../../domain/parties';

/** Largest amount accepted anywhere: 10 million units of a currency, in minor units. */
export const MAX_AMOUNT = 1_000_000_000;

export const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an id is 1 to 64 letters, digits, "_" or "-"');
/** A party's user id: the `sub` of their tokens (domain/parties.ts). */
export const UserId = z.string().regex(USER_ID, USER_ID_RULE);
/**
 * An e-mail address as the API takes it: zod's rule (its z.email() pattern), stated in the document as a pattern
 * rather than `format: email`, which allows more than the server does (`a{b}#c@example.com` is an RFC 5322 address).
 */
export const Email = z.string().max(254).regex(z.regexes.email, 'an e-mail address, e.g. name@example.com');
export const Amount = z.number().int('amounts are integers in minor units').positive().max(MAX_AMOUNT);
// The characters the API refuses in any text (lib/text.ts: C0 controls but tab and line breaks, DEL), and those
// trim() removes (JavaScript's white space), spelled out so that every regex engine reading the document agrees.
const CONTROL = '\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f';
const SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/** Free text of at most `max` characters, with a visible one at least (as the document states it); kept trimmed. */
export const Text = (max: number) =>
  z
    .string()
    .max(max)
    .regex(new RegExp(`^[^${CONTROL}]*[^${SPACE}${CONTROL}][^${CONTROL}]*$`), 'a text with a visible character, without control characters')
    .trim();

/** A text a payment provider sends, as it is: no control characters. */
export const PlainText = (min: number, max: number) =>
  z.string().min(min).max(max).regex(new RegExp(`^[^${CONTROL}]*$`), 'a text without control characters');

/** An active ISO 4217 code with a minor unit (domain/currencies.ts): amounts are in that currency's minor units. */
export const Currency = z.enum(CURRENCY_CODES, { error: 'an active ISO 4217 currency code, e.g. EUR' });

export const ProblemSchema = z
  .strictObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

type FieldsOf<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>];

/**
 * A response schema for a contract type: what it parses is that type, and its fields are exactly the type's, so a
 * field added to the contract does not compile until it is documented here (and one documented here must exist).
 */
export const describes =
  <T>() =>
  <S extends z.ZodType<T>>(
    schema: S & (FieldsOf<z.output<S>, T> extends [never, never] ? unknown : { undocumentedOrUnknownFields: FieldsOf<T, z.output<S>> }),
  ): S =>
    schema;
