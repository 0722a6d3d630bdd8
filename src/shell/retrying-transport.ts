/**
 * A RoomTransport that keeps working without a network: when signaling cannot be reached
 * (offline, server down) `start()` still resolves, the transport reports `unreachable`, has no
 * links, and retries in the background (exponential backoff, and at once when the browser says
 * the network is back). The room session on top then runs as a room of one — it leads itself,
 * so this device can play its cached library — and meets the others like any tab that led
 * alone once a connection attempt succeeds. Each attempt is a fresh inner transport (PeerJS),
 * made by `connect`, so the PeerJS code can be loaded lazily after first paint.
 */
import type { Milliseconds } from '../sync/units.js';
import { IdTakenError, SignalingState, type Lane, type RoomTransport, type RoomTransportEvents } from './room-transport.js';

/** Runs `fn` after `delayMs`; returns a function that cancels it. */
export type Schedule = (fn: () => void, delayMs: Milliseconds) => () => void;

export interface RetryingTransportOptions {
  /** A fresh, unstarted transport for one connection attempt under `selfId`. */
  connect: (selfId: string) => Promise<RoomTransport>;
  /** First retry delay, ms (doubles per failure up to `retryMaxMs`). */
  retryMinMs?: Milliseconds;
  retryMaxMs?: Milliseconds;
  /** Timers (tests inject a manual clock). */
  schedule?: Schedule;
  /** Calls `retry` whenever the network may be back (the window's `online` event); returns the unsubscription. */
  onNetworkBack?: (retry: () => void) => () => void;
}

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 8000;

const timerSchedule: Schedule = (fn, delayMs) => {
  const handle = setTimeout(fn, delayMs);
  return () => clearTimeout(handle);
};

const onlineEvents = (retry: () => void): (() => void) => {
  addEventListener('online', retry);
  return () => removeEventListener('online', retry);
};

export class RetryingTransport implements RoomTransport {
  private listener: RoomTransportEvents | null = null;
  /** The connected transport, or null while unreachable. */
  private current: RoomTransport | null = null;
  private attempting = false;
  private pendingAttempt: RoomTransport | null = null;
  private state: SignalingState = SignalingState.connecting;
  private failure: string | null = null;
  private retryDelayMs: Milliseconds;
  private cancelRetry: (() => void) | null = null;
  private firstOutcome: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private readonly schedule: Schedule;
  private readonly unsubscribeNetwork: () => void;
  private disposed = false;

  constructor(
    readonly selfId: string,
    private readonly options: RetryingTransportOptions,
  ) {
    this.retryDelayMs = options.retryMinMs ?? RETRY_MIN_MS;
    this.schedule = options.schedule ?? timerSchedule;
    this.unsubscribeNetwork = (options.onNetworkBack ?? onlineEvents)(() => this.retryNow());
  }

  /** Why the last attempt failed, in words; null once connected. */
  get lastFailure(): string | null {
    return this.failure;
  }

  setListener(listener: RoomTransportEvents): void {
    this.listener = listener;
  }

  /**
   * Resolves once connected, or once the first attempt failed (the inner transport rejects at
   * once when the network is down, else after its own open timeout): the room then runs alone
   * while retries go on. A merely slow answer is waited for, so a joiner still hears the room
   * before its election may claim. Rejects with IdTakenError only when the first attempt found
   * the id taken (the caller picks another id).
   */
  start(): Promise<void> {
    this.report(SignalingState.connecting);
    return new Promise<void>((resolve, reject) => {
      this.firstOutcome = { resolve, reject };
      void this.attempt();
    });
  }

  listPeers(): Promise<unknown[]> {
    return this.current?.listPeers() ?? Promise.reject(new Error('signaling is unreachable'));
  }

  dial(peerId: string): void {
    this.current?.dial(peerId);
  }

  hasLink(peerId: string): boolean {
    return this.current?.hasLink(peerId) ?? false;
  }

  send(peerId: string, data: string | ArrayBuffer, lane?: Lane): boolean {
    return this.current?.send(peerId, data, lane) ?? false;
  }

  bufferedBytes(peerId: string): number {
    return this.current?.bufferedBytes(peerId) ?? 0;
  }

  hangUp(peerId: string): void {
    this.current?.hangUp(peerId);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cancelRetry?.();
    this.unsubscribeNetwork();
    this.settleFirst(null);
    const inner = [this.pendingAttempt, this.current];
    this.pendingAttempt = null;
    this.current = null;
    for (const transport of inner) transport?.dispose();
    this.report(SignalingState.closed);
  }

  private async attempt(): Promise<void> {
    if (this.disposed || this.current !== null || this.attempting) return;
    this.attempting = true;
    this.cancelRetry?.();
    this.cancelRetry = null;
    let transport: RoomTransport | null = null;
    try {
      transport = await this.options.connect(this.selfId);
      if (this.disposed) throw new Error('disposed');
      this.pendingAttempt = transport;
      transport.setListener(this.forwarder(transport));
      await transport.start();
      if (this.pendingAttempt !== transport) throw new Error('disposed');
    } catch (error) {
      this.attempting = false;
      if (this.pendingAttempt === transport) this.pendingAttempt = null;
      transport?.dispose();
      if (!this.disposed) this.failed(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.attempting = false;
    this.pendingAttempt = null;
    this.current = transport;
    this.failure = null;
    this.retryDelayMs = this.options.retryMinMs ?? RETRY_MIN_MS;
    this.report(SignalingState.open);
    this.settleFirst(null);
  }

  private failed(error: Error): void {
    if (error instanceof IdTakenError && this.firstOutcome !== null) {
      this.settleFirst(error);
      return;
    }
    // Later, a taken id means the server still holds this tab's earlier connection (it drops it
    // within its alive timeout) or another tab of this browser uses the id: keep retrying.
    this.failure = error instanceof IdTakenError ? 'the server still holds this speaker\'s previous connection' : error.message;
    this.report(SignalingState.unreachable);
    this.settleFirst(null);
    const delayMs = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.options.retryMaxMs ?? RETRY_MAX_MS, delayMs * 2);
    this.cancelRetry = this.schedule(() => void this.attempt(), delayMs);
  }

  private retryNow(): void {
    if (this.current !== null || this.attempting || this.disposed) return;
    this.retryDelayMs = this.options.retryMinMs ?? RETRY_MIN_MS;
    void this.attempt();
  }

  private settleFirst(error: Error | null): void {
    const outcome = this.firstOutcome;
    if (outcome === null) return;
    this.firstOutcome = null;
    if (error === null) outcome.resolve();
    else outcome.reject(error);
  }

  /** Passes on what the connected transport (or the attempt becoming it) reports. */
  private forwarder(transport: RoomTransport): RoomTransportEvents {
    const live = (): boolean => transport === this.current || transport === this.pendingAttempt;
    return {
      linkOpen: (peerId) => {
        if (live()) this.listener?.linkOpen(peerId);
      },
      linkClose: (peerId) => {
        if (live()) this.listener?.linkClose(peerId);
      },
      data: (peerId, data) => {
        if (live()) this.listener?.data(peerId, data);
      },
      signaling: (state) => {
        if (transport === this.current) this.report(state);
      },
    };
  }

  private report(state: SignalingState): void {
    if (state === this.state) return;
    this.state = state;
    this.listener?.signaling(state);
  }
}
