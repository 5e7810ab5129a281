/**
 * Named device tensors that pack id-keyed host rows (see packing.ts). Growth
 * and checkpoints go through here: download to rows, edit, upload again.
 */
import * as tf from '@tensorflow/tfjs';
import { packRows, rowIds, unpackRows, type Packing, type RowSet, type RowTable } from './packing';
import { newVariable } from './variables';

export interface TableSpec {
  readonly set: RowSet;
  /** Floats per row. */
  readonly width: number;
  /** Device shape; its element count is rows x width. */
  shape(p: Packing): number[];
}

export type TableSpecs<N extends string> = Readonly<Record<N, TableSpec>>;

export function uploadTables<N extends string>(
  specs: TableSpecs<N>,
  tables: Readonly<Record<N, RowTable>>,
  p: Packing,
  trainable: boolean,
): Record<N, tf.Variable> {
  const vars = {} as Record<N, tf.Variable>;
  for (const name of Object.keys(specs) as N[]) {
    const spec = specs[name];
    const data = packRows(tables[name], rowIds(p, spec.set));
    vars[name] = newVariable(() => tf.tensor(data, spec.shape(p)), trainable);
  }
  return vars;
}

export async function downloadTables<N extends string>(
  specs: TableSpecs<N>,
  vars: Readonly<Record<N, tf.Tensor>>,
  p: Packing,
): Promise<Record<N, RowTable>> {
  const names = Object.keys(specs) as N[];
  const datas = await Promise.all(names.map((n) => vars[n].data() as Promise<Float32Array>));
  const tables = {} as Record<N, RowTable>;
  names.forEach((name, i) => {
    const spec = specs[name];
    tables[name] = unpackRows(datas[i] as Float32Array, rowIds(p, spec.set), spec.width);
  });
  return tables;
}

export function disposeVars(vars: Readonly<Record<string, tf.Tensor>>): void {
  tf.dispose(Object.values(vars));
}
