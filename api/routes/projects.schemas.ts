import { z } from 'zod';
import { CLIENT_SILENCE_POLICIES, MILESTONE_STATES } from '../../domain/milestone';
import { Amount, Currency, Id } from '../schemas/common';

const Party = z.strictObject({
  id: Id,
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
});

export const CreateProjectBody = z
  .strictObject({
    externalId: z.string().trim().min(1).max(100),
    title: z.string().trim().min(1).max(200),
    formula: z.enum(['r0', 'basic']),
    currency: Currency,
    client: Party,
    provider: Party,
    milestones: z.array(z.strictObject({ title: z.string().trim().min(1).max(200), amount: Amount })).min(1).max(50),
    /** overrides the platform's CLIENT_SILENCE_POLICY for this project */
    clientSilencePolicy: z.enum(CLIENT_SILENCE_POLICIES).optional(),
    /** override the platform's COMMISSION_RATE and ESCROW_FEE_RATE for this project, as decimals (0.10) */
    commissionRate: z.number().min(0).max(0.5).optional(),
    escrowFeeRate: z.number().min(0).max(0.5).optional(),
  })
  .refine((p) => p.client.id !== p.provider.id, { message: 'client and provider must be different users', path: ['provider', 'id'] })
  .meta({ id: 'CreateProject' });
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;

export const ProjectParams = z.object({ projectId: Id });
export const MilestoneParams = z.object({ projectId: Id, milestoneId: Id });

const MilestoneState = z.enum([...MILESTONE_STATES, 'unmanaged']);

export const ProjectView = z
  .object({
    id: z.string(),
    externalId: z.string(),
    title: z.string(),
    formula: z.enum(['r0', 'basic']),
    currency: z.string(),
    state: z.string(),
    client: Party,
    provider: Party,
    clientSilencePolicy: z.enum(CLIENT_SILENCE_POLICIES),
    commissionRate: z.number(),
    escrowFeeRate: z.number(),
    milestones: z.array(z.object({ id: z.string(), title: z.string(), amount: z.number().int(), state: MilestoneState })),
  })
  .meta({ id: 'Project' });

const Figures = z.object({
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
  .object({
    projectId: z.string(),
    currency: z.string(),
    milestones: z.array(Figures.extend({ milestoneId: z.string(), title: z.string(), state: MilestoneState })),
    totals: Figures,
  })
  .meta({ id: 'PaymentSummary' });

export const MilestoneStatusView = z
  .object({
    milestoneId: z.string(),
    projectId: z.string(),
    state: MilestoneState,
    amount: z.number().int(),
    currency: z.string(),
    deposited: z.number().int(),
    released: z.number().int(),
    refunded: z.number().int(),
    inEscrow: z.number().int(),
    escrowFeeDue: z.number().int(),
    escrowFeeHeld: z.number().int(),
    dueNow: z.number().int().meta({ description: 'still to deposit for the milestone to be funded (amount and escrow fee)' }),
    commission: z.number().int(),
    cancelRequestedBy: z.array(z.enum(['client', 'provider'])),
    disputeId: z.string().optional(),
  })
  .meta({ id: 'MilestoneStatus' });

export const TimelineView = z
  .object({
    milestoneId: z.string(),
    events: z.array(z.object({ seq: z.number(), type: z.string(), actor: z.string().nullable(), data: z.record(z.string(), z.unknown()), at: z.string() })),
  })
  .meta({ id: 'Timeline' });

const AmendmentChange = z.union([
  z.strictObject({ milestoneId: Id, amount: Amount }),
  z.strictObject({ add: z.strictObject({ title: z.string().trim().min(1).max(200), amount: Amount }) }),
  z.strictObject({ remove: Id }),
]);
export const AmendmentBody = z.strictObject({ changes: z.array(AmendmentChange).min(1).max(50) }).meta({ id: 'AmendmentProposal' });
export const AmendmentParams = z.object({ projectId: Id, amendmentId: Id });
export const AmendmentView = z
  .object({
    id: z.string(),
    proposedBy: z.enum(['client', 'provider']),
    proposedAt: z.string(),
    changes: z.array(z.unknown()),
    state: z.enum(['pending', 'applied', 'partially_applied', 'superseded']),
    acceptedAt: z.string().optional(),
    results: z.array(z.object({ change: z.unknown(), applied: z.boolean(), reason: z.string().optional() })).optional(),
  })
  .meta({ id: 'Amendment' });
