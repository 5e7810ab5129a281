/**
 * The shape every WGSL program in the engine has (the fused LARA tick, the
 * edge and gathered-matmul kernels): one invocation per output element, 64 to
 * a workgroup, run through tfjs-webgpu's runWebGPUProgram.
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

const WORKGROUP = 64;

/**
 * A fresh program object per call: runWebGPUProgram writes its shader key and dispatch into it.
 * `uniforms` declares the program's own uniforms (WGSL struct fields); `code` runs only when the
 * backend compiles the shader (once per shader key).
 */
export function elementwiseProgram(shaderKey: string, variableNames: string[], outputShape: number[], uniforms: string, code: () => string): WebGPUProgram {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    variableNames,
    outputShape,
    shaderKey,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms,
    getUserCode: code,
  };
}
