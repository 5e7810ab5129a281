/**
 * The weights as safetensors (huggingface.co/docs/safetensors): an 8-byte
 * little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, padded with spaces to a multiple of 8, then the raw
 * little-endian float32 data, tensors back to back in the header's order.
 */
import { base64ToFloat32 } from '../protocol/base64';
import type { ModelDocument } from '../protocol/model-document';

export interface SafetensorsHeaderEntry {
  readonly dtype: 'F32';
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

/** Strings only, as the format asks: where the weights come from. */
export function safetensorsMetadata(doc: ModelDocument): Record<string, string> {
  return {
    format: 'loopy-lab',
    model: doc.experiment.model,
    task: doc.experiment.task,
    seed: String(doc.experiment.seed),
    step: String(doc.step),
    createdAt: doc.createdAt,
    experiment: JSON.stringify(doc.experiment),
  };
}

/** The file's bytes: tensor names and shapes as the document has them, in name order. */
export function writeSafetensors(doc: ModelDocument): Uint8Array {
  const names = Object.keys(doc.weights).sort();
  const header: Record<string, SafetensorsHeaderEntry | Record<string, string>> = {};
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = doc.weights[name];
    if (!t) continue;
    const values = base64ToFloat32(t.data);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!values || values.length !== count) throw new Error(`weight "${name}" does not hold ${count} float32 values`);
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * count] };
    chunks.push(values);
    offset += 4 * count;
  }
  header.__metadata__ = safetensorsMetadata(doc);
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Padding to 8 bytes keeps the data aligned for readers that map it as float arrays.
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  let at = 8 + padded;
  for (const values of chunks) {
    // Little-endian whatever the machine: DataView states it (every browser is little-endian anyway).
    for (let i = 0; i < values.length; i++, at += 4) view.setFloat32(at, values[i] as number, true);
  }
  return out;
}

/** The header of a safetensors file, parsed (for tests and the e2e check). */
export function readSafetensorsHeader(bytes: Uint8Array): { readonly headerLength: number; readonly header: Record<string, unknown> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  return { headerLength, header };
}
