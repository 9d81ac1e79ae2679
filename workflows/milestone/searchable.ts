import { condition } from '@temporalio/workflow';
import { NO_DISPUTE } from '../../domain/search-attributes';
import { publish } from '../search-attributes';
import type { MilestoneCore } from './core';

/**
 * Publishes the milestone's project and parties as search attributes and its titles as memo, then its state and its
 * latest dispute's state each time either changes, in the workflow task of the change.
 */
export async function keepSearchable(m: MilestoneCore): Promise<void> {
  const { projectId, projectExternalId, projectTitle, title, client, provider } = m.input;
  const disputeState = () => m.dispute?.state ?? NO_DISPUTE;
  let shown = { state: m.state, dispute: disputeState() };
  publish(
    { ProjectId: projectId, ProjectExternalId: projectExternalId, ClientId: client.id, ProviderId: provider.id, MilestoneState: shown.state, DisputeState: shown.dispute },
    { projectTitle, milestoneTitle: title },
  );
  for (;;) {
    await condition(() => m.state !== shown.state || disputeState() !== shown.dispute);
    shown = { state: m.state, dispute: disputeState() };
    publish({ MilestoneState: shown.state, DisputeState: shown.dispute });
  }
}
