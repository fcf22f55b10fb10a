import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface ResvgModule {
  initWasm(module: Buffer): Promise<void>;
  Resvg: new (svg: string, options: object) => { render(): { asPng(): Uint8Array } };
}

let ready: Promise<{ module: ResvgModule; font: Buffer }> | undefined;

/** resvg in WebAssembly (nothing native to build) with DejaVu Sans shipped as a package: it sees no system fonts. */
function renderer(): Promise<{ module: ResvgModule; font: Buffer }> {
  ready ??= (async () => {
    const module = (await import('@resvg/resvg-wasm')) as unknown as ResvgModule;
    await module.initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    return { module, font: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')) };
  })();
  return ready;
}

/** A chart's SVG as PNG bytes. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { module, font } = await renderer();
  const resvg = new module.Resvg(svg, { font: { fontBuffers: [font], defaultFontFamily: 'DejaVu Sans', loadSystemFonts: false }, background: '#ffffff' });
  return resvg.render().asPng();
}
