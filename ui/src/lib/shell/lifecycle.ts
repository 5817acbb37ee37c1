// Starting and stopping the listeners a component keeps for its lifetime.

/**
 * Calls the stop function a start promise resolves to; nothing when the start failed. Errors
 * while stopping are ignored: the window (or the test's IPC mock) may be gone already.
 */
export function stopWhenStarted(started: Promise<() => void>): void {
  started.then(
    (stop) => {
      try {
        // Tauri's unlisten returns a promise despite its `() => void` type.
        const done: unknown = stop();
        if (done instanceof Promise) done.catch(() => {});
      } catch {
        // Already gone.
      }
    },
    () => {},
  );
}
