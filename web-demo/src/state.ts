// The playground's state, kept in the URL (a shareable link: `#s=` + deflated JSON in base64url)
// and in localStorage (the last session). `#ex=<id>` opens an example as it is.

import type { DiscoveryForm } from "./discovery";
import type { RequestForm, Timeline } from "./examples";
import type { Lang } from "./i18n";
import type { SimForm } from "./simulate";

export interface State {
  v: 1;
  example: string;
  /** The manifests, only when they differ from the example's. */
  yaml?: string;
  lang: Lang;
  request: RequestForm;
  sim: SimForm;
  discovery: DiscoveryForm;
  time: number;
  /** A request was sent (the result is shown again on load). */
  sent: boolean;
  /** The timeline, only when the user changed the example's. */
  timeline?: Timeline;
}

const STORAGE_KEY = "kroute-playground";

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

export async function encode(state: State): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(state));
  return toBase64Url(await pipe(json, new CompressionStream("deflate-raw")));
}

export async function decode(s: string): Promise<Partial<State> | null> {
  try {
    const bytes = await pipe(fromBase64Url(s), new DecompressionStream("deflate-raw"));
    const v = JSON.parse(new TextDecoder().decode(bytes));
    return v && typeof v === "object" && v.v === 1 ? (v as Partial<State>) : null;
  } catch {
    return null;
  }
}

/** What the page was opened with: a shared state, an example id, or nothing. */
export async function fromUrl(): Promise<{ state?: Partial<State>; example?: string }> {
  const hash = new URLSearchParams(location.hash.slice(1));
  const s = hash.get("s");
  if (s) {
    const state = await decode(s);
    if (state) return { state };
  }
  const ex = hash.get("ex") ?? new URLSearchParams(location.search).get("example");
  return ex ? { example: ex } : {};
}

export function fromStorage(): Partial<State> | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const v = raw ? JSON.parse(raw) : null;
    return v && v.v === 1 ? v : null;
  } catch {
    return null;
  }
}

let pending: number | undefined;

/** Saves to localStorage now and to the URL shortly (coalescing bursts of edits). */
export function save(state: State): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // Private mode or a full quota: the URL still has it.
  }
  window.clearTimeout(pending);
  pending = window.setTimeout(async () => {
    const url = `${location.pathname}${location.search}#s=${await encode(state)}`;
    history.replaceState(null, "", url);
  }, 300);
}

/** The shareable link for `state`. */
export async function link(state: State): Promise<string> {
  return `${location.origin}${location.pathname}${location.search}#s=${await encode(state)}`;
}
