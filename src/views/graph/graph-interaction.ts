/**
 * Pointer and keyboard handling of the graph canvas: d3-zoom for wheel zoom
 * and panning on empty space, d3-drag for dragging a node (registered first,
 * so a press on a node drags it and a press elsewhere pans), plain pointer
 * events for hover, double-click or "0" to fit the graph again.
 */
import { drag, type D3DragEvent } from 'd3-drag';
import { select } from 'd3-selection';
import { zoom, zoomIdentity, type D3ZoomEvent, type ZoomTransform } from 'd3-zoom';
import type { NodeView } from './graph-model';

export interface InteractionHandlers {
  /** The node under a canvas point (CSS px), or null. */
  nodeAt(sx: number, sy: number): NodeView | null;
  /** The view changed; `byUser` when a person zoomed or panned (not a fit). */
  onView(t: ZoomTransform, byUser: boolean): void;
  /** Drag of `node` to world point (x, y); start and end pin and unpin it. */
  onDragStart(node: NodeView): void;
  onDrag(node: NodeView, x: number, y: number): void;
  onDragEnd(node: NodeView): void;
  /** Pointer over the canvas at (sx, sy) CSS px, or null when it left. */
  onPointer(sx: number, sy: number): void;
  onPointerLeave(): void;
  /** Fit the whole graph in view (and keep fitting as it moves). */
  onFit(): void;
}

export interface Interaction {
  /** Moves the view without counting as a user gesture (auto-fit). */
  setView(t: ZoomTransform): void;
  detach(): void;
}

/** What a drag holds on to: the node, and where its centre was on screen at the press. */
interface DragSubject {
  readonly node: NodeView;
  readonly x: number;
  readonly y: number;
}

const KEY_PAN_PX = 60;
const KEY_ZOOM = 1.25;

export function attachInteraction(canvas: HTMLCanvasElement, h: InteractionHandlers): Interaction {
  const selection = select(canvas);
  let view: ZoomTransform = zoomIdentity;
  let programmatic = false;

  const zoomer = zoom<HTMLCanvasElement, unknown>()
    .scaleExtent([0.02, 24])
    .on('zoom', (event: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
      view = event.transform;
      h.onView(view, !programmatic);
    });

  const dragger = drag<HTMLCanvasElement, unknown, DragSubject | undefined>()
    .container(canvas)
    // Screen-space subject: d3-drag keeps the grab offset, we convert to world per event.
    .subject((event: { x: number; y: number }) => {
      const node = h.nodeAt(event.x, event.y);
      if (!node) return undefined;
      const [x, y] = view.apply([node.x, node.y]);
      return { node, x, y };
    })
    .on('start', (event: D3DragEvent<HTMLCanvasElement, unknown, DragSubject>) => h.onDragStart(event.subject.node))
    .on('drag', (event: D3DragEvent<HTMLCanvasElement, unknown, DragSubject>) => {
      const [x, y] = view.invert([event.x, event.y]);
      h.onDrag(event.subject.node, x, y);
    })
    .on('end', (event: D3DragEvent<HTMLCanvasElement, unknown, DragSubject>) => h.onDragEnd(event.subject.node));

  selection.call(dragger).call(zoomer).on('dblclick.zoom', null);

  const onMove = (e: PointerEvent): void => h.onPointer(e.offsetX, e.offsetY);
  const onLeave = (): void => h.onPointerLeave();
  const onDblClick = (e: MouseEvent): void => {
    e.preventDefault();
    h.onFit();
  };
  const onKey = (e: KeyboardEvent): void => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    // Keyboard zoom and pan go through d3-zoom too, so they count as user gestures.
    const pan = (dx: number, dy: number) => zoomer.translateBy(selection, dx / view.k, dy / view.k);
    switch (e.key) {
      case '+':
      case '=':
        zoomer.scaleBy(selection, KEY_ZOOM);
        break;
      case '-':
      case '_':
        zoomer.scaleBy(selection, 1 / KEY_ZOOM);
        break;
      case 'ArrowLeft':
        pan(KEY_PAN_PX, 0);
        break;
      case 'ArrowRight':
        pan(-KEY_PAN_PX, 0);
        break;
      case 'ArrowUp':
        pan(0, KEY_PAN_PX);
        break;
      case 'ArrowDown':
        pan(0, -KEY_PAN_PX);
        break;
      case '0':
        h.onFit();
        break;
      default:
        return;
    }
    e.preventDefault();
  };
  canvas.addEventListener('pointermove', onMove);
  canvas.addEventListener('pointerleave', onLeave);
  canvas.addEventListener('dblclick', onDblClick);
  canvas.addEventListener('keydown', onKey);

  return {
    setView(t) {
      programmatic = true;
      zoomer.transform(selection, t);
      programmatic = false;
    },
    detach() {
      selection.on('.zoom', null).on('.drag', null);
      canvas.removeEventListener('pointermove', onMove);
      canvas.removeEventListener('pointerleave', onLeave);
      canvas.removeEventListener('dblclick', onDblClick);
      canvas.removeEventListener('keydown', onKey);
    },
  };
}
