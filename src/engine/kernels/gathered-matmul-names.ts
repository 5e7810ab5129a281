/** Kernel names of the gathered matmul (gathered-matmul.ts), apart so the webgpu programs can register them without a cycle. */
export const GATHERED_MATMUL_KERNEL = 'LoopyGatheredMatMul';
export const GATHERED_MATMUL_GRAD_X_KERNEL = 'LoopyGatheredMatMulGradX';
export const GATHERED_MATMUL_GRAD_W_KERNEL = 'LoopyGatheredMatMulGradW';
