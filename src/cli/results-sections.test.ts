import { describe, expect, it } from 'vitest';
import { keepStudySections, STUDIES_HEADING, studySections, withStudySection } from './results-sections';

describe('results sections', () => {
  it('appends a new section under the studies heading once, then replaces it in place', () => {
    const one = withStudySection('# Results\n\n## 1. Battery\n\ntable\n', 'dna-density', '### DNA\n\nfirst');
    expect(one.split(STUDIES_HEADING)).toHaveLength(2);
    const two = withStudySection(one, 'routing-kinds', '### Routing\n\nr');
    const three = withStudySection(two, 'dna-density', '### DNA\n\nsecond');
    expect(three).not.toContain('first');
    expect(three.indexOf('second')).toBeLessThan(three.indexOf('### Routing'));
    expect([...studySections(three).keys()]).toEqual(['dna-density', 'routing-kinds']);
    expect(three.split(STUDIES_HEADING)).toHaveLength(2);
  });

  it('carries every study section of the previous file into a regenerated one', () => {
    const previous = withStudySection(withStudySection('# old\n\n## 1. old table\n', 'a-study', 'A $1 text'), 'b', 'B');
    const fresh = keepStudySections('# new\n\n## 1. new table\n', previous);
    expect(fresh).toContain('new table');
    expect(fresh).not.toContain('old table');
    expect(studySections(fresh)).toEqual(studySections(previous));
    expect(fresh).toContain('A $1 text');
  });

  it('refuses a name the markers could not hold', () => {
    expect(() => withStudySection('', 'Bad Name', 'x')).toThrow(/lower-case/);
  });
});
