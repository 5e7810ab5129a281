/** The cells transition-representation training can wrap: plain data, so the page lists them without loading tfjs. */
export const TRANSITION_CELL_KINDS = ['gru', 'loopy', 'lara'] as const;
export type TransitionCellKind = (typeof TRANSITION_CELL_KINDS)[number];
