import { ParentClosePolicy, allHandlersFinished, condition, patched, setHandler, startChild } from '@temporalio/workflow';
import { FailureType } from '../../domain/failures';
import { LIMITS } from '../../domain/limits';
import type { MilestoneState } from '../../domain/milestone';
import { partyOf } from '../../domain/parties';
import { projectActivities as activities } from '../activities/proxies';
import { milestoneWorkflowId, type MilestoneInput } from '../milestone/contract';
import { milestoneWorkflow } from '../milestone/workflow';
import { publish } from '../search-attributes';
import { handleUpdate, refuse } from '../updates';
import {
  acceptAmendmentUpdate,
  addBonusUpdate,
  milestonesStartedUpdate,
  proposeAmendmentUpdate,
  projectStatusQuery,
  type Amendment,
  type AmendmentChange,
  type AmendmentChangeResult,
  type ProjectInput,
  type ProjectStatus,
} from './contract';

/** Starts one milestone workflow per milestone, applies agreed amendments, and ends when every milestone is final. */
export async function projectWorkflow(input: ProjectInput): Promise<ProjectStatus> {
  const milestones: MilestoneInput[] = [...input.milestones];
  const started = new Set<string>();
  const finalStates = new Map<string, MilestoneState | 'terminated'>();
  const amendments: Amendment[] = [];
  /** bonuses' milestone ids: paid on top of the milestones, never amended */
  const bonuses = new Set<string>();
  let state: ProjectStatus['state'] = 'active';
  let applying = false;
  // a milestone added by an amendment is started with the parties by id, whatever the project's run was started with
  const first = input.milestones[0];
  const template: MilestoneInput = { ...first, client: { id: first.client.id }, provider: { id: first.provider.id } };

  const status = (): ProjectStatus => ({
    projectId: input.projectId,
    state,
    milestones: milestones.map((m) => ({ milestoneId: m.milestoneId, started: started.has(m.milestoneId), finalState: finalStates.get(m.milestoneId) })),
    amendments,
  });
  const pending = () => amendments.find((a) => a.state === 'pending');
  const live = (milestoneId: string) => milestones.some((m) => m.milestoneId === milestoneId) && !finalStates.has(milestoneId);

  async function startMilestone(milestone: MilestoneInput): Promise<void> {
    // Abandon: money held for a milestone must keep its own workflow even if the project's is terminated.
    const child = await startChild(milestoneWorkflow, {
      workflowId: milestoneWorkflowId(milestone.milestoneId),
      args: [milestone],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    started.add(milestone.milestoneId);
    // A milestone workflow that fails or is terminated by an operator counts as ended for the project.
    void child.result().then(
      (final) => finalStates.set(milestone.milestoneId, final),
      () => finalStates.set(milestone.milestoneId, 'terminated'),
    );
  }

  async function apply(amendmentId: string, change: AmendmentChange): Promise<AmendmentChangeResult> {
    if ('add' in change) {
      const milestone: MilestoneInput = { ...template, milestoneId: change.add.milestoneId, title: change.add.title, amount: change.add.amount };
      await activities.addMilestone({ projectId: input.projectId, milestoneId: milestone.milestoneId, title: milestone.title, amount: milestone.amount });
      milestones.push(milestone);
      await startMilestone(milestone);
      return { change, applied: true };
    }
    const milestoneId = 'remove' in change ? change.remove : change.milestoneId;
    const outcome = await activities.amendMilestone({
      milestoneId,
      amendmentId,
      change: 'remove' in change ? { kind: 'remove' } : { kind: 'amount', amount: change.amount },
    });
    return outcome.ok ? { change, applied: true } : { change, applied: false, reason: outcome.reason };
  }

  setHandler(projectStatusQuery, status);
  setHandler(milestonesStartedUpdate, async () => {
    await condition(() => started.size >= input.milestones.length);
    return status();
  });

  handleUpdate(
    proposeAmendmentUpdate,
    ({ actor, amendmentId, changes }) => {
      const amendment: Amendment = { id: amendmentId, proposedBy: partyOf(actor, template)!, proposedAt: new Date(Date.now()).toISOString(), changes, state: 'pending' };
      amendments.push(amendment);
      return amendment;
    },
    {
      validator: ({ actor, changes }) => {
        if (!partyOf(actor, template)) refuse(FailureType.NotAllowed, 'only the client or the provider proposes an amendment');
        if (state !== 'active') refuse(FailureType.InvalidState, 'the project is finished');
        if (pending() || applying) refuse(FailureType.InvalidState, 'another amendment is waiting for the other party');
        if (amendments.length >= LIMITS.amendmentsPerProject) {
          refuse(FailureType.LimitReached, `at most ${LIMITS.amendmentsPerProject} amendments may be proposed on one project`);
        }
        const added = changes.filter((c) => 'add' in c).length;
        if (milestones.length + added > LIMITS.milestonesPerProject) {
          refuse(FailureType.LimitReached, `a project has at most ${LIMITS.milestonesPerProject} milestones (${milestones.length} now)`);
        }
        const touched = new Set<string>();
        for (const change of changes) {
          if ('add' in change) continue;
          const id = 'remove' in change ? change.remove : change.milestoneId;
          if (!live(id)) refuse(FailureType.BusinessRule, `milestone ${id} is not an open milestone of this project`);
          if (bonuses.has(id)) refuse(FailureType.BusinessRule, `${id} is a bonus: a bonus is not amended`);
          if (touched.has(id)) refuse(FailureType.BusinessRule, `milestone ${id} appears twice in the amendment`);
          touched.add(id);
        }
      },
    },
  );

  handleUpdate(
    acceptAmendmentUpdate,
    async ({ amendmentId }) => {
      const amendment = pending()!;
      applying = true;
      amendment.acceptedAt = new Date(Date.now()).toISOString();
      const results: AmendmentChangeResult[] = [];
      for (const change of amendment.changes) results.push(await apply(amendmentId, change));
      amendment.results = results;
      amendment.state = results.every((r) => r.applied) ? 'applied' : 'partially_applied';
      applying = false;
      return amendment;
    },
    {
      validator: ({ actor, amendmentId }) => {
        const amendment = pending();
        if (!amendment || amendment.id !== amendmentId) return refuse(FailureType.InvalidState, `amendment ${amendmentId} is not waiting for acceptance`);
        const party = partyOf(actor, template);
        if (!party) refuse(FailureType.NotAllowed, 'only the client or the provider accepts an amendment');
        if (party === amendment.proposedBy) refuse(FailureType.NotAllowed, 'an amendment is accepted by the other party');
      },
    },
  );

  handleUpdate(
    addBonusUpdate,
    async ({ bonusId, amount, message }) => {
      const { fees, timing } = template;
      const bonus: MilestoneInput = {
        ...template, milestoneId: bonusId, title: bonusTitle(message), amount, kind: 'bonus', message,
        // never held in escrow, so no escrow fee; nothing to remind about a gift
        fees: { ...fees, escrowFeePpm: 0 },
        timing: { ...timing, depositReminderMs: [], releaseReminderMs: [] },
      };
      bonuses.add(bonusId);
      milestones.push(bonus);
      await activities.addMilestone({ projectId: input.projectId, milestoneId: bonusId, title: bonus.title, amount, kind: 'bonus' });
      await startMilestone(bonus);
      return { milestoneId: bonusId };
    },
    {
      validator: ({ actor, amount }) => {
        if (partyOf(actor, template) !== 'client') refuse(FailureType.NotAllowed, 'only the client pays a bonus');
        if (state !== 'active') refuse(FailureType.InvalidState, 'the project is finished');
        if (!(Number.isSafeInteger(amount) && amount > 0)) refuse(FailureType.BusinessRule, 'a bonus is a positive integer amount');
        if (milestones.length >= LIMITS.milestonesPerProject) {
          refuse(FailureType.LimitReached, `a project has at most ${LIMITS.milestonesPerProject} milestones and bonuses (${milestones.length} now)`);
        }
      },
    },
  );

  if (patched('search-attributes')) {
    const { projectExternalId, projectTitle, client, provider } = template;
    publish({ ProjectId: input.projectId, ProjectExternalId: projectExternalId, ClientId: client.id, ProviderId: provider.id }, { projectTitle });
  }
  for (const milestone of input.milestones) await startMilestone(milestone);
  await condition(() => !applying && milestones.every((m) => finalStates.has(m.milestoneId)));
  for (const amendment of amendments) if (amendment.state === 'pending') amendment.state = 'superseded';
  state = 'finished';
  await activities.finishProject(input.projectId);
  await condition(allHandlersFinished);
  return status();
}

/** A bonus's line in the summary: "Bonus", with the client's message. */
function bonusTitle(message: string): string {
  const words = message.trim();
  return words ? `Bonus : ${words.length > 120 ? `${words.slice(0, 119)}…` : words}` : 'Bonus';
}
