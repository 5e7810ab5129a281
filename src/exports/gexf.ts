/**
 * GEXF (gexf.net, what Gephi opens first) of the exported graph, written by
 * graphology-gexf. Attribute types are the writer's inference from the values
 * (integers, doubles, strings); a value that is NaN (no frame yet) is left out.
 */
import { write } from 'graphology-gexf';
import type { ExportGraph } from './graph-export';

export function writeGexf(graph: ExportGraph): string {
  return write(graph, { version: '1.3', pretty: true });
}
