// The notebook model: nbformat-4 data in, nbformat-4 data out, as Jupyter reads and writes it.
//
// In memory every multi-line string (cell source, stream text, text/* mime values) is one string;
// on save they become lists of lines, as nbformat's writer does, and everything this page does not
// know (notebook and cell metadata, attachments, cell ids, unknown keys) is kept untouched.
//
//   const nb = parseNotebook(jsonText);   // {nbformat, nbformat_minor, metadata, cells: [...], ...}
//   const text = serializeNotebook(nb);   // JSON that Jupyter opens

const NON_TEXT_SPLIT_MIMES = new Set(["image/svg+xml"]);

function isJsonMime(mime) {
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

// "a\nb\n" -> ["a\n", "b\n"]; "a\nb" -> ["a\n", "b"]; "" -> [].
export function splitLines(text) {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === "" ? [] : lines;
}

export function joinLines(value) {
  return Array.isArray(value) ? value.join("") : value ?? "";
}

function rejoinBundle(data) {
  const out = {};
  for (const [key, value] of Object.entries(data || {})) {
    out[key] = !isJsonMime(key) && Array.isArray(value) && value.every((v) => typeof v === "string")
      ? value.join("") : value;
  }
  return out;
}

function splitBundle(data) {
  const out = {};
  for (const [key, value] of Object.entries(data || {})) {
    out[key] = typeof value === "string" && (key.startsWith("text/") || NON_TEXT_SPLIT_MIMES.has(key))
      ? splitLines(value) : value;
  }
  return out;
}

function readOutput(output) {
  const o = structuredClone(output);
  if (o.output_type === "stream") o.text = joinLines(o.text);
  if (o.data) o.data = rejoinBundle(o.data);
  return o;
}

function writeOutput(output) {
  const o = structuredClone(output);
  if (o.output_type === "stream") o.text = splitLines(joinLines(o.text));
  if (o.data) o.data = splitBundle(o.data);
  if (o.output_type === "error" && typeof o.traceback === "string") o.traceback = o.traceback.split("\n");
  return o;
}

function readCell(cell) {
  const c = structuredClone(cell);
  c.source = joinLines(c.source);
  c.metadata = c.metadata || {};
  if (c.cell_type === "code") {
    c.outputs = (c.outputs || []).map(readOutput);
    if (c.execution_count === undefined) c.execution_count = null;
  }
  if (c.attachments) {
    for (const name of Object.keys(c.attachments)) c.attachments[name] = rejoinBundle(c.attachments[name]);
  }
  return c;
}

function writeCell(cell) {
  const c = structuredClone(cell);
  c.source = splitLines(c.source || "");
  if (c.cell_type === "code") c.outputs = (c.outputs || []).map(writeOutput);
  if (c.attachments) {
    for (const name of Object.keys(c.attachments)) c.attachments[name] = splitBundle(c.attachments[name]);
  }
  return c;
}

export function newCellId() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// A new cell of the given type, with an id when the notebook's minor version has ids (4.5+).
export function newCell(nb, cellType = "code", source = "") {
  const cell = { cell_type: cellType, metadata: {}, source };
  if (cellType === "code") Object.assign(cell, { execution_count: null, outputs: [] });
  if ((nb.nbformat_minor ?? 5) >= 5) cell.id = newCellId();
  return cell;
}

export function emptyNotebook() {
  const nb = {
    cells: [],
    metadata: {
      kernelspec: { display_name: "Python (Pyodide)", language: "python", name: "python" },
      language_info: { name: "python" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  nb.cells.push(newCell(nb));
  return nb;
}

// Reads an nbformat-4 notebook (a JSON string or an already-parsed object).
export function parseNotebook(input) {
  const raw = typeof input === "string" ? JSON.parse(input) : input;
  if (!raw || typeof raw !== "object" || !Array.isArray(raw.cells)) {
    throw new Error("not a notebook: expected a JSON object with a 'cells' list");
  }
  if (raw.nbformat !== 4) throw new Error(`only nbformat 4 notebooks can be opened, this one is nbformat ${raw.nbformat}`);
  const nb = structuredClone(raw);
  nb.metadata = nb.metadata || {};
  nb.cells = raw.cells.map(readCell);
  return nb;
}

// The notebook as nbformat-4 data (an object), ready for JSON.stringify or the contents API.
export function toJupyter(nb) {
  const out = structuredClone({ ...nb, cells: [] });
  out.cells = nb.cells.map(writeCell);
  return out;
}

// Sorted keys and one-space indentation, as Jupyter writes .ipynb files.
export function serializeNotebook(nb) {
  return JSON.stringify(sortKeys(toJupyter(nb)), null, 1) + "\n";
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}
