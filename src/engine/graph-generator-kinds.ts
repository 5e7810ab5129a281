/** The graph generators' names (the code that builds them is graph-generators.ts; the page needs only the names). */
export const GRAPH_GENERATORS = ['erdos-renyi', 'watts-strogatz', 'barabasi-albert', 'waxman', 'lattice', 'feed-forward'] as const;
export type GraphGenerator = (typeof GRAPH_GENERATORS)[number];
