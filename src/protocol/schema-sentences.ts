/**
 * Schema issues as sentences a person can act on ("must be a whole number
 * from 1 to 10"), not zod's raw messages ("Invalid input: expected int,
 * received number"). Used wherever a refusal reaches the page.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

const KINDS: Readonly<Record<string, string>> = {
  int: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  bigint: 'a whole number',
};

/** The name a sentence starts with: `name` when given, else the issue's path (or "The value"). */
function subject(issue: Issue, name?: string): string {
  if (name) return name;
  return issue.path.length > 0 ? issue.path.map(String).join('.') : 'The value';
}

function bound(kind: 'at least' | 'at most', value: number | bigint, inclusive: boolean | undefined): string {
  if (inclusive === false) return `${kind === 'at least' ? 'more' : 'less'} than ${value}`;
  return `${kind} ${value}`;
}

/** At most five names of at most 40 characters each: a hostile file's keys are quoted, never pasted whole. */
function clipList(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((k) => (k.length > 40 ? `${k.slice(0, 40)}…` : k));
  return names.length > 5 ? `${shown.join(', ')} and ${names.length - 5} more` : shown.join(', ');
}

/** One issue as one sentence, without a final full stop. */
export function issueSentence(issue: Issue, name?: string): string {
  const who = subject(issue, name);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.message.endsWith('received undefined')) return `${who} is missing`;
      return `${who} must be ${KINDS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'set') return `${who} must have ${bound('at least', issue.minimum, issue.inclusive)} items`;
      if (issue.origin === 'string') return `${who} must have ${bound('at least', issue.minimum, issue.inclusive)} characters`;
      return `${who} must be ${bound('at least', issue.minimum, issue.inclusive)}`;
    case 'too_big':
      if (issue.origin === 'array' || issue.origin === 'set') return `${who} must have ${bound('at most', issue.maximum, issue.inclusive)} items`;
      if (issue.origin === 'string') return `${who} must have ${bound('at most', issue.maximum, issue.inclusive)} characters`;
      return `${who} must be ${bound('at most', issue.maximum, issue.inclusive)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `${who} must be ${String(issue.values[0])}` : `${who} must be one of ${issue.values.map(String).join(', ')}`;
    case 'not_multiple_of':
      return Number(issue.divisor) === 1 ? `${who} must be a whole number` : `${who} must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `${who === 'The value' ? 'It' : who} has ${issue.keys.length === 1 ? 'a key' : 'keys'} the format does not know: ${clipList(issue.keys)}`;
    case 'invalid_format':
      return `${who} is not a valid ${issue.format}`;
    case 'invalid_union':
      return `${who} matches none of the forms it may take`;
    case 'invalid_key':
    case 'invalid_element':
      return `${who} holds a key or item that is not valid`;
    case 'custom':
      // Custom refinements already carry a sentence of ours.
      return issue.path.length > 0 || name ? `${who}: ${issue.message}` : issue.message;
  }
}

/** The first `max` issues of an error, as sentences joined with semicolons. */
export function errorSentences(error: z.ZodError, max = 3, name?: string): string {
  const sentences = error.issues.slice(0, max).map((i) => issueSentence(i, name));
  const more = error.issues.length - max;
  return more > 0 ? `${sentences.join('; ')} (and ${more} more)` : sentences.join('; ');
}
