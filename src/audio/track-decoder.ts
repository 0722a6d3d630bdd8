/**
 * Loads and decodes tracks for one AudioContext, keeping at most `capacity` decoded AudioBuffers
 * (least recently used evicted): the current track and the next one. Concurrent requests for one
 * track share one decode.
 */

/** Outcome of {@link TrackDecoder.load}. */
export type DecodeResult =
  | { readonly kind: 'ready'; readonly buffer: AudioBuffer }
  /** The bytes are not in the library (yet). */
  | { readonly kind: 'missing' }
  | { readonly kind: 'error'; readonly message: string };

/** Called when decoding actually starts (the bytes were there). */
export type DecodeStarted = () => void;

export class TrackDecoder {
  private readonly cache = new Map<string, AudioBuffer>();
  private readonly pending = new Map<string, Promise<DecodeResult>>();
  /** The bytes of each track being decoded (read once, shared with {@link bytes}). */
  private readonly reading = new Map<string, Promise<Uint8Array | undefined>>();

  constructor(
    private readonly context: BaseAudioContext,
    private readonly loadBytes: (trackId: string) => Promise<Uint8Array | undefined>,
    private readonly capacity = 2,
  ) {}

  /** A decoded buffer if cached (and marks it recently used). */
  cached(trackId: string): AudioBuffer | undefined {
    const buffer = this.cache.get(trackId);
    if (buffer !== undefined) this.remember(trackId, buffer);
    return buffer;
  }

  /** Whether `trackId` is decoded and cached (without marking it used). */
  has(trackId: string): boolean {
    return this.cache.has(trackId);
  }

  /** Tracks decoded and cached now, least recently used first. */
  get decodedTrackIds(): string[] {
    return [...this.cache.keys()];
  }

  /** Load and decode `trackId`; never rejects. */
  load(trackId: string, onDecoding: DecodeStarted = () => undefined): Promise<DecodeResult> {
    const buffer = this.cached(trackId);
    if (buffer !== undefined) return Promise.resolve({ kind: 'ready', buffer });
    const inFlight = this.pending.get(trackId);
    if (inFlight !== undefined) return inFlight;
    const job = this.decode(trackId, onDecoding).finally(() => {
      this.pending.delete(trackId);
      this.reading.delete(trackId);
    });
    this.pending.set(trackId, job);
    return job;
  }

  /**
   * The track's bytes: those of its decode in flight (read once; storage took 0.5 s for a 5 MB
   * track on a loaded machine), else a read of their own. Rejects when the read does.
   */
  bytes(trackId: string): Promise<Uint8Array | undefined> {
    return this.reading.get(trackId) ?? this.loadBytes(trackId);
  }

  /** Decode bytes that are not a whole track (not cached); rejects when they cannot be decoded. */
  decodePart(bytes: Uint8Array): Promise<AudioBuffer> {
    return this.context.decodeAudioData(bytes.slice().buffer);
  }

  dispose(): void {
    this.cache.clear();
    this.pending.clear();
    this.reading.clear();
  }

  private async decode(trackId: string, onDecoding: DecodeStarted): Promise<DecodeResult> {
    let bytes: Uint8Array | undefined;
    try {
      const read = this.loadBytes(trackId);
      this.reading.set(trackId, read);
      bytes = await read;
    } catch (e) {
      return { kind: 'error', message: `Could not read the track: ${String(e)}` };
    }
    if (bytes === undefined) return { kind: 'missing' };
    onDecoding();
    try {
      const copy = bytes.slice().buffer;
      const buffer = await this.context.decodeAudioData(copy);
      this.remember(trackId, buffer);
      return { kind: 'ready', buffer };
    } catch (e) {
      return { kind: 'error', message: `This track cannot be decoded: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  private remember(trackId: string, buffer: AudioBuffer): void {
    this.cache.delete(trackId);
    this.cache.set(trackId, buffer);
    while (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}
