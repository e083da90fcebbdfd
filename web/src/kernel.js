// The page's side of the Pyodide kernel: starts the worker, sends it cells, and hands back their
// streamed output and results. One cell runs at a time; later ones wait in order.
//
//   const kernel = new Kernel();
//   await kernel.ready;                       // {timings, versions}
//   const r = await kernel.run("print(1)", {onStream: (name, text) => ...});
//   // r: {ok, value, error: {ename, evalue, traceback} | null, ms}

export class Kernel {
  constructor({ pyodideUrl = "/pyodide/", wheelsUrl = "/wheels/", packages = [], onStatus = () => {} } = {}) {
    this.options = { pyodideUrl, wheelsUrl, packages };
    this.onStatus = onStatus;
    this._start();
  }

  _start() {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.pending = new Map(); // id -> {resolve, onStream}
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
    const cell = this.pending.get(msg.id);
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
  run(code, { onStream = () => {} } = {}) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, onStream });
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
      cell.resolve({ ok: false, value: null, error: { ename: "KernelRestarted", evalue: "the kernel was restarted", traceback: "" }, ms: 0 });
    }
    this._start();
    return this.ready;
  }
}
