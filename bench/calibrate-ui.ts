/** Clicking "Calibrate speakers" on a listener page, as a person would, for the benchmarks. */
import type { Page } from 'playwright-core';
import type { CalibrationReport } from '../src/room/calibration-runner.js';

/** Clicks "Calibrate speakers" and resolves with the report shown in `<tutti-calibration>`. */
export async function calibrateFromUi(page: Page, timeoutMs = 30_000): Promise<CalibrationReport> {
  await page.evaluate(() => {
    const el = document.querySelector('tutti-calibration') as unknown as { report: unknown } | null;
    if (el !== null) el.report = null;
  });
  await page.getByRole('button', { name: 'Calibrate speakers' }).click({ timeout: timeoutMs });
  const handle = await page.waitForFunction(() => (document.querySelector('tutti-calibration') as unknown as { report: unknown } | null)?.report ?? null, undefined, { timeout: timeoutMs, polling: 50 });
  return (await handle.jsonValue()) as CalibrationReport;
}
