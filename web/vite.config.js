// Builds the notebook page (and the development runner at /?runner) and its Pyodide worker into web/dist/. Pyodide itself is not bundled: the
// worker imports it at run time from /pyodide/ (served by `webtensor notebook` from .cache/pyodide).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 600,  // the CodeMirror chunk (editor, Python and Markdown modes) is ~560 kB
    rollupOptions: {
      // board.html: the `webtensor board` dashboard. bench.html: the browser benchmarks beside TensorFlow.js (tests/bench/bench_browser.py); only it loads tfjs.
      input: { main: "index.html", bench: "bench.html", board: "board.html" },
      // CodeMirror is most of the page's code: its own chunk keeps the page chunk small and cacheable.
      output: { manualChunks: (id) => (id.includes("node_modules/@codemirror") || id.includes("node_modules/@lezer") ? "codemirror" : undefined) },
    },
  },
  worker: { format: "es" },
  server: {
    headers: {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
    },
  },
});
