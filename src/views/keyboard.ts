/** Keyboard rules the whole page shares. */

/** True where Space belongs to the focused element: text entry, buttons, checkboxes, selects, links, editable content. */
export function ownsSpaceKey(target: EventTarget | null): boolean {
  if (typeof Element === 'undefined' || !(target instanceof Element)) return false;
  if (target.closest('[contenteditable=""], [contenteditable="true"]')) return true;
  return ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'SUMMARY', 'LABEL'].includes(target.tagName);
}
