/** A milestone's life: its states, the client-silence policies, and the events its timeline records. */
export const MILESTONE_STATES = [
  'awaiting_deposit',
  'funded',
  'delivered',
  'disputed',
  'released',
  'payment_requested',
  'paid',
  'refunded',
  'cancelled',
] as const;
export type MilestoneState = (typeof MILESTONE_STATES)[number];
export const FINAL_STATES: readonly MilestoneState[] = ['paid', 'refunded', 'cancelled'];
export const isFinal = (state: MilestoneState): boolean => FINAL_STATES.includes(state);
export const isMilestoneState = (state: string): state is MilestoneState => (MILESTONE_STATES as readonly string[]).includes(state);

/** Basic projects' milestones carry this state: the platform tracks no money for them. */
export const UNMANAGED_STATE = 'unmanaged';
/** A milestone's state as the read model keeps it. */
export type StoredMilestoneState = MilestoneState | typeof UNMANAGED_STATE;

export const CLIENT_SILENCE_POLICIES = ['notify_provider', 'open_dispute', 'auto_release'] as const;
/** What happens when the release reminders are exhausted and the client is still silent. */
export type ClientSilencePolicy = (typeof CLIENT_SILENCE_POLICIES)[number];

/** One entry of a milestone's timeline. */
export interface TimelineEvent {
  milestoneId: string;
  /** unique per event: a retried activity records it once */
  key: string;
  type: string;
  actor?: string;
  data?: Record<string, unknown>;
  /** the milestone's state after this event, kept in the read model */
  state?: string;
}
