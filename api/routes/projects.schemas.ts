import { z } from 'zod';
import { CLIENT_SILENCE_POLICIES, MILESTONE_STATES, UNMANAGED_STATE } from '../../domain/milestone';
import { Amount, Currency, Email, Id, Text, UserId } from '../schemas/common';

export const CompanySchema = z
  .strictObject({
    legalName: Text(200),
    siren: z.string().regex(/^\d{9}$/).optional().meta({ description: "France's company number (9 digits, its check key verified: 422 otherwise); required when country is FR" }),
    vatNumber: z.string().regex(/^[A-Z]{2}[0-9A-Z+*.]{2,13}$/).optional().meta({ description: 'intra-community VAT number; a French one must carry its SIREN with the right key (422 otherwise)' }),
    address: z.strictObject({ line: Text(200), postcode: z.string().regex(/^[0-9A-Z][0-9A-Z -]{1,8}[0-9A-Z]$/), city: Text(100) }),
    country: z.string().regex(/^[A-Z]{2}$/).meta({ description: 'ISO 3166-1 alpha-2' }),
  })
  .meta({ id: 'Company', description: "a business party's legal details, printed on invoices; a party without them is a consumer" });

const Party = z.strictObject({
  id: UserId,
  email: Email,
  name: Text(200),
  company: CompanySchema.optional(),
});

export const CreateProjectBody = z
  .strictObject({
    externalId: Text(100),
    title: Text(200),
    formula: z.enum(['r0', 'basic']),
    currency: Currency,
    client: Party,
    provider: Party,
    milestones: z.array(z.strictObject({ title: Text(200), amount: Amount })).min(1).max(50),
    /** overrides the platform's CLIENT_SILENCE_POLICY for this project */
    clientSilencePolicy: z.enum(CLIENT_SILENCE_POLICIES).optional(),
    /** override the platform's COMMISSION_RATE and ESCROW_FEE_RATE for this project, as decimals (0.10) */
    commissionRate: z.number().min(0).max(0.5).optional(),
    escrowFeeRate: z.number().min(0).max(0.5).optional(),
  })
  .refine((p) => p.client.id !== p.provider.id, { message: 'client and provider must be different users', path: ['provider', 'id'] })
  .meta({ id: 'CreateProject', description: 'client.id and provider.id must differ (400 otherwise)' });
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;

export const ProjectParams = z.object({ projectId: Id });

/** A milestone's state in the read model: one of the escrow states, or `unmanaged` on a basic project. */
export const StoredMilestoneState = z.enum([...MILESTONE_STATES, UNMANAGED_STATE]);

export const ProjectView = z
  .strictObject({
    id: z.string(),
    externalId: z.string(),
    title: z.string(),
    formula: z.enum(['r0', 'basic']),
    currency: z.string(),
    state: z.enum(['active', 'finished']),
    client: Party,
    provider: Party,
    clientSilencePolicy: z.enum(CLIENT_SILENCE_POLICIES),
    commissionRate: z.number(),
    escrowFeeRate: z.number(),
    milestones: z.array(
      z.strictObject({ id: z.string(), title: z.string(), amount: z.number().int(), state: StoredMilestoneState, kind: z.enum(['milestone', 'bonus']) }),
    ),
  })
  .meta({ id: 'Project' });

const Figures = z.strictObject({
  amount: z.number().int(),
  deposited: z.number().int(),
  released: z.number().int(),
  refunded: z.number().int(),
  inEscrow: z.number().int(),
  paidOut: z.number().int(),
  commission: z.number().int().meta({ description: 'matchmaking commission earned on what was released' }),
  escrowFee: z.number().int().meta({ description: 'escrow fee the client paid and was not refunded' }),
  payable: z.number().int().meta({ description: 'released, net of commission, not yet paid out' }),
  refundsPending: z.number().int().meta({ description: 'refunds not yet confirmed by the client bank' }),
});

export const PaymentSummaryView = z
  .strictObject({
    projectId: z.string(),
    currency: z.string(),
    milestones: z.array(
      Figures.extend({
        milestoneId: z.string(),
        title: z.string(),
        state: StoredMilestoneState,
        kind: z.enum(['milestone', 'bonus']).meta({ description: 'a bonus is paid on top of the milestones: its own line' }),
        releases: z
          .array(z.strictObject({ amount: z.number().int(), commission: z.number().int(), at: z.string() }))
          .meta({ description: 'each release to the provider, oldest first (a milestone may be released in parts)' }),
      }),
    ),
    totals: Figures,
  })
  .meta({ id: 'PaymentSummary' });
