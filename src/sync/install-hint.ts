/**
 * How this browser lets a person install the app: its own prompt (`beforeinstallprompt`, Chromium),
 * a manual hint (iOS Safari: Share → Add to Home Screen), or nothing. Pure: the caller passes the
 * user agent and touch points.
 */

/** The install affordance to show. */
export const InstallMode = {
  /** Nothing to show (already installed, unsupported, or no prompt yet). */
  none: 'none',
  /** The browser offered a prompt (`beforeinstallprompt`): show an Install button. */
  prompt: 'prompt',
  /** iOS Safari: no prompt exists; show "Share → Add to Home Screen". */
  iosHint: 'ios-hint',
} as const;
export type InstallMode = (typeof InstallMode)[keyof typeof InstallMode];

/**
 * True for Safari on iPhone/iPad (including iPadOS, which reports a Mac user agent with touch),
 * but not other iOS browsers (Chrome `CriOS`, Firefox `FxiOS`, Edge `EdgiOS`, …) or in-app views.
 */
export function isIosSafari(userAgent: string, maxTouchPoints = 0): boolean {
  const ios = /iPhone|iPad|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && maxTouchPoints > 1);
  if (!ios) return false;
  if (!/Safari\//.test(userAgent) || !/Version\//.test(userAgent)) return false;
  return !/CriOS|FxiOS|EdgiOS|OPiOS|GSA\/|FBAN|FBAV|Instagram/.test(userAgent);
}

/** The affordance for this browser: a captured prompt wins; installed apps show nothing. */
export function installMode(facts: { standalone: boolean; promptAvailable: boolean; userAgent: string; maxTouchPoints: number }): InstallMode {
  if (facts.standalone) return InstallMode.none;
  if (facts.promptAvailable) return InstallMode.prompt;
  return isIosSafari(facts.userAgent, facts.maxTouchPoints) ? InstallMode.iosHint : InstallMode.none;
}
