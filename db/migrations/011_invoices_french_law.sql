-- Invoices French law accepts (issue 16): the parties' companies, VAT inside the fees, credit notes, the seller and
-- buyer as they were when a document was issued (a document is never edited; a credit note corrects an invoice).
ALTER TABLE projects ADD COLUMN client_company jsonb, ADD COLUMN provider_company jsonb;

ALTER TABLE fee_invoices
  ADD COLUMN document text NOT NULL DEFAULT 'invoice' CHECK (document IN ('invoice', 'credit_note')),
  -- when the fee was invoiced: 'paid' (with the deposit, VAT being due on payment) or 'earned' (at release: invoices
  -- issued before this migration, and the escrow fee of a milestone funded before it)
  ADD COLUMN basis text NOT NULL DEFAULT 'earned' CHECK (basis IN ('paid', 'earned')),
  ADD COLUMN net_amount bigint,
  ADD COLUMN vat_amount bigint,
  ADD COLUMN vat_rate_ppm int,
  ADD COLUMN vat_treatment text CHECK (vat_treatment IN ('french_vat', 'reverse_charge', 'outside_eu')),
  ADD COLUMN seller jsonb,
  ADD COLUMN buyer_company jsonb,
  ADD COLUMN settlement text,
  ADD COLUMN credited_invoice_id text REFERENCES fee_invoices (id);

-- Invoices issued before: their buyers carried no company, so French VAT at 20 % was inside (net rounded half up).
UPDATE fee_invoices SET net_amount = round(amount * 1000000.0 / 1200000), vat_amount = amount - round(amount * 1000000.0 / 1200000),
  vat_rate_ppm = 200000, vat_treatment = 'french_vat', settlement = 'paid';
ALTER TABLE fee_invoices ALTER COLUMN net_amount SET NOT NULL, ALTER COLUMN vat_amount SET NOT NULL,
  ALTER COLUMN vat_rate_ppm SET NOT NULL, ALTER COLUMN vat_treatment SET NOT NULL, ALTER COLUMN settlement SET NOT NULL,
  ADD CONSTRAINT fee_invoices_vat_adds_up CHECK (net_amount + vat_amount = amount),
  ADD CONSTRAINT fee_invoices_credit_refers CHECK ((document = 'credit_note') = (credited_invoice_id IS NOT NULL));
CREATE INDEX fee_invoices_milestone_idx ON fee_invoices (milestone_id, kind);

-- A provider's invoice as uploaded: a Factur-X/ZUGFeRD PDF (its XML read and checked against the payment request)
-- or a plain PDF, accepted as before.
ALTER TABLE invoices ADD COLUMN format text NOT NULL DEFAULT 'pdf' CHECK (format IN ('facturx', 'pdf'));
