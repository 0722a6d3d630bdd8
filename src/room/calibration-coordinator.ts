/**
 * Acoustic calibration riding on the room's links (a {@link RoomExtension}): every member answers
 * probe and apply requests with its {@link CalibrationResponder}; any member may start a run
 * ({@link runCalibration}) as the listener. Requests to this tab itself are answered locally.
 * Answers are matched to requests by peer, type, run and seed; unmatched ones are ignored.
 */
import type { CalibrationMessage, CalibrateAppliedMessage, CalibrateProbeAckMessage } from '../sync/calibration-messages.js';
import type { RoomMessage } from '../sync/protocol.js';
import type { CalibrationSpeaker } from '../sync/calibration-plan.js';
import type { Milliseconds } from '../sync/units.js';
import type { RoomExtension, RoomLinks } from './room-extension.js';
import type { CalibrationResponder } from './calibration-responder.js';
import { runCalibration, type CalibrationPhase, type CalibrationReport, type CalibrationRunnerDeps } from './calibration-runner.js';

/** A probe request with no answer fails after this long, ms. */
export const ANSWER_TIMEOUT_MS: Milliseconds = 2_000;
/** An apply request (the speaker also persists it) fails after this long, ms. */
export const APPLY_TIMEOUT_MS: Milliseconds = 6_000;

interface Pending {
  resolve(message: CalibrationMessage): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export type CoordinatorRunDeps = Omit<CalibrationRunnerDeps, 'requestProbe' | 'requestApply' | 'progress'>;

export class CalibrationCoordinator implements RoomExtension {
  private readonly pending = new Map<string, Pending>();
  private nextRunId = Math.floor(Math.random() * 1_000_000);
  private running: Promise<CalibrationReport> | null = null;
  private disposed = false;

  constructor(
    private readonly links: RoomLinks,
    private readonly responder: CalibrationResponder,
    private readonly runDeps: CoordinatorRunDeps,
  ) {}

  /** Whether a run is in progress on this tab. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Calibrates `speakers` with this tab as the listener (one run at a time). */
  run(speakers: readonly CalibrationSpeaker[], progress: (phase: CalibrationPhase) => void): Promise<CalibrationReport> {
    if (this.running !== null) return this.running;
    const runId = this.nextRunId++;
    const deps: CalibrationRunnerDeps = {
      ...this.runDeps,
      progress,
      requestProbe: (peerId, message) => this.request<CalibrateProbeAckMessage>(peerId, message, `calibrate-probe-ack:${message.runId}:${message.seed}`, ANSWER_TIMEOUT_MS),
      requestApply: (peerId, message) => this.request<CalibrateAppliedMessage>(peerId, message, `calibrate-applied:${message.runId}`, APPLY_TIMEOUT_MS),
    };
    const running = runCalibration(deps, speakers, runId).finally(() => {
      this.running = null;
    });
    this.running = running;
    return running;
  }

  message(peerId: string, message: RoomMessage): void {
    if (this.disposed) return;
    switch (message.type) {
      case 'calibrate-probe':
        void this.responder.probe(message).then((answer) => this.links.send(peerId, answer));
        return;
      case 'calibrate-apply':
        void this.responder.apply(message).then((answer) => this.links.send(peerId, answer));
        return;
      case 'calibrate-probe-ack':
        this.settle(`${peerId}|calibrate-probe-ack:${message.runId}:${message.seed}`, message);
        return;
      case 'calibrate-applied':
        this.settle(`${peerId}|calibrate-applied:${message.runId}`, message);
        return;
      default:
    }
  }

  peerDown(peerId: string): void {
    for (const [key, pending] of this.pending) {
      if (!key.startsWith(`${peerId}|`)) continue;
      this.pending.delete(key);
      clearTimeout(pending.timer);
      pending.reject(new Error('it left the room'));
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error('calibration stopped'));
    }
    this.pending.clear();
  }

  private request<T extends CalibrationMessage>(peerId: string, message: CalibrationMessage, answerKey: string, timeoutMs: Milliseconds): Promise<T> {
    if (peerId === this.links.selfId) {
      if (message.type === 'calibrate-probe') return this.responder.probe(message) as Promise<T>;
      if (message.type === 'calibrate-apply') return this.responder.apply(message) as Promise<T>;
    }
    const key = `${peerId}|${answerKey}`;
    return new Promise<T>((resolve, reject) => {
      if (this.disposed) return reject(new Error('calibration stopped'));
      this.pending.get(key)?.reject(new Error('superseded'));
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new Error('no answer in time'));
      }, timeoutMs);
      this.pending.set(key, { resolve: (m) => resolve(m as T), reject, timer });
      if (!this.links.send(peerId, message)) {
        clearTimeout(timer);
        this.pending.delete(key);
        reject(new Error('not connected'));
      }
    });
  }

  private settle(key: string, message: CalibrationMessage): void {
    const pending = this.pending.get(key);
    if (pending === undefined) return;
    this.pending.delete(key);
    clearTimeout(pending.timer);
    pending.resolve(message);
  }
}
