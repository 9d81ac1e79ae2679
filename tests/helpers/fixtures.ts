import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/pool';
import { storeInvoice } from '../../db/invoices';
import { milestoneInputFor } from '../../api/milestone-input';
import { insertProjectOnce, type ProjectRow } from '../../db/projects';
import type { FeeRates } from '../../domain/fees';
import type { MilestoneInput, MilestoneTiming } from '../../workflows/milestone/contract';

export const uniq = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

export const CLIENT = { id: 'c-1', email: 'client@example.test', name: 'Cliente' };
export const PROVIDER = { id: 'p-1', email: 'provider@example.test', name: 'Prestataire' };

/** Stores an R0 project with the given milestone amounts, as the API would before starting workflows. */
/** Tests about something else than fees run without them; fee tests pass their rates. */
export const NO_FEES: FeeRates = { commissionPpm: 0, escrowFeePpm: 0 };
export const DEFAULT_FEES: FeeRates = { commissionPpm: 100000, escrowFeePpm: 30000 };

export async function seedProject(
  db: Db,
  amounts: number[] = [120000],
  formula: 'r0' | 'basic' = 'r0',
  title = 'Site vitrine',
  fees: FeeRates = NO_FEES,
): Promise<ProjectRow> {
  const { project } = await insertProjectOnce(db, {
    id: uniq('prj'),
    externalId: uniq('ext'),
    title,
    formula,
    currency: 'EUR',
    client: CLIENT,
    provider: PROVIDER,
    createdBy: 'platform-1',
    clientSilencePolicy: 'notify_provider',
    fees,
    milestones: amounts.map((amount, i) => ({ id: uniq('ms'), title: `Échéance ${i + 1}`, amount })),
  });
  return project;
}

const DAY = 86_400_000;
/** The contract's default timings (../shared/API.md), with payouts on any day so tests do not depend on the weekday they run. */
export const DEFAULT_TIMING: MilestoneTiming = {
  payoutDelayMs: 2 * DAY,
  payoutCalendar: 'any',
  depositReminderMs: [3, 7, 14].map((d) => d * DAY),
  releaseReminderMs: [2, 5, 9, 14].map((d) => d * DAY),
  clientSilencePolicy: 'notify_provider',
  clientSilenceGraceMs: 2 * DAY,
  disputeResponseWindowMs: 5 * DAY,
  disputeReminderMs: [2, 4].map((d) => d * DAY),
};

export function milestoneInput(project: ProjectRow, index = 0, timing: Partial<MilestoneTiming> = {}): MilestoneInput {
  return milestoneInputFor(project, project.milestones[index], { ...DEFAULT_TIMING, ...timing });
}

/** A milestone of 1 000 € with the default fees and timing, its project never stored: for workers with fake activities. */
export function standaloneMilestone(tag: string): MilestoneInput {
  const milestoneId = `ms_${tag}_${randomBytes(5).toString('hex')}`;
  return {
    projectId: `prj_${tag}_${milestoneId}`,
    projectTitle: 'Site vitrine',
    milestoneId,
    title: 'Maquettes',
    amount: 100000,
    currency: 'EUR',
    client: CLIENT,
    provider: PROVIDER,
    timing: DEFAULT_TIMING,
    fees: DEFAULT_FEES,
  };
}

/** A minimal valid PDF. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** Stores a PDF invoice for a milestone, as the upload route does, and returns its id. */
export async function storedInvoice(db: Db, milestoneId: string, invoiceNumber: string): Promise<string> {
  const id = uniq('inv');
  await storeInvoice(db, {
    id,
    providerId: PROVIDER.id,
    milestoneId,
    invoiceNumber,
    fileName: `${invoiceNumber}.pdf`,
    contentType: 'application/pdf',
    content: PDF,
    format: 'pdf',
  });
  return id;
}

/** A platform identity production accepts: not the dev defaults, yet valid (the SIREN passes its check key). */
export const PRODUCTION_IDENTITY = {
  PLATFORM_LEGAL_NAME: 'Exemple Marketplace SAS',
  PLATFORM_ADDRESS: '10 avenue des Tests, 69002 Lyon',
  PLATFORM_SIREN: '987654324',
  PLATFORM_VAT_NUMBER: 'FR14987654324',
};
