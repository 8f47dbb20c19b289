/** Saves a Blob as a file through a temporary link (no server involved). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The worker's PNG (a Blob in browsers, bytes elsewhere) as a Blob. */
export function pngBlob(png: Blob | Uint8Array): Blob {
  return png instanceof Blob ? png : new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' });
}
