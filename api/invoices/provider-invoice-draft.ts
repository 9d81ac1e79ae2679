import type { ProjectRow } from '../../db/projects';
import type { SellerIdentity } from '../../domain/legal-identity';
import { formatAmount } from '../../domain/money';
import type { PartyInfo } from '../../domain/parties';
import { splitVat } from '../../domain/vat';
import type { InvoiceDocument } from '../../lib/facturx/model';
import { buyerParty } from './fee-invoice-model';

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

/**
 * What the provider's invoice for this payment must contain ("Comment faire ma facture ?"): the provider sells to the
 * client (the platform only holds the money), for the amount the payment request will ask, VAT included.
 */
export function invoiceDraft(project: ProjectRow, milestone: { id: string; title: string }, amount: number, platform: SellerIdentity): InvoiceDraft {
  const { provider, client } = project;
  const total = formatAmount(amount, project.currency);
  const mentions = [
    'Un numéro de facture unique, dans une suite chronologique continue : le même que celui de la demande de paiement',
    "La date d'émission, et la date (ou la période) de la prestation",
    `Le vendeur : ${provider.company ? `${provider.company.legalName}, son adresse, son SIREN et son numéro de TVA intracommunautaire` : 'votre nom, votre adresse et votre SIREN'}`,
    client.company
      ? `L'acheteur : ${client.company.legalName}, son adresse${client.company.siren ? `, son SIREN ${client.company.siren} (mention obligatoire de la réforme de la facturation électronique)` : ''}${client.company.vatNumber ? ` et son numéro de TVA ${client.company.vatNumber}` : ''}`
      : `L'acheteur : ${client.name} (particulier), et son adresse`,
    'La nature de l\'opération : prestation de services',
    `La désignation : ${project.title} — ${milestone.title}`,
    `Le montant hors taxes, le taux et le montant de la TVA, et le total TTC, qui doit être exactement ${total} (le montant de la demande de paiement)`,
    "Sans TVA facturée (franchise en base) : la mention « TVA non applicable, art. 293 B du CGI »",
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

/** The draft as a Factur-X document the provider may complete: marked as a draft, VAT at the rate the provider confirms. */
export function invoiceDraftDocument(project: ProjectRow, milestone: { id: string; title: string }, amount: number, platform: SellerIdentity, vatRatePpm: number): InvoiceDocument {
  const { provider, client } = project;
  const liable = provider.company?.vatNumber !== undefined;
  const vat = liable ? splitVat(amount, { kind: 'french_vat', ratePpm: vatRatePpm }) : splitVat(amount, { kind: 'outside_eu' });
  const seller = buyerParty(provider.name, provider.email, provider.company);
  return {
    typeCode: '380',
    title: 'Facture (brouillon)',
    number: 'BROUILLON',
    issueDate: new Date().toISOString(),
    currency: project.currency,
    seller: { ...seller, address: seller.address ?? { line: 'Adresse à compléter', postcode: '00000', city: 'À compléter', country: 'FR' } },
    buyer: buyerParty(client.name, client.email, client.company),
    lines: [{ id: '1', description: `${project.title} — ${milestone.title}`, netAmount: vat.net }],
    vat: liable
      ? { category: 'S', ratePercent: vatRatePpm / 10_000 }
      : { category: 'E', ratePercent: 0, exemptionReason: 'TVA non applicable, art. 293 B du CGI', exemptionCode: 'VATEX-FR-FRANCHISE' },
    totals: { net: vat.net, vat: vat.vat, gross: amount, paid: amount },
    notes: [
      'Brouillon établi par la plateforme : numéro, dates et mentions à compléter par le prestataire, qui émet la facture.',
      'Nature de l\'opération : prestation de services.',
      `Facture acquittée : payée par séquestre via ${platform.legalName}.`,
    ],
    draft: true,
  };
}
