/**
 * Whether this device may stop Tutti's audio in the background, and what to tell the person.
 * Pure: the shell passes what it knows about the browser and what it saw happen.
 */

/** What the shell knows. */
export interface BackgroundFacts {
  readonly userAgent: string;
  readonly maxTouchPoints: number;
  /** The Screen Wake Lock API exists. */
  readonly wakeLockSupported: boolean;
  /** Audio was playing when the page was hidden and was found stopped (suspended/interrupted) on return. */
  readonly stoppedInBackground: boolean;
}

/** True on iPhone/iPad (any browser there is WebKit; iPadOS reports a Mac user agent with touch). */
export function isAppleMobile(userAgent: string, maxTouchPoints: number): boolean {
  return /iPhone|iPad|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && maxTouchPoints > 1);
}

/** True on a phone or tablet (touch-first device). */
export function isMobileDevice(userAgent: string, maxTouchPoints: number): boolean {
  return isAppleMobile(userAgent, maxTouchPoints) || /Android|Mobi/.test(userAgent);
}

/**
 * The warning to show, or null. What was seen wins over what is guessed: a stop observed in the
 * background is reported as such; otherwise iOS (which suspends web audio when the screen locks
 * or the app is left) and mobiles without Wake Lock (the screen sleeps while playing) get a hint.
 */
export function backgroundWarning(facts: BackgroundFacts): string | null {
  if (facts.stoppedInBackground) {
    return 'This device stopped Tutti while it was in the background. Keep Tutti open with the screen on while it plays; tap the page to resume sound.';
  }
  if (isAppleMobile(facts.userAgent, facts.maxTouchPoints)) {
    return 'On iPhone and iPad, sound stops when the screen locks or you switch apps. Keep Tutti open in front while it plays (it keeps the screen awake while playing).';
  }
  if (isMobileDevice(facts.userAgent, facts.maxTouchPoints) && !facts.wakeLockSupported) {
    return 'This browser cannot keep the screen awake: if the screen sleeps, sound may stop. Raise the screen timeout while Tutti plays.';
  }
  return null;
}
