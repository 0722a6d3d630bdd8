import { expect } from '@open-wc/testing';
import { ControlError, type ControlTarget, type NowPlaying, type RoomControl, type TransportAction } from '../../src/features/room-control.js';
import { VoiceController } from '../../src/features/voice-controller.js';
import { startVoice } from '../../src/features/voice-feature.js';
import type { FeatureDeps } from '../../src/features/feature-deps.js';
import { SpeechRecognitionFailure, recognitionErrorMessage, type SpeechRecognizer } from '../../src/shell/speech-recognizer.js';
import type { SpeechSynthesizer } from '../../src/shell/speech-synthesizer.js';
import type { RecognitionAlternative } from '../../src/voice/voice-intent.js';
import { WORLD } from './voice-world.js';

/** A RoomControl over WORLD that records what it was asked and can be told to refuse. */
class FakeControl implements RoomControl {
  readonly calls: string[] = [];
  readonly volumes = new Map<string, number>();
  refuse: string | null = null;
  playing: NowPlaying = { status: 'playing', title: 'So What', artist: 'Miles Davis' };

  targets() {
    return WORLD.targets;
  }
  defaultTarget() {
    return WORLD.defaultTarget;
  }
  tracks() {
    return WORLD.tracks;
  }
  private async act(call: string): Promise<void> {
    await Promise.resolve();
    if (this.refuse !== null) throw new ControlError(this.refuse);
    this.calls.push(call);
  }
  play(target: ControlTarget, trackIds: readonly string[]) {
    return this.act(`play ${target.id} ${trackIds.join(',')}`);
  }
  transport(target: ControlTarget, action: TransportAction) {
    return this.act(`${action} ${target.id}`);
  }
  volume(target: ControlTarget) {
    return this.volumes.get(target.id) ?? 0.5;
  }
  async setVolume(target: ControlTarget, volume: number) {
    await this.act(`volume ${target.id} ${volume}`);
    this.volumes.set(target.id, volume);
  }
  setMuted(target: ControlTarget, muted: boolean) {
    return this.act(`${muted ? 'mute' : 'unmute'} ${target.id}`);
  }
  async createGroup(name: string, speakerIds: readonly string[]) {
    await this.act(`group ${name} ${speakerIds.join(',')}`);
    return { kind: 'group' as const, id: 'g-new', name, memberIds: speakerIds };
  }
  nowPlaying() {
    return this.playing;
  }
}

/** A recognizer the test drives: `hear` answers the pending listen, `fail` rejects it. */
class FakeRecognizer implements SpeechRecognizer {
  readonly supported = true;
  private pending: { resolve: (a: readonly RecognitionAlternative[]) => void; reject: (e: Error) => void } | null = null;
  onResult: ((alternatives: readonly RecognitionAlternative[]) => void) | null = null;
  onError: ((failure: SpeechRecognitionFailure) => void) | null = null;
  stops = 0;
  listenOnce() {
    return new Promise<readonly RecognitionAlternative[]>((resolve, reject) => (this.pending = { resolve, reject }));
  }
  listenContinuously(onResult: (alternatives: readonly RecognitionAlternative[]) => void, onError: (failure: SpeechRecognitionFailure) => void) {
    this.onResult = onResult;
    this.onError = onError;
  }
  stop() {
    this.stops++;
    this.pending?.reject(new SpeechRecognitionFailure('aborted', recognitionErrorMessage('aborted')));
    this.pending = null;
    this.onResult = null;
  }
  dispose() {
    this.stop();
  }
  hear(alternatives: readonly RecognitionAlternative[]) {
    this.pending!.resolve(alternatives);
    this.pending = null;
  }
  fail(code: string) {
    this.pending!.reject(new SpeechRecognitionFailure(code, recognitionErrorMessage(code)));
    this.pending = null;
  }
}

class FakeSynthesizer implements SpeechSynthesizer {
  readonly supported = true;
  readonly spoken: string[] = [];
  cancels = 0;
  speak(text: string) {
    this.spoken.push(text);
  }
  cancel() {
    this.cancels++;
  }
  dispose() {}
}

function setup() {
  const control = new FakeControl();
  const recognizer = new FakeRecognizer();
  const synthesizer = new FakeSynthesizer();
  const controller = new VoiceController({ control, recognizer, synthesizer });
  return { control, recognizer, synthesizer, controller };
}

describe('VoiceController', () => {
  it('executes a typed command through RoomControl, speaks and shows the confirmation', async () => {
    const { control, synthesizer, controller } = setup();
    const reply = await controller.handleText('play dave matthews band downstairs');
    expect(reply).to.equal('Playing Dave Matthews Band downstairs');
    expect(control.calls).to.deep.equal(['play g-down dmb-crash,dmb-say,dmb-ants,dmb-sat']);
    expect(synthesizer.spoken).to.deep.equal([reply]);
    expect(controller.state).to.deep.include({ transcript: 'play dave matthews band downstairs', reply, busy: false });
  });

  it('steps volume from the target’s current volume and clamps', async () => {
    const { control, controller } = setup();
    control.volumes.set('kitchen', 0.95);
    expect(await controller.handleText('turn it up in the kitchen')).to.equal('Volume 100% in the Kitchen');
    expect(await controller.handleText('quieter in the kitchen')).to.equal('Volume 90% in the Kitchen');
    expect(control.calls).to.deep.equal(['volume kitchen 1', 'volume kitchen 0.9']);
  });

  it('creates groups from speakers, transports, mutes and answers what is playing', async () => {
    const { control, controller } = setup();
    expect(await controller.handleText('group kitchen and den as ground floor')).to.equal('Grouped Kitchen and Den as Ground Floor');
    expect(await controller.handleText('pause then')).to.equal('Paused in the Den');
    expect(await controller.handleText('mute upstairs')).to.equal('Muted upstairs');
    expect(await controller.handleText("what's playing in the den")).to.equal('Now playing So What by Miles Davis in the Den');
    expect(control.calls).to.deep.equal(['group Ground Floor kitchen,den', 'pause den', 'mute g-up']);
  });

  it('turns a ControlError into a spoken reply instead of failing', async () => {
    const { control, synthesizer, controller } = setup();
    control.refuse = 'the Den is offline';
    const reply = await controller.handleText('next song in the den');
    expect(reply).to.equal('Sorry, the Den is offline');
    expect(synthesizer.spoken).to.deep.equal([reply]);
    expect(controller.state.busy).to.equal(false);
  });

  it('replies helpfully, never silently, to what it cannot do', async () => {
    const { control, controller } = setup();
    expect(await controller.handleText('tutti play jazz')).to.contain(`couldn't find "jazz"`);
    expect(await controller.handleText('order a pizza')).to.contain("didn't understand");
    expect(control.calls).to.deep.equal([]);
  });

  it('push-to-talk: listens once, shows Listening, acts on the best alternative', async () => {
    const { control, recognizer, controller } = setup();
    const changes: boolean[] = [];
    controller.addEventListener('change', () => changes.push(controller.state.listening));
    const reply = controller.listen();
    expect(controller.state.listening).to.equal(true);
    recognizer.hear([
      { transcript: 'paws in the kitchin', confidence: 0.7 },
      { transcript: 'pause in the kitchen', confidence: 0.6 },
    ]);
    expect(await reply).to.equal('Paused in the Kitchen');
    expect(control.calls).to.deep.equal(['pause kitchen']);
    expect(changes[0]).to.equal(true);
    expect(controller.state.listening).to.equal(false);
  });

  it('push-to-talk: a recognition error becomes the reply; stopping is silent', async () => {
    const { recognizer, synthesizer, controller } = setup();
    const failed = controller.listen();
    recognizer.fail('not-allowed');
    expect(await failed).to.contain('Microphone access is blocked');
    expect(synthesizer.spoken).to.deep.equal([]);
    const stopped = controller.listen();
    controller.stopListening();
    expect(await stopped).to.equal('');
  });

  it('hands-free: acts only on utterances starting with the wake word', async () => {
    const { control, recognizer, controller } = setup();
    controller.setHandsFree(true);
    expect(controller.state).to.deep.include({ handsFree: true, listening: true });
    const handled = new Promise<void>((resolve) => controller.addEventListener('change', () => controller.state.reply !== null && resolve()));
    recognizer.onResult!([{ transcript: 'pause', confidence: 0.9 }]);
    recognizer.onResult!([{ transcript: 'Tutti, skip this', confidence: 0.9 }]);
    await handled;
    expect(control.calls).to.deep.equal(['next office']);
    controller.setHandsFree(false);
    expect(controller.state.handsFree).to.equal(false);
    expect(recognizer.stops).to.be.at.least(1);
  });

  it('without recognition, listening says to type instead', async () => {
    const controller = new VoiceController({ control: new FakeControl(), recognizer: null, synthesizer: null });
    expect(controller.state.supported).to.equal(false);
    expect(await controller.listen()).to.contain('type a command');
    expect(await controller.handleText('stop everywhere')).to.equal('Stopped everywhere');
  });

  it('answers help with the room’s own names', async () => {
    const { controller } = setup();
    const reply = await controller.handleText('what can I say');
    expect(reply).to.contain('play Dave Matthews Band in the Kitchen').and.contain('group kitchen and den as downstairs');
  });
});

describe('startVoice', () => {
  it('adds <tutti-voice slot="voice">, installs window.tutti.features.voice, and removes both on dispose', async () => {
    const tutti = window.tutti as typeof window.tutti | undefined;
    if (tutti === undefined) window.tutti = { version: 'test', diagnostics: () => null, features: {} };
    const app = document.createElement('div');
    document.body.append(app);
    const control = new FakeControl();
    const dispose = startVoice({ app } as unknown as FeatureDeps, control);
    const element = app.querySelector('tutti-voice')!;
    expect(element.slot).to.equal('voice');
    const hooks = window.tutti.features['voice'] as { hear(a: unknown): Promise<string>; say(t: string): Promise<string> };
    expect(await hooks.hear([{ transcript: 'play kind of blue in the den', confidence: 0.8 }])).to.equal('Playing Kind of Blue in the Den');
    expect(control.calls).to.deep.equal(['play den md-sowhat,md-big']);
    await element.updateComplete;
    expect(element.shadowRoot!.querySelector('[role="status"]')!.textContent).to.contain('Playing Kind of Blue in the Den');
    let refused = false;
    await hooks.hear('not a list').catch(() => (refused = true));
    expect(refused).to.equal(true);
    dispose();
    expect(app.querySelector('tutti-voice')).to.equal(null);
    expect(window.tutti.features['voice']).to.equal(undefined);
    app.remove();
  });
});
