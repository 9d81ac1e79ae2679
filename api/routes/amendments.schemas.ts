import { z } from 'zod';
import type { Amendment } from '../../workflows/project/contract';
import { Amount, describes, Id, Text } from '../schemas/common';

const Title = Text(200);

const AmendmentChangeBody = z.union([
  z.strictObject({ milestoneId: Id, amount: Amount }),
  z.strictObject({ add: z.strictObject({ title: Title, amount: Amount }) }),
  z.strictObject({ remove: Id }),
]);
export const AmendmentBody = z.strictObject({ changes: z.array(AmendmentChangeBody).min(1).max(50) }).meta({ id: 'AmendmentProposal' });
export const AmendmentParams = z.object({ projectId: Id, amendmentId: Id });

/** A change as the amendment keeps it: an added milestone has its id from the proposal on. */
const AmendmentChange = z.union([
  z.strictObject({ milestoneId: z.string(), amount: z.number().int() }),
  z.strictObject({ add: z.strictObject({ milestoneId: z.string(), title: z.string(), amount: z.number().int() }) }),
  z.strictObject({ remove: z.string() }),
]);

export const AmendmentView = describes<Amendment>()(
  z.strictObject({
    id: z.string(),
    proposedBy: z.enum(['client', 'provider']),
    proposedAt: z.string(),
    changes: z.array(AmendmentChange),
    state: z.enum(['pending', 'applied', 'partially_applied', 'superseded']),
    acceptedAt: z.string().optional(),
    results: z.array(z.strictObject({ change: AmendmentChange, applied: z.boolean(), reason: z.string().optional() })).optional(),
  }).meta({ id: 'Amendment' }),
);

export const AmendmentList = z.strictObject({ items: z.array(AmendmentView) }).meta({ id: 'Amendments' });
