/**
 * The file limit against what the lab really writes: every model kind's
 * export with every slider at its maximum fits, and so does a LARA network
 * grown to growth's default in-degree cap.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrainer } from '../engine/model-registry';
import { useBackend } from '../engine/testing/backends';
import { base64LengthOfFloats } from './base64';
import { defaultExperiment, descriptorOf, MODEL_KINDS, type Experiment, type ModelKind } from './experiment';
import { importSizeProblem, MAX_IMPORT_BYTES, MAX_TENSOR_FLOATS } from './import-limits';
import { parseModelDocument, toModelDocument } from './model-document';

/** The kind's default experiment with every slider at its maximum (classification kinds on a 2-D dataset, so nothing loads MNIST). */
function atSliderMaxima(kind: ModelKind): Experiment {
  const d = descriptorOf(kind);
  let params = defaultExperiment(kind).params as Record<string, unknown>;
  for (const c of d.controls.controls) {
    if (c.type !== 'slider') continue;
    const max = c.scale === 'log' ? 10 ** c.max : c.max;
    params = (c.set ? c.set(params, max) : { ...params, [c.key]: max }) as Record<string, unknown>;
  }
  const e = { ...defaultExperiment(kind), params } as Experiment;
  return d.family === 'classification' ? ({ ...e, task: 'circle' } as Experiment) : e;
}

describe('the import size limit', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  // Builds each kind at its largest (about 80 s on two cores): MEASURE_EXPORTS=1 npx vitest run src/protocol/import-limits.test.ts
  it.skipIf(!process.env.MEASURE_EXPORTS)('holds every kind’s export at the sliders’ maxima', async () => {
    const sizes: Record<string, number> = {};
    for (const kind of MODEL_KINDS) {
      const experiment = atSliderMaxima(kind);
      const t = await createTrainer(experiment);
      const text = JSON.stringify(toModelDocument(experiment, await t.exportModel(), t.step, { loss: null, accuracy: null }));
      t.dispose();
      sizes[kind] = text.length;
      const parsed = parseModelDocument(text);
      expect(parsed.ok ? 'accepted' : parsed.error, kind).toBe('accepted');
    }
    console.info('export characters at the sliders’ maxima:', sizes);
    expect(Math.max(...Object.values(sizes))).toBeLessThan(MAX_IMPORT_BYTES / 2);
  }, 120_000);

  it('holds a LARA network at the node slider’s maximum grown to in-degree 8 (growth’s default cap)', () => {
    const nodes = 256;
    const width = 64;
    const edges = nodes * 8;
    const floats = edges * width * width + 2 * edges * width;
    expect(floats).toBeLessThan(MAX_TENSOR_FLOATS);
    expect(base64LengthOfFloats(floats)).toBeLessThan(MAX_IMPORT_BYTES);
  });

  it('refuses a bigger file by its size, naming both sizes', () => {
    expect(importSizeProblem(MAX_IMPORT_BYTES)).toBeNull();
    expect(importSizeProblem(80e6)).toMatch(/The file is 80\.0 MB; the lab reads exports up to 67\.1 MB/);
  });
});
