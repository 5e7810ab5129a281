/**
 * The views models are drawn in, one entry per view kind a descriptor can
 * name (engine/model-registry.ts ViewKind): the centre view, the side panel
 * beside the loss chart, and what the test API reports of the view's frame
 * detail. A new view kind without an entry here is a type error. Views
 * other than the graph load on first use (render them inside Suspense).
 */
import { lazy, type ComponentType } from 'react';
import type { ModelDetail, ViewKind } from '../protocol/experiment';
import { ActivityGraph } from './ActivityGraph';
import { NodeInspector } from './NodeInspector';

// The first model's view is in the page's own chunk; the others load when a model that uses them is picked.
const DnaView = lazy(async () => ({ default: (await import('./DnaView')).DnaView }));
const RoutingView = lazy(async () => ({ default: (await import('./RoutingView')).RoutingView }));
const RoutingSweep = lazy(async () => ({ default: (await import('./RoutingSweep')).RoutingSweep }));

/** A view's frame detail in plain numbers, for end-to-end tests. */
export type DetailSummary =
  | { readonly kind: 'dna'; readonly cells: number; readonly epoch: number; readonly testAccuracy: number }
  | { readonly kind: 'routing'; readonly batchPExec: readonly number[]; readonly hardAccuracy: number; readonly softAccuracy: number; readonly skippedFraction: number };

type DetailOf<V extends ViewKind> = Extract<NonNullable<ModelDetail>, { readonly kind: V }>;

export interface ModelView<V extends ViewKind> {
  readonly Center: ComponentType;
  readonly Side: ComponentType | null;
  /** The detail as numbers, or null for a view whose models send none (the graph view). */
  readonly summarise: ((detail: DetailOf<V>) => DetailSummary) | null;
}

export const MODEL_VIEWS: { readonly [V in ViewKind]: ModelView<V> } = {
  graph: { Center: ActivityGraph, Side: NodeInspector, summarise: null },
  dna: {
    Center: DnaView,
    Side: null,
    summarise: (d) => ({ kind: 'dna', cells: d.cellIds.length, epoch: d.epoch, testAccuracy: d.testAccuracy }),
  },
  routing: {
    Center: RoutingView,
    Side: RoutingSweep,
    summarise: (d) => ({ kind: 'routing', batchPExec: Array.from(d.batchPExec), hardAccuracy: d.hardAccuracy, softAccuracy: d.softAccuracy, skippedFraction: d.skippedFraction }),
  },
};

/** The summary of any frame detail, by its kind. */
export function summariseDetail(detail: ModelDetail): DetailSummary | null {
  if (!detail) return null;
  const view = MODEL_VIEWS[detail.kind] as ModelView<typeof detail.kind>;
  return view.summarise ? view.summarise(detail) : null;
}
