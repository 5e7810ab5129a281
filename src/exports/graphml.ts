/**
 * GraphML (graphml.graphdrawing.org) of a graphology graph: typed <key>s for
 * every node, edge and graph attribute, directed edges, XML escaping. npm has
 * no GraphML writer (graphology-graphml only parses), hence this one; the
 * tests read its output back with graphology-graphml and networkx.
 */
import type { AbstractGraph, Attributes } from 'graphology-types';

export type GraphmlType = 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string';
type Domain = 'node' | 'edge' | 'graph';

/** Declared types per attribute name; anything undeclared is inferred (boolean, double or string). */
export type GraphmlTypes = Partial<Record<Domain, Readonly<Record<string, GraphmlType>>>>;

/** Text or attribute value with the five XML specials escaped and characters XML 1.0 forbids dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Key {
  readonly id: string;
  readonly domain: Domain;
  readonly name: string;
  readonly type: GraphmlType;
}

function inferType(value: unknown): GraphmlType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'double';
  return 'string';
}

/** A value as GraphML text for its key's type (an infinite double is INF, as xsd:double writes it). */
function format(value: unknown, type: GraphmlType): string {
  switch (type) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'int':
    case 'long':
      return String(Math.trunc(Number(value)));
    case 'float':
    case 'double': {
      const v = Number(value);
      if (!Number.isFinite(v)) return v > 0 ? 'INF' : '-INF';
      return String(v);
    }
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** The keys in first-seen order: every attribute name of every element of a domain. */
function collectKeys(graph: AbstractGraph, types: GraphmlTypes): Key[] {
  const keys: Key[] = [];
  const seen = new Set<string>();
  const add = (domain: Domain, attrs: Attributes): void => {
    for (const [name, value] of Object.entries(attrs)) {
      const tag = `${domain}\u0000${name}`;
      if (seen.has(tag) || value === undefined) continue;
      seen.add(tag);
      keys.push({ id: `${domain[0]}${keys.length}`, domain, name, type: types[domain]?.[name] ?? inferType(value) });
    }
  };
  add('graph', graph.getAttributes());
  graph.forEachNode((_, attrs) => add('node', attrs));
  graph.forEachEdge((_, attrs) => add('edge', attrs));
  return keys;
}

/** The document as text; `types` fixes attr.type where inference would guess wrong (integers). */
export function writeGraphml(graph: AbstractGraph, types: GraphmlTypes = {}): string {
  const keys = collectKeys(graph, types);
  const byDomain = (d: Domain): Key[] => keys.filter((k) => k.domain === d);
  const data = (domain: Domain, attrs: Attributes, indent: string): string =>
    byDomain(domain)
      // A NaN is no value (no frame showed the node yet), left out as GEXF's writer does.
      .filter((k) => attrs[k.name] !== undefined && attrs[k.name] !== null && !Number.isNaN(attrs[k.name]))
      .map((k) => `${indent}<data key="${k.id}">${escapeXml(format(attrs[k.name], k.type))}</data>\n`)
      .join('');
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n',
  ];
  for (const k of keys) out.push(`  <key id="${k.id}" for="${k.domain}" attr.name="${escapeXml(k.name)}" attr.type="${k.type}"/>\n`);
  const edgedefault = graph.type === 'undirected' ? 'undirected' : 'directed';
  out.push(`  <graph id="G" edgedefault="${edgedefault}">\n`);
  out.push(data('graph', graph.getAttributes(), '    '));
  graph.forEachNode((node, attrs) => {
    out.push(`    <node id="${escapeXml(node)}">\n`, data('node', attrs, '      '), '    </node>\n');
  });
  graph.forEachEdge((edge, attrs, source, target, _sa, _ta, undirected) => {
    const direction = undirected === (edgedefault === 'undirected') ? '' : ` directed="${undirected ? 'false' : 'true'}"`;
    out.push(`    <edge id="${escapeXml(edge)}" source="${escapeXml(source)}" target="${escapeXml(target)}"${direction}>\n`, data('edge', attrs, '      '), '    </edge>\n');
  });
  out.push('  </graph>\n</graphml>\n');
  return out.join('');
}
