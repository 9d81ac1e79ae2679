import type { Db } from './pool';
import { inTransaction } from './pool';
import type { FeeRates } from '../domain/fees';
import { UNMANAGED_STATE, type ClientSilencePolicy, type StoredMilestoneState } from '../domain/milestone';
import type { Formula, ProjectState } from '../domain/project';
import type { Company } from '../domain/legal-identity';
import type { Party, PartyInfo } from '../domain/parties';

export interface NewProject {
  id: string;
  externalId: string;
  title: string;
  formula: Formula;
  currency: string;
  client: PartyInfo;
  provider: PartyInfo;
  createdBy: string;
  /** unset: the platform's CLIENT_SILENCE_POLICY */
  clientSilencePolicy: ClientSilencePolicy;
  fees: FeeRates;
  milestones: { id: string; title: string; amount: number }[];
}

export interface ProjectRow {
  id: string;
  externalId: string;
  title: string;
  formula: Formula;
  currency: string;
  state: ProjectState;
  client: PartyInfo;
  provider: PartyInfo;
  clientSilencePolicy: ClientSilencePolicy;
  fees: FeeRates;
  createdAt: Date;
  milestones: MilestoneRow[];
}

export interface MilestoneRow {
  id: string;
  projectId: string;
  position: number;
  title: string;
  amount: number;
  state: StoredMilestoneState;
  /** a bonus is paid on top of the milestones, released as soon as it is funded */
  kind: MilestoneKind;
}

export type MilestoneKind = 'milestone' | 'bonus';

/** The columns of projects (SELECT *). */
interface ProjectRecord {
  id: string;
  external_id: string;
  title: string;
  formula: Formula;
  currency: string;
  state: ProjectState;
  client_id: string;
  client_email: string;
  client_name: string;
  provider_id: string;
  provider_email: string;
  provider_name: string;
  client_company: Company | null;
  provider_company: Company | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  client_silence_policy: ClientSilencePolicy;
  commission_ppm: number;
  escrow_fee_ppm: number;
}

/** The columns of milestones (SELECT *). */
interface MilestoneRecord {
  id: string;
  project_id: string;
  position: number;
  title: string;
  amount: number;
  state: StoredMilestoneState;
  kind: MilestoneKind;
  updated_at: Date;
}

/** Inserts the project and its milestones unless `externalId` exists; returns the stored project either way. */
export async function insertProjectOnce(db: Db, p: NewProject): Promise<{ project: ProjectRow; created: boolean }> {
  const created = await inTransaction(db, async (tx) => {
    const res = await tx.query(
      `INSERT INTO projects (id, external_id, title, formula, currency, state, client_id, client_email, client_name,
                             provider_id, provider_email, provider_name, created_by, client_silence_policy,
                             commission_ppm, escrow_fee_ppm, client_company, provider_company)
       VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (external_id) DO NOTHING RETURNING id`,
      [p.id, p.externalId, p.title, p.formula, p.currency, p.client.id, p.client.email, p.client.name,
        p.provider.id, p.provider.email, p.provider.name, p.createdBy, p.clientSilencePolicy, p.fees.commissionPpm, p.fees.escrowFeePpm,
        p.client.company ?? null, p.provider.company ?? null],
    );
    if (res.rowCount === 0) return false;
    const initial = p.formula === 'r0' ? 'awaiting_deposit' : UNMANAGED_STATE;
    for (const [position, m] of p.milestones.entries()) {
      await tx.query(
        'INSERT INTO milestones (id, project_id, position, title, amount, state) VALUES ($1, $2, $3, $4, $5, $6)',
        [m.id, p.id, position, m.title, m.amount, initial],
      );
    }
    return true;
  });
  const { rows } = await db.query<{ id: string }>('SELECT id FROM projects WHERE external_id = $1', [p.externalId]);
  return { project: (await findProject(db, rows[0].id))!, created };
}

/** A milestone's title in its project (its id if the project no longer names it). */
export const milestoneTitle = (project: ProjectRow, milestoneId: string): string => project.milestones.find((m) => m.id === milestoneId)?.title ?? milestoneId;

export async function findProject(db: Db, projectId: string): Promise<ProjectRow | undefined> {
  // One round trip: every route under a project loads it (the access guard), so it is on every such request's path.
  const { rows } = await db.query<ProjectRecord & { milestone_rows: Omit<MilestoneRecord, 'updated_at'>[] }>(
    `SELECT p.*, coalesce((SELECT json_agg(json_build_object('id', m.id, 'project_id', m.project_id, 'position', m.position,
                                                     'title', m.title, 'amount', m.amount, 'state', m.state, 'kind', m.kind) ORDER BY m.position)
                           FROM milestones m WHERE m.project_id = p.id), '[]') AS milestone_rows
     FROM projects p WHERE p.id = $1`,
    [projectId],
  );
  if (rows.length === 0) return undefined;
  const r = rows[0];
  return {
    id: r.id,
    externalId: r.external_id,
    title: r.title,
    formula: r.formula,
    currency: r.currency,
    state: r.state,
    client: withCompany({ id: r.client_id, email: r.client_email, name: r.client_name }, r.client_company),
    provider: withCompany({ id: r.provider_id, email: r.provider_email, name: r.provider_name }, r.provider_company),
    clientSilencePolicy: r.client_silence_policy,
    fees: { commissionPpm: r.commission_ppm, escrowFeePpm: r.escrow_fee_ppm },
    createdAt: r.created_at,
    milestones: r.milestone_rows.map(toMilestone),
  };
}

export async function findMilestone(db: Db, milestoneId: string): Promise<MilestoneRow | undefined> {
  const { rows } = await db.query<MilestoneRecord>('SELECT * FROM milestones WHERE id = $1', [milestoneId]);
  return rows.length ? toMilestone(rows[0]) : undefined;
}

function toMilestone(r: Omit<MilestoneRecord, 'updated_at'>): MilestoneRow {
  return {
    id: r.id,
    projectId: r.project_id,
    position: r.position,
    title: r.title,
    amount: r.amount,
    state: r.state,
    kind: r.kind ?? 'milestone',
  };
}

const withCompany = (party: PartyInfo, company: Company | null): PartyInfo => (company ? { ...party, company } : party);

const CONTACT_COLUMNS: Record<Party, string> = {
  client: 'client_id AS id, client_email AS email, client_name AS name, client_company AS company',
  provider: 'provider_id AS id, provider_email AS email, provider_name AS name, provider_company AS company',
};

/** A party's id, e-mail and name as the project holds them (workflows carry the id only), or undefined for an unknown project. */
export async function partyContact(db: Db, projectId: string, party: Party): Promise<PartyInfo | undefined> {
  const { rows } = await db.query<PartyInfo & { company: Company | null }>(`SELECT ${CONTACT_COLUMNS[party]} FROM projects WHERE id = $1`, [projectId]);
  return rows[0] && withCompany({ id: rows[0].id, email: rows[0].email, name: rows[0].name }, rows[0].company);
}

/** The milestone's state in the read model, or undefined for an unknown milestone. */
export async function milestoneState(db: Db, milestoneId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ state: string }>('SELECT state FROM milestones WHERE id = $1', [milestoneId]);
  return rows[0]?.state;
}

export async function setProjectState(db: Db, projectId: string, state: ProjectState): Promise<void> {
  await db.query('UPDATE projects SET state = $2, updated_at = now() WHERE id = $1', [projectId, state]);
}

/** A milestone added by an amendment, or a bonus, after the existing ones. */
export async function addMilestoneRow(db: Db, m: { projectId: string; milestoneId: string; title: string; amount: number; kind?: MilestoneKind }): Promise<void> {
  await db.query(
    `INSERT INTO milestones (id, project_id, position, title, amount, state, kind)
     SELECT $1, $2, coalesce(max(position), -1) + 1, $3, $4, 'awaiting_deposit', $5 FROM milestones WHERE project_id = $2
     ON CONFLICT (id) DO NOTHING`,
    [m.milestoneId, m.projectId, m.title, m.amount, m.kind ?? 'milestone'],
  );
}

export async function setMilestoneAmount(db: Db, milestoneId: string, amount: number): Promise<void> {
  await db.query('UPDATE milestones SET amount = $2, updated_at = now() WHERE id = $1', [milestoneId, amount]);
}
