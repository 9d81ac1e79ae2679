import { formatAmount } from '../domain/money';
import type { FeeInvoiceRow } from '../db/fee-invoices';
import { escapeHtml } from '../lib/text';


/** The platform's invoice for one fee, as a self-contained HTML document (printable to PDF by any browser). */
export function feeInvoiceHtml(f: FeeInvoiceRow): string {
  const issued = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(new Date(f.issuedAt));
  const rate = f.baseAmount > 0 ? ((f.amount / f.baseAmount) * 100).toFixed(2).replace('.', ',') : '0';
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Facture ${escapeHtml(f.number)}</title>
<style>body{font-family:sans-serif;max-width:42rem;margin:2rem auto}table{width:100%;border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.4rem;text-align:left}td.n{text-align:right}</style></head>
<body>
<h1>Facture n° ${escapeHtml(f.number)}</h1>
<p>Date : ${escapeHtml(issued)}</p>
<p>Émise par : la plateforme, au titre de ses services.</p>
<p>Destinataire : ${escapeHtml(f.recipientName)} (${escapeHtml(f.recipientEmail)}), ${f.party === 'client' ? 'client' : 'prestataire'}</p>
<p>Projet : ${escapeHtml(f.projectTitle)} — échéance « ${escapeHtml(f.milestoneTitle)} »</p>
<table><thead><tr><th>Désignation</th><th>Base</th><th>Taux</th><th>Montant</th></tr></thead>
<tbody><tr><td>${escapeHtml(f.description)}</td><td class="n">${escapeHtml(formatAmount(f.baseAmount, f.currency))}</td><td class="n">${rate} %</td><td class="n">${escapeHtml(formatAmount(f.amount, f.currency))}</td></tr></tbody>
<tfoot><tr><th colspan="3">Total</th><th class="n">${escapeHtml(formatAmount(f.amount, f.currency))}</th></tr></tfoot></table>
</body></html>`;
}
