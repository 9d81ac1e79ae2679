/**
 * The SMA's mediation console in headless Chromium: a mediator signs in, finds the escalated dispute first in the
 * queue, reads its file, asks a party for information, and decides a split through the confirmation step; the ledger
 * then holds exactly that split. The screenshots the README shows are written here (docs/screenshots/).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { checkLedger } from '../../db/ledger-check';
import { CLIENT, PROVIDER } from '../helpers/fixtures';
import { projectBody, type ApiSystem } from '../helpers/api-system';
import type { OpenedPage, TestBrowser } from '../helpers/browser';
import { startBrowserSuite, type BrowserSuite } from '../helpers/browser-suite';
import { eventually } from '../helpers/temporal';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

let suite: BrowserSuite;
let sys: ApiSystem;
let browser: TestBrowser;
let origin: string;

beforeAll(async () => {
  suite = await startBrowserSuite({ DISPUTE_RESPONSE_WINDOW: '3s', DISPUTE_REMINDER_SCHEDULE: '1s' });
  ({ sys, browser, origin } = suite);
}, 120000);
afterAll(() => suite?.close());

/** A funded milestone of its own project, disputed by the provider with a statement. */
async function disputedMilestone(title: string, amount: number, statement: string) {
  const platform = await sys.as('platform-1', 'platform');
  const { body } = await platform.post('/v1/projects').send(projectBody({ title, milestones: [{ title: 'Maquettes', amount }] }));
  const milestoneId: string = body.milestones[0].id;
  await sys.fund(body.id, milestoneId);
  const opened = await (await sys.as(PROVIDER.id, 'provider')).post(`/v1/projects/${body.id}/milestones/${milestoneId}/disputes`).send({ reason: 'Client silencieux', statement });
  expect(opened.status).toBe(201);
  return { projectId: body.id as string, milestoneId, disputeId: opened.body.id as string };
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Form controls without an accessible name: none is allowed. */
const unlabelled = (page: Page) =>
  page.$$eval('input, select, textarea', (controls) =>
    controls.filter((c) => !(c as HTMLInputElement).labels?.length && !c.getAttribute('aria-label')).map((c) => c.id || c.outerHTML),
  );

test('a mediator takes the escalated dispute from the queue to a split decision, confirmed, and the ledger holds it', async () => {
  const escalated = await disputedMilestone('Refonte du site vitrine', 100000, 'Les maquettes sont livrées depuis trois semaines ; le client ne répond plus.');
  const mediator = await sys.as('med-1', 'mediator');
  await eventually(async () => ((await mediator.get(`/v1/disputes/${escalated.disputeId}`)).body.state === 'escalated' ? true : undefined), 20000, 'escalated');
  const open = await disputedMilestone('Application mobile', 250000, 'Le client refuse la recette sans motif.');
  await (await sys.as(CLIENT.id, 'client')).post(`/v1/disputes/${open.disputeId}/responses`).send({ statement: 'La recette révèle des anomalies bloquantes.' });

  const tab: OpenedPage = await browser.openPage(`${origin}/console`);
  const { page } = tab;
  expect(await page.getAttribute('html', 'lang')).toBe('fr');
  await page.getByLabel("Jeton d'accès de médiateur (JWT)").fill(await sys.token(CLIENT.id, 'client'));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByText("Ce jeton n'est pas celui d'un médiateur.").waitFor();

  // signed in with the keyboard only
  await page.getByLabel("Jeton d'accès de médiateur (JWT)").fill(await sys.token('med-1', 'mediator'));
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Se connecter');
  await page.keyboard.press('Enter');
  const rows = page.locator('#queue-table tbody tr');
  await eventually(async () => ((await rows.count()) === 2 ? true : undefined), 10000, 'two disputes in the queue');
  // escalated first, then the open one; titles from the project
  await page.locator('#queue-table tbody tr:first-child td:nth-child(2)', { hasText: 'Refonte du site vitrine' }).waitFor();
  expect(await rows.nth(0).locator('td').nth(2).textContent()).toBe('Transmis au SMA');
  expect(await rows.nth(1).locator('td').nth(2).textContent()).toBe('Ouvert (phase amiable)');
  expect(await rows.nth(0).locator('td.money').textContent()).toMatch(/^1\s000,00\s€$/);
  await page.getByLabel("Montant en séquestre d'au moins (€)").fill('2000');
  await page.getByText('1 litige affiché sur 2').waitFor();
  await page.getByLabel("Montant en séquestre d'au moins (€)").fill('');
  await page.getByLabel('État').selectOption('escalated');
  await page.getByText('1 litige affiché sur 1').waitFor();
  await page.getByLabel('État').selectOption('');
  await page.getByText('2 litiges affichés sur 2').waitFor();
  await screenshot(page, 'console-queue');

  await page.getByRole('link', { name: escalated.disputeId }).click();
  await page.getByRole('heading', { name: `Dossier ${escalated.disputeId} — Refonte du site vitrine` }).waitFor();
  const file = page.locator('#file');
  await file.getByText('Les maquettes sont livrées depuis trois semaines ; le client ne répond plus.').waitFor();
  expect(await page.locator('#file-summary').textContent()).toContain(`${CLIENT.name} (${CLIENT.id})`);
  expect(await page.locator('#file-reminders').textContent()).toMatch(/Relance n° 1 à client/);
  expect(await page.locator('#file-timeline').textContent()).toContain('Litige transmis au SMA');

  await page.getByLabel('Prestataire', { exact: true }).check();
  await page.getByLabel('Question').fill('Quelle part des maquettes a été livrée ?');
  await page.getByRole('button', { name: 'Envoyer la demande' }).click();
  await page.getByText('Demande envoyée au prestataire.').waitFor();
  await file.getByText('Quelle part des maquettes a été livrée ?').waitFor();
  await (await sys.as(PROVIDER.id, 'provider')).post(`/v1/disputes/${escalated.disputeId}/responses`).send({ statement: 'Six écrans sur dix.' });
  await page.reload();
  await file.getByText('Six écrans sur dix.').waitFor();
  expect(await unlabelled(page)).toEqual([]);
  await screenshot(page, 'console-dispute-file');

  // two amounts that must add up to what is in escrow, a rationale, then a confirmation that says who gets what
  await page.getByLabel('Versé au prestataire (€)').fill('600');
  expect(await page.getByLabel('Remboursé au client (€)').inputValue()).toBe('400.00');
  expect(await page.getByLabel('Part du prestataire').inputValue()).toBe('60000');
  await page.getByRole('button', { name: 'Vérifier la décision' }).click();
  await page.getByText('La motivation de la décision est obligatoire.').waitFor();
  await page.getByLabel('Motivation de la décision (obligatoire)').fill('Six écrans sur dix livrés et conformes : 60 % au prestataire.');
  await page.getByRole('button', { name: 'Vérifier la décision' }).click();
  const confirmation = page.getByRole('alertdialog', { name: 'Confirmer la décision' });
  await confirmation.waitFor();
  expect(await confirmation.textContent()).toMatch(/Le prestataire reçoit 600,00\s€.*le client est remboursé de 400,00\s€/);
  await screenshot(page, 'console-decision-confirmation');
  await confirmation.getByRole('button', { name: 'Confirmer la décision' }).click();
  await page.getByText('Décision enregistrée').waitFor();
  expect(await page.locator('#file-summary').textContent()).toContain('Décidé');

  const summary = await eventually(async () => {
    const res = await mediator.get(`/v1/projects/${escalated.projectId}/payments`);
    return res.body.milestones[0].state === 'released' ? res.body.milestones[0] : undefined;
  }, 15000, 'the decision executed');
  expect(summary).toMatchObject({ deposited: 100000, released: 60000, refunded: 40000, inEscrow: 0 });
  expect(await checkLedger(sys.db)).toEqual([]);
  const dispute = (await mediator.get(`/v1/disputes/${escalated.disputeId}`)).body;
  expect(dispute.decision).toMatchObject({ providerAmount: 60000, clientAmount: 40000, by: 'med-1' });

  // the one error: the browser's note of the 403 the client's token got, on purpose, at the start
  expect({ consoleErrors: tab.consoleErrors, pageErrors: tab.pageErrors, failedRequests: tab.failedRequests }).toEqual({
    consoleErrors: [expect.stringMatching(/status of 403 .*\/v1\/mediation\/disputes\?limit=1/)],
    pageErrors: [],
    failedRequests: [],
  });
  expect(tab.requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  // the public REST API only: every call the page made is a route of the document
  const called = tab.requests.map((url) => new URL(url).pathname).filter((p) => p.startsWith('/v1/'));
  expect(new Set(called.map((p) => p.split('/')[2]))).toEqual(new Set(['mediation', 'disputes', 'projects']));
});
