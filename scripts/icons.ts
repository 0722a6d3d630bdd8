/**
 * `npm run icons`: render the app icons (public/icons/*.png) from the one source image
 * public/icon.svg with Debian's Chromium (playwright-core screenshots). The PNGs are committed, so
 * the build never needs a browser. CHROME_PATH overrides the browser.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../', import.meta.url));

/** One rendered icon: its file name, edge length in px, and the share of the edge the artwork fills. */
interface IconSpec {
  readonly file: string;
  readonly sizePx: number;
  /** 1 fills the square; a maskable icon keeps its artwork inside the 80 % safe zone. */
  readonly artworkScale: number;
}

/** The icons the manifest lists (vite.config.ts). */
const ICONS: readonly IconSpec[] = [
  { file: 'icon-192.png', sizePx: 192, artworkScale: 1 },
  { file: 'icon-512.png', sizePx: 512, artworkScale: 1 },
  { file: 'icon-maskable-512.png', sizePx: 512, artworkScale: 0.8 },
  { file: 'apple-touch-icon-180.png', sizePx: 180, artworkScale: 1 },
];

const BACKGROUND = '#1b1f3b';

async function main(): Promise<void> {
  const svg = await readFile(`${root}public/icon.svg`, 'utf8');
  const svgUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  await mkdir(`${root}public/icons`, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    for (const icon of ICONS) {
      const page = await browser.newPage({ viewport: { width: icon.sizePx, height: icon.sizePx }, deviceScaleFactor: 1 });
      const artPx = Math.round(icon.sizePx * icon.artworkScale);
      await page.setContent(
        `<html><body style="margin:0;width:${icon.sizePx}px;height:${icon.sizePx}px;background:${BACKGROUND};display:grid;place-items:center">` +
          `<img src="${svgUrl}" width="${artPx}" height="${artPx}"></body></html>`,
      );
      await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
      await page.screenshot({ path: `${root}public/icons/${icon.file}`, omitBackground: false });
      await page.close();
      console.log(`public/icons/${icon.file} (${icon.sizePx}×${icon.sizePx})`);
    }
  } finally {
    await browser.close();
  }
}

await main();
