import { expect } from '@open-wc/testing';
import { SpeechRecognitionFailure, createBrowserRecognizer, recognitionErrorMessage } from '../../src/shell/speech-recognizer.js';
import { createBrowserSynthesizer } from '../../src/shell/speech-synthesizer.js';
import type { RecognitionAlternative } from '../../src/voice/voice-intent.js';

type Result = { isFinal: boolean; length: number; [i: number]: { transcript: string; confidence: number } };

/** A stand-in for the Web Speech API's SpeechRecognition that tests drive by hand. */
class FakeRecognition {
  static made: FakeRecognition[] = [];
  lang = '';
  continuous = false;
  interimResults = true;
  maxAlternatives = 1;
  started = 0;
  aborted = 0;
  onresult: ((event: { resultIndex: number; results: { length: number; [i: number]: Result } }) => void) | null = null;
  onerror: ((event: { error: string }) => void) | null = null;
  onend: (() => void) | null = null;
  constructor() {
    FakeRecognition.made.push(this);
  }
  start() {
    this.started++;
  }
  abort() {
    this.aborted++;
    this.onerror?.({ error: 'aborted' });
    this.onend?.();
  }
  say(alternatives: RecognitionAlternative[]) {
    const result: Result = Object.assign([...alternatives], { isFinal: true });
    this.onresult?.({ resultIndex: 0, results: { length: 1, 0: result } });
  }
}

const fakeWindow = (withApi: boolean) => ({ navigator: { language: 'en-GB' }, ...(withApi ? { webkitSpeechRecognition: FakeRecognition } : {}) }) as unknown as Window;

describe('browser speech recognizer', () => {
  beforeEach(() => {
    FakeRecognition.made = [];
  });

  it('is unsupported without the API and says so when asked to listen', async () => {
    const recognizer = createBrowserRecognizer(fakeWindow(false));
    expect(recognizer.supported).to.equal(false);
    const failure = await recognizer.listenOnce().catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(SpeechRecognitionFailure);
  });

  it('listens once with 5 final alternatives in the browser language', async () => {
    const recognizer = createBrowserRecognizer(fakeWindow(true));
    const heard = recognizer.listenOnce();
    const recognition = FakeRecognition.made[0]!;
    expect(recognition).to.deep.include({ lang: 'en-GB', continuous: false, interimResults: false, maxAlternatives: 5, started: 1 });
    recognition.say([{ transcript: 'pause', confidence: 0.9 }, { transcript: 'paws', confidence: 0.4 }]);
    recognition.onend!();
    expect(await heard).to.deep.equal([{ transcript: 'pause', confidence: 0.9 }, { transcript: 'paws', confidence: 0.4 }]);
  });

  it('maps errors to clear messages; no speech resolves with nothing heard', async () => {
    const recognizer = createBrowserRecognizer(fakeWindow(true));
    const blocked = recognizer.listenOnce();
    FakeRecognition.made[0]!.onerror!({ error: 'not-allowed' });
    FakeRecognition.made[0]!.onend!();
    const failure = (await blocked.catch((error: unknown) => error)) as SpeechRecognitionFailure;
    expect(failure.code).to.equal('not-allowed');
    expect(failure.message).to.equal(recognitionErrorMessage('not-allowed'));
    const silent = recognizer.listenOnce();
    FakeRecognition.made[1]!.onerror!({ error: 'no-speech' });
    FakeRecognition.made[1]!.onend!();
    expect(await silent).to.deep.equal([]);
    for (const code of ['network', 'audio-capture', 'no-speech']) expect(recognitionErrorMessage(code)).to.not.equal(recognitionErrorMessage('some-new-code'));
  });

  it('stop() aborts a pending listen', async () => {
    const recognizer = createBrowserRecognizer(fakeWindow(true));
    const heard = recognizer.listenOnce();
    recognizer.stop();
    const failure = (await heard.catch((error: unknown) => error)) as SpeechRecognitionFailure;
    expect(failure.code).to.equal('aborted');
    expect(FakeRecognition.made[0]!.aborted).to.equal(1);
  });

  it('hands-free: restarts after the browser ends a session, stops on a fatal error', () => {
    const recognizer = createBrowserRecognizer(fakeWindow(true));
    const results: string[] = [];
    const errors: string[] = [];
    recognizer.listenContinuously((alternatives) => results.push(alternatives[0]!.transcript), (failure) => errors.push(failure.code));
    const first = FakeRecognition.made[0]!;
    expect(first.continuous).to.equal(true);
    first.say([{ transcript: 'tutti pause', confidence: 0.8 }]);
    first.onend!();
    expect(FakeRecognition.made.length).to.equal(2);
    const second = FakeRecognition.made[1]!;
    second.onerror!({ error: 'audio-capture' });
    second.onend!();
    expect(results).to.deep.equal(['tutti pause']);
    expect(errors).to.deep.equal(['audio-capture']);
    expect(FakeRecognition.made.length).to.equal(2);
  });
});

describe('browser speech synthesizer', () => {
  it('cancels the previous reply and speaks the new one in the browser language', () => {
    const spoken: { text: string; lang: string }[] = [];
    let cancels = 0;
    class FakeUtterance {
      lang = '';
      constructor(readonly text: string) {}
    }
    const win = {
      navigator: { language: 'en-US' },
      speechSynthesis: { cancel: () => cancels++, speak: (u: FakeUtterance) => spoken.push({ text: u.text, lang: u.lang }) },
      SpeechSynthesisUtterance: FakeUtterance,
    } as unknown as Window;
    const synthesizer = createBrowserSynthesizer(win);
    expect(synthesizer.supported).to.equal(true);
    synthesizer.speak('Paused in the Den');
    expect(spoken).to.deep.equal([{ text: 'Paused in the Den', lang: 'en-US' }]);
    expect(cancels).to.equal(1);
  });

  it('is silent where speechSynthesis is missing', () => {
    const synthesizer = createBrowserSynthesizer({ navigator: { language: 'en' } } as unknown as Window);
    expect(synthesizer.supported).to.equal(false);
    synthesizer.speak('hello');
  });
});
