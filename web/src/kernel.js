// The page's side of the Pyodide kernel: starts the worker, sends it cells, and hands back their
// streamed output and results. One cell runs at a time; later ones wait in order.
//
//   const kernel = new Kernel();
//   await kernel.ready;                       // {timings, versions}
//   const r = await kernel.run("print(1)", {
//     onStream: (name, text) => ...,
//     onDisplay: (data, {display_id, update}) => ...,  // data: a mime bundle {"text/plain", "image/png"...}
//   });
//   // r: {ok, value, data (the last expression's mime bundle) | null, error: {ename, evalue, traceback}
//   //     | null, ms}
//
// Displays: display() in a cell, matplotlib figures (image/png, after the cell or at plt.show()), and
// Keras progress bars (application/vnd.webtensor.progress+json with a text/plain line; one display_id
// per epoch, later messages carry update: true and replace it). A display that arrives when no cell
// of this page is waiting for it (a background task) goes to the constructor's onDisplay.
// tf.summary records written in the kernel (event files, the live dashboard) go to onSummary(path, bytes).
// After restart(), cells still running or waiting resolve with ok: false and ename "KernelRestarted".

export class Kernel {
  constructor({ pyodideUrl = "/pyodide/", wheelsUrl = "/wheels/", packages = [], onStatus = () => {},
                onDisplay = () => {}, onSummary = () => {} } = {}) {
    this.options = { pyodideUrl, wheelsUrl, packages };
    this.onStatus = onStatus;
    this.onDisplay = onDisplay;
    this.onSummary = onSummary; // (path, bytes: Uint8Array): a tf.summary record, as written
    this._start();
  }

  _start() {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.pending = new Map(); // id -> {resolve, onStream, onDisplay}
    this.nextId = 1;
    // Interrupts (KeyboardInterrupt in the running cell) need SharedArrayBuffer: cross-origin isolation.
    this.interruptBuffer = globalThis.crossOriginIsolated ? new Uint8Array(new SharedArrayBuffer(1)) : null;
    const started = performance.now();
    this.ready = new Promise((resolve, reject) => {
      this.worker.onmessage = (event) => {
        const msg = event.data;
        if (msg.type === "ready") {
          msg.timings.sinceStart = performance.now() - started;
          this.info = msg;
          resolve(msg);
        } else if (msg.type === "failed") {
          reject(new Error(msg.error));
        } else if (msg.type === "status") {
          this.onStatus(msg.text);
        } else {
          this._onMessage(msg);
        }
      };
      this.worker.onerror = (e) => reject(new Error(`kernel worker failed: ${e.message || e}`));
    });
    this.worker.postMessage({ type: "init", ...this.options, interruptBuffer: this.interruptBuffer });
  }

  _onMessage(msg) {
    if (msg.type === "summary") {
      this.onSummary(msg.path, msg.bytes);
      return;
    }
    const cell = this.pending.get(msg.id);
    if (msg.type === "display") {
      const show = cell ? cell.onDisplay : this.onDisplay;
      show(msg.data, { display_id: msg.display_id ?? null, update: !!msg.update });
      return;
    }
    if (!cell) return;
    if (msg.type === "stream") {
      cell.onStream(msg.name, msg.text);
    } else if (msg.type === "result") {
      this.pending.delete(msg.id);
      const { type, id, ...result } = msg;
      cell.resolve(result);
    }
  }

  // Runs Python source in the kernel's namespace; resolves when the cell ends.
  run(code, { onStream = () => {}, onDisplay = () => {} } = {}) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, onStream, onDisplay });
      if (this.interruptBuffer) this.interruptBuffer[0] = 0;
      this.worker.postMessage({ type: "run", id, code });
    });
  }

  // Raises KeyboardInterrupt in the running cell (needs cross-origin isolation).
  interrupt() {
    if (!this.interruptBuffer) return false;
    this.interruptBuffer[0] = 2; // SIGINT
    return true;
  }

  // Stops the worker and starts a fresh one; cells still waiting resolve as failed.
  restart() {
    this.worker.terminate();
    for (const cell of this.pending.values()) {
      cell.resolve({
        ok: false, value: null, data: null, ms: 0,
        error: { ename: "KernelRestarted", evalue: "the kernel was restarted before this cell finished", traceback: "" },
      });
    }
    this._start();
    return this.ready;
  }
}
