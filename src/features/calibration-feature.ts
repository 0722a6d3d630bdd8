/**
 * The calibration feature's wiring into the app (see feature-deps.ts): the
 * `<tutti-calibration slot="calibration">` panel, the calibration room extension (every member
 * answers probes; this device calibrates the room when asked), and this speaker's persisted
 * correction for its output route — applied to the engine at start and again when the output
 * devices change (a headset plugged in).
 */
import { openBrowserMicrophone } from '../audio/mic-capture.js';
import { CalibrationCoordinator } from '../room/calibration-coordinator.js';
import { CalibrationResponder } from '../room/calibration-responder.js';
import { CalibrationPhase } from '../room/calibration-runner.js';
import { MemberState } from '../room/room-snapshot.js';
import { currentOutputRoute, IdbCalibrationStore, MemoryCalibrationStore, type CalibrationStore } from '../shell/calibration-store.js';
import type { CalibrationSpeaker } from '../sync/calibration-plan.js';
import { MemberRole } from '../sync/protocol.js';
import '../components/tutti-calibration.js';
import type { FeatureDeps } from './feature-deps.js';

export function startCalibration(deps: FeatureDeps): () => void {
  const { app, session, engine, clock } = deps;
  const store: CalibrationStore = typeof indexedDB === 'undefined' ? new MemoryCalibrationStore() : new IdbCalibrationStore();
  const element = document.createElement('tutti-calibration');
  element.slot = 'calibration';
  app.append(element);
  let disposed = false;
  /** Set once a calibration applied a correction: a late load of the saved one must not undo it. */
  let appliedHere = false;

  const sharedNowMs = (): number => session.timeline.toShared(clock.now());
  const responder = new CalibrationResponder({
    player: engine,
    sharedNowMs,
    persist: async (correctionMs) => store.save(await currentOutputRoute(), correctionMs),
    onApplied: () => {
      appliedHere = true;
      showLocal();
    },
  });
  const coordinator = new CalibrationCoordinator(session, responder, {
    openMicrophone: openBrowserMicrophone,
    sharedNowMs,
    perfToSharedMs: (perfMs) => session.timeline.toShared(clock.fromPerfMs(perfMs)),
    perfNowMs: () => performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  const removeExtension = session.addExtension(coordinator);

  const speakers = (): CalibrationSpeaker[] =>
    session
      .snapshot()
      .members.filter((m) => m.role === MemberRole.speaker && m.state !== MemberState.unresponsive && (!m.isSelf || engine !== null))
      .map((m) => ({ speakerId: m.peerId, name: m.name }));

  const showLocal = (): void => {
    element.localCorrectionMs = engine?.calibrationCorrectionMs ?? null;
  };
  const showSpeakers = (): void => {
    element.speakerCount = speakers().length;
  };

  const loadSaved = async (): Promise<void> => {
    if (engine === null) return;
    const saved = await store.load(await currentOutputRoute()).catch(() => null);
    if (disposed || appliedHere || saved === null) return;
    engine.setCorrectionMs(saved);
    showLocal();
  };
  const onDeviceChange = (): void => {
    appliedHere = false;
    void loadSaved();
  };

  const onRequest = (): void => {
    if (coordinator.busy) return;
    element.report = null;
    void coordinator
      .run(speakers(), (phase) => {
        if (!disposed) element.phase = phase;
      })
      .then((report) => {
        if (disposed) return;
        element.report = report;
        element.phase = CalibrationPhase.idle;
        console.info(`[tutti] calibration: ${report.message}`, report);
      });
  };

  element.addEventListener('calibrate-request', onRequest);
  session.addEventListener('change', showSpeakers);
  engine?.addEventListener('change', showLocal);
  navigator.mediaDevices?.addEventListener?.('devicechange', onDeviceChange);
  showSpeakers();
  showLocal();
  void loadSaved();

  return () => {
    disposed = true;
    navigator.mediaDevices?.removeEventListener?.('devicechange', onDeviceChange);
    engine?.removeEventListener('change', showLocal);
    session.removeEventListener('change', showSpeakers);
    element.removeEventListener('calibrate-request', onRequest);
    removeExtension();
    coordinator.dispose();
    element.remove();
  };
}
