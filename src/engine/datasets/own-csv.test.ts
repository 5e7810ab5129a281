import { describe, expect, it } from 'vitest';
import { loadDataset } from './classification-data';
import { CSV_FEATURE_SPAN_SD, MAX_CSV_CLASSES, MAX_CSV_FEATURES, MIN_CSV_ROWS, ownCsvDataset, parseOwnCsv, stratifiedSplit, type OwnCsv } from './own-csv';
import { datasetInfo, installOwnData, MAX_OWN_DATA_BYTES, ownDataSnapshot, parseOwnData, restoreOwnData } from './own-data';

/** A CSV of `rows` rows: features a (row index), b (its square mod 7), label by row % classes. */
function csv(rows: number, classes = 2, header = 'a,b,label', label = (r: number) => String(r % classes)): string {
  const lines = [header];
  for (let r = 0; r < rows; r++) lines.push(`${r},${(r * r) % 7},${label(r)}`);
  return lines.join('\n');
}
const ok = (text: string): OwnCsv => {
  const r = parseOwnCsv(text);
  if ('problem' in r) throw new Error(r.problem);
  return r;
};
const problem = (text: string): string => {
  const r = parseOwnCsv(text);
  return 'problem' in r ? r.problem : 'accepted';
};

describe('own CSV parser', () => {
  it('reads features and a label column named label/class/y/target, else the last', () => {
    const a = ok(csv(30));
    expect(a.featureNames).toEqual(['a', 'b']);
    expect(a.labelName).toBe('label');
    expect(a.rows).toBe(30);
    expect(Array.from(a.x.subarray(0, 4))).toEqual([0, 0, 1, 1]);
    const named = ok(['Class,u,v', ...Array.from({ length: 25 }, (_, r) => `${r % 3 ? 'cat' : 'dog'},${r},${-r}`)].join('\n'));
    expect(named.labelName).toBe('Class');
    expect(named.featureNames).toEqual(['u', 'v']);
    // "label" before "y": a column y of x,y,label stays a feature.
    const xy = ok(['x,y,label', ...Array.from({ length: 25 }, (_, r) => `${r},${r * 2},${r % 2}`)].join('\n'));
    expect(xy).toMatchObject({ featureNames: ['x', 'y'], labelName: 'label' });
    expect(ok(['y,f', ...Array.from({ length: 25 }, (_, r) => `${r % 2},${r}`)].join('\n')).labelName).toBe('y');
    const last = ok(['u,v,kind', ...Array.from({ length: 25 }, (_, r) => `${r},${r / 2},${r % 2 ? 'odd' : 'even'}`)].join('\r\n'));
    expect(last.labelName).toBe('kind');
  });

  it('orders classes: numbers numerically, text as sorted text', () => {
    expect(ok(csv(30, 3, 'a,b,y', (r) => String([10, 2, 1][r % 3]))).classes).toEqual(['1', '2', '10']);
    const t = ok(csv(30, 3, 'a,b,y', (r) => ['pear', 'apple', 'fig'][r % 3] as string));
    expect(t.classes).toEqual(['apple', 'fig', 'pear']);
    // Row 0 is pear: class 2.
    expect(t.y[0]).toBe(2);
  });

  it('refuses each malformed file, naming the problem', () => {
    expect(problem('')).toBe('the file is empty');
    expect(problem('a\n1\n2')).toMatch('the header has 1 column');
    expect(problem(csv(MIN_CSV_ROWS - 1))).toMatch(`${MIN_CSV_ROWS - 1} data rows; at least ${MIN_CSV_ROWS}`);
    const ragged = csv(30).split('\n');
    ragged[5] = '4,2';
    expect(problem(ragged.join('\n'))).toBe('row 5 has 2 cells, the header has 3');
    const word = csv(30).split('\n');
    word[8] = '7,seven,1';
    expect(problem(word.join('\n'))).toBe('row 8, column "b" holds "seven", not a number');
    const missing = csv(30).split('\n');
    missing[3] = ',1,0';
    expect(problem(missing.join('\n'))).toMatch('row 3, column "a" is empty');
    const noLabel = csv(30).split('\n');
    noLabel[2] = '1,1,';
    expect(problem(noLabel.join('\n'))).toMatch('row 2 has no label');
    expect(problem(csv(30, 1))).toMatch('every row has the label "0"; a classifier needs at least two classes');
    expect(problem(csv(80, MAX_CSV_CLASSES + 1))).toMatch(`${MAX_CSV_CLASSES + 1} classes; at most ${MAX_CSV_CLASSES}`);
    const wide = [Array.from({ length: MAX_CSV_FEATURES + 1 }, (_, i) => `f${i}`).join(',') + ',label'];
    expect(problem(wide.join('\n'))).toMatch(`${(MAX_CSV_FEATURES + 1).toLocaleString('en-US')} feature columns`);
    expect(problem('a,b,label\n1,2,"x\n')).toMatch('not well-formed CSV');
    expect(problem(csv(30).replace('1,1,1', '1,Infinity,1'))).toMatch('holds "Infinity", not a number');
  });

  it('refuses a file over the size limit before parsing', () => {
    const r = parseOwnData({ kind: 'csv', name: 'big.csv', text: 'x'.repeat(MAX_OWN_DATA_BYTES + 1) });
    expect('problem' in r && r.problem).toMatch('at most 5,000,000 bytes');
  });
});

describe('own CSV dataset', () => {
  // 3 classes of 50, 30 and 20 rows.
  const data = ok(csv(100, 3, 'a,b,label', (r) => (r < 50 ? 'x' : r < 80 ? 'y' : 'z')));

  it('splits 80/20 within every class, seeded', () => {
    const d = ownCsvDataset(data, 'f.csv', 7);
    const count = (y: Int32Array, c: number) => y.filter((v) => v === c).length;
    expect([0, 1, 2].map((c) => count(d.test.y, c))).toEqual([10, 6, 4]);
    expect([0, 1, 2].map((c) => count(d.train.y, c))).toEqual([40, 24, 16]);
    expect(d.info).toMatchObject({ id: 'own-csv', inputSize: 2, classes: 3 });
    const again = ownCsvDataset(data, 'f.csv', 7);
    expect(Array.from(again.test.x)).toEqual(Array.from(d.test.x));
    const other = ownCsvDataset(data, 'f.csv', 8);
    expect(Array.from(other.test.x)).not.toEqual(Array.from(d.test.x));
  });

  it('train and test rows are disjoint and together the whole file', () => {
    const { train, test } = stratifiedSplit(data.y, 3, 3);
    expect(new Set([...train, ...test]).size).toBe(100);
    expect(train.length + test.length).toBe(100);
    expect(test.filter((r) => train.includes(r))).toEqual([]);
  });

  it('standardises with the train split: train features have mean 0 and sd 1/3 (±3 sd spans [-1, 1]), a constant column becomes 0', () => {
    const constant = ok(['a,c,label', ...Array.from({ length: 40 }, (_, r) => `${r * 3},5,${r % 2}`)].join('\n'));
    const d = ownCsvDataset(constant, 'c.csv', 1);
    const F = 2;
    for (let f = 0; f < F; f++) {
      const v = Array.from({ length: d.train.n }, (_, i) => d.train.x[i * F + f] as number);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(sd).toBeCloseTo(f === 0 ? 1 / CSV_FEATURE_SPAN_SD : 0, 5);
    }
    // Test rows use the train split's mean and sd, so their mean is not forced to 0 exactly.
    expect(d.test.n).toBe(8);
  });

  it('loadDataset and datasetInfo serve the installed CSV', async () => {
    const before = ownDataSnapshot();
    try {
      expect(datasetInfo('own-csv').inputSize).toBe(0);
      await expect(loadDataset('own-csv', 1)).rejects.toThrow('no CSV file is loaded');
      installOwnData({ kind: 'csv', name: 'mine.csv', text: csv(40, 2) });
      expect(datasetInfo('own-csv')).toMatchObject({ inputSize: 2, classes: 2, label: 'Your CSV file' });
      const d = await loadDataset('own-csv', 1);
      expect(d.train.n + d.test.n).toBe(40);
      expect(() => installOwnData({ kind: 'csv', name: 'bad.csv', text: csv(40, 1) })).toThrow('"bad.csv" cannot be used: every row has the label "0"');
      // A refused file leaves the installed one.
      expect(datasetInfo('own-csv').description).toMatch('mine.csv');
    } finally {
      restoreOwnData(before);
    }
  });
});
