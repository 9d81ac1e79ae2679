import type { ProjectRow } from '../../db/projects';
import type { SellerIdentity } from '../../domain/legal-identity';
import { formatAmount } from '../../domain/money';
import type { PartyInfo } from '../../domain/parties';
import { splitVat, VAT_MENTIONS, vatTreatment } from '../../domain/vat';
import type { InvoiceDocument } from '../../lib/facturx/model';
import { buyerParty, vatCategoryOf } from './fee-invoice-model';

/** A party as the draft shows it: the business's legal details when the project has them. */
const partyView = (p: PartyInfo) => ({
  name: p.company?.legalName ?? p.name,
  email: p.email,
  ...(p.company
    ? { siren: p.company.siren ?? null, vatNumber: p.company.vatNumber ?? null, address: p.company.address, country: p.company.country }
    : { siren: null, vatNumber: null, address: null, country: null }),
  business: p.company !== undefined,
});

export interface InvoiceDraft {
  seller: ReturnType<typeof partyView>;
  buyer: ReturnType<typeof partyView>;
  amount: number;
  currency: string;
  description: string;
  mentions: string[];
}

const FRANCHISE_MENTION = 'TVA non applicable, art. 293 B du CGI';

/**
 * The VAT on the provider's invoice, as far as the project tells it. A French business with a VAT number follows the
 * rules of the platform's own fees (domain/vat.ts: French VAT, reverse charge, outside the EU); a French business
 * without one is in the franchise en base (art. 293 B du CGI); for anyone else the project does not say enough.
 */
type DraftVat = { kind: 'known'; treatment: ReturnType<typeof vatTreatment> } | { kind: 'franchise' } | { kind: 'unknown' };

function draftVat(project: ProjectRow, vatRatePpm: number): DraftVat {
  if (facturxDraftBlocker(project)) return { kind: 'unknown' };
  if (!project.provider.company?.vatNumber) return { kind: 'franchise' };
  return { kind: 'known', treatment: vatTreatment(project.client.company, vatRatePpm) };
}

function vatMentions(vat: DraftVat, total: string, vatRatePpm: number): string[] {
  const exactly = `qui doit être exactement ${total} (le montant de la demande de paiement)`;
  if (vat.kind === 'franchise') return [`Le montant total, sans TVA, ${exactly}, et la mention « ${FRANCHISE_MENTION} »`];
  if (vat.kind === 'unknown') {
    return [
      `Le montant hors taxes, le taux et le montant de la TVA, et le total TTC, ${exactly}`,
      `Sans TVA facturée (franchise en base) : la mention « ${FRANCHISE_MENTION} »`,
    ];
  }
  switch (vat.treatment.kind) {
    case 'french_vat':
      return [`Le montant hors taxes, la TVA à ${vatRatePpm / 10_000} % et son montant, et le total TTC, ${exactly}`];
    case 'reverse_charge':
      return [`Le montant total, sans TVA, ${exactly}, la mention « ${VAT_MENTIONS.reverse_charge} » et les numéros de TVA du vendeur et de l'acheteur`];
    case 'outside_eu':
      return [`Le montant total, sans TVA, ${exactly}, et la mention « ${VAT_MENTIONS.outside_eu} »`];
  }
}

/**
 * What the provider's invoice for this payment must contain ("Comment faire ma facture ?"): the provider sells to the
 * client (the platform only holds the money), for the amount the payment request will ask, VAT included.
 */
export function invoiceDraft(project: ProjectRow, milestone: { id: string; title: string }, amount: number, platform: SellerIdentity, vatRatePpm: number): InvoiceDraft {
  const { provider, client } = project;
  const mentions = [
    'Un numéro de facture unique, dans une suite chronologique continue : le même que celui de la demande de paiement',
    "La date d'émission, et la date (ou la période) de la prestation",
    `Le vendeur : ${provider.company ? `${provider.company.legalName}, son adresse, son SIREN${provider.company.vatNumber ? ' et son numéro de TVA intracommunautaire' : ''}` : 'votre nom, votre adresse et votre SIREN'}`,
    client.company
      ? `L'acheteur : ${client.company.legalName}, son adresse${client.company.siren ? `, son SIREN ${client.company.siren} (mention obligatoire de la réforme de la facturation électronique)` : ''}${client.company.vatNumber ? ` et son numéro de TVA ${client.company.vatNumber}` : ''}`
      : `L'acheteur : ${client.name} (particulier), et son adresse`,
    'La nature de l\'opération : prestation de services',
    `La désignation : ${project.title} — ${milestone.title}`,
    ...vatMentions(draftVat(project, vatRatePpm), formatAmount(amount, project.currency), vatRatePpm),
    `« Facture acquittée : payée par séquestre via ${platform.legalName} »`,
    ...(client.company ? ["Entre professionnels : le taux des pénalités de retard et l'indemnité forfaitaire de 40 € pour frais de recouvrement"] : []),
    'Au format Factur-X si possible (PDF avec son XML EN 16931) : la plateforme le vérifie à la réception',
  ];
  return {
    seller: partyView(provider),
    buyer: partyView(client),
    amount,
    currency: project.currency,
    description: `${project.title} — ${milestone.title}`,
    mentions,
  };
}

/**
 * Why no Factur-X draft can be drawn for this project, or undefined: the draft is the invoice of a business
 * established in France, identified by its SIREN (its VAT rules are the only ones the platform knows).
 */
export function facturxDraftBlocker(project: ProjectRow): string | undefined {
  const company = project.provider.company;
  if (!company) return "a Factur-X draft needs the provider's business details (the project's provider.company, with its SIREN); the JSON draft says what the invoice must contain";
  if (company.country !== 'FR') return 'the Factur-X draft is for providers established in France; the JSON draft says what the invoice must contain';
  if (!company.siren) return "a Factur-X draft needs the provider's SIREN (provider.company.siren)";
  return undefined;
}

/**
 * The draft as a Factur-X document the provider may complete: marked as a draft, with the VAT the project implies.
 * Only for a project facturxDraftBlocker lets through.
 */
export function invoiceDraftDocument(project: ProjectRow, milestone: { id: string; title: string }, amount: number, platform: SellerIdentity, vatRatePpm: number): InvoiceDocument {
  const { provider, client } = project;
  const company = provider.company;
  const vat = draftVat(project, vatRatePpm);
  if (!company || vat.kind === 'unknown') throw new Error(`no Factur-X draft for project ${project.id}: ${facturxDraftBlocker(project)}`);
  const split = vat.kind === 'known' ? splitVat(amount, vat.treatment) : { net: amount, vat: 0 };
  const category: InvoiceDocument['vat'] = vat.kind === 'known'
    ? vatCategoryOf(vat.treatment.kind, vatRatePpm)
    : { category: 'E', ratePercent: 0, exemptionReason: FRANCHISE_MENTION, exemptionCode: 'VATEX-FR-FRANCHISE' };
  return {
    typeCode: '380',
    title: 'Facture (brouillon)',
    number: 'BROUILLON',
    issueDate: new Date().toISOString(),
    currency: project.currency,
    seller: {
      name: company.legalName,
      email: provider.email,
      address: { ...company.address, country: company.country },
      siren: company.siren,
      ...(company.vatNumber ? { vatNumber: company.vatNumber } : { taxRegistrationId: company.siren }),
    },
    buyer: buyerParty(client.name, client.email, client.company),
    lines: [{ id: '1', description: `${project.title} — ${milestone.title}`, netAmount: split.net }],
    vat: category,
    totals: { net: split.net, vat: split.vat, gross: amount, paid: amount },
    notes: [
      'Brouillon établi par la plateforme : numéro, dates et mentions à compléter par le prestataire, qui émet la facture.',
      'Nature de l\'opération : prestation de services.',
      `Facture acquittée : payée par séquestre via ${platform.legalName}.`,
      ...(category.exemptionReason ? [category.exemptionReason] : []),
    ],
    draft: true,
  };
}
