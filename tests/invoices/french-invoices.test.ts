/**
 * Invoices French law accepts, through the API: fee invoices with VAT inside the fees (French VAT, reverse charge,
 * outside the EU) issued when each fee is paid, credit notes when one is given back, every document as Factur-X
 * checked by Python's factur-x (XML against the CII XSD) and veraPDF (PDF/A-3B); provider invoices read by machine.
 */
import type request from 'supertest';
import { checkLedger } from '../../db/ledger-check';
import { facturxPdf } from '../../lib/facturx/pdf';
import { readCiiInvoice } from '../../lib/facturx/read';
import type { InvoiceDocument } from '../../lib/facturx/model';
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { checkEn16931Rules, checkFacturx, checkPdfAMany } from '../helpers/facturx-validators';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { eventually } from '../helpers/temporal';
import { objectStreamBomb } from '../helpers/hostile-pdfs';

let sys: ApiSystem;
beforeAll(async () => {
  sys = await startApiSystem({ PAYOUT_DELAY: '0s' });
});
afterEach(async () => {
  expect(await checkLedger(sys.db)).toEqual([]);
});
afterAll(() => sys?.close());

const FR_PROVIDER = {
  ...PROVIDER,
  company: { legalName: 'Studio Pixel SARL', siren: '552100554', vatNumber: 'FR96552100554', address: { line: '3 rue des Artisans', postcode: '33000', city: 'Bordeaux' }, country: 'FR' },
};
const DE_CLIENT = {
  ...CLIENT,
  company: { legalName: 'Beispiel GmbH', vatNumber: 'DE123456789', address: { line: 'Hauptstraße 1', postcode: '10115', city: 'Berlin' }, country: 'DE' },
};
const US_PROVIDER = {
  ...PROVIDER,
  company: { legalName: 'Acme Design LLC', address: { line: '1 Market Street', postcode: '94105', city: 'San Francisco' }, country: 'US' },
};

interface FeeItem {
  id: string;
  number: string;
  kind: 'invoice' | 'credit_note';
  fee: 'commission' | 'escrow_fee';
  milestoneId: string;
  amount: number;
  netAmount: number;
  vatAmount: number;
  vatRate: number;
  documentUrl: string;
  creditedInvoice?: { id: string; number: string };
}

/** Every Factur-X document the tests fetched, validated once more by veraPDF at the end (one JVM per file). */
const fetched: { name: string; pdf: Buffer; xml: string }[] = [];

const asClient = () => sys.as(CLIENT.id, 'client');
const asProvider = () => sys.as(PROVIDER.id, 'provider');
const ms = (projectId: string, milestoneId: string) => `/v1/projects/${projectId}/milestones/${milestoneId}`;

async function project(overrides: Record<string, unknown>, milestones = [{ title: 'Maquettes', amount: 120000 }]) {
  const created = await (await sys.as('platform-1', 'platform')).post('/v1/projects').send(projectBody({ commissionRate: 0.1, escrowFeeRate: 0.03, milestones, ...overrides }));
  expect(created.status).toBe(201);
  return created.body as { id: string; milestones: { id: string }[] };
}

async function feeDocuments(who: 'client' | 'provider', milestoneId: string, count: number): Promise<FeeItem[]> {
  return eventually(async () => {
    const items = ((await (who === 'client' ? asClient() : asProvider())).get('/v1/me/fee-invoices'));
    const mine = (await items).body.items.filter((f: FeeItem) => f.milestoneId === milestoneId) as FeeItem[];
    return mine.length === count ? mine : undefined;
  }, 15000, `${count} fee documents of ${milestoneId} for the ${who}`);
}

/** The request sent with `Accept: application/pdf`, its answer's body read as bytes. */
const asPdf = (req: request.Test) =>
  req.set('accept', 'application/pdf').buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });

/** The document as Factur-X: a PDF whose embedded XML Python's factur-x finds valid against the CII XSD. */
async function facturxOf(who: 'client' | 'provider', f: FeeItem) {
  const res = await asPdf((await (who === 'client' ? asClient() : asProvider())).get(f.documentUrl));
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  const pdf = res.body as Buffer;
  const check = await checkFacturx(pdf);
  expect(check.errors).toEqual([]);
  expect(check.xmlValid).toBe(true);
  fetched.push({ name: f.number, pdf, xml: check.xml });
  return readCiiInvoice(check.xml);
}

async function html(who: 'client' | 'provider', f: FeeItem): Promise<string> {
  const res = await (await (who === 'client' ? asClient() : asProvider())).get(f.documentUrl);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  return res.text;
}

test('a consumer and a French business: the escrow fee invoiced with the deposit, the commission at release, 20 % VAT inside each', async () => {
  const p = await project({ provider: FR_PROVIDER });
  const id = p.milestones[0].id;
  await sys.fund(p.id, id);
  // before any release: the escrow fee was paid, so it is invoiced
  const [escrowFee] = await feeDocuments('client', id, 1);
  expect(escrowFee).toMatchObject({ kind: 'invoice', fee: 'escrow_fee', amount: 3600, netAmount: 3000, vatAmount: 600, vatRate: 0.2, number: expect.stringMatching(/^PF-\d{4}-\d{6}$/) });
  const page = await html('client', escrowFee);
  for (const mention of ['Plateforme Démo SAS (fictive)', 'SIREN 123 456 782', 'FR11123456782', 'TVA 20 %', 'Total TTC', 'Facture acquittée', 'prestation de services', CLIENT.name]) {
    expect(page).toContain(mention);
  }
  const xml = await facturxOf('client', escrowFee);
  expect(xml).toMatchObject({ number: escrowFee.number, typeCode: '380', currency: 'EUR', grandTotal: 3600, sellerSiren: '123456782', buyerName: CLIENT.name });

  expect((await (await asClient()).post(`${ms(p.id, id)}/release`)).status).toBe(200);
  const [commission] = await feeDocuments('provider', id, 1);
  expect(commission).toMatchObject({ kind: 'invoice', fee: 'commission', amount: 12000, netAmount: 10000, vatAmount: 2000, vatRate: 0.2 });
  const provided = await facturxOf('provider', commission);
  // the buyer is a business: its SIREN, the reform's new mandatory mention, is on the invoice
  expect(provided).toMatchObject({ grandTotal: 12000, buyerName: 'Studio Pixel SARL', buyerSiren: '552100554', buyerVatNumber: 'FR96552100554' });
  expect(await html('provider', commission)).toContain('SIREN 552 100 554');
  // released: the escrow fee was not invoiced a second time
  expect(await feeDocuments('client', id, 1)).toEqual([escrowFee]);
});

test('an EU business pays no French VAT (reverse charge); a business outside the EU neither (art. 259-1 CGI)', async () => {
  const p = await project({ client: DE_CLIENT, provider: US_PROVIDER });
  const id = p.milestones[0].id;
  await sys.fund(p.id, id);
  const [escrowFee] = await feeDocuments('client', id, 1);
  expect(escrowFee).toMatchObject({ amount: 3600, netAmount: 3600, vatAmount: 0, vatRate: 0 });
  expect(await html('client', escrowFee)).toContain('Autoliquidation');
  expect(await facturxOf('client', escrowFee)).toMatchObject({ grandTotal: 3600, buyerName: 'Beispiel GmbH', buyerVatNumber: 'DE123456789' });
  await (await asClient()).post(`${ms(p.id, id)}/release`);
  const [commission] = await feeDocuments('provider', id, 1);
  expect(commission).toMatchObject({ amount: 12000, netAmount: 12000, vatAmount: 0 });
  expect(await html('provider', commission)).toContain('TVA non applicable, art. 259-1 du CGI');
  expect(await facturxOf('provider', commission)).toMatchObject({ grandTotal: 12000, buyerName: 'Acme Design LLC' });
});

test('an escrow fee given back with a refund is corrected by a credit note of its own series, referencing the invoice', async () => {
  const p = await project({}, [{ title: 'Refonte', amount: 100000 }]);
  const id = p.milestones[0].id;
  await sys.fund(p.id, id);
  const [invoice] = await feeDocuments('client', id, 1);
  expect(invoice).toMatchObject({ amount: 3000 });
  const path = `/v1/projects/${p.id}/amendments`;
  const proposed = await (await asClient()).post(path).send({ changes: [{ milestoneId: id, amount: 60000 }] });
  expect(proposed.status).toBe(201);
  expect((await (await asProvider()).post(`${path}/${proposed.body.id}/accept`)).status).toBe(200);
  const documents = await feeDocuments('client', id, 2);
  const credit = documents.find((d) => d.kind === 'credit_note')!;
  expect(credit).toMatchObject({ fee: 'escrow_fee', amount: 1200, netAmount: 1000, vatAmount: 200, number: expect.stringMatching(/^AV-\d{4}-\d{6}$/), creditedInvoice: { id: invoice.id, number: invoice.number } });
  expect(await html('client', credit)).toContain(`Se rapporte à la facture n° ${invoice.number}`);
  expect(await facturxOf('client', credit)).toMatchObject({ typeCode: '381', number: credit.number, grandTotal: 1200 });
  const summary = (await (await asClient()).get(`/v1/projects/${p.id}/payments`)).body.milestones[0];
  // fees charged = invoices − credit notes: 3 000 − 1 200 = what the client paid and was not refunded
  expect(summary.escrowFee).toBe(invoice.amount - credit.amount);
});

/** A Factur-X invoice of the provider's for a payment request, built as a provider's software would. */
function providerInvoice(number: string, total: number, sellerSiren = FR_PROVIDER.company.siren): Promise<Uint8Array> {
  const net = Math.round(total / 1.2);
  const document: InvoiceDocument = {
    typeCode: '380', number, issueDate: new Date().toISOString(), currency: 'EUR',
    seller: { name: FR_PROVIDER.company.legalName, address: { ...FR_PROVIDER.company.address, country: 'FR' }, siren: sellerSiren, vatNumber: FR_PROVIDER.company.vatNumber },
    buyer: { name: CLIENT.name, country: 'FR' },
    lines: [{ id: '1', description: 'Maquettes', netAmount: net }],
    vat: { category: 'S', ratePercent: 20 },
    totals: { net, vat: total - net, gross: total, paid: total },
    notes: ['Facture acquittée : payée par séquestre'],
  };
  return facturxPdf(document);
}

test('a Factur-X provider invoice is checked against the payment request; a plain PDF is still accepted', async () => {
  const p = await project({ provider: FR_PROVIDER, commissionRate: 0, escrowFeeRate: 0 }, [{ title: 'Maquettes', amount: 120000 }, { title: 'Intégration', amount: 80000 }]);
  const [a, b] = p.milestones.map((m) => m.id);
  for (const id of [a, b]) {
    await sys.fund(p.id, id);
    await (await asClient()).post(`${ms(p.id, id)}/release`);
  }
  const upload = async (milestoneId: string, file: Uint8Array, invoiceNumber: string, amount: number) =>
    (await asProvider()).post(`${ms(p.id, milestoneId)}/payment-requests`).attach('invoice', Buffer.from(file), 'facture.pdf').field('invoiceNumber', invoiceNumber).field('amount', String(amount));
  const number = uniq('F');
  const mismatch = async (file: Uint8Array, invoiceNumber: string) => expectProblem(await upload(a, file, invoiceNumber, 120000), 422);

  const wrongTotal = await mismatch(await providerInvoice(number, 119000), number);
  expect(wrongTotal.type).toMatch(/invoice-mismatch$/);
  expect(wrongTotal.errors).toEqual([{ path: 'amount', message: "the invoice's total (BT-112) is 119000, the request asks 120000" }]);
  const wrongNumber = await mismatch(await providerInvoice('AUTRE-1', 120000), number);
  expect(wrongNumber.errors).toEqual([{ path: 'invoiceNumber', message: `the invoice's number (BT-1) is AUTRE-1, not ${number}` }]);
  const wrongSeller = await mismatch(await providerInvoice(number, 120000, '987654324'), number);
  expect(wrongSeller.errors).toEqual([{ path: 'invoice.seller', message: "the seller's SIREN is 987654324, not 552100554" }]);

  const bomb = expectProblem(await upload(a, await objectStreamBomb(1024), number, 120000), 422);
  expect(bomb.type).toMatch(/unreadable-invoice$/);
  expect(bomb.errors).toEqual([{ path: 'invoice', message: 'reading it needs more than 512 MB' }]);

  expect((await upload(a, await providerInvoice(number, 120000), number, 120000)).status).toBe(201);
  const plain = uniq('F');
  // a number already used is refused before the file is read
  expect(expectProblem(await upload(b, await objectStreamBomb(1024), number, 80000), 422).type).toMatch(/duplicate-invoice-number$/);
  expect((await upload(b, PDF, plain, 80000)).status).toBe(201);
  const dashboard = (await (await asProvider()).get('/v1/me/payment-requests')).body.items;
  expect(dashboard.find((r: { invoiceNumber: string }) => r.invoiceNumber === number)).toMatchObject({ invoiceFormat: 'facturx', amount: 120000 });
  expect(dashboard.find((r: { invoiceNumber: string }) => r.invoiceNumber === plain)).toMatchObject({ invoiceFormat: 'pdf', amount: 80000 });
});

test('"Comment faire ma facture ?": the invoice-draft says what the invoice must contain, and gives a Factur-X draft', async () => {
  const p = await project({ client: DE_CLIENT, provider: FR_PROVIDER });
  const id = p.milestones[0].id;
  const path = `${ms(p.id, id)}/invoice-draft`;
  const draft = await (await asProvider()).get(path);
  expect(draft.status).toBe(200);
  expect(draft.body).toMatchObject({
    seller: { name: 'Studio Pixel SARL', siren: '552100554', vatNumber: 'FR96552100554', business: true },
    buyer: { name: 'Beispiel GmbH', vatNumber: 'DE123456789', country: 'DE', business: true },
    amount: 120000, currency: 'EUR', description: 'Site vitrine — Maquettes',
  });
  expect(draft.body.mentions).toEqual(expect.arrayContaining([expect.stringContaining('prestation de services'), expect.stringContaining('1 200,00 €')]));
  expectProblem(await (await asClient()).get(path), 403);
  const pdf = await asPdf((await asProvider()).get(path));
  expect(pdf.headers['content-type']).toBe('application/pdf');
  const check = await checkFacturx(pdf.body as Buffer);
  expect(check.errors).toEqual([]);
  expect(readCiiInvoice(check.xml)).toMatchObject({ grandTotal: 120000, sellerSiren: '552100554', buyerName: 'Beispiel GmbH' });
  fetched.push({ name: 'draft', pdf: pdf.body as Buffer, xml: check.xml });
});

test('the Factur-X draft follows who sells to whom: French VAT, reverse charge, outside the EU, franchise en base; none without a French business', async () => {
  const FRANCHISE_PROVIDER = { ...PROVIDER, company: { ...FR_PROVIDER.company, vatNumber: undefined } };
  const US_CLIENT = { ...CLIENT, company: { ...US_PROVIDER.company, legalName: 'Acme Corp' } };
  const cases = [
    { name: 'draft-french-vat', provider: FR_PROVIDER, client: CLIENT, category: 'S', vat: 20000, mention: 'la TVA à 20 %' },
    { name: 'draft-reverse-charge', provider: FR_PROVIDER, client: DE_CLIENT, category: 'AE', vat: 0, mention: '« Autoliquidation »' },
    { name: 'draft-outside-eu', provider: FR_PROVIDER, client: US_CLIENT, category: 'G', vat: 0, mention: 'art. 259-1 du CGI' },
    { name: 'draft-franchise', provider: FRANCHISE_PROVIDER, client: CLIENT, category: 'E', vat: 0, mention: 'art. 293 B du CGI' },
  ];
  for (const c of cases) {
    const p = await project({ client: c.client, provider: c.provider });
    const path = `${ms(p.id, p.milestones[0].id)}/invoice-draft`;
    const json = await (await asProvider()).get(path);
    expect(json.status).toBe(200);
    expect(json.body.mentions.filter((m: string) => m.includes(c.mention))).toHaveLength(1);
    const pdf = await asPdf((await asProvider()).get(path));
    expect(pdf.status).toBe(200);
    const check = await checkFacturx(pdf.body as Buffer);
    expect(check.errors).toEqual([]);
    expect(check.xml).toContain(`<ram:CategoryCode>${c.category}</ram:CategoryCode>`);
    expect(check.xml).toContain(`<ram:TaxTotalAmount currencyID="EUR">${(c.vat / 100).toFixed(2)}</ram:TaxTotalAmount>`);
    expect(readCiiInvoice(check.xml)).toMatchObject({ grandTotal: 120000, sellerSiren: '552100554' });
    if (c.category === 'E') expect(check.xml).toContain('<ram:ID schemeID="FC">552100554</ram:ID>');
    fetched.push({ name: c.name, pdf: pdf.body as Buffer, xml: check.xml });
  }
  for (const provider of [PROVIDER, US_PROVIDER]) {
    const p = await project({ provider });
    const path = `${ms(p.id, p.milestones[0].id)}/invoice-draft`;
    expect((await (await asProvider()).get(path)).status).toBe(200);
    expect(expectProblem(await (await asProvider()).get(path).set('accept', 'application/pdf'), 409).type).toMatch(/invoice-draft-unavailable$/);
  }
});

test("a party's company is checked where a schema cannot: the SIREN's key, a French business's SIREN, a VAT number of its country and SIREN, an ISO country", async () => {
  const platform = await sys.as('platform-1', 'platform');
  const company = (c: Record<string, unknown>) => projectBody({ client: { ...CLIENT, company: { ...FR_PROVIDER.company, ...c } } });
  expect(expectProblem(await platform.post('/v1/projects').send(company({ siren: '552100555' })), 422).errors).toEqual([
    { path: 'client.company.siren', message: '552100555 fails the SIREN check key' },
  ]);
  expect(expectProblem(await platform.post('/v1/projects').send(company({ siren: undefined })), 422).errors).toEqual([{ path: 'client.company.siren', message: 'a French business is identified by its SIREN' }]);
  expect(expectProblem(await platform.post('/v1/projects').send(company({ vatNumber: 'FR00552100554' })), 422).errors).toEqual([{ path: 'client.company.vatNumber', message: "FR00552100554 does not match its SIREN's key" }]);
  expectProblem(await platform.post('/v1/projects').send(company({ country: 'France' })), 400);
  const errorsOf = async (body: object) => expectProblem(await platform.post('/v1/projects').send(body), 422).errors;
  expect(await errorsOf(company({ country: 'UK', siren: undefined, vatNumber: 'GB123456789' }))).toEqual([{ path: 'client.company.country', message: 'UK is not an ISO 3166-1 country code' }]);
  expect(await errorsOf(company({ country: 'DE', siren: undefined, vatNumber: 'FR96552100554' }))).toEqual([{ path: 'client.company.vatNumber', message: 'a business in DE has a VAT number starting with DE' }]);
  expect(await errorsOf(company({ country: 'GR', siren: undefined, vatNumber: 'GR123456789' }))).toEqual([{ path: 'client.company.vatNumber', message: 'a business in GR has a VAT number starting with EL' }]);
  expect(await errorsOf(company({ vatNumber: 'FR11123456782' }))).toEqual([{ path: 'client.company.vatNumber', message: 'FR11123456782 is not the VAT number of SIREN 552100554' }]);
  expect((await platform.post('/v1/projects').send(company({ country: 'GR', siren: undefined, vatNumber: 'EL123456789' }))).status).toBe(201);
  expect((await platform.post('/v1/projects').send(company({ country: 'GB', siren: undefined, vatNumber: 'GB123456789' }))).status).toBe(201);
  // a client speaks for itself, not for the provider's business
  const byClient = projectBody({ client: CLIENT, provider: FR_PROVIDER });
  expect(expectProblem(await (await asClient()).post('/v1/projects').send(byClient), 422).errors).toEqual([
    { path: 'provider.company', message: "the provider's business details are given by the platform, not by the client" },
  ]);
  // the same externalId with other business details is another project
  const first = projectBody({ provider: FR_PROVIDER });
  expect((await platform.post('/v1/projects').send(first)).status).toBe(201);
  const renamed = { ...first, provider: { ...FR_PROVIDER, company: { ...FR_PROVIDER.company, legalName: 'Autre SARL' } } };
  expectProblem(await platform.post('/v1/projects').send(renamed), 409);
  expect((await platform.post('/v1/projects').send(first)).status).toBe(200);
});

test('every Factur-X document fetched above is PDF/A-3B for veraPDF and passes the EN 16931 rules (Schematron)', async () => {
  expect(fetched.length).toBe(10);
  const pdfA = await checkPdfAMany(fetched.map((f) => f.pdf));
  expect(fetched.map((f, i) => ({ name: f.name, ...pdfA[i] }))).toEqual(fetched.map((f) => ({ name: f.name, compliant: true, failures: [] })));
  const rules = await checkEn16931Rules(fetched.map((f) => f.xml));
  expect(fetched.map((f, i) => ({ name: f.name, ...rules[i] }))).toEqual(fetched.map((f) => ({ name: f.name, valid: true, failures: [] })));
}, 300_000);
