// Builds the runner page and its Pyodide worker into web/dist/. Pyodide itself is not bundled: the
// worker imports it at run time from /pyodide/ (served by `webtensor notebook` from .cache/pyodide).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  worker: { format: "es" },
  server: {
    headers: {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
    },
  },
});
