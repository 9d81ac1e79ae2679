/**
 * Milestone lives over HTTP, as the frontend, the payment provider and the SMA drive them: each step returns the
 * round trip of the action it sent, and waits (polling the milestone, 100 ms apart, as a frontend would) for the state the next step needs.
 */
import { randomBytes } from 'node:crypto';
import { Api, until, type Reply, type Who } from './http';

export const uniq = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

export interface People {
  platform: Who;
  mediator: Who;
  /** the projects' parties, taken in turn: a provider's dashboard holds its share of the bench's payment requests */
  pairs: Pair[];
}

export interface Pair {
  client: Who;
  provider: Who;
}

export interface Created {
  projectId: string;
  milestoneIds: string[];
  /** when the API answered 201 (epoch ms) */
  at: number;
}

export interface Status {
  state: string;
  dueNow: number;
  inEscrow: number;
  released: number;
  disputeId?: string;
}

const PDF = Buffer.from('%PDF-1.4\n% facture de banc d’essai\n%%EOF\n');

export class Lives {
  private readonly parties = new Map<string, Pair>();
  private turn = 0;

  constructor(
    readonly api: Api,
    readonly people: People,
  ) {}

  /** The project's parties. */
  of(projectId: string): Pair {
    const pair = this.parties.get(projectId);
    if (!pair) throw new Error(`project ${projectId} was not created by these lives`);
    return pair;
  }

  async createProject(amounts: number[], title = 'Banc d’essai'): Promise<Created> {
    const { platform } = this.people;
    const pair = this.people.pairs[this.turn++ % this.people.pairs.length];
    const { client, provider } = pair;
    const body = {
      externalId: uniq('bench'),
      title,
      formula: 'r0',
      currency: 'EUR',
      client: { id: client.sub, email: `${client.sub}@bench.test`, name: 'Cliente du banc' },
      provider: { id: provider.sub, email: `${provider.sub}@bench.test`, name: 'Prestataire du banc' },
      milestones: amounts.map((amount, i) => ({ title: `Échéance ${i + 1}`, amount })),
    };
    const res = await this.api.post('/v1/projects', platform, { json: body });
    if (res.status !== 201) throw new Error(`project not created: ${res.status} ${JSON.stringify(res.body)}`);
    const view = res.body as { id: string; milestones: { id: string }[] };
    this.parties.set(view.id, pair);
    return { projectId: view.id, milestoneIds: view.milestones.map((m) => m.id), at: Date.now() };
  }

  path(projectId: string, milestoneId: string): string {
    return `/v1/projects/${projectId}/milestones/${milestoneId}`;
  }

  async status(projectId: string, milestoneId: string): Promise<Status> {
    const res = await this.api.get(this.path(projectId, milestoneId), this.of(projectId).client);
    if (res.status !== 200) throw new Error(`milestone ${milestoneId}: ${res.status}`);
    return res.body as Status;
  }

  waitState(projectId: string, milestoneId: string, states: string[], test: (s: Status) => boolean = () => true): Promise<Status> {
    return until(`milestone ${milestoneId} ${states.join('|')}`, async () => {
      const s = await this.status(projectId, milestoneId);
      return states.includes(s.state) && test(s) ? s : undefined;
    });
  }

  /** The deposit of what is due, then funded. */
  async fund(projectId: string, milestoneId: string): Promise<void> {
    const s = await this.waitState(projectId, milestoneId, ['awaiting_deposit'], (st) => st.dueNow > 0);
    const res = await this.api.webhook('deposit.succeeded', { milestoneId, amount: s.dueNow, currency: 'EUR', reference: uniq('vir') });
    if (res.status !== 200) throw new Error(`deposit refused: ${res.status}`);
    await this.waitState(projectId, milestoneId, ['funded']);
  }

  private expect(what: string, res: Reply, status: number): Reply {
    if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  }

  async complete(projectId: string, milestoneId: string): Promise<number> {
    return this.expect('complete', await this.api.post(`${this.path(projectId, milestoneId)}/complete`, this.of(projectId).provider), 200).ms;
  }

  async release(projectId: string, milestoneId: string): Promise<number> {
    return this.expect('release', await this.api.post(`${this.path(projectId, milestoneId)}/release`, this.of(projectId).client), 200).ms;
  }

  /** The provider's invoice for what was released; resolves once the payout is paid. */
  async invoiceAndPaid(projectId: string, milestoneId: string): Promise<number> {
    const s = await this.waitState(projectId, milestoneId, ['released']);
    const form = new FormData();
    form.set('invoiceNumber', uniq('FAC'));
    form.set('amount', String(s.released));
    form.set('invoice', new Blob([PDF], { type: 'application/pdf' }), 'facture.pdf');
    const { ms } = this.expect('payment request', await this.api.post(`${this.path(projectId, milestoneId)}/payment-requests`, this.of(projectId).provider, { form }), 201);
    await this.waitState(projectId, milestoneId, ['paid']);
    return ms;
  }

  /** deposit → complete → release → payment request → paid */
  async happy(projectId: string, milestoneId: string): Promise<{ complete: number; release: number }> {
    await this.fund(projectId, milestoneId);
    const complete = await this.complete(projectId, milestoneId);
    const release = await this.release(projectId, milestoneId);
    await this.invoiceAndPaid(projectId, milestoneId);
    return { complete, release };
  }

  /** deposit → complete → the client's dispute → the provider's proposal (left unanswered) → the SMA's split → paid */
  async disputeDecided(projectId: string, milestoneId: string): Promise<{ complete: number; dispute: number; proposal: number; decision: number }> {
    await this.fund(projectId, milestoneId);
    const complete = await this.complete(projectId, milestoneId);
    const opened = this.expect(
      'dispute',
      await this.api.post(`${this.path(projectId, milestoneId)}/disputes`, this.of(projectId).client, { json: { reason: 'Travail non conforme', statement: 'La livraison ne correspond pas au cahier des charges.' } }),
      201,
    );
    const disputeId = (opened.body as { id: string }).id;
    const { inEscrow } = await this.status(projectId, milestoneId);
    const half = Math.round(inEscrow / 2);
    const proposal = this.expect('proposal', await this.api.post(`/v1/disputes/${disputeId}/proposals`, this.of(projectId).provider, { json: { providerAmount: half } }), 201).ms;
    await until(`dispute ${disputeId} escalated`, async () => {
      const d = await this.api.get(`/v1/disputes/${disputeId}`, this.people.mediator);
      return (d.body as { state?: string }).state === 'escalated' ? true : undefined;
    });
    const decision = this.expect(
      'decision',
      await this.api.post(`/v1/disputes/${disputeId}/decision`, this.people.mediator, { json: { providerAmount: half, clientAmount: inEscrow - half, rationale: 'Partage à parts égales (banc d’essai).' } }),
      200,
    ).ms;
    await this.invoiceAndPaid(projectId, milestoneId);
    return { complete, dispute: opened.ms, proposal, decision };
  }

  /** deposit → an amendment lowering the amount (the difference refunded), accepted → complete → release → paid */
  async amended(projectId: string, milestoneId: string, newAmount: number): Promise<void> {
    await this.fund(projectId, milestoneId);
    const proposed = this.expect('amendment', await this.api.post(`/v1/projects/${projectId}/amendments`, this.of(projectId).client, { json: { changes: [{ milestoneId, amount: newAmount }] } }), 201);
    this.expect('amendment accept', await this.api.post(`/v1/projects/${projectId}/amendments/${(proposed.body as { id: string }).id}/accept`, this.of(projectId).provider), 200);
    await this.waitState(projectId, milestoneId, ['funded'], (s) => s.inEscrow === newAmount);
    await this.complete(projectId, milestoneId);
    await this.release(projectId, milestoneId);
    await this.invoiceAndPaid(projectId, milestoneId);
  }

  /** deposit → both parties cancel → refunded */
  async refunded(projectId: string, milestoneId: string): Promise<void> {
    await this.fund(projectId, milestoneId);
    this.expect('cancel (client)', await this.api.post(`${this.path(projectId, milestoneId)}/cancel`, this.of(projectId).client), 202);
    this.expect('cancel (provider)', await this.api.post(`${this.path(projectId, milestoneId)}/cancel`, this.of(projectId).provider), 200);
    await this.waitState(projectId, milestoneId, ['refunded']);
  }
}
