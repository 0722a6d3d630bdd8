/**
 * The Audio Session API (Safari 16.4+): `navigator.audioSession.type = 'playback'` makes the page's
 * audio behave like media playback (plays with the ring/silent switch on silent, is not mixed
 * down like a notification). Absent elsewhere; then nothing happens.
 */

interface AudioSessionLike {
  type: string;
}

/** Asks for the 'playback' audio session; returns true when the browser has the API. */
export function preferPlaybackAudioSession(nav: Navigator = navigator): boolean {
  const session = (nav as Navigator & { audioSession?: AudioSessionLike }).audioSession;
  if (session === undefined || session === null) return false;
  try {
    session.type = 'playback';
    return session.type === 'playback';
  } catch {
    return false;
  }
}
