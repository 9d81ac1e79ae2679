/**
 * The engine's floor: a workflow that makes the same Temporal commands as one milestone's recorded life — the same
 * signals, updates, timers and activities in the same order — with activities that do nothing. What our lifecycle
 * costs above it is our code: the API, the activities' I/O, the workflow's own logic.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** What wakes a step: the start, a signal, an update (whose handler runs the step's activities), a timer firing. */
export type Trigger = 'start' | 'signal' | 'update' | 'timer';

export interface FloorStep {
  trigger: Trigger;
  /** activities the step schedules, one after the other */
  activities: number;
  /** local activities the step runs, before its activities (a transition's writes come before its orders) */
  localActivities: number;
}

export interface FloorPlan {
  steps: FloorStep[];
  /**
   * timers started and cancelled before firing (a reminder raced by the action it reminds of): one runs during each
   * of the first waits for a signal or an update
   */
  racedTimers: number;
  /** how long a `timer` step sleeps (the payout delay) */
  timerMs: number;
}

export const FLOOR_TASK_QUEUE = 'bench-floor';

export const stepSignal = defineSignal('step');
export const stepUpdate = defineUpdate<number>('step');
/** an update that does nothing: the round trip of an update through the engine and the worker */
export const noopUpdate = defineUpdate<number>('noop');
/** ends a workflow that waits for no more steps (the no-op update's hosts) */
export const finishSignal = defineSignal('finish');
/** how many of the plan's steps the workflow has reached (the one it waits on included) */
export const progressQuery = defineQuery<number>('progress');
