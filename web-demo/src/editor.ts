// The manifest editor: CodeMirror 6 with YAML highlighting and a lint gutter fed with kroute's
// diagnostics (and load errors) at their line and column. Tab is left to the browser so the
// keyboard can leave the editor; indentation follows Enter.

import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { Compartment, EditorState, type Text } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";

/** A finding to show: 1-based line and column, as kroute gives them. */
export interface Mark {
  severity: "error" | "warning" | "info";
  line: number | null;
  column: number | null;
  message: string;
  source?: string;
}

export interface Editor {
  view: EditorView;
  text(): string;
  setText(text: string): void;
  show(marks: Mark[]): void;
  /** Moves the cursor to a line (and column) and focuses the editor. */
  reveal(line: number, column?: number | null): void;
  /** The accessible name of the text area (it follows the language). */
  setLabel(label: string): void;
}

/** The document range a mark covers: from its column to the end of the token there. */
function range(doc: Text, m: Mark): { from: number; to: number } {
  const lineNo = Math.min(Math.max(m.line ?? 1, 1), doc.lines);
  const line = doc.line(lineNo);
  const col = Math.min(Math.max((m.column ?? 1) - 1, 0), line.length);
  const from = line.from + col;
  const rest = line.text.slice(col);
  const token = /^[^\s:,\]}]+/.exec(rest)?.[0].length ?? 0;
  // A token, else the rest of the line, else the line break: never an empty range.
  const len = token || rest.trimEnd().length;
  return { from, to: Math.min(from + Math.max(len, 1), doc.length) };
}

export function createEditor(parent: HTMLElement, label: string, onChange: (text: string) => void): Editor {
  let timer: number | undefined;
  const labelled = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: "",
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        yaml(),
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        labelled.of(EditorView.contentAttributes.of({ "aria-label": label })),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged) return;
          window.clearTimeout(timer);
          timer = window.setTimeout(() => onChange(view.state.doc.toString()), 250);
        }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text: string) {
      window.clearTimeout(timer);
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      window.clearTimeout(timer); // the caller reloads itself
    },
    show(marks: Mark[]) {
      const doc = view.state.doc;
      const diags: CmDiagnostic[] = marks.map((m) => ({
        ...range(doc, m),
        severity: m.severity,
        message: m.message,
        source: m.source,
      }));
      view.dispatch(setDiagnostics(view.state, diags));
    },
    setLabel(label: string) {
      view.dispatch({ effects: labelled.reconfigure(EditorView.contentAttributes.of({ "aria-label": label })) });
    },
    reveal(line: number, column?: number | null) {
      const doc = view.state.doc;
      const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
      const pos = Math.min(l.from + Math.max((column ?? 1) - 1, 0), l.to);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    },
  };
}
