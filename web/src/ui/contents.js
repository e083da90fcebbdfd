// Client of the server's Jupyter-style contents API (/api/contents).
//
//   const model = await getNotebook("demo.ipynb");   // {path, name, last_modified, content: {...}}
//   await saveNotebook("demo.ipynb", nbformatData);

const BASE = "/api/contents/";

function url(path, query = "") {
  return BASE + path.split("/").map(encodeURIComponent).join("/") + query;
}

async function check(response, what) {
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && body.message) message = body.message;
  } catch { /* not JSON */ }
  const err = new Error(`${what}: ${message}`);
  err.status = response.status;
  throw err;
}

export async function getNotebook(path) {
  const r = await check(await fetch(url(path), { cache: "no-store" }), `cannot open ${path}`);
  return r.json();
}

// The model without content, or null when there is no such file.
export async function stat(path) {
  const r = await fetch(url(path, "?content=0"), { cache: "no-store" });
  if (r.status === 404) return null;
  return (await check(r, `cannot read ${path}`)).json();
}

export async function saveNotebook(path, content) {
  const r = await fetch(url(path), {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ type: "notebook", format: "json", content }),
  });
  return (await check(r, `cannot save ${path}`)).json();
}

// A path like `base.ipynb` not yet taken on the server: base.ipynb, base-1.ipynb, ...
export async function freePath(name) {
  const stem = name.replace(/\.ipynb$/i, "");
  for (let i = 0; i < 1000; i++) {
    const candidate = `${i ? `${stem}-${i}` : stem}.ipynb`;
    if (!(await stat(candidate))) return candidate;
  }
  throw new Error(`no free file name for ${name}`);
}

// Renames (moves) a file; the server refuses when the new path exists. Returns the new model.
export async function rename(path, newPath) {
  const r = await fetch(url(path), {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ path: newPath }),
  });
  return (await check(r, `cannot rename ${path} to ${newPath}`)).json();
}

// The directory's entries [{name, path, type, last_modified}] (notebooks and folders first by name).
export async function list(dir = "") {
  const r = await check(await fetch(url(dir), { cache: "no-store" }), `cannot list ${dir || "the notebook folder"}`);
  const model = await r.json();
  return (model.content || []).slice().sort((a, b) =>
    (a.type === "directory") === (b.type === "directory") ? a.name.localeCompare(b.name) : a.type === "directory" ? -1 : 1);
}

// A new empty notebook (Untitled.ipynb, Untitled1.ipynb, ...) in `dir`; returns its model.
export async function createUntitled(dir = "") {
  const r = await fetch(url(dir), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ type: "notebook" }),
  });
  return (await check(r, "cannot create a notebook")).json();
}
