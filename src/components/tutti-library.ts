/**
 * The music library view: add files (button or drag and drop), search, the track list with play /
 * queue / remove actions, transfer progress and import errors. Renders from properties; owns only
 * the search text and the drop highlight; sends typed events up.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { searchTracks } from '../sync/library-search.js';
import { formatDuration, type LibraryTrack } from '../sync/library-track.js';
import { percentOf } from './track-progress.js';
import './track-progress.js';

/** A transfer or generation in progress, by trackId. `fraction` 0…1; `label` names the track when it is not in the library yet. */
export interface TransferView {
  readonly phase: 'receiving' | 'decoding' | 'importing' | 'generating';
  readonly fraction: number;
  readonly label?: string;
}

/** File types offered by the file picker. */
export const AUDIO_ACCEPT = 'audio/*,.mp3,.ogg,.opus,.flac,.wav,.m4a,.aac';

const PHASE_VERBS = { receiving: 'Receiving', decoding: 'Decoding', importing: 'Importing', generating: 'Generating' } as const;

/** The person picked or dropped files to add. */
export class LibraryAddFilesEvent extends Event {
  static readonly type = 'library-add-files';
  constructor(readonly files: File[]) {
    super(LibraryAddFilesEvent.type, { bubbles: true, composed: true });
  }
}

/** The person asked to play a track now. */
export class LibraryPlayEvent extends Event {
  static readonly type = 'library-play';
  constructor(readonly trackId: string) {
    super(LibraryPlayEvent.type, { bubbles: true, composed: true });
  }
}

/** The person asked to append a track to the queue. */
export class LibraryEnqueueEvent extends Event {
  static readonly type = 'library-enqueue';
  constructor(readonly trackId: string) {
    super(LibraryEnqueueEvent.type, { bubbles: true, composed: true });
  }
}

/** The person asked to delete a track from this device. */
export class LibraryRemoveEvent extends Event {
  static readonly type = 'library-remove';
  constructor(readonly trackId: string) {
    super(LibraryRemoveEvent.type, { bubbles: true, composed: true });
  }
}

@customElement('tutti-library')
export class TuttiLibrary extends LitElement {
  static override styles = css`
    :host { display: block; position: relative; border-radius: 0.8rem; outline: 2px dashed transparent; outline-offset: 4px; }
    :host([dragging]) { outline-color: #4b55c9; background: color-mix(in srgb, #4b55c9 8%, Canvas); }
    .bar { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; margin-bottom: 0.6rem; }
    .bar input[type='search'] { flex: 1; min-width: 10rem; padding: 0.4rem 0.6rem; font: inherit; }
    button { font: inherit; cursor: pointer; }
    .hint, .empty { font-size: 0.85rem; opacity: 0.75; margin: 0.3rem 0; }
    .error { color: #c0392b; margin: 0.4rem 0; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.4rem; }
    .transfers { margin-bottom: 0.6rem; }
    li.track { display: grid; grid-template-columns: 1fr auto auto; gap: 0.1rem 0.6rem; align-items: center; padding: 0.5rem 0.7rem; border-radius: 0.6rem; background: color-mix(in srgb, CanvasText 6%, Canvas); }
    li.track[aria-current='true'] { box-shadow: inset 3px 0 0 #4b55c9; }
    .title { font-weight: 600; overflow-wrap: anywhere; }
    .meta { grid-column: 1; font-size: 0.8rem; opacity: 0.8; }
    .duration { grid-row: 1 / span 2; grid-column: 2; font-variant-numeric: tabular-nums; font-size: 0.85rem; }
    .actions { grid-row: 1 / span 2; grid-column: 3; display: flex; gap: 0.25rem; }
    .badge { font-size: 0.75rem; padding: 0.1rem 0.45rem; border-radius: 1rem; background: #4b55c9; color: white; margin-left: 0.4rem; font-weight: 400; }
  `;

  /** Tracks in the library, in display order. */
  @property({ attribute: false }) tracks: readonly LibraryTrack[] = [];
  /** Transfers and generations in progress, by trackId. */
  @property({ attribute: false }) transfers: ReadonlyMap<string, TransferView> = new Map();
  /** Last import or storage error to show; null for none. */
  @property({ attribute: false }) error: string | null = null;
  @property({ attribute: false }) nowPlayingTrackId: string | null = null;
  @state() private searchText = '';
  @query('input[type=file]') private fileInput!: HTMLInputElement;
  /** dragenter minus dragleave events seen (they fire for every child crossed). */
  private dragDepth = 0;

  constructor() {
    super();
    this.addEventListener('dragenter', (event) => this.onDrag(event, 1));
    this.addEventListener('dragover', (event) => this.onDrag(event, 0));
    this.addEventListener('dragleave', () => this.setDragDepth(this.dragDepth - 1));
    this.addEventListener('drop', (event) => this.onDrop(event));
  }

  override render() {
    const shown = searchTracks(this.tracks, this.searchText);
    return html`
      <div class="bar">
        <button type="button" @click=${() => this.fileInput.click()}>Add music</button>
        <input type="file" multiple accept=${AUDIO_ACCEPT} hidden @change=${this.onFilesPicked} />
        <input type="search" role="searchbox" aria-label="Search library" placeholder="Search title, artist, album" .value=${this.searchText} @input=${this.onSearch} />
      </div>
      <p class="hint">…or drop audio files here.</p>
      ${this.error === null ? nothing : html`<p class="error" role="alert">${this.error}</p>`}
      ${this.renderTransfers()}
      ${this.tracks.length === 0
        ? html`<p class="empty">No music yet.</p>`
        : shown.length === 0
        ? html`<p class="empty">No tracks match “${this.searchText.trim()}”.</p>`
        : nothing}
      <ul role="list" aria-label="Tracks">
        ${shown.map((track) => this.renderTrack(track))}
      </ul>
    `;
  }

  private renderTrack(track: LibraryTrack) {
    const playing = track.trackId === this.nowPlayingTrackId;
    const meta = [track.artist, track.album].filter((part) => part !== '').join(' · ');
    return html`<li class="track" data-track=${track.trackId} aria-current=${playing ? 'true' : nothing}>
      <span class="title">${track.title}${playing ? html`<span class="badge">now playing</span>` : nothing}</span>
      <span class="meta">${meta}</span>
      <span class="duration">${formatDuration(track.durationSec)}</span>
      <span class="actions">
        <button type="button" aria-label=${`Play ${track.title}`} title="Play" @click=${() => this.dispatchEvent(new LibraryPlayEvent(track.trackId))}>▶</button>
        <button type="button" aria-label=${`Add ${track.title} to queue`} title="Add to queue" @click=${() => this.dispatchEvent(new LibraryEnqueueEvent(track.trackId))}>+</button>
        <button type="button" aria-label=${`Remove ${track.title}`} title="Remove" @click=${() => this.dispatchEvent(new LibraryRemoveEvent(track.trackId))}>✕</button>
      </span>
    </li>`;
  }

  private renderTransfers() {
    if (this.transfers.size === 0) return nothing;
    const titles = new Map(this.tracks.map((track) => [track.trackId, track.title]));
    return html`<ul class="transfers" aria-label="Transfers">
      ${[...this.transfers].map(([trackId, transfer]) => {
        const label = `${PHASE_VERBS[transfer.phase]} ${transfer.label ?? titles.get(trackId) ?? 'track'}`;
        return html`<li data-track=${trackId} title=${`${label} ${percentOf(transfer.fraction)} %`}>
          <tutti-track-progress .label=${label} .fraction=${transfer.fraction}></tutti-track-progress>
        </li>`;
      })}
    </ul>`;
  }

  private onSearch(event: Event): void {
    this.searchText = (event.target as HTMLInputElement).value;
  }

  private onFilesPicked(event: Event): void {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length > 0) this.dispatchEvent(new LibraryAddFilesEvent(files));
  }

  private onDrag(event: DragEvent, depthChange: number): void {
    if (!(event.dataTransfer?.types.includes('Files') ?? false)) return;
    event.preventDefault();
    event.dataTransfer!.dropEffect = 'copy';
    this.setDragDepth(Math.max(1, this.dragDepth + depthChange));
  }

  private onDrop(event: DragEvent): void {
    this.setDragDepth(0);
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    this.dispatchEvent(new LibraryAddFilesEvent(files));
  }

  private setDragDepth(depth: number): void {
    this.dragDepth = Math.max(0, depth);
    // The drop highlight: a host attribute (styled by :host([dragging])), UI state only.
    this.toggleAttribute('dragging', this.dragDepth > 0);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-library': TuttiLibrary;
  }
  interface HTMLElementEventMap {
    'library-add-files': LibraryAddFilesEvent;
    'library-play': LibraryPlayEvent;
    'library-enqueue': LibraryEnqueueEvent;
    'library-remove': LibraryRemoveEvent;
  }
}
