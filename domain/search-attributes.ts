/**
 * The custom search attributes every workflow carries (all Keyword), so that staff find workflows in Temporal's Web UI
 * and through visibility queries, e.g. `MilestoneState = "disputed" AND ClientId = "c-1"`. The server must know
 * them before a worker runs: `npm start` and the tests register them, the cluster script too (docs/operations.md).
 */
export const SEARCH_ATTRIBUTE_NAMES = ['ProjectId', 'ProjectExternalId', 'MilestoneState', 'DisputeState', 'ClientId', 'ProviderId'] as const;
export type SearchAttributeName = (typeof SEARCH_ATTRIBUTE_NAMES)[number];

/** What a milestone whose dispute has ended, or that never had one, shows as its DisputeState. */
export const NO_DISPUTE = 'none';
