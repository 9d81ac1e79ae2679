import type { FeeInvoiceRow } from '../../db/fee-invoices';
import { formatSiren, type SellerIdentity } from '../../domain/legal-identity';
import { formatAmount } from '../../domain/money';
import type { InvoiceDocument, InvoiceParty } from '../../lib/facturx/model';
import { escapeHtml } from '../../lib/text';
import { feeInvoiceDocument } from './fee-invoice-model';

const day = (iso: string) => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(new Date(iso));

function partyBlock(heading: string, p: InvoiceParty & { legalInfo?: string }): string {
  const lines = [
    `<strong>${escapeHtml(p.name)}</strong>`,
    ...(p.address ? [escapeHtml(p.address.line), escapeHtml(`${p.address.postcode} ${p.address.city}, ${p.address.country}`)] : []),
    ...(p.siren ? [`SIREN ${escapeHtml(formatSiren(p.siren))}`] : []),
    ...(p.vatNumber ? [`N° TVA intracommunautaire ${escapeHtml(p.vatNumber)}`] : []),
    ...(p.legalInfo ? [escapeHtml(p.legalInfo)] : []),
    ...(p.email ? [escapeHtml(p.email)] : []),
  ];
  return `<section><h2>${heading}</h2><p>${lines.join('<br>')}</p></section>`;
}

/** A document of the model as a self-contained HTML page (the same mentions as its Factur-X PDF). */
export function invoiceHtml(d: InvoiceDocument): string {
  const money = (minor: number) => escapeHtml(formatAmount(minor, d.currency));
  const rate = `${String(d.vat.ratePercent).replace('.', ',')} %`;
  const heading = `${d.title ?? (d.typeCode === '381' ? 'Avoir' : 'Facture')} n° ${escapeHtml(d.number)}`;
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${heading}</title>
<style>body{font-family:sans-serif;max-width:46rem;margin:2rem auto;color:#111}table{width:100%;border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.4rem;text-align:left}td.n,th.n{text-align:right}.parties{display:flex;gap:2rem}.parties section{flex:1}</style></head>
<body>
${d.draft ? '<p><strong>BROUILLON — projet de facture, à compléter par le prestataire</strong></p>' : ''}
<h1>${heading}</h1>
<p>Date d'émission : ${escapeHtml(day(d.issueDate))}</p>
${d.precedingInvoice ? `<p>Se rapporte à la facture n° ${escapeHtml(d.precedingInvoice.number)} du ${escapeHtml(day(d.precedingInvoice.issueDate))}</p>` : ''}
<div class="parties">${partyBlock('Vendeur', d.seller)}${partyBlock('Acheteur', d.buyer)}</div>
<table><thead><tr><th>Désignation</th><th class="n">Montant HT</th></tr></thead>
<tbody>${d.lines.map((l) => `<tr><td>${escapeHtml(l.description)}</td><td class="n">${money(l.netAmount)}</td></tr>`).join('')}</tbody>
<tfoot>
<tr><th>Total HT</th><th class="n">${money(d.totals.net)}</th></tr>
<tr><th>TVA ${rate}</th><th class="n">${money(d.totals.vat)}</th></tr>
<tr><th>Total TTC</th><th class="n">${money(d.totals.gross)}</th></tr>
${d.totals.paid > 0 ? `<tr><th>Déjà payé</th><th class="n">${money(d.totals.paid)}</th></tr><tr><th>Reste à payer</th><th class="n">${money(d.totals.gross - d.totals.paid)}</th></tr>` : ''}
</tfoot></table>
${d.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('\n')}
${d.paymentTerms ? `<p>${escapeHtml(d.paymentTerms)}</p>` : ''}
</body></html>`;
}

export const feeInvoiceHtml = (f: FeeInvoiceRow, currentSeller: SellerIdentity): string => invoiceHtml(feeInvoiceDocument(f, currentSeller));
