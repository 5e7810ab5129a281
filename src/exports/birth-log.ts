/**
 * The tick each node was born at, from the topology updates the lab client
 * delivers (births and deaths of LARA's growth). Nodes the network started
 * with have birth tick 0.
 */
import type { Graph, TopologyEvent } from '../protocol/messages';

/** What a topology update carries that the log needs (LabClient's TopologyUpdate has it). */
export interface TopologyLike {
  readonly graph: Graph;
  readonly events: readonly TopologyEvent[];
  readonly step: number;
}

export class BirthLog {
  private readonly born = new Map<number, number>();

  apply(u: TopologyLike): void {
    // A graph at step 0 without events is a fresh network: every node in it is an original.
    if (u.step === 0 && u.events.length === 0) this.born.clear();
    for (const e of u.events) {
      if (e.kind === 'birth') this.born.set(e.nodeId, e.tick);
      else this.born.delete(e.nodeId);
    }
    // A rollback or an import drops nodes without a death event.
    const ids = new Set(u.graph.nodes.map((n) => n.id));
    for (const id of this.born.keys()) if (!ids.has(id)) this.born.delete(id);
  }

  /** The global tick node `id` was born at; 0 for a node the network started with. */
  birthTick(id: number): number {
    return this.born.get(id) ?? 0;
  }

  /** Node id -> birth tick of every node born since the start. */
  get births(): ReadonlyMap<number, number> {
    return this.born;
  }
}
