import { z } from 'zod';
import { DISPUTE_STATES, type DisputeView } from '../../domain/dispute';
import { MILESTONE_STATES } from '../../domain/milestone';
import { describes, Id, Text } from '../schemas/common';

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
const Amount = z.number().int();

export const DisputeViewSchema = describes<DisputeView>()(
  z.strictObject({
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
    previousState: z.enum(MILESTONE_STATES),
    inEscrow: Amount,
    currency: z.string(),
    statements: z.array(
      z.strictObject({
        by: z.enum(['client', 'provider', 'mediator']),
        userId: z.string(),
        kind: z.enum(['opening', 'response', 'information_answer']),
        text: z.string(),
        at: z.string(),
      }),
    ),
    proposals: z.array(
      z.strictObject({
        id: z.string(),
        by: Party,
        providerAmount: Amount,
        clientAmount: Amount,
        at: z.string(),
        state: z.enum(['pending', 'accepted', 'superseded']),
      }),
    ),
    informationRequests: z.array(
      z.strictObject({
        id: z.string(),
        party: Party,
        question: z.string(),
        by: z.string(),
        at: z.string(),
        deadline: z.string(),
        answeredAt: z.string().optional(),
        expiredAt: z.string().optional(),
      }),
    ),
    reminders: z.array(z.strictObject({ to: Party, about: z.enum(['response', 'information']), n: z.number().int(), at: z.string() })),
    decision: z.strictObject({ providerAmount: Amount, clientAmount: Amount, rationale: z.string(), by: z.string(), at: z.string() }).optional(),
    settlement: z.strictObject({ proposalId: z.string(), providerAmount: Amount, clientAmount: Amount, at: z.string() }).optional(),
    version: z.number().int(),
  }).meta({ id: 'Dispute' }),
);

export const ProposalMadeView = DisputeViewSchema.extend({ proposalId: z.string().meta({ description: 'the new proposal' }) }).meta({
  id: 'DisputeWithNewProposal',
});

export const DisputeQueue = z.strictObject({ items: z.array(DisputeViewSchema) }).meta({ id: 'DisputeQueue' });
