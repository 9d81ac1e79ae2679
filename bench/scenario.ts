import type { BenchStack } from './stack';
import type { FloorPlan } from './floor/contract';
import type { Lives } from './lives';

export interface Context {
  stack: BenchStack;
  lives: Lives;
  quick: boolean;
  /** where the SVG plots go */
  plotsDir: string;
  /** the floor workflow's plan, from scenario 6's happy path */
  floorPlan?: FloorPlan;
}

export interface Goal {
  text: string;
  /** null: a measure with nothing to meet (reported with what limits it) */
  met: boolean | null;
}

export interface ScenarioResult {
  id: number;
  name: string;
  /** what was measured, absolute */
  figures: Record<string, unknown>;
  /** the same measure on the baseline, in the same run */
  baseline?: Record<string, unknown>;
  /** ours / baseline, on the scenario's headline figure */
  ratio?: number;
  /** the headline figures, one line each, for the table */
  headline: string;
  goals: Goal[];
  plots?: string[];
  notes?: string[];
}

export type Scenario = (ctx: Context) => Promise<ScenarioResult>;

export const log = (message: string): void => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}
