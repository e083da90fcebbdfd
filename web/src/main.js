// Entry point: the notebook page, or the development runner at /?runner (used by the runtime's
// e2e tests). Each loads only its own modules.
import "./styles.css";

if (new URLSearchParams(location.search).has("runner")) import("./ui/runner.js").then((m) => m.startRunner());
else import("./ui/page.js").then((m) => m.startNotebook());
