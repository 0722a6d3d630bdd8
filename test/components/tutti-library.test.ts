import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/tutti-library.js';
import type { LibraryAddFilesEvent, LibraryEnqueueEvent, LibraryPlayEvent, LibraryRemoveEvent, TransferView, TuttiLibrary } from '../../src/components/tutti-library.js';
import type { LibraryTrack } from '../../src/sync/library-track.js';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const ID_C = 'c'.repeat(64);

const tracks: LibraryTrack[] = [
  { trackId: ID_A, title: 'Déjà Vu', artist: 'Beyoncé', album: 'B’Day', durationSec: 240.6, sizeBytes: 1, mimeType: 'audio/mpeg', addedAtMs: 1, source: 'file', hasCover: false },
  { trackId: ID_B, title: 'Tutti Demo', artist: 'Tutti', album: 'Built-in', durationSec: 180, sizeBytes: 1, mimeType: 'audio/wav', addedAtMs: 2, source: 'demo', hasCover: false },
  { trackId: ID_C, title: 'Loose Tape', artist: '', album: '', durationSec: 3725, sizeBytes: 1, mimeType: 'audio/ogg', addedAtMs: 3, source: 'peer', hasCover: false },
];

async function render(props: Partial<Pick<TuttiLibrary, 'tracks' | 'transfers' | 'error' | 'nowPlayingTrackId'>> = {}): Promise<TuttiLibrary> {
  return fixture<TuttiLibrary>(html`<tutti-library
    .tracks=${props.tracks ?? tracks}
    .transfers=${props.transfers ?? new Map()}
    .error=${props.error ?? null}
    .nowPlayingTrackId=${props.nowPlayingTrackId ?? null}
  ></tutti-library>`);
}

const root = (el: TuttiLibrary): ShadowRoot => el.shadowRoot!;
const items = (el: TuttiLibrary): HTMLLIElement[] => [...root(el).querySelectorAll<HTMLLIElement>('ul[role=list] > li')];
const button = (el: TuttiLibrary, name: string): HTMLButtonElement => {
  const found = [...root(el).querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent?.trim()) === name);
  if (found === undefined) throw new Error(`no button "${name}"`);
  return found;
};

async function search(el: TuttiLibrary, text: string): Promise<void> {
  const box = root(el).querySelector<HTMLInputElement>('[role=searchbox]')!;
  box.value = text;
  box.dispatchEvent(new Event('input'));
  await el.updateComplete;
}

function dragEvent(type: string, files: File[]): DragEvent {
  const dataTransfer = new DataTransfer();
  for (const file of files) dataTransfer.items.add(file);
  return new DragEvent(type, { bubbles: true, composed: true, cancelable: true, dataTransfer });
}

describe('<tutti-library>', () => {
  it('renders each track with title, artist · album, duration and named actions, accessibly', async () => {
    const el = await render();
    const list = root(el).querySelector('[role=list]')!;
    expect(list.getAttribute('aria-label')).to.equal('Tracks');
    expect(items(el).map((li) => li.querySelector('.title')!.textContent)).to.deep.equal(['Déjà Vu', 'Tutti Demo', 'Loose Tape']);
    expect(items(el).map((li) => li.querySelector('.meta')!.textContent)).to.deep.equal(['Beyoncé · B’Day', 'Tutti · Built-in', '']);
    expect(items(el).map((li) => li.querySelector('.duration')!.textContent)).to.deep.equal(['4:00', '3:00', '1:02:05']);
    for (const name of ['Play Déjà Vu', 'Add Déjà Vu to queue', 'Remove Déjà Vu', 'Add music']) expect(button(el, name)).to.be.instanceOf(HTMLButtonElement);
    expect(root(el).querySelector('[role=searchbox]')!.getAttribute('aria-label')).to.equal('Search library');
    const picker = root(el).querySelector<HTMLInputElement>('input[type=file]')!;
    expect(picker.multiple).to.equal(true);
    expect(picker.hidden).to.equal(true);
    expect(picker.accept).to.equal('audio/*,.mp3,.ogg,.opus,.flac,.wav,.m4a,.aac');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('filters by search text (case/diacritics-insensitive) and says when nothing matches', async () => {
    const el = await render();
    await search(el, 'deja BEYONCE');
    expect(items(el).map((li) => li.dataset.track)).to.deep.equal([ID_A]);
    await search(el, 'built');
    expect(items(el).map((li) => li.dataset.track)).to.deep.equal([ID_B]);
    await search(el, 'zzz');
    expect(items(el)).to.have.length(0);
    expect(root(el).querySelector('.empty')!.textContent).to.contain('No tracks match “zzz”');
    await search(el, '');
    expect(items(el)).to.have.length(3);
  });

  it('says the library is empty when there are no tracks', async () => {
    const el = await render({ tracks: [] });
    expect(root(el).querySelector('.empty')!.textContent).to.equal('No music yet.');
  });

  it('sends play, enqueue and remove events with the trackId, bubbling and composed', async () => {
    const el = await render();
    const cases = [
      ['library-play', 'Play Tutti Demo'],
      ['library-enqueue', 'Add Tutti Demo to queue'],
      ['library-remove', 'Remove Tutti Demo'],
    ] as const;
    for (const [type, name] of cases) {
      const heard = oneEvent<LibraryPlayEvent | LibraryEnqueueEvent | LibraryRemoveEvent>(document.body, type);
      button(el, name).click();
      const event = await heard;
      expect(event.trackId).to.equal(ID_B);
      expect(event.bubbles && event.composed).to.equal(true);
    }
  });

  it('opens the file picker from "Add music" and sends the picked files', async () => {
    const el = await render();
    const picker = root(el).querySelector<HTMLInputElement>('input[type=file]')!;
    let clicked = false;
    picker.addEventListener('click', (event) => {
      clicked = true;
      event.preventDefault();
    });
    button(el, 'Add music').click();
    expect(clicked).to.equal(true);
    const files = [new File(['a'], 'one.mp3', { type: 'audio/mpeg' }), new File(['b'], 'two.flac')];
    const transfer = new DataTransfer();
    for (const file of files) transfer.items.add(file);
    picker.files = transfer.files;
    const heard = oneEvent<LibraryAddFilesEvent>(el, 'library-add-files');
    picker.dispatchEvent(new Event('change'));
    const event = await heard;
    expect(event.files.map((f) => f.name)).to.deep.equal(['one.mp3', 'two.flac']);
    expect(picker.value).to.equal('');
  });

  it('highlights while files are dragged over it and sends dropped files', async () => {
    const el = await render();
    const files = [new File(['x'], 'dropped.wav', { type: 'audio/wav' })];
    const target = items(el)[1]!;
    const enter = dragEvent('dragenter', files);
    target.dispatchEvent(enter);
    expect(enter.defaultPrevented).to.equal(true);
    expect(el.hasAttribute('dragging')).to.equal(true);
    const over = dragEvent('dragover', files);
    target.dispatchEvent(over);
    expect(over.defaultPrevented).to.equal(true);
    target.dispatchEvent(dragEvent('dragleave', files));
    expect(el.hasAttribute('dragging')).to.equal(false);
    target.dispatchEvent(dragEvent('dragenter', files));
    const heard = oneEvent<LibraryAddFilesEvent>(el, 'library-add-files');
    const drop = dragEvent('drop', files);
    target.dispatchEvent(drop);
    const event = await heard;
    expect(drop.defaultPrevented).to.equal(true);
    expect(event.files.map((f) => f.name)).to.deep.equal(['dropped.wav']);
    expect(el.hasAttribute('dragging')).to.equal(false);
  });

  it('ignores drags that carry no files', async () => {
    const el = await render();
    const event = new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: new DataTransfer() });
    el.dispatchEvent(event);
    expect(event.defaultPrevented).to.equal(false);
    expect(el.hasAttribute('dragging')).to.equal(false);
  });

  it('shows transfers as labelled progress bars', async () => {
    const transfers = new Map<string, TransferView>([
      ['d'.repeat(64), { phase: 'receiving', fraction: 0.454, label: 'Song Title' }],
      [ID_B, { phase: 'generating', fraction: 1 }],
    ]);
    const el = await render({ transfers });
    const bars = [...root(el).querySelectorAll('tutti-track-progress')];
    await Promise.all(bars.map((bar) => bar.updateComplete));
    const progress = bars.map((bar) => bar.shadowRoot!.querySelector('progress')!);
    expect(progress.map((p) => p.getAttribute('aria-label'))).to.deep.equal(['Receiving Song Title 45 %', 'Generating Tutti Demo 100 %']);
    expect(progress.map((p) => p.value)).to.deep.equal([45, 100]);
    expect(bars[0]!.shadowRoot!.textContent).to.contain('45 %');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('shows an error as an alert and marks the track playing now', async () => {
    const el = await render({ error: '"x.txt" is not an audio file this browser can play.', nowPlayingTrackId: ID_C });
    expect(root(el).querySelector('[role=alert]')!.textContent).to.equal('"x.txt" is not an audio file this browser can play.');
    expect(items(el).map((li) => li.getAttribute('aria-current'))).to.deep.equal([null, null, 'true']);
    el.error = null;
    await el.updateComplete;
    expect(root(el).querySelector('[role=alert]')).to.equal(null);
  });
});
