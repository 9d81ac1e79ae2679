/** What a party is told about, by e-mail and in the in-app feed: one kind per event, and the facts a notice carries. */
import type { ClientSilencePolicy } from './milestone';

export const NOTIFICATION_KINDS = [
  'milestone_funded',
  'work_delivered',
  'funds_released',
  'payout_paid',
  'payout_failed',
  'cancel_requested',
  'milestone_cancelled',
  'milestone_refunded',
  'deposit_reminder',
  'release_reminder',
  'client_silent',
  'auto_released',
  'dispute_opened',
  'dispute_opened_for_provider',
  'dispute_reminder',
  'dispute_response',
  'settlement_proposed',
  'dispute_settled',
  'dispute_escalated',
  'information_requested',
  'information_reminder',
  'dispute_decided',
  'dispute_withdrawn',
  'payment_incident',
  'payment_incident_closed',
  'partially_released',
  'changes_requested',
  'mediation_suggested',
  'provider_refunded',
  'bonus_received',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The facts a notice is written from (amounts in minor units of `currency`). */
export interface NoticeData {
  projectTitle: string;
  milestoneTitle: string;
  amount: number;
  currency: string;
  /** ISO date of the next deadline, when the notice has one */
  deadline?: string;
  /** reminder number, from 1 */
  n?: number;
  reason?: string;
  providerAmount?: number;
  clientAmount?: number;
  question?: string;
  rationale?: string;
  /** the client-silence policy a release reminder announces */
  policy?: ClientSilencePolicy;
  /** the client's words with a request for changes, or the provider's reason for a refund */
  message?: string;
  /** requests for changes so far */
  round?: number;
  /** what is still in escrow after the event */
  inEscrow?: number;
  /** released money cannot be paid out yet: the provider's payout account is missing or not enabled */
  payoutAccountNeeded?: boolean;
}

/** What a provider whose payout account cannot be paid yet is told to do (e-mail and dashboard). */
export const PAYOUT_ACCOUNT_ACTION =
  "Pour recevoir vos paiements, ouvrez votre compte de paiement depuis votre espace (« Compte de paiement ») et terminez sa vérification auprès de notre prestataire de paiement : tant qu'il n'est pas activé, vos demandes de paiement sont refusées.";
