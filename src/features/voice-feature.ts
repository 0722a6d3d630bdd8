/**
 * The voice feature's wiring into the app (see feature-deps.ts): puts `<tutti-voice slot="voice">`
 * into the app, drives it from a VoiceController over the browser's speech recognition and
 * synthesis, and installs `window.tutti.features.voice` (VoiceHooks) for tests and support:
 * - `hear(alternatives)`: acts on recognition alternatives (`{ transcript: string, confidence:
 *   number }[]`, best first) as if heard; resolves with the reply (also shown and spoken).
 * - `say(text)`: acts on a typed command; resolves with the reply.
 * - `state()`: the UI state (supported, listening, handsFree, busy, transcript, reply).
 */
import '../components/tutti-voice.js';
import type { TuttiVoice } from '../components/tutti-voice.js';
import { createBrowserRecognizer } from '../shell/speech-recognizer.js';
import { createBrowserSynthesizer } from '../shell/speech-synthesizer.js';
import type { RecognitionAlternative } from '../voice/voice-intent.js';
import type { FeatureDeps } from './feature-deps.js';
import type { RoomControl } from './room-control.js';
import { VoiceController, type VoiceState } from './voice-controller.js';

/** `window.tutti.features.voice`. */
export interface VoiceHooks {
  hear(alternatives: readonly RecognitionAlternative[]): Promise<string>;
  say(text: string): Promise<string>;
  state(): VoiceState;
}

/** Validates alternatives from the page boundary (tests, console) into plain data. */
function toAlternatives(value: unknown): RecognitionAlternative[] {
  if (!Array.isArray(value)) throw new TypeError('hear() takes an array of { transcript, confidence }');
  return value.map((item: unknown) => {
    const candidate = item as { transcript?: unknown; confidence?: unknown } | null;
    if (typeof candidate?.transcript !== 'string') throw new TypeError('each alternative needs a string transcript');
    const confidence = typeof candidate.confidence === 'number' && Number.isFinite(candidate.confidence) ? candidate.confidence : 0;
    return { transcript: candidate.transcript, confidence };
  });
}

/** Starts voice commands acting through `control`; returns the disposer. */
export function startVoice(deps: FeatureDeps, control: RoomControl): () => void {
  const recognizer = createBrowserRecognizer(window);
  const synthesizer = createBrowserSynthesizer(window);
  const controller = new VoiceController({ control, recognizer: recognizer.supported ? recognizer : null, synthesizer });
  const element: TuttiVoice = document.createElement('tutti-voice');
  element.slot = 'voice';
  element.state = controller.state;
  const onChange = (): void => {
    element.state = controller.state;
  };
  controller.addEventListener('change', onChange);
  element.addEventListener('voice-listen', (event) => {
    if (event.start) void controller.listen();
    else controller.stopListening();
  });
  element.addEventListener('voice-command', (event) => void controller.handleText(event.text));
  element.addEventListener('voice-handsfree', (event) => controller.setHandsFree(event.on));
  deps.app.append(element);
  const hooks: VoiceHooks = {
    hear: (alternatives) => {
      try {
        return controller.handle(toAlternatives(alternatives));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    say: (text) => controller.handleText(String(text)),
    state: () => controller.state,
  };
  window.tutti.features.voice = hooks;
  return () => {
    if (window.tutti.features.voice === hooks) delete window.tutti.features.voice;
    controller.removeEventListener('change', onChange);
    controller.dispose();
    recognizer.dispose();
    synthesizer.dispose();
    element.remove();
  };
}
