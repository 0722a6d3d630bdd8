/** Edits this speaker's name; sends `name-change` when the person commits a new one. */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { MAX_NAME_CHARS } from '../sync/protocol-limits.js';
import { NameChangeEvent } from './events.js';

@customElement('tutti-name-editor')
export class NameEditor extends LitElement {
  static override styles = css`
    form { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
    input { font: inherit; padding: 0.3rem 0.5rem; }
  `;

  @property() name = '';

  override render() {
    return html`<form @submit=${this.onSubmit}>
      <label for="name">This speaker</label>
      <input id="name" name="name" .value=${this.name} maxlength=${MAX_NAME_CHARS} required autocomplete="off" />
      <button type="submit">Rename</button>
    </form>`;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const input = this.renderRoot.querySelector('input');
    const name = input?.value.trim() ?? '';
    if (name.length === 0 || name === this.name) return;
    this.dispatchEvent(new NameChangeEvent(name));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-name-editor': NameEditor;
  }
}
