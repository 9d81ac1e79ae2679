import { createHash } from 'node:crypto';
import { explainIncident, type IncidentKind, type IncidentState } from '../domain/incidents';
import { findProject, milestoneTitle, type ProjectRow } from './projects';
import type { Db } from './pool';

export interface Incident {
  id: string;
  kind: IncidentKind;
  projectId: string;
  milestoneId: string;
  amount: number;
  currency: string;
  state: IncidentState;
  explanation: string;
  createdAt: string;
  closedAt?: string;
}

export interface IncidentRecord extends Incident {
  externalId: string;
  clientId: string;
  providerId: string;
}

/** One incident per kind and provider object (a dispute, a payment intent, a payout, a refund): a stable id. */
export const incidentId = (kind: IncidentKind, externalId: string): string =>
  `inc_${createHash('sha256').update(`${kind}:${externalId}`).digest('hex').slice(0, 24)}`;

type Row = {
  id: string; kind: IncidentKind; external_id: string; project_id: string; milestone_id: string; client_id: string; provider_id: string;
  amount: number; currency: string; state: IncidentState; explanation: string; created_at: Date; closed_at: Date | null;
};
const COLUMNS = 'id, kind, external_id, project_id, milestone_id, client_id, provider_id, amount, currency, state, explanation, created_at, closed_at';
const record = (r: Row): IncidentRecord => ({
  id: r.id, kind: r.kind, externalId: r.external_id, projectId: r.project_id, milestoneId: r.milestone_id, clientId: r.client_id,
  providerId: r.provider_id, amount: r.amount, currency: r.currency, state: r.state, explanation: r.explanation,
  createdAt: r.created_at.toISOString(), ...(r.closed_at ? { closedAt: r.closed_at.toISOString() } : {}),
});

/** The public view (API.md): the parties' ids and the provider's object stay inside. */
export function incidentView(i: IncidentRecord): Incident {
  const { externalId: _e, clientId: _c, providerId: _p, ...view } = i;
  return view;
}

/** Opens an incident once per kind and provider object; the existing one when it was opened before (the same event twice). */
async function insertIncident(db: Db, i: Omit<IncidentRecord, 'id' | 'state' | 'createdAt' | 'closedAt'>): Promise<IncidentRecord> {
  const id = incidentId(i.kind, i.externalId);
  const inserted = await db.query<Row>(
    `INSERT INTO incidents (id, kind, external_id, project_id, milestone_id, client_id, provider_id, amount, currency, state, explanation)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10)
     ON CONFLICT (kind, external_id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [id, i.kind, i.externalId, i.projectId, i.milestoneId, i.clientId, i.providerId, i.amount, i.currency, i.explanation],
  );
  return inserted.rows[0] ? record(inserted.rows[0]) : (await findIncident(db, id))!;
}

export async function findIncident(db: Db, id: string): Promise<IncidentRecord | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM incidents WHERE id = $1`, [id]);
  return rows[0] && record(rows[0]);
}

/** Closes an open incident; undefined when none was open (already closed, or never opened). */
export async function closeIncident(db: Db, id: string, state: Exclude<IncidentState, 'open'>, explanation: string): Promise<IncidentRecord | undefined> {
  const { rows } = await db.query<Row>(
    `UPDATE incidents SET state = $2, explanation = $3, closed_at = now() WHERE id = $1 AND state = 'open' RETURNING ${COLUMNS}`,
    [id, state, explanation],
  );
  return rows[0] && record(rows[0]);
}

/** The open incidents of a kind on a milestone (a deposit that failed, then succeeded with another intent). */
export async function openIncidentsOf(db: Db, milestoneId: string, kind: IncidentKind): Promise<IncidentRecord[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM incidents WHERE milestone_id = $1 AND kind = $2 AND state = 'open'`, [milestoneId, kind]);
  return rows.map(record);
}

export async function listIncidents(db: Db, filter: { userId?: string; state?: IncidentState; limit: number }): Promise<Incident[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM incidents
     WHERE ($1::text IS NULL OR client_id = $1 OR provider_id = $1) AND ($2::text IS NULL OR state = $2)
     ORDER BY created_at DESC, id LIMIT $3`,
    [filter.userId ?? null, filter.state ?? null, filter.limit],
  );
  return rows.map((r) => incidentView(record(r)));
}

/** Opens an incident on a project's milestone with its explanation (what happened, what comes next). */
export async function openIncidentOn(
  db: Db,
  project: ProjectRow,
  i: { kind: IncidentKind; externalId: string; milestoneId: string; amount: number; reason?: string },
): Promise<{ incident: IncidentRecord; explanation: string; milestoneTitle: string }> {
  const title = milestoneTitle(project, i.milestoneId);
  const explanation = explainIncident({ kind: i.kind, state: 'open', amount: i.amount, currency: project.currency, milestoneTitle: title, reason: i.reason });
  const incident = await insertIncident(db, {
    kind: i.kind, externalId: i.externalId, projectId: project.id, milestoneId: i.milestoneId, clientId: project.client.id,
    providerId: project.provider.id, amount: i.amount, currency: project.currency, explanation,
  });
  return { incident, explanation, milestoneTitle: title };
}

/**
 * Resolves what is open of a kind on a milestone. `tell` runs before each one is closed, so that a retry after a
 * crash between the two finds it still open and tells again (each `tell` is idempotent), rather than never.
 */
export async function resolveOpenIncidents(
  db: Db,
  milestoneId: string,
  kind: IncidentKind,
  tell: (incident: IncidentRecord, explanation: string) => Promise<void>,
  externalIds?: string[],
): Promise<void> {
  for (const open of await openIncidentsOf(db, milestoneId, kind)) {
    if (externalIds && !externalIds.includes(open.externalId)) continue;
    const project = (await findProject(db, open.projectId))!;
    const explanation = explainIncident({ kind, state: 'resolved', amount: open.amount, currency: open.currency, milestoneTitle: milestoneTitle(project, milestoneId) });
    await tell(open, explanation);
    await closeIncident(db, open.id, 'resolved', explanation);
  }
}
