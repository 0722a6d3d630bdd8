/**
 * Voice commands end to end: what was heard (recognition alternatives or typed text) → resolved
 * command (src/voice, pure) → carried out through RoomControl → a short reply, spoken where the
 * browser can and kept as text for the UI. Push-to-talk listens once; hands-free listens
 * continuously and acts only on utterances that start with the wake word "Tutti".
 * Sends a 'change' event whenever `state` changes.
 */
import { ControlError, type RoomControl } from './room-control.js';
import { SpeechRecognitionFailure, type SpeechRecognizer } from '../shell/speech-recognizer.js';
import type { SpeechSynthesizer } from '../shell/speech-synthesizer.js';
import { resolveAlternatives, type VoiceWorld } from '../voice/intent-resolver.js';
import { applyVolumeChange, type RecognitionAlternative, type VoiceCommand } from '../voice/voice-intent.js';
import { confirmation, helpText } from '../voice/voice-reply.js';

/** What the voice UI shows. */
export interface VoiceState {
  /** Whether speech recognition works here (otherwise only typed commands). */
  readonly supported: boolean;
  readonly listening: boolean;
  readonly handsFree: boolean;
  /** A command is being carried out. */
  readonly busy: boolean;
  /** The words acted on last (or heard, when nothing could be done). */
  readonly transcript: string | null;
  readonly reply: string | null;
}

export interface VoiceControllerDeps {
  readonly control: RoomControl;
  readonly recognizer: SpeechRecognizer | null;
  readonly synthesizer: SpeechSynthesizer | null;
}

/** Carries out a resolved command; resolves with the confirmation. Rejects as RoomControl does. */
export async function executeCommand(control: RoomControl, command: VoiceCommand, world: VoiceWorld): Promise<string> {
  switch (command.kind) {
    case 'play':
      await control.play(command.target, command.trackIds);
      return confirmation(command);
    case 'transport':
      await control.transport(command.target, command.action);
      return confirmation(command);
    case 'volume': {
      const volume = applyVolumeChange(control.volume(command.target), command.change);
      await control.setVolume(command.target, volume);
      return confirmation(command, { volume });
    }
    case 'mute':
      await control.setMuted(command.target, command.muted);
      return confirmation(command);
    case 'group': {
      const speakerIds = [...new Set(command.speakers.flatMap((speaker) => speaker.memberIds))];
      await control.createGroup(command.name, speakerIds);
      return confirmation(command);
    }
    case 'nowPlaying':
      return confirmation(command, { nowPlaying: control.nowPlaying(command.target) });
    case 'help':
      return helpText(world.targets, world.tracks);
  }
}

const UNSUPPORTED_REPLY = 'Voice needs Chrome or Safari; type a command instead.';

export class VoiceController extends EventTarget {
  private current: VoiceState;
  private disposed = false;

  constructor(private readonly deps: VoiceControllerDeps) {
    super();
    this.current = { supported: deps.recognizer?.supported === true, listening: false, handsFree: false, busy: false, transcript: null, reply: null };
  }

  get state(): VoiceState {
    return this.current;
  }

  /** Acts on recognition alternatives (best first); resolves with the reply, never rejects. */
  async handle(alternatives: readonly RecognitionAlternative[], options: { requireWake?: boolean } = {}): Promise<string> {
    let world: VoiceWorld;
    try {
      world = { targets: this.deps.control.targets(), tracks: this.deps.control.tracks(), defaultTarget: this.deps.control.defaultTarget() };
    } catch (error) {
      return this.finish(alternatives[0]?.transcript ?? null, `Sorry, voice commands are not ready yet: ${messageOf(error)}`);
    }
    const resolution = resolveAlternatives(alternatives, world, options);
    if (resolution.kind === 'reply') {
      if (options.requireWake === true && resolution.problem.kind === 'noWake') return resolution.reply;
      return this.finish(resolution.transcript, resolution.reply);
    }
    this.update({ busy: true, transcript: resolution.transcript });
    let reply: string;
    try {
      reply = await executeCommand(this.deps.control, resolution.command, world);
    } catch (error) {
      reply = error instanceof ControlError ? `Sorry, ${error.message}` : `Sorry, that didn't work: ${messageOf(error)}`;
    }
    return this.finish(resolution.transcript, reply);
  }

  /** Acts on a typed command (same grammar as speech). */
  handleText(text: string): Promise<string> {
    return this.handle([{ transcript: text, confidence: 1 }]);
  }

  /** Push-to-talk: listens for one utterance and acts on it; resolves with the reply ('' if stopped). */
  async listen(): Promise<string> {
    const recognizer = this.deps.recognizer;
    if (recognizer === null || !recognizer.supported) return this.finish(null, UNSUPPORTED_REPLY);
    if (this.current.handsFree) this.setHandsFree(false);
    this.update({ listening: true });
    let alternatives: readonly RecognitionAlternative[];
    try {
      alternatives = await recognizer.listenOnce();
    } catch (error) {
      this.update({ listening: false });
      if (error instanceof SpeechRecognitionFailure && error.code === 'aborted') return '';
      return this.finish(null, messageOf(error), false);
    }
    this.update({ listening: false });
    return this.handle(alternatives);
  }

  /** Stops push-to-talk or hands-free listening. */
  stopListening(): void {
    this.deps.recognizer?.stop();
    this.update({ listening: false, handsFree: false });
  }

  /** Hands-free: keeps listening and acts on utterances starting with "Tutti". */
  setHandsFree(on: boolean): void {
    const recognizer = this.deps.recognizer;
    if (!on || recognizer === null || !recognizer.supported) {
      if (this.current.handsFree || this.current.listening) recognizer?.stop();
      this.update({ handsFree: false, listening: false });
      if (on) void this.finish(null, UNSUPPORTED_REPLY);
      return;
    }
    this.update({ handsFree: true, listening: true });
    recognizer.listenContinuously(
      (alternatives) => void this.handle(alternatives, { requireWake: true }),
      (failure) => {
        this.update({ handsFree: false, listening: false });
        void this.finish(null, failure.message, false);
      },
    );
  }

  dispose(): void {
    this.disposed = true;
    this.deps.recognizer?.stop();
    this.deps.synthesizer?.cancel();
  }

  private finish(transcript: string | null, reply: string, speak = true): string {
    this.update({ busy: false, transcript, reply });
    if (speak && !this.disposed && this.deps.synthesizer?.supported === true) this.deps.synthesizer.speak(reply);
    return reply;
  }

  private update(change: Partial<VoiceState>): void {
    if (this.disposed) return;
    this.current = { ...this.current, ...change };
    this.dispatchEvent(new Event('change'));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
