import { renderMail, renderStaffMail } from '../../activities/mail/templates';
import { feeInvoiceHtml } from '../../api/invoices/fee-invoice-html';
import { inboxPage } from '../../dev/mail-catcher';
import { NOTIFICATION_KINDS } from '../../domain/notifications';
import { DEV_INVOICING } from '../helpers/workflow-env';

// Every value a user, a payment provider or staff can write reaches some HTML page or mail: none may become markup.
const HOSTILE = `<img src=x onerror="alert('x')">&`;
const ESCAPED = '&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;';

function expectInert(html: string) {
  expect(html).not.toMatch(/<img|<script|onerror="/);
  expect(html).toContain(ESCAPED);
}

test.each(NOTIFICATION_KINDS)('the %s mail escapes every value it shows', (kind) => {
  const { html, text } = renderMail(kind, {
    recipientName: HOSTILE, projectTitle: HOSTILE, milestoneTitle: HOSTILE, reason: HOSTILE, message: HOSTILE, question: HOSTILE, rationale: HOSTILE,
    amount: 120000, currency: 'EUR', deadline: '2026-12-01T10:00:00Z', n: 1, providerAmount: 1, clientAmount: 2, policy: 'notify_provider',
  });
  expectInert(html);
  expect(text).toContain(HOSTILE);
});

test("the finance staff's mail escapes a failed refund's reason from the payment provider", () => {
  const { html, subject } = renderStaffMail('Remboursement en échec', `Remboursement r-1\nMotif : ${HOSTILE}`);
  expect(subject).toBe('[finance] Remboursement en échec');
  expectInert(html);
});

test('the fee invoice escapes the titles, names and e-mail it shows', () => {
  const html = feeInvoiceHtml({
    id: 'fi_1', number: HOSTILE, kind: 'commission', projectId: 'p', projectTitle: HOSTILE, milestoneId: 'm', milestoneTitle: HOSTILE,
    party: 'provider', userId: 'u', recipientName: HOSTILE, recipientEmail: HOSTILE, baseAmount: 1000, amount: 100, currency: 'EUR',
    description: HOSTILE, issuedAt: '2026-11-28T10:00:00Z', document: 'credit_note', basis: 'paid', netAmount: 83, vatAmount: 17,
    vatRatePpm: 200_000, vatTreatment: 'french_vat', settlement: HOSTILE, credited: { id: 'fi_0', number: HOSTILE, issuedAt: '2026-11-27T10:00:00Z' },
    buyerCompany: { legalName: HOSTILE, siren: '123456782', address: { line: HOSTILE, postcode: '75002', city: HOSTILE }, country: 'FR' },
    seller: { legalName: HOSTILE, address: { line: HOSTILE, postcode: '75002', city: HOSTILE, country: 'FR' }, siren: '123456782', vatNumber: 'FR11123456782', legalInfo: HOSTILE },
  }, DEV_INVOICING.seller);
  expectInert(html);
});

test("the mail catcher's inbox page escapes subjects, recipients and bodies", () => {
  const html = inboxPage([{ id: 1, from: HOSTILE, to: [HOSTILE], messageId: '<m@x>', subject: HOSTILE, text: HOSTILE, html: HOSTILE, receivedAt: HOSTILE }]);
  expectInert(html);
});
