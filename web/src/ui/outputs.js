// Renders nbformat outputs (stream, execute_result, display_data, error) into DOM elements.
// Rich data: a webtensor progress bar, sanitized text/html, image/png, sanitized SVG, text/plain.
import { sanitizeHtml, renderMarkdown } from "./sanitize.js";

export const PROGRESS_MIME = "application/vnd.webtensor.progress+json";
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

// Carriage returns overwrite the line (Keras-style progress printed to stdout).
export function applyCarriageReturns(text) {
  if (!text.includes("\r")) return text;
  return text.replace(/\r\n/g, "\n").split("\n").map((line) => {
    const parts = line.split("\r").filter((p) => p !== "");
    return parts.length ? parts[parts.length - 1] : "";
  }).join("\n");
}

function pre(text, cls) {
  const el = document.createElement("pre");
  el.className = cls;
  el.textContent = text;
  return el;
}

// The kernel's progress message (webtensor/notebook/kernel.py): {epoch, epochs, step, steps, metrics,
// elapsed, eta, unit, done}; a few other spellings are accepted for displays from other code.
function renderProgress(p, label) {
  const box = document.createElement("div");
  box.className = "output-progress";
  const value = Number(p.step ?? p.value ?? p.current ?? 0);
  const max = Number(p.steps ?? p.max ?? p.total ?? p.target ?? 0);
  if (!label && p.epoch != null) label = p.epochs ? `Epoch ${p.epoch}/${p.epochs}` : `Epoch ${p.epoch}`;
  const bar = document.createElement("progress");
  if (max > 0) {
    bar.max = max;
    bar.value = Math.min(value, max);
  }
  const text = document.createElement("span");
  text.className = "progress-label";
  const metrics = p.metrics && typeof p.metrics === "object"
    ? Object.entries(p.metrics).map(([k, v]) => `${k}: ${typeof v === "number" ? v.toPrecision(4) : v}`).join(" - ") : "";
  text.textContent = p.label ?? p.text ?? ([label, max > 0 ? `${value}/${max}` : "", metrics].filter(Boolean).join("  "));
  box.append(bar, text);
  return box;
}

export function renderData(data) {
  if (data[PROGRESS_MIME] && typeof data[PROGRESS_MIME] === "object") {
    return renderProgress(data[PROGRESS_MIME], "");
  }
  if (typeof data["text/html"] === "string") {
    const el = document.createElement("div");
    el.className = "output-html";
    el.innerHTML = sanitizeHtml(data["text/html"]);
    return el;
  }
  if (typeof data["image/png"] === "string" || typeof data["image/jpeg"] === "string") {
    const mime = data["image/png"] ? "image/png" : "image/jpeg";
    const img = document.createElement("img");
    img.className = "output-image";
    img.src = `data:${mime};base64,${data[mime].replace(/\s/g, "")}`;
    img.alt = data["text/plain"] || "image output";
    return img;
  }
  if (typeof data["image/svg+xml"] === "string") {
    const el = document.createElement("div");
    el.className = "output-svg";
    el.innerHTML = sanitizeHtml(data["image/svg+xml"]);
    return el;
  }
  if (typeof data["text/markdown"] === "string") {
    const el = document.createElement("div");
    el.className = "output-markdown markdown-body";
    el.innerHTML = renderMarkdown(data["text/markdown"]);
    return el;
  }
  if (typeof data["text/plain"] === "string") return pre(data["text/plain"].replace(ANSI, ""), "output-text");
  const keys = Object.keys(data).join(", ");
  return pre(`[output of type ${keys || "(empty)"} cannot be shown]`, "output-text");
}

export function renderOutput(output) {
  const wrap = document.createElement("div");
  wrap.className = `output output-${output.output_type}`;
  switch (output.output_type) {
    case "stream":
      wrap.append(pre(applyCarriageReturns(output.text || "").replace(ANSI, ""), `stream-${output.name}`));
      break;
    case "execute_result":
    case "display_data":
      wrap.append(renderData(output.data || {}));
      break;
    case "error": {
      const tb = Array.isArray(output.traceback) ? output.traceback.join("\n") : output.traceback || "";
      wrap.append(pre((tb || `${output.ename}: ${output.evalue}`).replace(ANSI, ""), "output-traceback"));
      break;
    }
    default:
      wrap.append(pre(`[unknown output type ${output.output_type}]`, "output-text"));
  }
  return wrap;
}
