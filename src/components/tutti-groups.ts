/**
 * The room view: what plays everywhere, each group as a card (group-card.ts), the speakers in no
 * group (drag one onto a card, or use its menu), and a form to make a new group. Renders from a
 * {@link GroupsView}; every action goes up as a `group-action` event.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { GroupsView } from '../sync/groups-view.js';
import './group-card.js';
import { SPEAKER_DRAG_TYPE } from './group-card.js';
import { GroupActionEvent } from './group-events.js';

@customElement('tutti-groups')
export class TuttiGroups extends LitElement {
  static override styles = css`
    :host { display: block; margin: 1rem 0; }
    h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
    .cards { display: grid; gap: 0.6rem; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); }
    .loose { border: 1px dashed color-mix(in srgb, CanvasText 30%, Canvas); border-radius: 0.6rem; padding: 0.6rem 0.8rem; }
    .loose ul { list-style: none; margin: 0.3rem 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.4rem; }
    .loose li { padding: 0.15rem 0.5rem; border-radius: 1rem; background: color-mix(in srgb, CanvasText 10%, Canvas); cursor: grab; }
    fieldset { border: 1px solid color-mix(in srgb, CanvasText 25%, Canvas); border-radius: 0.6rem; margin-top: 0.6rem; }
    .choices { display: flex; flex-wrap: wrap; gap: 0.6rem; }
    button, input, select { font: inherit; }
    .error { color: #c0392b; font-weight: 600; }
  `;

  @property({ attribute: false }) view: GroupsView | null = null;
  /** Why the last action failed, or null. */
  @property({ attribute: false }) actionError: string | null = null;
  @state() private formError: string | null = null;

  override render() {
    const view = this.view;
    if (view === null) return nothing;
    const others = view.groups.map((g) => ({ groupId: g.groupId, name: g.name }));
    const everywhere = view.everywhere;
    return html`
      <section aria-labelledby="rooms-title">
        <h2 id="rooms-title">Rooms and groups</h2>
        ${everywhere && everywhere.status !== 'stopped'
          ? html`<p role="status">Everywhere: ${everywhere.status === 'playing' ? 'playing' : 'paused'} ${everywhere.title ?? ''}</p>`
          : nothing}
        ${this.actionError ? html`<p class="error" role="alert">${this.actionError}</p>` : nothing}
        <div class="cards">
          ${repeat(view.groups, (g) => g.groupId, (g) => html`<tutti-group-card .group=${g} .others=${others}></tutti-group-card>`)}
          ${view.ungrouped.length > 0 ? html`
            <div class="loose" role="group" aria-label="Speakers in no group" @dragover=${this.onDragOver} @drop=${this.onDropLoose}>
              <strong>Not in a group</strong>
              <ul>${repeat(view.ungrouped, (s) => s.speakerId, (s) => html`<li draggable="true" @dragstart=${(e: DragEvent) => e.dataTransfer?.setData(SPEAKER_DRAG_TYPE, s.speakerId)}>
                ${s.name}${s.connected ? '' : ' (offline)'}
                ${others.length > 0 ? html`<select aria-label=${`Move ${s.name} to`} @change=${(e: Event) => this.onMove(s.speakerId, e)}>
                  <option value="" selected>Add to…</option>
                  ${others.map((o) => html`<option value=${o.groupId}>${o.name}</option>`)}
                </select>` : nothing}
              </li>`)}</ul>
            </div>` : nothing}
        </div>
        ${this.newGroupForm()}
      </section>
    `;
  }

  private newGroupForm() {
    const speakers = this.view?.speakers ?? [];
    if (speakers.length < 2) return nothing;
    return html`
      <form @submit=${this.onCreate} aria-label="New group">
        <fieldset>
          <legend>New group</legend>
          <label>Name <input name="name" required maxlength="40" placeholder="Downstairs" /></label>
          <div class="choices" role="group" aria-label="Speakers for the new group">
            ${repeat(speakers, (s) => s.speakerId, (s) => html`<label><input type="checkbox" name="member" value=${s.speakerId} /> ${s.name}</label>`)}
          </div>
          <button type="submit">Create group</button>
          ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
        </fieldset>
      </form>
    `;
  }

  private onCreate(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const memberIds = data.getAll('member').map(String);
    if (name === '') return void (this.formError = 'Give the group a name');
    if (memberIds.length < 2) return void (this.formError = 'Pick at least two speakers');
    this.formError = null;
    form.reset();
    this.dispatchEvent(new GroupActionEvent({ type: 'create', name, memberIds }));
  }

  private onMove(speakerId: string, e: Event): void {
    const select = e.target as HTMLSelectElement;
    const groupId = select.value;
    select.value = '';
    if (groupId !== '') this.dispatchEvent(new GroupActionEvent({ type: 'move', speakerId, groupId }));
  }

  private onDragOver(e: DragEvent): void {
    if (e.dataTransfer?.types.includes(SPEAKER_DRAG_TYPE)) e.preventDefault();
  }

  private onDropLoose(e: DragEvent): void {
    const speakerId = e.dataTransfer?.getData(SPEAKER_DRAG_TYPE);
    if (!speakerId) return;
    e.preventDefault();
    this.dispatchEvent(new GroupActionEvent({ type: 'move', speakerId, groupId: null }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-groups': TuttiGroups;
  }
}
