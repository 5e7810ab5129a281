/** The routing stack's tensors and their shapes (no tfjs: export and import check them on the page). */

export const ROUTING_TENSOR_NAMES = ['inW', 'inB', 'layerW', 'layerB', 'routerW', 'routerB', 'skipS', 'outW', 'outB'] as const;
export type RoutingTensorName = (typeof ROUTING_TENSOR_NAMES)[number];

/** The tensors only a routed stack uses (kept, untrained, in the baseline so every export has the same shapes). */
export const ROUTER_TENSOR_NAMES = ['routerW', 'routerB', 'skipS'] as const satisfies readonly RoutingTensorName[];

export interface StackDims {
  readonly inputSize: number;
  readonly width: number;
  /** Routed layers N. */
  readonly layers: number;
  readonly classes: number;
}

/** Shape of every tensor of a stack. */
export function stackShapes(d: StackDims): Record<RoutingTensorName, number[]> {
  const { inputSize: D, width: W, layers: N, classes: C } = d;
  return {
    inW: [D, W],
    inB: [W],
    layerW: [N, W, W],
    layerB: [N, W],
    routerW: [N, W, 2],
    routerB: [N, 2],
    skipS: [N, W, W],
    outW: [W, C],
    outB: [C],
  };
}
