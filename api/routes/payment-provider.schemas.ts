import { z } from 'zod';
import { INCIDENT_KINDS, INCIDENT_STATES } from '../../domain/incidents';

export const PayoutAccountView = z
  .strictObject({
    accountId: z.string(),
    onboardingUrl: z.string().nullable().meta({ description: 'a fresh single-use onboarding link (Stripe); null on rails without onboarding' }),
    payoutsEnabled: z.boolean(),
  })
  .meta({ id: 'PayoutAccount' });

export const DepositInstructionsView = z
  .discriminatedUnion('provider', [
    z.strictObject({ provider: z.literal('stripe'), paymentIntentId: z.string(), clientSecret: z.string(), amount: z.number().int(), currency: z.string() }),
    z.strictObject({
      provider: z.enum(['sandbox', 'webhook']),
      reference: z.string().meta({ description: 'the milestone id the payment provider names in its deposit.succeeded event' }),
      amount: z.number().int(),
      currency: z.string(),
    }),
  ])
  .meta({ id: 'DepositInstructions' });

export const IncidentView = z
  .strictObject({
    id: z.string(),
    kind: z.enum(INCIDENT_KINDS),
    projectId: z.string(),
    milestoneId: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    state: z.enum(INCIDENT_STATES),
    explanation: z.string().meta({ description: 'what happened and what comes next, in French' }),
    createdAt: z.string(),
    closedAt: z.string().optional(),
  })
  .meta({ id: 'PaymentIncident' });

export const IncidentList = z.strictObject({ items: z.array(IncidentView) }).meta({ id: 'PaymentIncidents' });

export const IncidentsQuery = z.strictObject({
  state: z.enum(INCIDENT_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const MyIncidentsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });
