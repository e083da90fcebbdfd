// One cell's view: the prompt ([n], [*]), a CodeMirror 6 editor (Python for code cells, Markdown for
// markdown cells), the rendered markdown, and the outputs. The cell object itself (nbformat data) is
// owned by the notebook; the view reads it and reports edits through `onChange`.
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, drawSelection, highlightActiveLine, placeholder } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching, indentUnit } from "@codemirror/language";
import { python } from "@codemirror/lang-python";
import { markdown } from "@codemirror/lang-markdown";
import { renderOutput } from "./outputs.js";
import { renderMarkdown } from "./sanitize.js";

// `attachment:name` references in markdown become data URLs of the cell's attachments.
function withAttachments(source, attachments) {
  if (!attachments) return source;
  return source.replace(/attachment:([^\s)"'<>]+)/g, (whole, name) => {
    const bundle = attachments[decodeURIComponent(name)];
    const mime = bundle && Object.keys(bundle).find((m) => m.startsWith("image/") && m !== "image/svg+xml");
    return mime ? `data:${mime};base64,${String(bundle[mime]).replace(/\s/g, "")}` : whole;
  });
}

export class CellView {
  // hooks: {onChange(view), onFocus(view), onRun(view, {advance}), onEscape(view)}
  constructor(cell, hooks) {
    this.cell = cell;
    this.hooks = hooks;
    this.running = false;
    this.queued = false;
    this.editing = false;
    this.el = document.createElement("div");
    this.el.className = "cell";
    this.prompt = document.createElement("div");
    this.prompt.className = "prompt";
    this.body = document.createElement("div");
    this.body.className = "cell-body";
    this.editorHost = document.createElement("div");
    this.editorHost.className = "editor";
    this.rendered = document.createElement("div");
    this.rendered.className = "rendered markdown-body";
    this.rendered.addEventListener("dblclick", () => this.hooks.onEditRequest(this));
    this.outputs = document.createElement("div");
    this.outputs.className = "outputs";
    this.body.append(this.editorHost, this.rendered, this.outputs);
    this.el.append(this.prompt, this.body);
    this.el.addEventListener("mousedown", () => this.hooks.onSelect(this));
    this._makeEditor();
    this.refresh();
  }

  _makeEditor() {
    if (this.editor) this.editor.destroy();
    const run = (advance) => () => { this.hooks.onRun(this, { advance }); return true; };
    const lang = this.cell.cell_type === "code" ? [python()] : this.cell.cell_type === "markdown" ? [markdown()] : [];
    this.editor = new EditorView({
      parent: this.editorHost,
      state: EditorState.create({
        doc: this.cell.source,
        extensions: [
          keymap.of([
            { key: "Shift-Enter", run: run(true) },
            { key: "Mod-Enter", run: run(false) },
            { key: "Escape", run: () => { this.hooks.onEscape(this); return true; } },
          ]),
          history(),
          drawSelection(),
          highlightActiveLine(),
          indentOnInput(),
          bracketMatching(),
          indentUnit.of("    "),
          EditorState.tabSize.of(4),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([indentWithTab, ...defaultKeymap, ...historyKeymap]),
          placeholder(this.cell.cell_type === "markdown" ? "Markdown text" : ""),
          EditorView.lineWrapping,
          ...lang,
          EditorView.updateListener.of((u) => {
            if (u.docChanged) {
              this.cell.source = u.state.doc.toString();
              this.hooks.onChange(this);
            }
            if (u.focusChanged && u.view.hasFocus) this.hooks.onFocus(this);
          }),
        ],
      }),
    });
  }

  // After the cell's type changed: a new editor with the other language.
  retype() {
    this._makeEditor();
    this.refresh();
  }

  focusEditor() {
    this.editor.focus();
  }

  setEditing(editing) {
    this.editing = editing;
    this.refresh();
    if (editing) this.focusEditor();
  }

  refresh() {
    const c = this.cell;
    this.el.dataset.type = c.cell_type;
    const showRendered = c.cell_type === "markdown" && !this.editing;
    this.editorHost.hidden = showRendered;
    this.rendered.hidden = !showRendered;
    if (showRendered) {
      this.rendered.innerHTML = c.source.trim() ? renderMarkdown(withAttachments(c.source, c.attachments)) : "<p class=\"empty\">Empty markdown cell: double-click to edit</p>";
    }
    this.renderPrompt();
    this.renderOutputs();
  }

  renderPrompt() {
    const c = this.cell;
    if (c.cell_type !== "code") {
      this.prompt.textContent = "";
    } else if (this.running || this.queued) {
      this.prompt.textContent = "[*]:";
    } else {
      this.prompt.textContent = `[${c.execution_count ?? " "}]:`;
    }
    this.el.dataset.state = this.running ? "running" : this.queued ? "queued" : "idle";
  }

  renderOutputs() {
    this.outputs.replaceChildren(...(this.cell.outputs || []).map(renderOutput));
  }

  destroy() {
    this.editor.destroy();
    this.el.remove();
  }
}

// Re-renders only the last output (a stream chunk appended, a display updated in place).
CellView.prototype.renderLastOutput = function renderLastOutput() {
  const outs = this.cell.outputs || [];
  if (!outs.length) return this.outputs.replaceChildren();
  if (this.outputs.children.length !== outs.length) return this.renderOutputs();
  this.outputs.lastElementChild.replaceWith(renderOutput(outs[outs.length - 1]));
};
