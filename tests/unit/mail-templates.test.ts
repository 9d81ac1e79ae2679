import { renderMail } from '../../activities/mail/templates';

const data = { recipientName: 'Léa', projectTitle: 'Site <vitrine>', milestoneTitle: 'Maquettes', amount: 120000, currency: 'EUR' };

test.each(['milestone_funded', 'work_delivered', 'funds_released', 'payout_paid'] as const)('%s: French text and escaped HTML naming project, milestone, amount', (template) => {
  const mail = renderMail(template, data);
  expect(mail.subject).toContain('Maquettes');
  expect(mail.text).toMatch(/^Bonjour Léa,/);
  expect(mail.text).toContain('Site <vitrine>');
  expect(mail.text).toContain('1 200,00 €');
  expect(mail.html).toContain('Site &lt;vitrine&gt;');
  expect(mail.html).not.toContain('<vitrine>');
});
