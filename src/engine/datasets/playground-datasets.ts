/**
 * The four 2-D datasets of TensorFlow Playground (circle, xor, gaussian,
 * spiral), generated the way its dataset.ts does: 500 points, coordinates in
 * about [-6, 6] (scaled here by 1/6 to [-1, 1]), noise 0..0.5, half train and
 * half test. Seeded, so the same seed gives the same points.
 */
import { createRng, deriveSeed, randNormal, shuffle, type Rng } from '../random';
import { DATASETS, type ClassificationData, type Split } from './dataset-info';

export const PLAYGROUND_DATASETS = ['circle', 'xor', 'gaussian', 'spiral'] as const;
export type PlaygroundDatasetId = (typeof PLAYGROUND_DATASETS)[number];

const POINTS = 500;
/** Playground draws on [-6, 6]; inputs are scaled into [-1, 1]. */
const SCALE = 1 / 6;

interface Point {
  readonly x: number;
  readonly y: number;
  /** Playground's label: +1 or -1. */
  readonly label: 1 | -1;
}

const uniform = (rng: Rng, a: number, b: number): number => a + (b - a) * rng.next();

function circle(rng: Rng, n: number, noise: number): Point[] {
  const radius = 5;
  const label = (x: number, y: number): 1 | -1 => (Math.hypot(x, y) < radius * 0.5 ? 1 : -1);
  const points: Point[] = [];
  const ring = (rMin: number, rMax: number): void => {
    for (let i = 0; i < n / 2; i++) {
      const r = uniform(rng, rMin, rMax);
      const angle = uniform(rng, 0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      const nx = uniform(rng, -radius, radius) * noise;
      const ny = uniform(rng, -radius, radius) * noise;
      points.push({ x, y, label: label(x + nx, y + ny) });
    }
  };
  ring(0, radius * 0.5);
  ring(radius * 0.7, radius);
  return points;
}

function xor(rng: Rng, n: number, noise: number): Point[] {
  const padding = 0.3;
  return Array.from({ length: n }, () => {
    let x = uniform(rng, -5, 5);
    x += x > 0 ? padding : -padding;
    let y = uniform(rng, -5, 5);
    y += y > 0 ? padding : -padding;
    const nx = uniform(rng, -5, 5) * noise;
    const ny = uniform(rng, -5, 5) * noise;
    return { x, y, label: (x + nx) * (y + ny) >= 0 ? 1 : -1 };
  });
}

function gaussian(rng: Rng, n: number, noise: number): Point[] {
  // Playground maps noise 0..0.5 linearly onto a variance of 0.5..4.
  const variance = 0.5 + (noise / 0.5) * 3.5;
  const points: Point[] = [];
  const blob = (cx: number, cy: number, label: 1 | -1): void => {
    for (let i = 0; i < n / 2; i++) points.push({ x: cx + randNormal(rng) * variance, y: cy + randNormal(rng) * variance, label });
  };
  blob(2, 2, 1);
  blob(-2, -2, -1);
  return points;
}

function spiral(rng: Rng, n: number, noise: number): Point[] {
  const half = n / 2;
  const points: Point[] = [];
  const arm = (deltaT: number, label: 1 | -1): void => {
    for (let i = 0; i < half; i++) {
      const r = (i / half) * 5;
      const t = ((1.75 * i) / half) * 2 * Math.PI + deltaT;
      points.push({ x: r * Math.sin(t) + uniform(rng, -1, 1) * noise, y: r * Math.cos(t) + uniform(rng, -1, 1) * noise, label });
    }
  };
  arm(0, 1);
  arm(Math.PI, -1);
  return points;
}

const GENERATORS: Record<PlaygroundDatasetId, (rng: Rng, n: number, noise: number) => Point[]> = { circle, xor, gaussian, spiral };

function toSplit(points: readonly Point[]): Split {
  const x = new Float32Array(points.length * 2);
  const y = new Int32Array(points.length);
  points.forEach((p, i) => {
    x[2 * i] = p.x * SCALE;
    x[2 * i + 1] = p.y * SCALE;
    // Class 1 is Playground's +1 (drawn orange there).
    y[i] = p.label > 0 ? 1 : 0;
  });
  return { n: points.length, x, y };
}

export function playgroundDataset(id: PlaygroundDatasetId, seed: number, noise: number): ClassificationData {
  const rng = createRng(deriveSeed(seed, `playground-${id}`));
  const points = shuffle(rng, GENERATORS[id](rng, POINTS, Math.min(0.5, Math.max(0, noise))));
  const half = Math.floor(points.length / 2);
  return { info: DATASETS[id], train: toSplit(points.slice(0, half)), test: toSplit(points.slice(half)) };
}
