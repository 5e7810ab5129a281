/** Float64 reference of the gathered matmul y[i] = x[i] . W[idx[i]] and the gradients of sum(y * dy). */

type Numbers = ArrayLike<number>;

/** x [N, P], w [rows, P, Q], idx [N], dy [N, Q]; returns y [N, Q], dx [N, P], dw [rows, P, Q]. */
export function gatheredMatMulFloat64(x: Numbers, w: Numbers, idx: Numbers, dy: Numbers, P: number, Q: number, rows: number): { y: Float64Array; dx: Float64Array; dw: Float64Array } {
  const N = idx.length;
  const y = new Float64Array(N * Q);
  const dx = new Float64Array(N * P);
  const dw = new Float64Array(rows * P * Q);
  for (let i = 0; i < N; i++) {
    const a = idx[i] as number;
    for (let k = 0; k < P; k++)
      for (let j = 0; j < Q; j++) {
        const wv = w[(a * P + k) * Q + j] as number;
        y[i * Q + j] = (y[i * Q + j] as number) + (x[i * P + k] as number) * wv;
        dx[i * P + k] = (dx[i * P + k] as number) + (dy[i * Q + j] as number) * wv;
        dw[(a * P + k) * Q + j] = (dw[(a * P + k) * Q + j] as number) + (x[i * P + k] as number) * (dy[i * Q + j] as number);
      }
  }
  return { y, dx, dw };
}
