// The browser's copy of each open notebook (IndexedDB, keyed by path), written a moment after every
// edit, so a reload or a crashed tab loses at most a second of typing even when the server is away.
//
//   await putDraft("demo.ipynb", nbformatData);
//   const draft = await getDraft("demo.ipynb");   // {path, savedAt (ms), content} or undefined

const DB = "webtensor-notebook";
const STORE = "drafts";
let opening = null;

function db() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "path" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return opening;
}

async function tx(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(req && req.result);
    t.onerror = () => reject(t.error);
  });
}

export function putDraft(path, content) {
  return tx("readwrite", (s) => s.put({ path, savedAt: Date.now(), content }));
}

export function getDraft(path) {
  return tx("readonly", (s) => s.get(path));
}

export function deleteDraft(path) {
  return tx("readwrite", (s) => s.delete(path));
}
