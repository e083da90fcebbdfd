// Untrusted HTML (notebook outputs, rendered markdown) goes through DOMPurify before it reaches the
// page: no scripts, no event handlers, no javascript: URLs; links open in a new tab without opener.
import DOMPurify from "dompurify";
import { marked } from "marked";

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

const CONFIG = { FORBID_TAGS: ["form", "base", "meta", "link"], FORBID_ATTR: ["srcdoc", "formaction"] };

export function sanitizeHtml(html) {
  return DOMPurify.sanitize(html, CONFIG);
}

// Markdown -> sanitized HTML (GitHub-flavoured, as Jupyter renders it).
export function renderMarkdown(source) {
  return sanitizeHtml(marked.parse(source, { gfm: true, breaks: false, async: false }));
}
