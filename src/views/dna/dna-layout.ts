/**
 * Where the DNA view draws things, in CSS pixels: input nodes on the left
 * (an image grid for MNIST, a column of nodes for 2-D data), output nodes in
 * a column on the right. Pure, so the geometry is tested without a canvas.
 */

/** The input image's square on the canvas (MNIST). */
export interface ImageRect {
  readonly x: number;
  readonly y: number;
  /** Side of the whole image. */
  readonly size: number;
  /** Pixels per side. */
  readonly side: number;
}

export interface DnaLayout {
  /** Centre of each input node [inputSize], where its cells start. */
  readonly inputX: Float32Array;
  readonly inputY: Float32Array;
  /** Radius of an input node (2-D data); half a pixel square for an image. */
  readonly inputR: number;
  /** The input image, or null when the inputs are drawn as nodes. */
  readonly image: ImageRect | null;
  /** Centre of each output node [classes], where its cells end. */
  readonly outputX: Float32Array;
  readonly outputY: Float32Array;
  readonly outputR: number;
}

/** Room kept around the drawing. */
export const LAYOUT_PADDING = 16;
/** Room right of the output nodes for the class label and probability bar. */
export const OUTPUT_LABEL_ROOM = 136;
/** Room left of 2-D input nodes for their value text. */
export const INPUT_LABEL_ROOM = 56;
/** Room above the drawing for the column headings. */
export const HEADING_ROOM = 18;

/**
 * Node positions for `inputSize` inputs and `classes` outputs in a
 * `width` x `height` box. With `imageSide` > 0 and imageSide² = inputSize the
 * inputs form that square grid, row-major from the top-left, each cell
 * starting at its pixel's centre.
 */
export function dnaLayout(width: number, height: number, inputSize: number, classes: number, imageSide: number): DnaLayout {
  const pad = LAYOUT_PADDING;
  const top = pad + HEADING_ROOM;
  const usableH = Math.max(1, height - top - pad);
  const midY = top + usableH / 2;
  const inputX = new Float32Array(inputSize);
  const inputY = new Float32Array(inputSize);
  let image: ImageRect | null = null;
  let inputR: number;

  if (imageSide > 0 && imageSide * imageSide === inputSize) {
    // The image takes at most 40% of the width so the cells have room to fan out.
    const size = Math.max(imageSide, Math.min(usableH, (width - 2 * pad) * 0.4));
    const px = size / imageSide;
    image = { x: pad, y: midY - size / 2, size, side: imageSide };
    for (let i = 0; i < inputSize; i++) {
      inputX[i] = image.x + ((i % imageSide) + 0.5) * px;
      inputY[i] = image.y + (Math.floor(i / imageSide) + 0.5) * px;
    }
    inputR = px / 2;
  } else {
    const spacing = inputSize > 0 ? usableH / inputSize : usableH;
    inputR = Math.max(3, Math.min(14, spacing * 0.3));
    const x = pad + INPUT_LABEL_ROOM + inputR;
    for (let i = 0; i < inputSize; i++) {
      inputX[i] = x;
      inputY[i] = top + (i + 0.5) * spacing;
    }
  }

  const outSpacing = classes > 0 ? usableH / classes : usableH;
  const outputR = Math.max(3, Math.min(14, outSpacing * 0.32));
  const outX = Math.max(pad + outputR, width - pad - OUTPUT_LABEL_ROOM - outputR);
  const outputX = new Float32Array(classes).fill(outX);
  const outputY = Float32Array.from({ length: classes }, (_, j) => top + (j + 0.5) * outSpacing);
  return { inputX, inputY, inputR, image, outputX, outputY, outputR };
}

/** The image side to draw `inputSize` inputs with, given the dataset's: 0 (nodes) unless it matches. */
export function imageSideFor(inputSize: number, datasetSide: number | undefined): number {
  return datasetSide !== undefined && datasetSide > 0 && datasetSide * datasetSide === inputSize ? datasetSide : 0;
}

/**
 * Sideways bend of each cell's line, CSS pixels, so parallel cells (a split
 * cell and its parent join the same input and output) fan out instead of
 * hiding behind each other: 0 for a lone cell, -s/2 and s/2 for two, -s, 0, s for three.
 */
export function parallelBends(input: Int32Array, output: Int32Array, classes: number, spacing: number): Float32Array {
  const n = Math.min(input.length, output.length);
  const count = new Map<number, number>();
  const rank = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const key = (input[k] as number) * classes + (output[k] as number);
    const c = count.get(key) ?? 0;
    rank[k] = c;
    count.set(key, c + 1);
  }
  const bends = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const c = count.get((input[k] as number) * classes + (output[k] as number)) ?? 1;
    bends[k] = ((rank[k] as number) - (c - 1) / 2) * spacing;
  }
  return bends;
}
