/** Every descriptor in the registry is complete and consistent: what a new model kind must get right to join the lab. */
import { describe, expect, it } from 'vitest';
import type { ControlDescriptor, UrlField } from './model-descriptor';
import { descriptorOf, MODEL_KINDS } from './model-registry';

type Params = Readonly<Record<string, unknown>>;

describe.each(MODEL_KINDS)('descriptor %s', (kind) => {
  const d = descriptorOf(kind);
  const defaults = d.defaults as Params;
  const keys = Object.keys(defaults);
  const url = Object.values(d.url) as readonly (string | UrlField<Params>)[];

  it('is filed under its own kind, and its defaults pass its schema', () => {
    expect(d.kind).toBe(kind);
    expect(d.schema.safeParse(defaults).success).toBe(true);
    expect(d.schema.safeParse({ ...defaults, notAParameter: 1 }).success).toBe(false);
  });

  it('names only parameters it has: live keys, controls, URL keys, battery sweep keys', () => {
    for (const k of d.liveKeys) expect(keys).toContain(k);
    for (const c of d.controls.controls) expect(keys).toContain(c.key);
    for (const spec of url) if (typeof spec === 'string') expect(keys).toContain(spec);
    for (const k of d.battery?.sweepKeys ?? []) expect(keys).toContain(k);
  });

  it('has one URL key per parameter it carries, none reserved, and every value reads back from the defaults', () => {
    for (const reserved of ['model', 'task', 'seed', 'backend']) expect(Object.hasOwn(d.url, reserved)).toBe(false);
    const plain = url.filter((s): s is string => typeof s === 'string');
    expect(new Set(plain).size).toBe(plain.length);
    for (const spec of url) {
      const v = typeof spec === 'string' ? defaults[spec] : spec.get(defaults);
      expect(['string', 'number', 'boolean']).toContain(typeof v);
    }
  });

  it('controls: labels unique, defaults inside slider ranges, select options cover the default', () => {
    const controls = d.controls.controls as readonly ControlDescriptor<Params>[];
    const labels = controls.map((c) => c.label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const c of controls) {
      expect(typeof c.help === 'function' ? c.help(defaults) : c.help).not.toBe('');
      if (c.type === 'slider') {
        const raw = c.get ? c.get(defaults) : (defaults[c.key] as number);
        const v = c.scale === 'log' ? Math.log10(raw) : raw;
        expect(v).toBeGreaterThanOrEqual(c.min - 1e-9);
        expect(v).toBeLessThanOrEqual(c.max + 1e-9);
      }
      if (c.type === 'select') expect(c.options.map((o) => o.value)).toContain(defaults[c.key]);
    }
  });

  it('help says what the model computes and which choices are ours', () => {
    expect(d.help.title).not.toBe('');
    expect(d.help.formulas.length).toBeGreaterThan(0);
    expect(d.help.lists.some((l) => /our choices/i.test(l.heading))).toBe(true);
  });

  it('a battery hookup gives parameters its battery model accepts', async () => {
    if (!d.battery) return;
    const { BATTERY_MODEL_INFO } = await import('./battery/battery-model-info');
    expect(BATTERY_MODEL_INFO[d.battery.model].validate(d.battery.params(defaults))).toBeNull();
  });
});
