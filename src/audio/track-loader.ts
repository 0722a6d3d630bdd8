/**
 * The speaker engine's current track: which one it wants, and whether its bytes are loading,
 * missing (retried every {@link RETRY_MS}), decoding, decoded or broken. Decoding goes through a
 * {@link TrackDecoder} (LRU cache, shared in-flight decodes). Calls `changed` on every transition.
 */
import type { Milliseconds } from '../sync/units.js';
import { TrackDecoder } from './track-decoder.js';

/** While the bytes are missing, retry this often, ms. */
export const RETRY_MS: Milliseconds = 2_000;

/** Where the wanted track is. */
export type LoadState =
  | { readonly kind: 'loading' | 'decoding'; readonly trackId: string }
  | { readonly kind: 'missing'; readonly trackId: string; readonly sinceMs: Milliseconds }
  | { readonly kind: 'ready'; readonly trackId: string; readonly buffer: AudioBuffer }
  | { readonly kind: 'error'; readonly trackId: string; readonly message: string };

export class TrackLoader {
  private current: LoadState | null = null;
  private readonly decoder: TrackDecoder;
  private disposed = false;

  /** `changed` runs after each state change (not after dispose). */
  constructor(context: BaseAudioContext, loadBytes: (trackId: string) => Promise<Uint8Array | undefined>, private readonly changed: () => void) {
    this.decoder = new TrackDecoder(context, loadBytes);
  }

  get state(): LoadState | null {
    return this.current;
  }

  /** The decoded buffer when the wanted track is ready. */
  get buffer(): AudioBuffer | null {
    return this.current?.kind === 'ready' ? this.current.buffer : null;
  }

  /** Want `trackId` (null: nothing); loads it unless already wanted. */
  want(trackId: string | null): void {
    if (trackId !== null && this.current?.trackId !== trackId) this.request(trackId);
  }

  /** Bytes for trackId just arrived: retry at once if it is wanted and was missing. */
  available(trackId: string): void {
    if (this.current?.kind === 'missing' && this.current.trackId === trackId) this.request(trackId);
  }

  /** Retry a missing track whose last attempt is {@link RETRY_MS} old (call periodically). */
  retry(nowMs: Milliseconds): void {
    const load = this.current;
    if (load?.kind === 'missing' && nowMs - load.sinceMs >= RETRY_MS) this.request(load.trackId);
  }

  /** Decode ahead (e.g. the next track in the queue). */
  preload(trackIds: readonly string[]): void {
    for (const id of trackIds) void this.decoder.load(id);
  }

  dispose(): void {
    this.disposed = true;
    this.decoder.dispose();
  }

  private request(trackId: string): void {
    this.current = { kind: 'loading', trackId };
    void this.decoder
      .load(trackId, () => {
        if (this.current?.trackId === trackId) this.current = { kind: 'decoding', trackId };
        if (!this.disposed) this.changed();
      })
      .then((result) => {
        if (this.disposed || this.current?.trackId !== trackId) return;
        this.current =
          result.kind === 'ready' ? { kind: 'ready', trackId, buffer: result.buffer }
          : result.kind === 'missing' ? { kind: 'missing', trackId, sinceMs: performance.now() }
          : { kind: 'error', trackId, message: result.message };
        this.changed();
      });
  }
}
