import { describe, expect, it } from 'vitest';
import { decideBackends, isSoftwareRenderer } from './backend-choice';

const none = { description: null, software: false };
const swiftshader = { description: 'google swiftshader', software: true };
const nvidia = { description: 'nvidia hopper', software: false };

describe('backend choice', () => {
  it('prefers hardware WebGPU, then hardware WebGL', () => {
    expect(decideBackends('auto', nvidia, nvidia).order[0]).toBe('webgpu');
    expect(decideBackends('auto', none, nvidia).order[0]).toBe('webgl');
  });

  it('skips software adapters for wasm and says why', () => {
    const d = decideBackends('auto', swiftshader, { description: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))', software: true });
    expect(d.order[0]).toBe('wasm');
    expect(d.reasons.join(' ')).toMatch(/WebGPU skipped: software adapter/);
    expect(d.order).toContain('webgpu'); // still reachable if everything else fails
  });

  it('honours a forced choice first', () => {
    expect(decideBackends('webgpu', swiftshader, none).order[0]).toBe('webgpu');
    expect(decideBackends('cpu', nvidia, nvidia).order[0]).toBe('cpu');
  });

  it('recognises software renderers', () => {
    expect(isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)))')).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 4090)')).toBe(false);
  });

  it('never picks a backend that lost its device on this page, forced or not, and says so', () => {
    const forced = decideBackends('webgpu', nvidia, nvidia, ['webgpu']);
    expect(forced.order).toEqual(['webgl', 'wasm', 'cpu']);
    expect(forced.reasons[0]).toMatch(/webgpu not used again: it lost its device/);
    expect(decideBackends('auto', nvidia, nvidia, ['webgpu', 'webgl']).order).toEqual(['wasm', 'cpu']);
  });
});
