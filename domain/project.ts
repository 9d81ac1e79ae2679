/** A project: R0 (the platform holds each milestone's money in escrow) or basic (an introduction only). */
export const FORMULAS = ['r0', 'basic'] as const;
export type Formula = (typeof FORMULAS)[number];

export const PROJECT_STATES = ['active', 'finished'] as const;
export type ProjectState = (typeof PROJECT_STATES)[number];
