/**
 * The app shell: renders the room (link, this speaker's name, the live speaker list) from the
 * session's snapshots, and provides the session to descendants through @lit/context.
 */
import { ContextProvider } from '@lit/context';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { TrackLibrary } from '../library/track-library.js';
import type { RoomPlayback } from '../room/room-playback.js';
import type { RoomSession } from '../room/room-session.js';
import type { RoomSnapshot } from '../room/room-snapshot.js';
import type { NameChangeEvent } from './events.js';
import { roomContext } from './room-context.js';
import { clockStatusText } from './clock-status.js';
import type { InstallMode } from '../sync/install-hint.js';
import './install-button.js';
import './name-editor.js';
import './room-link.js';
import './speaker-list.js';
import './update-prompt.js';

/** Re-render at most this often, ms: the clock numbers change continuously. */
const RENDER_INTERVAL_MS = 250;

@customElement('tutti-app')
export class TuttiApp extends LitElement {
  static override styles = css`
    :host { display: block; max-width: 46rem; margin: 0 auto; padding: 1rem; }
    header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
    h1 { margin: 0; font-size: 1.6rem; }
    section { margin-top: 1.2rem; }
    .status { font-size: 0.85rem; opacity: 0.85; }
    .error { color: #c0392b; font-weight: 600; }
  `;

  /** The room this tab is in; null while starting. */
  @property({ attribute: false }) session: RoomSession | null = null;
  /** The room link to share. */
  @property() roomUrl = '';
  /** A problem to show (e.g. signaling unreachable). */
  @property() error: string | null = null;
  /** True while a new version of the app waits (the update prompt shows). */
  @property({ type: Boolean }) updateReady = false;
  /** Playback services of the room; null until the room has started. */
  @property({ attribute: false }) playback: RoomPlayback | null = null;
  /** This device's music library; null while it opens. */
  @property({ attribute: false }) library: TrackLibrary | null = null;
  /** Progress (0…1) of generating the demo track, or null. */
  @property({ attribute: false }) demoProgress: number | null = null;
  /** The install affordance to offer. */
  @property() installMode: InstallMode = 'none';

  @state() private snapshot: RoomSnapshot | null = null;
  private readonly provider = new ContextProvider(this, { context: roomContext, initialValue: null });
  private renderTimer: ReturnType<typeof setTimeout> | null = null;
  private subscribed: RoomSession | null = null;

  private readonly onChange = (): void => {
    if (this.renderTimer !== null) return;
    this.renderTimer = setTimeout(() => {
      this.renderTimer = null;
      this.snapshot = this.subscribed?.snapshot() ?? null;
    }, RENDER_INTERVAL_MS);
  };

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('session')) this.subscribe(this.session);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.subscribe(this.session);
    // The library, player and dashboard load after first paint (they need the room's code anyway).
    import('./tutti-music.js').catch((error: unknown) => {
      this.error = `Could not load the music controls: ${String(error)}`;
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.subscribe(null);
  }

  override render() {
    const snap = this.snapshot;
    return html`
      <header>
        <h1>Tutti</h1>
        ${snap ? html`<span>Room <strong>${snap.roomId}</strong></span>` : nothing}
        <tutti-install-button .mode=${this.installMode}></tutti-install-button>
      </header>
      <tutti-update-prompt ?ready=${this.updateReady}></tutti-update-prompt>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <slot name="mobile"></slot>
      <slot name="voice"></slot>
      <slot name="groups"></slot>
      <tutti-music
        .playback=${this.playback}
        .library=${this.library}
        .snapshot=${snap}
        .demoProgress=${this.demoProgress}
        ?remote=${snap?.role === 'remote'}
      ></tutti-music>
      ${snap === null
        ? html`<p class="status">Joining the room…</p>`
        : html`
            <section><tutti-room-link .url=${this.roomUrl}></tutti-room-link></section>
            <section><tutti-name-editor .name=${snap.name} @name-change=${this.onRename}></tutti-name-editor></section>
            <section>
              <h2>Speakers</h2>
              <p class="status" role="status">
                Signaling: ${snap.signaling} · ${snap.members.length} in room ·
                ${clockStatusText(snap.clock, snap.leaderId === snap.selfId)}
              </p>
              <tutti-speaker-list .members=${snap.members}></tutti-speaker-list>
            </section>
            <slot name="calibration"></slot>
          `}
    `;
  }

  private subscribe(session: RoomSession | null): void {
    if (session === this.subscribed) return;
    this.subscribed?.removeEventListener('change', this.onChange);
    this.subscribed = session;
    this.provider.setValue(session);
    if (session !== null) {
      session.addEventListener('change', this.onChange);
      this.snapshot = session.snapshot();
    } else {
      this.snapshot = null;
    }
  }

  private onRename(event: NameChangeEvent): void {
    this.session?.setName(event.name);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-app': TuttiApp;
  }
}
