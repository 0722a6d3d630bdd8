/**
 * Keeps the Media Session (lock screen, notification, hardware keys) in step with this device's
 * zone: metadata (title, artist, album, cover art) of the current track, playing/paused state and
 * position; and turns the system's play/pause/next/previous/seek actions into zone commands.
 * Call `dispose()` to remove the handlers and clear what the system shows.
 */
import { MEDIA_ACTIONS, mediaActionCommand, nowPlaying, type MediaAction, type ZoneTransportCommand } from '../sync/media-controls.js';
import type { ZoneState } from '../sync/play-state.js';
import type { Milliseconds } from '../sync/units.js';
import type { MediaActionCall, MediaSessionPort } from './media-session.js';

/** This device's zone as the controls need it (RoomPlayback adapted by the mobile feature). */
export interface ZoneControls {
  ownZone(): ZoneState | null;
  /** Shared time now, ms. */
  sharedNow(): Milliseconds;
  /** Sends a command for the zone; resolves with null or why it failed. */
  command(command: ZoneTransportCommand): Promise<string | null>;
  /** Calls `listener` whenever the zone may have changed; returns the unsubscription. */
  onChange(listener: () => void): () => void;
}

/** What the library adds to a queue entry: album and cover. */
export interface TrackArt {
  album(trackId: string): string;
  cover(trackId: string): Promise<Blob | undefined>;
}

/** Object URLs for cover blobs (tests inject fakes). */
export interface BlobUrls {
  create(blob: Blob): string;
  revoke(url: string): void;
}

const objectUrls: BlobUrls = { create: (blob) => URL.createObjectURL(blob), revoke: (url) => URL.revokeObjectURL(url) };

export class LockScreenControls {
  private shownTrackId: string | null = null;
  private shownState: 'none' | 'paused' | 'playing' | null = null;
  private positionKey: string | null = null;
  private artworkUrl: string | null = null;
  private readonly unsubscribe: () => void;
  private disposed = false;
  /** The actions the browser accepted. */
  readonly actions: readonly MediaAction[];

  constructor(
    private readonly port: MediaSessionPort,
    private readonly zone: ZoneControls,
    private readonly art: TrackArt,
    private readonly urls: BlobUrls = objectUrls,
  ) {
    this.actions = port.setHandlers((action, call) => void this.act(action, call), MEDIA_ACTIONS);
    this.unsubscribe = zone.onChange(() => this.refresh());
    this.refresh();
  }

  /** Carries out a media action; resolves with null, or why nothing (or a refused command) happened. */
  async act(action: MediaAction, call: MediaActionCall = {}): Promise<string | null> {
    const command = mediaActionCommand(action, this.zone.ownZone(), this.zone.sharedNow(), call);
    if (command === null) return `nothing to ${action} here`;
    const error = await this.zone.command(command);
    if (error !== null) console.warn(`[tutti] media key "${action}" refused: ${error}`);
    return error;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    this.port.dispose();
    this.setArtwork(null);
  }

  private refresh(): void {
    if (this.disposed) return;
    const zone = this.zone.ownZone();
    const now = nowPlaying(zone, this.zone.sharedNow());
    const state = now?.status ?? 'none';
    if (state !== this.shownState) {
      this.shownState = state;
      this.port.setPlaybackState(state);
    }
    const trackId = now?.trackId ?? null;
    if (trackId !== this.shownTrackId) {
      this.shownTrackId = trackId;
      this.setArtwork(null);
      this.port.setMetadata(now === null ? null : { title: now.title, artist: now.artist, album: this.art.album(now.trackId), artworkUrl: null, artworkType: null });
      if (now !== null) void this.loadCover(now.trackId, now.title, now.artist);
    }
    // The system extrapolates the position itself: update it only when the schedule changes.
    const positionKey = now === null || zone === null ? null : `${now.trackId}|${now.status}|${zone.revision}`;
    if (positionKey !== this.positionKey) {
      this.positionKey = positionKey;
      this.port.setPositionState(now === null ? null : { durationSec: now.durationSec, positionSec: now.positionSec, playbackRate: 1 });
    }
  }

  private async loadCover(trackId: string, title: string, artist: string): Promise<void> {
    const blob = await this.art.cover(trackId).catch(() => undefined);
    if (blob === undefined || this.disposed || this.shownTrackId !== trackId) return;
    this.setArtwork(this.urls.create(blob));
    this.port.setMetadata({ title, artist, album: this.art.album(trackId), artworkUrl: this.artworkUrl, artworkType: blob.type || null });
  }

  private setArtwork(url: string | null): void {
    if (this.artworkUrl !== null) this.urls.revoke(this.artworkUrl);
    this.artworkUrl = url;
  }
}
