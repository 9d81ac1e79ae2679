import { z } from 'zod';

const DraftParty = z.strictObject({
  name: z.string().meta({ description: "a business's legal name, or a consumer's name" }),
  email: z.string(),
  business: z.boolean(),
  siren: z.string().nullable(),
  vatNumber: z.string().nullable(),
  address: z.strictObject({ line: z.string(), postcode: z.string(), city: z.string() }).nullable(),
  country: z.string().nullable(),
});

export const InvoiceDraftView = z
  .strictObject({
    seller: DraftParty.meta({ description: 'the provider, who issues the invoice' }),
    buyer: DraftParty.meta({ description: 'the client, to whom it is addressed' }),
    amount: z.number().int().meta({ description: 'the total incl. VAT the invoice must show: what the payment request asks' }),
    currency: z.string(),
    description: z.string(),
    mentions: z.array(z.string()).meta({ description: 'what the invoice must contain (French)' }),
  })
  .meta({ id: 'InvoiceDraft' });
