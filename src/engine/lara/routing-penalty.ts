/** Routing score added to slots a thread may not take (padding, and self-loops unless it may stay); shared by every tick implementation so they pick the same slot. */
export const BLOCKED = -1e9;
