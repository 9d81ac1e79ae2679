/** French e-mails, text and HTML, one per event the parties must hear about. */
export interface MailData {
  recipientName: string;
  projectTitle: string;
  milestoneTitle: string;
  amount: number;
  currency: string;
  [extra: string]: string | number;
}

export type TemplateName = 'milestone_funded' | 'work_delivered' | 'funds_released' | 'payout_paid' | 'payout_failed'
  | 'cancel_requested' | 'milestone_cancelled' | 'milestone_refunded';

interface Rendered {
  subject: string;
  text: string;
  html: string;
}

export function formatAmount(minor: number, currency: string): string {
  return new Intl.NumberFormat('fr-FR', { style: 'currency', currency }).format(minor / 100).replace(/\u202f|\u00a0/g, ' ');
}

const TEMPLATES: Record<TemplateName, (d: MailData, amount: string) => { subject: string; paragraphs: string[] }> = {
  milestone_funded: (d, amount) => ({
    subject: `Échéance financée : ${d.milestoneTitle}`,
    paragraphs: [
      `Le client a placé ${amount} en compte séquestre pour l'échéance « ${d.milestoneTitle} » du projet « ${d.projectTitle} ».`,
      `Vous pouvez commencer le travail correspondant. Une fois terminé, indiquez-le sur la plateforme.`,
    ],
  }),
  work_delivered: (d, amount) => ({
    subject: `Travail livré : ${d.milestoneTitle}`,
    paragraphs: [
      `Le prestataire indique avoir terminé l'échéance « ${d.milestoneTitle} » du projet « ${d.projectTitle} ».`,
      `Vérifiez le travail puis libérez les ${amount} placés en compte séquestre (onglet « Gestion paiements »).`,
    ],
  }),
  funds_released: (d, amount) => ({
    subject: `Montant libéré : ${d.milestoneTitle}`,
    paragraphs: [
      `${amount} ont été libérés à votre attention pour l'échéance « ${d.milestoneTitle} » du projet « ${d.projectTitle} ».`,
      `Déposez votre facture sur la page « Demandes de paiement » : le paiement intervient dans les jours qui suivent.`,
    ],
  }),
  payout_paid: (d, amount) => ({
    subject: `Paiement effectué : ${d.milestoneTitle}`,
    paragraphs: [
      `Le virement de ${amount} pour l'échéance « ${d.milestoneTitle} » du projet « ${d.projectTitle} » a été effectué.`,
    ],
  }),
  payout_failed: (d, amount) => ({
    subject: `Échec du paiement : ${d.milestoneTitle}`,
    paragraphs: [
      `Le virement de ${amount} pour l'échéance « ${d.milestoneTitle} » du projet « ${d.projectTitle} » a échoué (${d.reason ?? 'motif non précisé'}).`,
      `Le montant reste à votre disposition : vérifiez vos coordonnées bancaires puis renouvelez votre demande de paiement.`,
    ],
  }),
  cancel_requested: (d) => ({
    subject: `Demande d'annulation : ${d.milestoneTitle}`,
    paragraphs: [
      `L'autre partie demande l'annulation de l'échéance « ${d.milestoneTitle} » du projet « ${d.projectTitle} ».`,
      `Si vous êtes d'accord, annulez-la à votre tour : le montant en séquestre sera remboursé au client.`,
    ],
  }),
  milestone_cancelled: (d) => ({
    subject: `Échéance annulée : ${d.milestoneTitle}`,
    paragraphs: [`L'échéance « ${d.milestoneTitle} » du projet « ${d.projectTitle} » a été annulée.`],
  }),
  milestone_refunded: (d, amount) => ({
    subject: `Échéance remboursée : ${d.milestoneTitle}`,
    paragraphs: [
      `L'échéance « ${d.milestoneTitle} » du projet « ${d.projectTitle} » a été annulée d'un commun accord : ${amount} sont remboursés au client.`,
    ],
  }),
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderMail(template: TemplateName, data: MailData): Rendered {
  const { subject, paragraphs } = TEMPLATES[template](data, formatAmount(data.amount, data.currency));
  const greeting = `Bonjour ${data.recipientName},`;
  const signature = `L'équipe de la plateforme`;
  const text = [greeting, '', ...paragraphs.flatMap((p) => [p, '']), signature].join('\n');
  const html = [greeting, ...paragraphs, signature].map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  return { subject, text, html };
}
