/**
 * Payment incidents (the FAQ's « incident de paiement »): money the payment provider could not move as ordered, or
 * took back. One model for all kinds; what each party is told comes from here, in plain French.
 */
import { formatAmount } from './money';

export const INCIDENT_KINDS = ['chargeback', 'deposit_failed', 'payout_failed', 'refund_failed'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export const INCIDENT_STATES = ['open', 'won', 'lost', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export interface IncidentFacts {
  kind: IncidentKind;
  state: IncidentState;
  amount: number;
  currency: string;
  milestoneTitle: string;
  /** the provider's words for it (a card declined, a bank account closed) */
  reason?: string;
  /** a chargeback lost: the milestone's money had already been released to the provider */
  afterRelease?: boolean;
}

/** What happened and what comes next, as every party and the finance staff read it. */
export function explainIncident(f: IncidentFacts): string {
  const amount = formatAmount(f.amount, f.currency);
  const ms = `l'échéance « ${f.milestoneTitle} »`;
  const why = f.reason ? ` (${f.reason})` : '';
  switch (f.kind) {
    case 'chargeback':
      if (f.state === 'open') {
        return `La banque du client conteste le paiement de ${amount} pour ${ms}. Tant que la contestation est en cours, le montant est gelé : l'échéance ne peut être ni livrée, ni libérée, ni annulée. La plateforme répond à la banque et vous tient informés.`;
      }
      if (f.state === 'won') return `La contestation du paiement de ${amount} pour ${ms} a été rejetée par la banque : le montant reste en séquestre et l'échéance reprend son cours.`;
      if (f.state === 'lost') {
        return f.afterRelease
          ? `La banque du client a remboursé ${amount} au client pour ${ms}. Le montant avait déjà été libéré au prestataire : la plateforme prend la perte à sa charge.`
          : `La banque du client lui a rendu ${amount} pour ${ms} : ce montant a quitté le séquestre. Le client doit financer l'échéance à nouveau pour que le travail continue, ou les parties peuvent l'annuler.`;
      }
      return `La contestation du paiement de ${amount} pour ${ms} a été close par la banque sans retrait des fonds : l'échéance reprend son cours.`;
    case 'deposit_failed':
      return f.state === 'open'
        ? `Le paiement de ${amount} pour ${ms} a échoué${why}. Rien n'a été débité : réessayez avec un autre moyen de paiement.`
        : `Le paiement de ${ms} est réglé : l'incident est clos.`;
    case 'payout_failed':
      return f.state === 'open'
        ? `Le virement de ${amount} au prestataire pour ${ms} a échoué${why}. Le montant reste dû au prestataire : il vérifie ses coordonnées bancaires puis relance le paiement, sans nouvelle facture.`
        : `Le virement de ${amount} pour ${ms} a été effectué : l'incident est clos.`;
    case 'refund_failed':
      return f.state === 'open'
        ? `Le remboursement de ${amount} au client pour ${ms} a échoué${why}. Le montant reste dû au client : le service financier le relance dès que ses coordonnées bancaires sont corrigées.`
        : `Le remboursement de ${amount} pour ${ms} a été effectué : l'incident est clos.`;
  }
}

/** Stripe keeps the funds of a manual-payout platform this long for French accounts; an alarm is raised before. */
export const FUNDS_HOLD_ALARM_DAYS = 75;
