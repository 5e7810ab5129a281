/**
 * What an imported file may hold, and why each bound is where it is. One
 * place for the limits the export schema (model-document.ts), the file
 * input and LabClient.importText apply; the README's "What the lab refuses"
 * lists them.
 */
import { MAX_GRAPH_ID } from '../engine/graph';

export { MAX_GRAPH_ID };

/**
 * The largest file (characters of text, about bytes for an export) the lab
 * reads. The largest export the controls can make is a LARA network at the
 * sliders' maxima (256 nodes of width 64, in-degree 4: 1,024 edge matrices of
 * 64 x 64): 23.1 MB (loopy 9.7 MB, routing 2.1 MB, the rest under 1 MB;
 * import-limits.test.ts measures them); growth to its default in-degree cap
 * of 8 doubles the edges, about 45 MB. 64 MiB holds both with room.
 */
export const MAX_IMPORT_BYTES = 64 * 2 ** 20;

/**
 * The most float32 values one tensor a trainer allocates may hold: 2^25
 * (128 MiB), WebGPU's default maxStorageBufferBindingSize, the smallest
 * per-buffer guarantee of the lab's backends. With gradients and Adam's two
 * moments beside it, that is half a gigabyte of device memory for one table.
 */
export const MAX_TENSOR_FLOATS = 2 ** 25;

/**
 * The largest |weight| an import accepts. Adam's largest step in the lab is
 * the learning rate's slider maximum, 10^-0.5 ≈ 0.32; a float32 of 2^23 (8.4e6)
 * or more has a spacing of 1 or more, so such a step no longer changes it: a
 * weight past that is beyond training. 1e6 keeps every trainable weight and
 * keeps products and their squares far inside float32's 3.4e38.
 */
export const MAX_WEIGHT_MAGNITUDE = 1e6;

/**
 * The largest step count a document may carry: counters are 32-bit where
 * they seed per-step streams (routing's batch stream hashes the step with
 * 32-bit integer arithmetic), and step x ticks per step stays exact in a
 * double. 2^31 - 1 steps is weeks of training at a thousand steps a second.
 */
export const MAX_STEP = 2 ** 31 - 1;

/**
 * Nodes and edges a document's graph may list: loopy networks go to 10,000 hidden nodes plus their input and
 * output nodes (LARA to 4,096); nodes x density is capped at 2^18, about 262,000 edges, so 2^20 has room.
 */
export const MAX_GRAPH_NODES = 2 ** 14;
export const MAX_GRAPH_EDGES = 2 ** 20;

/** Named tensors per document and the length of a name (the codecs use a handful of short names). */
export const MAX_TENSORS = 32;
export const MAX_TENSOR_NAME = 64;

/**
 * A document of an own task carries its data set (model-document.ts `data`):
 * a file of at most MAX_OWN_DATA_BYTES (5 MB; a text's characters are at
 * most its UTF-8 bytes) with a name of at most MAX_OWN_DATA_NAME characters.
 * It is parsed as an upload is (too short, one class, ragged rows, ...)
 * before the network is checked against its sizes. A 5 MB text fits the
 * 64 MiB document beside any network but the largest LARA export.
 */
export { MAX_OWN_DATA_BYTES, MAX_OWN_DATA_NAME } from '../engine/datasets/own-data';

/** A megabyte figure for messages: 52.4 MB. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Why a file of `bytes` is not read, or null. */
export function importSizeProblem(bytes: number): string | null {
  if (bytes <= MAX_IMPORT_BYTES) return null;
  return `The file is ${megabytes(bytes)}; the lab reads exports up to ${megabytes(MAX_IMPORT_BYTES)} (its largest network writes about 45 MB), so it was not opened.`;
}

/** A piece of a file quoted in a message: at most `max` characters, JSON-quoted. */
export function quoteClipped(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text) + (text.length > max ? ` (${text.length.toLocaleString('en-US')} characters)` : '');
}
