/**
 * The last few seconds of every node's activity, for the inspector's trace:
 * the activity arrays of the last frames (kept by reference; a frame's
 * arrays are never written after it arrives), read per node on demand. The
 * probe lane's state carries from frame to frame, so consecutive frames'
 * ticks are one continuous run.
 */
import type { FrameMessage } from '../../protocol/messages';

/** Frames kept: about 6 s at the worker's frame rate. */
export const HISTORY_FRAMES = 40;

interface Entry {
  readonly nodeIds: Int32Array;
  readonly activity: Float32Array;
  readonly ticks: number;
}

/** A node's recent activity, oldest tick first, and which of them is on screen. */
export interface ActivityTrace {
  readonly values: Float32Array;
  /** Index in `values` of the tick the graph shows now (-1 when it is not among them). */
  readonly shown: number;
}

export class ActivityHistory {
  private readonly entries: Entry[] = [];
  private latest: FrameMessage | null = null;

  constructor(private readonly capacity = HISTORY_FRAMES) {}

  push(f: FrameMessage): void {
    if (f === this.latest) return;
    this.latest = f;
    this.entries.push({ nodeIds: f.nodeIds, activity: f.activity, ticks: f.ticks });
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  /** A new experiment: old values belong to another network. */
  clear(): void {
    this.entries.length = 0;
    this.latest = null;
  }

  get frames(): number {
    return this.entries.length;
  }

  /**
   * Node `id`'s activity over the last `maxTicks` ticks (frames where it did
   * not exist yet are skipped), with the index of tick `shownTick` of the
   * latest frame.
   */
  trace(id: number, maxTicks: number, shownTick: number): ActivityTrace {
    const parts: { entry: Entry; pos: number }[] = [];
    let total = 0;
    for (let i = this.entries.length - 1; i >= 0 && total < maxTicks; i--) {
      const entry = this.entries[i] as Entry;
      const pos = entry.nodeIds.indexOf(id);
      if (pos < 0) {
        if (parts.length > 0) break; // the node was born after this frame
        continue;
      }
      parts.push({ entry, pos });
      total += entry.ticks;
    }
    const n = Math.min(total, maxTicks);
    const values = new Float32Array(n);
    let at = n;
    for (const { entry, pos } of parts) {
      const L = entry.nodeIds.length;
      for (let t = entry.ticks - 1; t >= 0 && at > 0; t--) values[--at] = entry.activity[t * L + pos] as number;
      if (at === 0) break;
    }
    const last = parts[0];
    const latestIsLast = last !== undefined && last.entry === this.entries[this.entries.length - 1];
    const shown = latestIsLast ? n - (last.entry.ticks - 1 - Math.min(Math.max(shownTick, 0), last.entry.ticks - 1)) - 1 : -1;
    return { values, shown: shown >= 0 ? shown : -1 };
  }
}

/** The history the lab's one activity graph keeps and its inspector reads. */
export const activityHistory = new ActivityHistory();
