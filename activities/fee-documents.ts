import { ApplicationFailure } from '@temporalio/activity';
import { creditFee, escrowFeeNotDocumented, issueFeeInvoice, type IssuedFeeInvoice } from '../db/fee-invoices';
import type { Db } from '../db/pool';
import { findMilestone, partyContact } from '../db/projects';
import { describeFee, type FeeKind } from '../domain/fees';
import type { Posting } from '../domain/ledger';
import type { Party, PartyInfo } from '../domain/parties';
import { splitVat, vatTreatment } from '../domain/vat';
import type { InvoicingSettings } from '../lib/invoicing';
import type { FeeInvoiceRequest } from '../workflows/activities/contract';

export interface FeeDocumentDeps {
  db: Db;
  invoicing: InvoicingSettings;
}

/** How each fee was paid, as its document says: every fee invoice is settled when it is issued. */
export const SETTLEMENTS = {
  escrow_fee: 'Facture acquittée : payée avec le dépôt en séquestre',
  commission: 'Facture acquittée : déduite du versement au prestataire',
  credit: 'Avoir remboursé au client sur son moyen de paiement',
  chargeback: 'Avoir : le paiement des frais a été repris par la banque du client (rétrofacturation)',
  givenBack: 'Avoir : le prestataire a rendu au client une part du paiement libéré ; la commission sur cette part est annulée',
} as const;

const CREDIT_DESCRIPTIONS: Record<FeeKind, string> = {
  escrow_fee: 'Remboursement des frais de séquestre (risque zéro)',
  commission: 'Annulation de la commission de mise en relation',
};

async function buyer(db: Db, projectId: string, party: Party, id?: string): Promise<PartyInfo> {
  const contact = await partyContact(db, projectId, party);
  // not a passing fault: a retry would read the same rows
  if (!contact || (id !== undefined && contact.id !== id)) {
    throw ApplicationFailure.nonRetryable(`project ${projectId} has no ${party} ${id ?? ''}`.trimEnd(), 'UnknownParty');
  }
  return contact;
}

/** One fee invoiced: VAT inside the amount charged, by the buyer's situation as the project states it now. */
async function invoice(
  { db, invoicing }: FeeDocumentDeps,
  f: { key: string; kind: FeeKind; basis: 'paid' | 'earned'; projectId: string; milestoneId: string; party: Party; partyId?: string; amount: number; base: number; currency: string },
): Promise<IssuedFeeInvoice> {
  const recipient = await buyer(db, f.projectId, f.party, f.partyId);
  const treatment = vatTreatment(recipient.company, invoicing.vatRatePpm);
  return issueFeeInvoice(db, {
    key: f.key, kind: f.kind, basis: f.basis, projectId: f.projectId, milestoneId: f.milestoneId, party: f.party, recipient,
    baseAmount: f.base, currency: f.currency, description: describeFee(f.kind), vat: splitVat(f.amount, treatment),
    treatment: treatment.kind, seller: invoicing.seller, settlement: SETTLEMENTS[f.kind],
  });
}

/**
 * The documents a ledger movement calls for, issued after it is posted (both idempotent by key, so a retry completes
 * what a crash interrupted): the escrow fee is invoiced when the client pays it, with the deposit (VAT on services is
 * due on payment); a refund that gives part of it back is credited. The commission is invoiced at release
 * (issueFeeInvoice, which the milestone workflow calls), when it is deducted from the payout.
 */
export async function issueFeeDocumentsFor(deps: FeeDocumentDeps, posting: Posting): Promise<void> {
  const { movement: m, idempotencyKey: key, projectId, milestoneId, currency } = posting;
  if (m.type === 'deposit' && m.toFee > 0) {
    const milestone = await findMilestone(deps.db, milestoneId);
    await invoice(deps, { key: `${key}:escrow_fee`, kind: 'escrow_fee', basis: 'paid', projectId, milestoneId, party: 'client', amount: m.toFee, base: milestone?.amount ?? m.toEscrow, currency });
  }
  // a refund gives part of the fee back; so does a chargeback lost while the fee was still held (the client's bank took
  // it back with the escrow: the milestone is no longer funded, and a new deposit invoices its own fee)
  if (m.type === 'released_refund' && m.commission > 0) {
    await creditFee(deps.db, {
      key: `${key}:commission_credit`, kind: 'commission', milestoneId, amount: m.commission, description: CREDIT_DESCRIPTIONS.commission,
      seller: deps.invoicing.seller, settlement: SETTLEMENTS.givenBack,
    });
  }
  if ((m.type === 'refund' || m.type === 'chargeback_lost' || m.type === 'released_refund') && m.escrowFee > 0) {
    await creditFee(deps.db, {
      key: `${key}:escrow_fee_credit`, kind: 'escrow_fee', milestoneId, amount: m.escrowFee, description: CREDIT_DESCRIPTIONS.escrow_fee,
      seller: deps.invoicing.seller, settlement: m.type === 'chargeback_lost' ? SETTLEMENTS.chargeback : SETTLEMENTS.credit,
    });
  }
}

export function feeDocumentActivities(deps: FeeDocumentDeps) {
  return {
    /**
     * A fee earned at release. The escrow fee is invoiced for the part of it no document covers yet (db/fee-invoices.ts,
     * escrowFeeNotDocumented): none when the deposits invoiced it, which is undefined here; the workflow asks either
     * way, as runs have since before fees were invoiced when paid.
     */
    async issueFeeInvoice(f: FeeInvoiceRequest): Promise<IssuedFeeInvoice | undefined> {
      let amount = f.amount;
      if (f.kind === 'escrow_fee') {
        // its own document left out of the count: a retry computes the same amount and gets the document issued first
        amount = Math.min(f.amount, await escrowFeeNotDocumented(deps.db, f.milestoneId, f.key));
        if (amount === 0) return undefined;
      }
      return invoice(deps, {
        key: f.key, kind: f.kind, basis: f.kind === 'commission' ? 'paid' : 'earned', projectId: f.projectId, milestoneId: f.milestoneId,
        party: f.party, partyId: f.recipient.id, amount, base: f.base, currency: f.currency,
      });
    },
  };
}
