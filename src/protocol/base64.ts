/** Float32 arrays as base64 text (little-endian bytes, as every browser and Node stores them). */

const CHUNK = 0x8000;
/** Smallest normal float32; below it (but not zero) a value is denormal. */
const MIN_NORMAL_FLOAT32 = 2 ** -126;

export function float32ToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** Characters of the padded base64 text of `count` float32 values. */
export function base64LengthOfFloats(count: number): number {
  return 4 * Math.ceil((4 * count) / 3);
}

/** Decodes base64 into floats; null when the text is not base64 or not a whole number of floats. */
export function base64ToFloat32(text: string): Float32Array | null {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  if (binary.length % 4 !== 0) return null;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export type DecodedWeights = { readonly values: Float32Array } | { readonly problem: string };

/**
 * Decodes `count` float32 weights and checks them as float32, not as the
 * JSON numbers they never were: the text's length first (nothing is decoded
 * for a wrong size), then every value finite (a NaN or infinity bit pattern)
 * and at most `maxMagnitude` in size. Denormals (below 2^-126) become 0, as
 * the GPU backends flush them anyway, and on the CPU they are slow.
 */
export function decodeWeights(text: string, count: number, maxMagnitude: number): DecodedWeights {
  if (text.length !== base64LengthOfFloats(count)) return { problem: `holds ${text.length} base64 characters, ${count} float32 values take ${base64LengthOfFloats(count)}` };
  const values = base64ToFloat32(text);
  if (!values || values.length !== count) return { problem: 'is not base64 float32 data' };
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) return { problem: `contains NaN or infinite values (non-finite float32 at index ${i})` };
    const size = Math.abs(v);
    if (size > maxMagnitude) return { problem: `has a value of ${v.toPrecision(3)} at index ${i}, beyond the largest magnitude a weight may have (${maxMagnitude.toExponential(0)})` };
    if (size !== 0 && size < MIN_NORMAL_FLOAT32) values[i] = 0;
  }
  return { values };
}
