/** File names of the exports: `loopy-lab-<model>-step<N>.<ext>`. */
export function exportFileName(model: string, step: number, ext: string, part = ''): string {
  return `loopy-lab-${model}${part ? `-${part}` : ''}-step${step}.${ext}`;
}
