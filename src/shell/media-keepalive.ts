/**
 * A silent, looping `<audio>` element that plays while this device plays. Web Audio alone does
 * not count as "media playing" everywhere: Chromium shows Media Session controls (notification,
 * lock screen) for media elements, and iOS keeps a page whose media element plays alive longer in
 * the background. The element is silent; the music stays in Web Audio. Call `dispose()` when done.
 */
import { encodeWavPcm16 } from '../media/wav.js';
import type { Seconds } from '../sync/units.js';

/** Long enough for browsers that ignore very short media (Chromium: < 5 s) in their media controls. */
const SILENCE_SEC: Seconds = 10;
const SILENCE_RATE_HZ = 8000;

/** The subset of HTMLAudioElement used (tests may inject a fake). */
export interface KeepAliveElement {
  loop: boolean;
  src: string;
  readonly paused: boolean;
  play(): Promise<void>;
  pause(): void;
  removeAttribute(name: string): void;
  load(): void;
}

export class MediaKeepAlive {
  private readonly url: string;
  private wanted = false;
  private error: string | null = null;

  constructor(private readonly element: KeepAliveElement = new Audio()) {
    const silence = encodeWavPcm16([new Float32Array(SILENCE_SEC * SILENCE_RATE_HZ)], SILENCE_RATE_HZ);
    this.url = URL.createObjectURL(new Blob([silence.slice().buffer], { type: 'audio/wav' }));
    element.loop = true;
    element.src = this.url;
  }

  /** Why the browser refused to play it (no user gesture yet); null once it plays. */
  get lastError(): string | null {
    return this.error;
  }

  /** Plays while `playing`, pauses otherwise. A refusal is kept in `lastError`, never thrown. */
  setPlaying(playing: boolean): void {
    this.wanted = playing;
    if (!playing) {
      if (!this.element.paused) this.element.pause();
      return;
    }
    if (!this.element.paused) return;
    this.element.play().then(
      () => {
        this.error = null;
        if (!this.wanted) this.element.pause();
      },
      (error: unknown) => {
        this.error = error instanceof Error ? error.message : String(error);
      },
    );
  }

  dispose(): void {
    this.wanted = false;
    this.element.pause();
    this.element.removeAttribute('src');
    this.element.load();
    URL.revokeObjectURL(this.url);
  }
}
