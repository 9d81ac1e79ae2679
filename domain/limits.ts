/**
 * What callers may append to one workflow. Every accepted action adds events (and often an e-mail) to a
 * milestone's or a project's history; refused actions add nothing (a validator's refusal is not recorded). With
 * these bounds a hostile party cannot grow a milestone's history past HISTORY_BOUND
 * (tests/deep/growth.test.ts), far below Temporal's limits (a warning from 10,240 events or 10 MB, the end at 51,200 or 50 MB).
 */
export const LIMITS = {
  /** disputes declared on one milestone, withdrawn ones included (a dispute the platform opens is never refused) */
  disputesPerMilestone: 2,
  settlementProposalsPerDispute: 20,
  /** a mediator's questions; each is answered at most once */
  informationRequestsPerDispute: 10,
  /** proposed amendments on one project, accepted or not */
  amendmentsPerProject: 20,
  /** milestones a project may reach through amendments (a new project has at most 50) */
  milestonesPerProject: 100,
} as const;

export const HISTORY_BOUND = { events: 2_000, bytes: 2 * 1024 * 1024 } as const;
