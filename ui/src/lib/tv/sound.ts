// An optional chime for celebrations, synthesised with WebAudio (no asset files: the CSP and
// the bundle stay as they are). Silently does nothing where WebAudio is missing.

let context: AudioContext | null = null;

function audio(): AudioContext | null {
  if (context) return context;
  const Ctor = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return null;
  try {
    context = new Ctor();
  } catch {
    return null;
  }
  return context;
}

/** Three rising notes, about 0.6 s. */
export function playChime(): void {
  const ctx = audio();
  if (!ctx) return;
  // A kiosk has no user gesture to unlock audio; resume() is allowed to fail there.
  void ctx.resume().catch(() => undefined);
  const start = ctx.currentTime + 0.05;
  [523.25, 659.25, 783.99].forEach((frequency, i) => {
    const at = start + i * 0.15;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'triangle';
    osc.frequency.setValueAtTime(frequency, at);
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.32);
  });
}
