/**
 * Glue of one tab's playback: follows the room's play state (PlaybackCoordinator) with this
 * speaker's audio engine, fetches what its zone needs through the track exchange, persists the
 * speaker's own settings, and reports its playout to the room. Owns the engine: `dispose()`.
 */
import type { SpeakerEngine } from '../audio/speaker-engine.js';
import type { TrackLibrary } from '../library/track-library.js';
import type { SpeakerSettingsStore } from '../shell/speaker-settings-store.js';
import type { StereoChannel } from '../sync/group-state.js';
import { IDLE_PLAYOUT_REPORT, type PlayoutReport } from '../sync/playout-report.js';
import { MAX_TRIM_MS, planForZone, tracksToFetch, type PlaybackPlan, type SpeakerSettings } from '../sync/speaker-plan.js';
import type { PlaybackCoordinator } from './playback-coordinator.js';
import type { TrackExchange } from './track-exchange.js';
import { TrackPartFeeder, type RoomTime } from './track-part-feeder.js';

export interface SpeakerPlaybackOptions {
  readonly coordinator: PlaybackCoordinator;
  /** Null on a remote-only member (it plays nothing). */
  readonly engine: SpeakerEngine | null;
  readonly exchange: TrackExchange;
  readonly library: TrackLibrary;
  readonly settingsStore: SpeakerSettingsStore;
  readonly settings: SpeakerSettings;
  /** The room's shared time and how sure the clock is of it (where a late joiner's track is due, and when it holds its fetch). */
  readonly roomTime: RoomTime;
}

/** Events: `change` when settings or the engine's report may differ. */
export class SpeakerPlayback extends EventTarget {
  private current: SpeakerSettings;
  private channel: StereoChannel = 'both';
  private readonly cleanups: Array<() => void> = [];
  /** Plays the part of a track still arriving (a late joiner's WAV); null on a remote. */
  private readonly parts: TrackPartFeeder | null;

  constructor(private readonly options: SpeakerPlaybackOptions) {
    super();
    this.current = options.settings;
    const { coordinator, engine, exchange, library } = options;
    this.parts = engine === null ? null : new TrackPartFeeder(exchange, engine, options.roomTime);
    engine?.setTrimMs(this.current.trimMs);
    this.listen(coordinator, 'change', () => this.follow());
    this.listen(library, 'change', () => {
      exchange.libraryChanged();
      this.follow();
    });
    this.listen(exchange, 'change', () => this.parts?.step());
    this.listen(exchange, 'track-complete', (event) => {
      const trackId = (event as CustomEvent<{ trackId: string }>).detail.trackId;
      engine?.trackAvailable(trackId);
    });
    if (engine !== null) {
      this.listen(engine, 'change', () => {
        this.parts?.step();
        coordinator.setOwnReport(engine.report());
        this.dispatchEvent(new Event('change'));
      });
    }
    this.follow();
  }

  /** What this speaker plays now (null: nothing, or a remote). */
  plan(): PlaybackPlan | null {
    return this.options.engine === null ? null : planForZone(this.options.coordinator.ownZone(), this.current, this.channel);
  }

  /** This speaker's settings. */
  get settings(): SpeakerSettings {
    return this.current;
  }

  /** This speaker's playout (idle on a remote). */
  report(): PlayoutReport {
    return this.options.engine?.report() ?? IDLE_PLAYOUT_REPORT;
  }

  /** What the part feeder does (a late joiner playing a track still arriving), for diagnostics. */
  partsView(): ReturnType<TrackPartFeeder['view']> | null {
    return this.parts?.view() ?? null;
  }

  /** Unlock audio; call synchronously inside a user gesture. */
  unlock(): void {
    this.options.engine?.unlock();
  }

  /** Change volume, mute or trim; applied at once and persisted. */
  update(change: Partial<SpeakerSettings>): void {
    const next = { ...this.current, ...change };
    const trimMs = Math.max(-MAX_TRIM_MS, Math.min(MAX_TRIM_MS, next.trimMs));
    this.current = { volume: Math.max(0, Math.min(1, next.volume)), muted: next.muted, trimMs };
    this.options.engine?.setTrimMs(trimMs);
    this.follow();
    void this.options.settingsStore.save(this.current).catch((error: unknown) => console.warn('[tutti] could not save speaker settings', error));
    this.dispatchEvent(new Event('change'));
  }

  /** Which channel of the music this speaker plays (its half of a stereo pair, or both). */
  setChannel(channel: StereoChannel): void {
    if (channel === this.channel) return;
    this.channel = channel;
    this.follow();
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.options.engine?.dispose();
  }

  /** Bring the engine and the downloads in line with this speaker's zone. */
  private follow(): void {
    const { coordinator, engine, exchange, library } = this.options;
    const zone = coordinator.ownZone();
    const wanted = coordinator.options.role === 'remote' ? [] : tracksToFetch(zone);
    // The demo track is made on this device (main.ts: at once when it is what plays), never fetched.
    exchange.want(wanted.filter((id) => !library.has(id) && id !== library.demoId));
    if (engine === null) return;
    const plan = planForZone(zone, this.current, this.channel);
    engine.setPlan(plan);
    this.parts?.follow(plan, plan === null || library.has(plan.trackId) || plan.trackId === library.demoId);
    // Decode ahead what is likely to play next, so a press on play sounds at the scheduled start:
    // the next entry while playing; otherwise the current entry, or the library's first track.
    const likely = plan !== null ? wanted.slice(1) : wanted.length > 0 ? wanted : library.tracks().slice(0, 1).map((t) => t.trackId);
    engine.preload(likely.filter((id) => library.has(id)));
  }

  private listen(target: EventTarget, type: string, handler: (event: Event) => void): void {
    target.addEventListener(type, handler);
    this.cleanups.push(() => target.removeEventListener(type, handler));
  }
}
