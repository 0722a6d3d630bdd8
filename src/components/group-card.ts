/**
 * One group as a card: its name (renamable), members (each movable to another group by a menu
 * or by dragging the chip onto another card), the stereo-pair switch for two-speaker groups, what
 * its zone plays, play/pause and the group volume. Renders from properties; actions go up as
 * `group-action` events.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { GroupCardView, KnownSpeaker } from '../sync/groups-view.js';
import { GroupActionEvent, type GroupAction } from './group-events.js';

/** The drag payload type of a speaker chip. */
export const SPEAKER_DRAG_TYPE = 'application/x-tutti-speaker';

@customElement('tutti-group-card')
export class TuttiGroupCard extends LitElement {
  static override styles = css`
    :host { display: block; border: 1px solid color-mix(in srgb, CanvasText 25%, Canvas); border-radius: 0.6rem; padding: 0.6rem 0.8rem; }
    :host([drop-target]) { outline: 2px dashed #4b55c9; }
    h3 { margin: 0; font-size: 1.05rem; display: flex; gap: 0.5rem; align-items: center; }
    ul { list-style: none; margin: 0.4rem 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.4rem; }
    li { display: flex; gap: 0.3rem; align-items: center; padding: 0.15rem 0.5rem; border-radius: 1rem; background: color-mix(in srgb, #4b55c9 14%, Canvas); cursor: grab; }
    li[data-offline] { opacity: 0.6; }
    .row { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
    .now { font-size: 0.9rem; margin: 0.2rem 0; }
    button, input, select { font: inherit; }
    .side { font-size: 0.75rem; font-weight: 600; }
    .mini { width: 4.5rem; }
  `;

  @property({ attribute: false }) group!: GroupCardView;
  /** Every group (targets of "move to"). */
  @property({ attribute: false }) others: readonly { groupId: string; name: string }[] = [];
  @state() private renaming = false;

  override render() {
    const g = this.group;
    const zone = g.zone;
    return html`
      <article aria-label=${`Group ${g.name}`}
        @dragover=${this.onDragOver} @dragleave=${() => this.removeAttribute('drop-target')} @drop=${this.onDrop}>
        ${this.renaming ? this.renameForm() : html`
          <h3>${g.name}
            <button aria-label=${`Rename ${g.name}`} @click=${() => (this.renaming = true)}>Rename</button>
            <button aria-label=${`Delete ${g.name}`} @click=${() => this.emit({ type: 'delete', groupId: g.groupId })}>Delete</button>
          </h3>`}
        <ul aria-label=${`Speakers in ${g.name}`}>${repeat(g.members, (m) => m.speakerId, (m) => this.member(m))}</ul>
        ${g.members.length === 2 ? this.pairSwitch() : nothing}
        <p class="now" role="status">${zone === null || zone.status === 'stopped' ? 'Not playing' : `${zone.status === 'playing' ? 'Playing' : 'Paused'}: ${zone.title ?? ''}${zone.artist ? ` — ${zone.artist}` : ''}`}</p>
        <div class="row">
          ${zone?.status === 'playing'
            ? html`<button @click=${() => this.emit({ type: 'pause', groupId: g.groupId })}>Pause ${g.name}</button>`
            : zone?.status === 'paused'
              ? html`<button @click=${() => this.emit({ type: 'resume', groupId: g.groupId })}>Resume ${g.name}</button>`
              : html`<button @click=${() => this.emit({ type: 'play', groupId: g.groupId })}>Play the library on ${g.name}</button>`}
          ${zone !== null && zone.status !== 'stopped'
            ? html`<label>Volume <input type="range" min="0" max="1" step="0.01" aria-label=${`${g.name} volume`} .value=${String(zone.volume)}
                @change=${(e: Event) => this.emit({ type: 'volume', groupId: g.groupId, volume: Number((e.target as HTMLInputElement).value) })} /></label>`
            : nothing}
        </div>
      </article>
    `;
  }

  private member(m: GroupCardView['members'][number]) {
    const side = m.channel === 'both' ? nothing : html`<span class="side">${m.channel === 'left' ? 'L' : 'R'}</span>`;
    return html`<li draggable="true" ?data-offline=${!m.connected} @dragstart=${(e: DragEvent) => e.dataTransfer?.setData(SPEAKER_DRAG_TYPE, m.speakerId)}>
      ${m.name}${m.connected ? nothing : ' (offline)'} ${side}
      <input type="range" class="mini" min="0" max="1" step="0.01" aria-label=${`${m.name} volume`} .value=${String(m.volume)} ?disabled=${!m.connected}
        @change=${(e: Event) => this.emit({ type: 'speakerVolume', speakerId: m.speakerId, volume: Number((e.target as HTMLInputElement).value) })} />
      <select aria-label=${`Move ${m.name} to`} @change=${(e: Event) => this.onMoveSelect(m, e)}>
        <option value="" selected>Move to…</option>
        ${this.others.filter((o) => o.groupId !== this.group.groupId).map((o) => html`<option value=${o.groupId}>${o.name}</option>`)}
        <option value="none">No group</option>
      </select>
    </li>`;
  }

  private pairSwitch() {
    const g = this.group;
    const a = g.members[0]!;
    const b = g.members[1]!;
    const pair = g.pair;
    const toggle = (): void => this.emit({ type: 'pair', groupId: g.groupId, pair: pair ? null : { leftId: a.speakerId, rightId: b.speakerId } });
    const swap = (): void => this.emit({ type: 'pair', groupId: g.groupId, pair: pair ? { leftId: pair.rightId, rightId: pair.leftId } : null });
    return html`<div class="row">
      <label><input type="checkbox" .checked=${pair !== null} @change=${toggle} /> Stereo pair</label>
      ${pair ? html`<button @click=${swap}>Swap left and right</button>` : nothing}
    </div>`;
  }

  private renameForm() {
    const submit = (e: SubmitEvent): void => {
      e.preventDefault();
      const name = new FormData(e.target as HTMLFormElement).get('name');
      this.renaming = false;
      if (typeof name === 'string' && name.trim() !== '') this.emit({ type: 'rename', groupId: this.group.groupId, name });
    };
    return html`<form @submit=${submit}><label>New name <input name="name" .value=${this.group.name} required maxlength="40" /></label>
      <button type="submit">Save</button> <button type="button" @click=${() => (this.renaming = false)}>Cancel</button></form>`;
  }

  private onMoveSelect(m: KnownSpeaker, e: Event): void {
    const select = e.target as HTMLSelectElement;
    const value = select.value;
    select.value = '';
    if (value === '') return;
    this.emit({ type: 'move', speakerId: m.speakerId, groupId: value === 'none' ? null : value });
  }

  private onDragOver(e: DragEvent): void {
    if (!e.dataTransfer?.types.includes(SPEAKER_DRAG_TYPE)) return;
    e.preventDefault();
    this.setAttribute('drop-target', '');
  }

  private onDrop(e: DragEvent): void {
    this.removeAttribute('drop-target');
    const speakerId = e.dataTransfer?.getData(SPEAKER_DRAG_TYPE);
    if (!speakerId) return;
    e.preventDefault();
    this.emit({ type: 'move', speakerId, groupId: this.group.groupId });
  }

  private emit(action: GroupAction): void {
    this.dispatchEvent(new GroupActionEvent(action));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-group-card': TuttiGroupCard;
  }
}
