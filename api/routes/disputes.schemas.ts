import { z } from 'zod';
import { DISPUTE_STATES } from '../../domain/dispute';
import { Id } from '../schemas/common';

const Text = (max: number) => z.string().trim().min(1).max(max);
const MinorUnits = z.number().int('amounts are integers in minor units').min(0).max(1_000_000_000);

export const OpenDisputeBody = z.strictObject({ reason: Text(200), statement: Text(5000) }).meta({ id: 'OpenDispute' });
export const StatementBody = z.strictObject({ statement: Text(5000) }).meta({ id: 'DisputeStatement' });
export const ProposalBody = z.strictObject({ providerAmount: MinorUnits }).meta({ id: 'SettlementProposal' });
export const InformationRequestBody = z
  .strictObject({ party: z.enum(['client', 'provider']), question: Text(2000) })
  .meta({ id: 'InformationRequest' });
export const DecisionBody = z
  .strictObject({ providerAmount: MinorUnits, clientAmount: MinorUnits, rationale: Text(5000) })
  .meta({ id: 'Decision' });

export const DisputeParams = z.object({ disputeId: Id });
export const ProposalParams = z.object({ disputeId: Id, proposalId: Id });
export const QueueQuery = z.strictObject({
  state: z.enum(DISPUTE_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const Party = z.enum(['client', 'provider']);
export const DisputeViewSchema = z
  .object({
    id: z.string(),
    milestoneId: z.string(),
    projectId: z.string(),
    state: z.enum(DISPUTE_STATES),
    openedBy: Party,
    openedAutomatically: z.boolean(),
    reason: z.string(),
    respondent: Party,
    openedAt: z.string(),
    responseDeadline: z.string(),
    escalatedAt: z.string().optional(),
    closedAt: z.string().optional(),
    previousState: z.string(),
    inEscrow: z.number().int(),
    currency: z.string(),
    statements: z.array(z.object({ by: z.enum(['client', 'provider', 'mediator']), userId: z.string(), kind: z.string(), text: z.string(), at: z.string() })),
    proposals: z.array(z.object({ id: z.string(), by: Party, providerAmount: z.number().int(), clientAmount: z.number().int(), at: z.string(), state: z.string() })),
    informationRequests: z.array(z.object({ id: z.string(), party: Party, question: z.string(), by: z.string(), at: z.string(), deadline: z.string(), answeredAt: z.string().optional(), expiredAt: z.string().optional() })),
    reminders: z.array(z.object({ to: Party, about: z.string(), n: z.number().int(), at: z.string() })),
    decision: z.object({ providerAmount: z.number().int(), clientAmount: z.number().int(), rationale: z.string(), by: z.string(), at: z.string() }).optional(),
    settlement: z.object({ proposalId: z.string(), providerAmount: z.number().int(), clientAmount: z.number().int(), at: z.string() }).optional(),
    version: z.number().int(),
  })
  .meta({ id: 'Dispute' });

export const DisputeQueue = z.object({ items: z.array(DisputeViewSchema) }).meta({ id: 'DisputeQueue' });
