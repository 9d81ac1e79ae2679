import { z } from 'zod';
import { CLIENT_SILENCE_POLICIES, MILESTONE_STATES } from '../../workflows/milestone/contract';
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
