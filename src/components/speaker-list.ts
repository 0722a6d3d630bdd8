/** The live list of speakers in the room: name, leader badge, connection, RTT and clock. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { MemberView } from '../room/room-snapshot.js';

const fmt = (ms: number | null, digits = 2): string => (ms === null ? '–' : `${ms.toFixed(digits)} ms`);

@customElement('tutti-speaker-list')
export class SpeakerList extends LitElement {
  static override styles = css`
    :host { display: block; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; }
    li { display: grid; grid-template-columns: 1fr auto; gap: 0.25rem 1rem; padding: 0.6rem 0.8rem; border-radius: 0.6rem; background: color-mix(in srgb, CanvasText 6%, Canvas); }
    .name { font-weight: 600; }
    .badge { font-size: 0.75rem; padding: 0.1rem 0.45rem; border-radius: 1rem; background: #4b55c9; color: white; margin-left: 0.4rem; }
    .state { font-size: 0.85rem; }
    .state[data-state='unresponsive'] { color: #c0392b; }
    .facts { grid-column: 1 / -1; font-size: 0.8rem; opacity: 0.8; font-variant-numeric: tabular-nums; }
  `;

  /** Members, self first (from RoomSnapshot.members). */
  @property({ attribute: false }) members: MemberView[] = [];

  override render() {
    return html`<ul aria-label="Speakers">
      ${this.members.map(
        (m) => html`<li data-peer=${m.peerId} aria-label=${`${m.name}${m.isLeader ? ', leader' : ''}${m.isSelf ? ', this device' : ''}`}>
          <span>
            <span class="name">${m.name}</span>${m.isSelf ? html` <small>(this device)</small>` : nothing}
            ${m.isLeader ? html`<span class="badge" title="Keeps the room's clock">leader</span>` : nothing}
            ${m.role === 'remote' ? html`<span class="badge">remote</span>` : nothing}
          </span>
          <span class="state" data-state=${m.state}>${m.state === 'self' ? 'this device' : m.state}</span>
          <span class="facts">
            ${m.isSelf ? nothing : html`RTT ${fmt(m.rttMs)} · `}
            ${m.isLeader
              ? 'keeps the room clock'
              : m.clock === null
              ? 'clock: syncing…'
              : html`clock ${m.clock.offsetMs >= 0 ? '+' : ''}${m.clock.offsetMs.toFixed(3)} ms ± ${m.clock.uncertaintyMs.toFixed(3)} ms${m.clock.converged ? '' : ' (converging)'}${m.clock.rttMs === null ? '' : ` · best RTT ${m.clock.rttMs.toFixed(2)} ms`}`}
          </span>
        </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-speaker-list': SpeakerList;
  }
}
