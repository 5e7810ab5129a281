/** The routing stack's tensors and their shapes (no tfjs: export and import check them on the page). */

import type { SkipKind } from './routing-params';

/** The tensors of a stack with the dense skip (the seed's form, and every file written before the identity skip). */
export const ROUTING_TENSOR_NAMES = ['inW', 'inB', 'layerW', 'layerB', 'routerW', 'routerB', 'skipS', 'outW', 'outB'] as const;
/** The identity skip h ⊙ (1 + d_l) holds d [N, W] in place of S. */
export type RoutingTensorName = (typeof ROUTING_TENSOR_NAMES)[number] | 'skipD';

/** The tensors a stack with this skip holds, in a fixed order. */
export function stackTensorNames(skip: SkipKind): readonly RoutingTensorName[] {
  return skip === 'dense' ? ROUTING_TENSOR_NAMES : ROUTING_TENSOR_NAMES.map((n) => (n === 'skipS' ? 'skipD' : n));
}

/** The tensors only a routed stack uses (kept, untrained, in the baseline so every export has the same shapes). */
export const ROUTER_TENSOR_NAMES = ['routerW', 'routerB', 'skipS', 'skipD'] as const satisfies readonly RoutingTensorName[];

export interface StackDims {
  readonly inputSize: number;
  readonly width: number;
  /** Routed layers N. */
  readonly layers: number;
  readonly classes: number;
}

/** Shape of every tensor of a stack with this skip. */
export function stackShapes(d: StackDims, skip: SkipKind = 'dense'): Partial<Record<RoutingTensorName, number[]>> {
  const all = allShapes(d);
  return Object.fromEntries(stackTensorNames(skip).map((n) => [n, all[n]]));
}

/** Shape of every tensor either skip might hold. */
export function allShapes(d: StackDims): Record<RoutingTensorName, number[]> {
  const { inputSize: D, width: W, layers: N, classes: C } = d;
  return {
    inW: [D, W],
    inB: [W],
    layerW: [N, W, W],
    layerB: [N, W],
    routerW: [N, W, 2],
    routerB: [N, 2],
    skipS: [N, W, W],
    skipD: [N, W],
    outW: [W, C],
    outB: [C],
  };
}
