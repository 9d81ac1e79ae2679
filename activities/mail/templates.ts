import { formatAmount } from '../../domain/money';
import { PAYOUT_ACCOUNT_ACTION, type NoticeData, type NotificationKind } from '../../domain/notifications';
import { escapeHtml } from '../../lib/text';

/** French notices, as e-mail (text and HTML) and as the in-app feed's title and body: one per event a party must hear about. */

/** The facts of a notice and the name it greets. */
export type MailData = NoticeData & { recipientName: string };

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date(iso));
}

const SILENCE_CONSEQUENCE = {
  notify_provider: 'le prestataire pourra déclarer un litige',
  open_dispute: 'un litige sera ouvert au nom du prestataire',
  auto_release: 'le montant sera libéré automatiquement au prestataire',
} as const;

type Writer = (d: MailData, f: { amount: string; deadline: string; provider: string; client: string }) => { subject: string; paragraphs: string[] };

const ms = (d: MailData) => `l'échéance « ${d.milestoneTitle} » du projet « ${d.projectTitle} »`;

const TEMPLATES = {
  milestone_funded: (d, f) => ({
    subject: `Échéance financée : ${d.milestoneTitle}`,
    paragraphs: [
      `Le client a placé ${f.amount} en compte séquestre pour ${ms(d)}.`,
      `Vous pouvez commencer le travail correspondant. Une fois terminé, indiquez-le sur la plateforme.`,
    ],
  }),
  work_delivered: (d, f) => ({
    subject: `Travail livré : ${d.milestoneTitle}`,
    paragraphs: [
      `Le prestataire indique avoir terminé ${ms(d)}.`,
      `Vérifiez le travail puis libérez les ${f.amount} placés en compte séquestre (onglet « Gestion paiements »).`,
    ],
  }),
  funds_released: (d, f) => ({
    subject: `Montant libéré : ${d.milestoneTitle}`,
    paragraphs: [
      `${f.amount} ont été libérés à votre attention pour ${ms(d)}.`,
      `Déposez votre facture sur la page « Demandes de paiement » : le paiement intervient dans les jours qui suivent.`,
      ...(d.payoutAccountNeeded ? [PAYOUT_ACCOUNT_ACTION] : []),
    ],
  }),
  payout_paid: (d, f) => ({
    subject: `Paiement effectué : ${d.milestoneTitle}`,
    paragraphs: [`Le virement de ${f.amount} pour ${ms(d)} a été effectué.`],
  }),
  payout_failed: (d, f) => ({
    subject: `Échec du paiement : ${d.milestoneTitle}`,
    paragraphs: [
      `Le virement de ${f.amount} pour ${ms(d)} a échoué (${d.reason ?? 'motif non précisé'}).`,
      `Le montant reste à votre disposition : vérifiez vos coordonnées bancaires puis relancez le paiement depuis votre tableau de bord des demandes de paiement, sans nouvelle facture.`,
    ],
  }),
  cancel_requested: (d) => ({
    subject: `Demande d'annulation : ${d.milestoneTitle}`,
    paragraphs: [
      `L'autre partie demande l'annulation de ${ms(d)}.`,
      `Si vous êtes d'accord, annulez-la à votre tour : le montant en séquestre sera remboursé au client.`,
    ],
  }),
  milestone_cancelled: (d) => ({
    subject: `Échéance annulée : ${d.milestoneTitle}`,
    paragraphs: [`${capital(ms(d))} a été annulée.`],
  }),
  partially_released: (d, f) => ({
    subject: `Montant libéré en partie : ${d.milestoneTitle}`,
    paragraphs: [
      `${f.amount} ont été libérés à votre attention pour ${ms(d)} ; ${formatAmount(d.inEscrow ?? 0, d.currency)} restent en compte séquestre.`,
      `Déposez votre facture pour le montant libéré sur la page « Demandes de paiement » : le paiement intervient dans les jours qui suivent.`,
      ...(d.payoutAccountNeeded ? [PAYOUT_ACCOUNT_ACTION] : []),
    ],
  }),
  changes_requested: (d) => ({
    subject: `Modifications demandées : ${d.milestoneTitle}`,
    paragraphs: [
      `Le client demande des modifications pour ${ms(d)} (demande n° ${d.round ?? 1}) :`,
      `« ${d.message ?? ''} »`,
      `Le montant reste en compte séquestre. Indiquez de nouveau le travail terminé une fois les modifications faites.`,
    ],
  }),
  mediation_suggested: (d) => ({
    subject: `Proposition de médiation : ${d.milestoneTitle}`,
    paragraphs: [
      `Le client a demandé ${d.round ?? 0} fois des modifications pour ${ms(d)}.`,
      `Si vous ne parvenez pas à vous accorder, le Service de Médiation et d'Arbitrage peut vous aider : chacun de vous peut déclarer un litige depuis l'échéance. Rien n'est ouvert sans votre demande.`,
    ],
  }),
  provider_refunded: (d, f) => ({
    subject: `Remboursement du prestataire : ${d.milestoneTitle}`,
    paragraphs: [
      `Le prestataire rembourse ${f.amount} au client pour ${ms(d)}, sans litige.`,
      `Motif : « ${d.reason ?? ''} »`,
      `Le remboursement part vers le moyen de paiement du client ; les frais de séquestre correspondants lui sont rendus.`,
    ],
  }),
  bonus_received: (d, f) => ({
    subject: `Bonus reçu : ${d.projectTitle}`,
    paragraphs: [
      `Le client vous verse un bonus de ${f.amount} pour le projet « ${d.projectTitle} »${d.message ? ` : « ${d.message} »` : ''}.`,
      `Déposez votre facture pour ce montant sur la page « Demandes de paiement » : le paiement intervient dans les jours qui suivent.`,
      ...(d.payoutAccountNeeded ? [PAYOUT_ACCOUNT_ACTION] : []),
    ],
  }),
  milestone_refunded: (d, f) => ({
    subject: `Échéance remboursée : ${d.milestoneTitle}`,
    paragraphs: [`${capital(ms(d))} a été annulée d'un commun accord : ${f.amount} sont remboursés au client.`],
  }),
  deposit_reminder: (d, f) => ({
    subject: `Rappel ${d.n} : échéance à financer : ${d.milestoneTitle}`,
    paragraphs: [
      `${capital(ms(d))} attend encore ${f.amount} (montant et frais de séquestre).`,
      `Le prestataire ne commence le travail qu'une fois le montant placé en séquestre : effectuez le versement depuis l'onglet « Gestion paiements ».`,
    ],
  }),
  release_reminder: (d, f) => ({
    subject: `Rappel ${d.n} : libérez le paiement : ${d.milestoneTitle}`,
    paragraphs: [
      `Le prestataire a indiqué avoir terminé ${ms(d)} et attend la libération des ${f.amount} placés en séquestre.`,
      `Si le travail vous convient, libérez le montant depuis l'onglet « Gestion paiements ». S'il ne vous convient pas, répondez au prestataire ou déclarez un litige.`,
      ...(d.deadline ? [`Sans action de votre part d'ici le ${f.deadline}, ${SILENCE_CONSEQUENCE[d.policy ?? 'notify_provider']}.`] : []),
    ],
  }),
  client_silent: (d, f) => ({
    subject: `Client sans réponse : ${d.milestoneTitle}`,
    paragraphs: [
      `Malgré nos relances, le client n'a pas libéré les ${f.amount} de ${ms(d)}.`,
      `Si vous estimez le travail terminé, vous pouvez déclarer un litige (icône « déclarer litige ») : après un processus de médiation, le Service Médiation & Arbitrage pourra libérer le montant à la place du client.`,
    ],
  }),
  auto_released: (d, f) => ({
    subject: `Montant libéré automatiquement : ${d.milestoneTitle}`,
    paragraphs: [
      `Sans réponse du client à nos relances, les ${f.amount} de ${ms(d)} ont été libérés au prestataire à l'issue de la période de vérification, comme le prévoient les conditions de ce projet.`,
    ],
  }),
  dispute_opened: (d, f) => ({
    subject: `Litige déclaré : ${d.milestoneTitle}`,
    paragraphs: [
      `Un litige a été déclaré sur ${ms(d)} (motif : ${d.reason}). Les ${f.amount} en séquestre sont gelés.`,
      `Vous êtes invité(e) à donner votre version avant le ${f.deadline}. Sans accord à cette date, le litige sera transmis au Service Médiation & Arbitrage.`,
    ],
  }),
  dispute_opened_for_provider: (d, f) => ({
    subject: `Litige ouvert pour vous : ${d.milestoneTitle}`,
    paragraphs: [
      `Le client n'ayant pas libéré les ${f.amount} de ${ms(d)} malgré nos relances, la plateforme a déclaré un litige en votre nom.`,
      `Le client peut répondre jusqu'au ${f.deadline} ; sans accord à cette date, le Service Médiation & Arbitrage sera saisi. Vous pouvez compléter votre version et proposer un accord sur la plateforme.`,
    ],
  }),
  dispute_reminder: (d, f) => ({
    subject: `Rappel ${d.n} : litige en attente de votre réponse : ${d.milestoneTitle}`,
    paragraphs: [
      `Un litige est ouvert sur ${ms(d)} et attend votre réponse.`,
      `Répondez avant le ${f.deadline} : sans accord à cette date, le Service Médiation & Arbitrage sera saisi.`,
    ],
  }),
  dispute_response: (d) => ({
    subject: `Réponse au litige : ${d.milestoneTitle}`,
    paragraphs: [`L'autre partie a répondu au litige sur ${ms(d)}. Vous pouvez proposer un accord amiable.`],
  }),
  settlement_proposed: (d, f) => ({
    subject: `Proposition d'accord : ${d.milestoneTitle}`,
    paragraphs: [
      `L'autre partie propose de régler le litige sur ${ms(d)} ainsi : ${f.provider} au prestataire, ${f.client} remboursés au client.`,
      `Acceptez la proposition sur la plateforme pour clore le litige.`,
    ],
  }),
  dispute_settled: (d, f) => ({
    subject: `Litige réglé à l'amiable : ${d.milestoneTitle}`,
    paragraphs: [`Le litige sur ${ms(d)} est réglé : ${f.provider} sont libérés au prestataire et ${f.client} remboursés au client.`],
  }),
  dispute_escalated: (d) => ({
    subject: `Litige transmis au Service Médiation & Arbitrage : ${d.milestoneTitle}`,
    paragraphs: [
      `Faute d'accord dans le délai, le litige sur ${ms(d)} est transmis au Service Médiation & Arbitrage (SMA).`,
      `Un médiateur examinera les éléments et pourra vous demander des informations avant de décider.`,
    ],
  }),
  information_requested: (d, f) => ({
    subject: `Le médiateur vous demande des informations : ${d.milestoneTitle}`,
    paragraphs: [`Au sujet du litige sur ${ms(d)}, le médiateur demande : « ${d.question} ».`, `Répondez sur la plateforme avant le ${f.deadline}.`],
  }),
  information_reminder: (d, f) => ({
    subject: `Rappel ${d.n} : le médiateur attend votre réponse : ${d.milestoneTitle}`,
    paragraphs: [`Le médiateur attend votre réponse à sa question sur ${ms(d)} : « ${d.question} ».`, `Répondez avant le ${f.deadline}.`],
  }),
  dispute_decided: (d, f) => ({
    subject: `Décision du Service Médiation & Arbitrage : ${d.milestoneTitle}`,
    paragraphs: [
      `Le Service Médiation & Arbitrage a statué sur le litige concernant ${ms(d)} : ${f.provider} sont libérés au prestataire à la place du client et ${f.client} remboursés au client.`,
      `Motifs : ${d.rationale}`,
    ],
  }),
  dispute_withdrawn: (d) => ({
    subject: `Litige retiré : ${d.milestoneTitle}`,
    paragraphs: [`Le litige sur ${ms(d)} a été retiré par la partie qui l'avait déclaré. L'échéance reprend son cours.`],
  }),
  // The incident's explanation (domain/incidents.ts) says what happened and what comes next.
  payment_incident: (d) => ({
    subject: `Incident de paiement : ${d.milestoneTitle}`,
    paragraphs: [d.reason ?? `Un incident de paiement concerne ${ms(d)}.`, `Vous pouvez suivre l'incident depuis votre espace (« Incidents de paiement »).`],
  }),
  payment_incident_closed: (d) => ({
    subject: `Incident de paiement clos : ${d.milestoneTitle}`,
    paragraphs: [d.reason ?? `L'incident de paiement sur ${ms(d)} est clos.`],
  }),
} satisfies Record<NotificationKind, Writer>;

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface RenderedNotice {
  subject: string;
  /** the feed entry's body: the paragraphs without greeting and signature */
  summary: string;
  text: string;
  html: string;
}

export function renderMail(template: NotificationKind, data: MailData): RenderedNotice {
  const money = (n: number | undefined) => formatAmount(n ?? 0, data.currency);
  const { subject, paragraphs } = TEMPLATES[template](data, {
    amount: money(data.amount),
    deadline: data.deadline ? formatDate(data.deadline) : '',
    provider: money(data.providerAmount),
    client: money(data.clientAmount),
  });
  const greeting = `Bonjour ${data.recipientName},`;
  const signature = `L'équipe de la plateforme`;
  const text = [greeting, '', ...paragraphs.flatMap((p) => [p, '']), signature].join('\n');
  return { subject, summary: paragraphs.join(' '), text, html: htmlParagraphs([greeting, ...paragraphs, signature]) };
}

/** A message to the finance staff: `[finance] <subject>`, its text line by line. */
export function renderStaffMail(subject: string, text: string): { subject: string; text: string; html: string } {
  return { subject: `[finance] ${subject}`, text, html: htmlParagraphs(text.split('\n')) };
}

/** Every HTML mail is built here: each paragraph escaped, whatever it holds. */
const htmlParagraphs = (paragraphs: string[]) => paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
