/** Saves text as a file through a temporary object URL. */
export function downloadText(filename: string, text: string, type: string): void {
  downloadBlob(filename, text, type);
}

/** Saves a value as a JSON file. */
export function downloadJson(filename: string, value: unknown): void {
  downloadText(filename, JSON.stringify(value), 'application/json');
}

/** Saves binary or text content as a file (the Export menu's formats). */
export function downloadBlob(filename: string, content: Blob | string | Uint8Array, type: string): void {
  const blob = content instanceof Blob ? content : new Blob([content as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
