/**
 * One tab's playback services in a room: the leader-owned play state (PlaybackCoordinator), track
 * distribution (TrackExchange) and this speaker's audio (SpeakerPlayback), created together and
 * disposed together. Offers the commands the UI and voice need, the dashboard's per-speaker
 * view, and the playback part of `window.tutti.diagnostics()`.
 */
import type { SpeakerEngine } from '../audio/speaker-engine.js';
import type { TrackLibrary } from '../library/track-library.js';
import type { SpeakerSettingsStore } from '../shell/speaker-settings-store.js';
import type { PlayCommand, QueueEntry, RoomPlayState } from '../sync/play-state.js';
import type { PlayoutReport } from '../sync/playout-report.js';
import type { MemberRole } from '../sync/protocol.js';
import type { SpeakerSettings } from '../sync/speaker-plan.js';
import type { HashFn } from '../sync/track-manifest.js';
import type { Milliseconds } from '../sync/units.js';
import { DEFAULT_ZONE_ID, PlaybackCoordinator } from './playback-coordinator.js';
import { ErrorHistory, type ErrorPoint } from '../sync/error-history.js';
import { librarySource } from './library-source.js';
import type { RoomSession } from './room-session.js';
import { SpeakerPlayback } from './speaker-playback.js';
import { TrackExchange } from './track-exchange.js';

export interface RoomPlaybackOptions {
  readonly session: RoomSession;
  readonly role: MemberRole;
  readonly library: TrackLibrary;
  /** Null on a remote-only member. */
  readonly engine: SpeakerEngine | null;
  readonly settingsStore: SpeakerSettingsStore;
  readonly settings: SpeakerSettings;
  readonly hash: HashFn;
  /** Local time now, ms. */
  readonly now: () => Milliseconds;
}

/** One speaker as the sync dashboard shows it. */
export interface SpeakerSyncView {
  readonly peerId: string;
  readonly report: PlayoutReport | null;
  readonly history: readonly ErrorPoint[];
}

/**
 * The room's time is known well enough to aim at a part of a track once the clock is this sure of
 * it, ms: a chunk holds ~0.4–0.7 s of CD audio and the aim is 0.5 s ahead (a joiner's clock took
 * over 7 s to come within 20 ms on a busy machine).
 */
export const ROOM_TIME_KNOWN_MS = 100;

/** Events: `change` whenever state, reports, transfers or settings may differ. */
export class RoomPlayback extends EventTarget {
  readonly coordinator: PlaybackCoordinator;
  readonly exchange: TrackExchange;
  readonly speaker: SpeakerPlayback;
  private readonly histories = new Map<string, ErrorHistory>();
  /** Downloaded bytes verified by hash and still being imported into the library, by track id. */
  private readonly fresh = new Map<string, Uint8Array>();
  private readonly removers: Array<() => void> = [];
  private readonly forward = (): void => this.onChange();

  constructor(private readonly options: RoomPlaybackOptions) {
    super();
    const { session, library } = options;
    this.coordinator = new PlaybackCoordinator({ links: session, role: options.role, sharedNow: () => session.timeline.now(), now: options.now });
    this.exchange = new TrackExchange({ links: session, source: librarySource(library, {
      verified: (trackId, bytes) => {
        this.fresh.set(trackId, bytes);
        options.engine?.trackAvailable(trackId);
      },
      imported: (trackId) => this.fresh.delete(trackId),
    }), hash: options.hash, now: options.now, spare: () => session.leaderId });
    this.removers.push(session.addExtension(this.coordinator), session.addExtension(this.exchange));
    this.speaker = new SpeakerPlayback({
      coordinator: this.coordinator, engine: options.engine, exchange: this.exchange, library,
      settingsStore: options.settingsStore, settings: options.settings,
      roomTime: { now: () => this.roomTimeNow(), uncertaintyMs: () => options.session.timeline.state().uncertaintyMs },
    });
    for (const target of [this.coordinator, this.exchange, this.speaker]) target.addEventListener('change', this.forward);
  }

  /** A track's bytes: a download still being imported, else the library's copy. */
  readBytes(trackId: string): Promise<Uint8Array | undefined> {
    const fresh = this.fresh.get(trackId);
    return fresh !== undefined ? Promise.resolve(fresh) : this.options.library.readBytes(trackId);
  }

  /** Shared time now, ms. */
  sharedNow(): Milliseconds {
    return this.options.session.timeline.now();
  }

  /**
   * Shared time now, ms, or null while this tab's clock does not know the room's time within
   * {@link ROOM_TIME_KNOWN_MS} (a joiner's first moments): where a track is due needs it.
   */
  roomTimeNow(): Milliseconds | null {
    const timeline = this.options.session.timeline;
    return timeline.state().uncertaintyMs <= ROOM_TIME_KNOWN_MS ? timeline.now() : null;
  }

  /** The room's play state. */
  state(): RoomPlayState {
    return this.coordinator.state();
  }

  /** Send a command for this device's zone (its own, or the default zone on a remote). */
  zoneCommand(command: DistributiveOmit<Exclude<PlayCommand, { type: 'moveSpeaker' }>, 'zoneId'>): Promise<string | null> {
    const zoneId = this.coordinator.ownZone()?.zoneId ?? DEFAULT_ZONE_ID;
    return this.coordinator.command({ ...command, zoneId } as PlayCommand);
  }

  /** Play a library track now, queueing the rest of the library after it (like a playlist). */
  playTrack(trackId: string): Promise<string | null> {
    const queue = this.libraryQueue();
    const index = queue.findIndex((e) => e.trackId === trackId);
    if (index < 0) return Promise.resolve('That track is not in the library');
    return this.zoneCommand({ type: 'play', queue, index });
  }

  /** Add a library track to the end of the queue. */
  enqueue(trackId: string): Promise<string | null> {
    const entry = this.libraryQueue().find((e) => e.trackId === trackId);
    if (entry === undefined) return Promise.resolve('That track is not in the library');
    return this.zoneCommand({ type: 'enqueue', entries: [entry] });
  }

  /** Every member's latest playout (self included) with its recent error history. */
  speakers(): SpeakerSyncView[] {
    const self = this.options.session.selfId;
    const views: SpeakerSyncView[] = [{ peerId: self, report: this.options.engine ? this.speaker.report() : null, history: this.options.engine?.errorHistory() ?? [] }];
    for (const [peerId, { report }] of this.coordinator.reports()) {
      views.push({ peerId, report, history: this.histories.get(peerId)?.points() ?? [] });
    }
    return views;
  }

  /** The playback part of diagnostics (plain JSON). */
  diagnostics(): Record<string, unknown> {
    return {
      report: this.speaker.report(),
      settings: this.speaker.settings,
      zones: this.coordinator.state(),
      ownZoneId: this.coordinator.ownZone()?.zoneId ?? null,
      libraryTrackIds: this.options.library.tracks().map((t) => t.trackId),
      transfers: this.exchange.transfers(),
      exchange: this.exchange.stats(),
      timing: this.options.engine?.timingDiagnostics() ?? null,
      parts: this.speaker.partsView(),
      peers: Object.fromEntries([...this.coordinator.reports()].map(([id, r]) => [id, r.report])),
    };
  }

  dispose(): void {
    for (const target of [this.coordinator, this.exchange, this.speaker]) target.removeEventListener('change', this.forward);
    for (const remove of this.removers.splice(0)) remove();
    this.speaker.dispose();
    this.exchange.dispose();
    this.coordinator.dispose();
  }

  private libraryQueue(): QueueEntry[] {
    return this.options.library.tracks().map((t) => ({ trackId: t.trackId, title: t.title, artist: t.artist, durationSec: t.durationSec }));
  }

  private onChange(): void {
    const sharedNowMs = this.options.session.timeline.now();
    for (const [peerId, { report }] of this.coordinator.reports()) {
      let history = this.histories.get(peerId);
      if (history === undefined) this.histories.set(peerId, (history = new ErrorHistory()));
      if (report.errorMs !== null && report.phase === 'playing') history.add(sharedNowMs, report.errorMs);
    }
    for (const peerId of this.histories.keys()) if (!this.coordinator.reports().has(peerId)) this.histories.delete(peerId);
    this.dispatchEvent(new Event('change'));
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
