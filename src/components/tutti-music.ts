/**
 * The music part of the room view: library, now playing + controls, and the sync dashboard. It
 * renders from the playback services and the library, and turns their components' events into
 * calls on them (commands go to the leader through RoomPlayback; imports into the library).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { TrackLibrary } from '../library/track-library.js';
import type { RoomPlayback } from '../room/room-playback.js';
import type { RoomSnapshot } from '../room/room-snapshot.js';
import { currentEntry } from '../sync/play-state.js';
import type { LibraryAddFilesEvent, LibraryEnqueueEvent, LibraryPlayEvent, LibraryRemoveEvent, TransferView } from './tutti-library.js';
import type { PlayerCommandEvent, SpeakerMuteEvent, SpeakerTrimEvent, SpeakerVolumeEvent } from './player-events.js';
import type { SyncRow } from './tutti-sync-dashboard.js';
import './tutti-library.js';
import './tutti-player.js';
import './tutti-sync-dashboard.js';

/** Re-render at most this often, ms (positions and sync figures change continuously). */
const RENDER_INTERVAL_MS = 250;

@customElement('tutti-music')
export class TuttiMusic extends LitElement {
  static override styles = css`
    :host { display: block; }
    section { margin-top: 1.2rem; }
    h2 { font-size: 1.2rem; margin: 0 0 0.5rem; }
  `;

  /** Playback services of the room; null until the room has started. */
  @property({ attribute: false }) playback: RoomPlayback | null = null;
  /** This device's library; null while it opens. */
  @property({ attribute: false }) library: TrackLibrary | null = null;
  /** The room as this tab sees it (names, RTTs for the dashboard). */
  @property({ attribute: false }) snapshot: RoomSnapshot | null = null;
  /** True on a remote-only member. */
  @property({ type: Boolean }) remote = false;
  /** Progress (0…1) of generating the built-in demo track; null when not generating. */
  @property({ attribute: false }) demoProgress: number | null = null;

  @state() private commandError: string | null = null;
  @state() private libraryError: string | null = null;
  @state() private imports = new Map<string, TransferView>();
  @state() private tick = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private importSeq = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => this.tick++, RENDER_INTERVAL_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  override render() {
    const playback = this.playback;
    const zone = playback?.coordinator.ownZone() ?? null;
    const settings = playback?.speaker.settings;
    return html`
      <section aria-labelledby="now-playing">
        <h2 id="now-playing">Now playing</h2>
        <tutti-player
          .zone=${zone}
          .sharedNowMs=${this.playback?.sharedNow() ?? 0}
          .report=${this.remote || playback === null ? null : playback.speaker.report()}
          .volume=${settings?.volume ?? 1}
          .muted=${settings?.muted ?? false}
          .trimMs=${settings?.trimMs ?? 0}
          ?remote=${this.remote}
          .commandError=${this.commandError}
          @player-command=${this.onPlayerCommand}
          @speaker-volume=${(e: SpeakerVolumeEvent) => playback?.speaker.update({ volume: e.volume })}
          @speaker-mute=${(e: SpeakerMuteEvent) => playback?.speaker.update({ muted: e.muted })}
          @speaker-trim=${(e: SpeakerTrimEvent) => playback?.speaker.update({ trimMs: e.trimMs })}
          @speaker-unlock=${() => playback?.speaker.unlock()}
        ></tutti-player>
      </section>
      <section aria-labelledby="library">
        <h2 id="library">Library</h2>
        <tutti-library
          .tracks=${this.library?.tracks() ?? []}
          .transfers=${this.transfers()}
          .error=${this.libraryError}
          .nowPlayingTrackId=${zone === null || zone.status === 'stopped' ? null : currentEntry(zone)?.trackId ?? null}
          @library-add-files=${this.onAddFiles}
          @library-play=${(e: LibraryPlayEvent) => this.run(this.playback?.playTrack(e.trackId))}
          @library-enqueue=${(e: LibraryEnqueueEvent) => this.run(this.playback?.enqueue(e.trackId))}
          @library-remove=${(e: LibraryRemoveEvent) => void this.library?.remove(e.trackId)}
        ></tutti-library>
      </section>
      ${playback === null ? nothing : html`<section><tutti-sync-dashboard .rows=${this.rows(playback)}></tutti-sync-dashboard></section>`}
    `;
  }

  /** Library imports, downloads from peers and the demo generation, by track id. */
  private transfers(): ReadonlyMap<string, TransferView> {
    const all = new Map(this.imports);
    const titles = new Map((this.playback?.coordinator.ownZone()?.queue ?? []).map((e) => [e.trackId, e.title]));
    for (const t of this.playback?.exchange.transfers() ?? []) {
      if (t.phase === 'failed') continue;
      all.set(t.trackId, { phase: 'receiving', fraction: t.fraction, label: titles.get(t.trackId) ?? 'a track from the room' });
    }
    const report = this.playback?.speaker.report();
    if (report?.phase === 'decoding' && report.trackId !== null) all.set(report.trackId, { phase: 'decoding', fraction: 0.5, label: titles.get(report.trackId) });
    if (this.demoProgress !== null) all.set('demo', { phase: 'generating', fraction: this.demoProgress, label: 'the demo track' });
    return all;
  }

  private rows(playback: RoomPlayback): SyncRow[] {
    const members = new Map((this.snapshot?.members ?? []).map((m) => [m.peerId, m]));
    return playback.speakers().flatMap((view) => {
      const member = members.get(view.peerId);
      if (member === undefined) return [];
      return [{
        peerId: view.peerId, name: member.name, isSelf: member.isSelf, isLeader: member.isLeader,
        connected: member.state !== 'unresponsive', remote: member.role === 'remote', report: view.report,
        rttMs: member.rttMs, clockUncertaintyMs: member.isLeader ? 0 : member.clock?.uncertaintyMs ?? null, history: view.history,
      }];
    });
  }

  private onPlayerCommand(event: PlayerCommandEvent): void {
    this.run(this.playback?.zoneCommand(event.command));
  }

  private async onAddFiles(event: LibraryAddFilesEvent): Promise<void> {
    const library = this.library;
    if (library === null) return;
    this.libraryError = null;
    for (const file of event.files) {
      const key = `import-${++this.importSeq}`;
      const show = (fraction: number): void => {
        this.imports = new Map(this.imports).set(key, { phase: 'importing', fraction, label: file.name });
      };
      show(0);
      const outcome = await library.importFile(file, (_phase, fraction) => show(fraction));
      const rest = new Map(this.imports);
      rest.delete(key);
      this.imports = rest;
      if (!outcome.ok) this.libraryError = outcome.reason;
    }
  }

  private run(result: Promise<string | null> | undefined): void {
    this.commandError = null;
    void result?.then((error) => (this.commandError = error));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-music': TuttiMusic;
  }
}
