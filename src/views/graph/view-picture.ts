/**
 * The centre view's picture for the Export menu: the mounted view's
 * controller registers itself (the graph, DNA or routing view; one is
 * mounted at a time) and the menu asks the current one for SVG or PNG.
 */

export interface ViewPicture {
  /** Which view draws it ("graph", "dna", "routing"), for file names. */
  readonly view: string;
  /** The picture as vector SVG, legend included; null where the view has no vector form (then `why` says so). */
  readonly svg: (() => string) | null;
  /** Why there is no SVG, when `svg` is null. */
  readonly why?: string;
  /** The picture as PNG at the device pixel ratio. */
  png(): Promise<Blob>;
}

let current: ViewPicture | null = null;

/** Registers the mounted view's picture; the returned function unregisters it (only if it is still the current one). */
export function setViewPicture(picture: ViewPicture): () => void {
  current = picture;
  return () => {
    if (current === picture) current = null;
  };
}

export function currentViewPicture(): ViewPicture | null {
  return current;
}

/** A canvas as PNG, as it is on screen (its backing store is already at the device pixel ratio). */
export function canvasPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png'));
}

/** Rasterises SVG text at `dpr` through an image and a canvas (no foreign content, so the canvas stays readable). */
export async function svgToPng(svg: string, width: number, height: number, dpr: number): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * dpr));
    canvas.height = Math.max(1, Math.round(height * dpr));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas for the PNG');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await canvasPng(canvas);
  } finally {
    URL.revokeObjectURL(url);
  }
}
