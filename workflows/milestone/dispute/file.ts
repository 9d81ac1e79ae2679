import { uuid4 } from '@temporalio/workflow';
import type { DisputeView } from '../../../domain/dispute';
import { isDisputeActive } from '../../../domain/dispute';
import { FailureType } from '../../../domain/failures';
import type { Actor, Party } from '../../../domain/parties';
import { refuse } from '../../updates';
import type { MilestoneCore } from '../core';

/** What every phase of a dispute reads from its file, and how its entries get ids and times. */
export const newId = (prefix: string) => `${prefix}_${uuid4().replace(/-/g, '').slice(0, 20)}`;
export const nowIso = () => new Date(Date.now()).toISOString();

/** The dispute an action names, if it is the milestone's and still open or escalated; refused otherwise. */
export function activeDispute(m: MilestoneCore, disputeId: string): DisputeView {
  const d = m.dispute;
  if (!d || d.id !== disputeId || m.state !== 'disputed' || !isDisputeActive(d.state)) {
    return refuse(FailureType.InvalidState, `dispute ${disputeId} is not open on this milestone`);
  }
  return d;
}

/** The mediator's question still waiting for its answer (at most one at a time). */
export const pendingRequest = (d: DisputeView) => d.informationRequests.find((r) => !r.answeredAt && !r.expiredAt);

export const pendingRequestFor = (d: DisputeView, party: Party) => {
  const request = pendingRequest(d);
  return request?.party === party ? request : undefined;
};

export const hasResponded = (d: DisputeView) => d.statements.some((s) => s.kind === 'response');

export const requireMediator = (actor: Actor, action: string) => {
  if (actor.role !== 'mediator') refuse(FailureType.NotAllowed, `only a mediator may ${action}`);
};
