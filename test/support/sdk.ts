// The built mini-program SDK for end-to-end files: the bundle client/dist/index.js holds, built beside
// it, signed in through the wx shim; and a collection of notes with per-user rules to exercise
// PocketBase's records API and realtime through it.
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { randomUUID } from "node:crypto";
import type PocketBase from "pocketbase";
import type * as Sdk from "../../client/src/index";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { uniqueName } from "./wechat";
import { wxShim, type WxShim, type WxShimOptions } from "./wx-shim";

export type { Sdk };

/** Builds the bundle into a temporary directory (the client project packs dist/ meanwhile) and loads it. */
export async function loadSdk(): Promise<typeof Sdk> {
  const outfile = join(mkdtempSync(join(tmpdir(), "bai-sdk-e2e-")), "index.js");
  const { bundle } = await import(pathToFileURL(join(projectRoot, "client", "scripts", "build.mjs")).href);
  await bundle(outfile);
  return createRequire(import.meta.url)(outfile);
}

export interface Device {
  shim: WxShim;
  client: Sdk.BaiClient;
  name: string;
}

/** A device of WeChat user `name`: its own wx shim and client. Every shim is kept in `shims` for the contract check. */
export function device(sdk: typeof Sdk, baseUrl: string, shims: WxShim[], options: { name?: string; shim?: WxShimOptions; client?: Partial<Sdk.ClientOptions> } = {}): Device {
  const name = options.name ?? uniqueName("sdk");
  const shim = wxShim(name, undefined, undefined, options.shim);
  shims.push(shim);
  const client = sdk.createClient({ baseUrl, wx: shim.wx, ...options.client });
  return { shim, client, name };
}

/**
 * A collection of notes: each has an owner (a mini-program user), a title of at most 40 characters,
 * a public flag, tags, one photo and up to three more photos. A user lists, views and hears about
 * their own notes and public ones, and creates, updates and deletes only their own.
 */
export async function createNotesCollection(pb: PocketBase): Promise<string> {
  const users = await pb.collections.getOne("tbl_auth_users");
  const name = `sdk_notes_${randomUUID().replace(/-/g, "").slice(0, 8)}`;
  const own = "owner = @request.auth.id";
  await pb.collections.create({
    name,
    type: "base",
    fields: [
      { name: "owner", type: "relation", collectionId: users.id, maxSelect: 1, required: true },
      { name: "title", type: "text", required: true, max: 40 },
      { name: "public", type: "bool" },
      { name: "tags", type: "json" },
      { name: "photo", type: "file", maxSelect: 1, maxSize: 1024 * 1024, mimeTypes: ["image/png"], thumbs: ["20x20"] },
      { name: "photos", type: "file", maxSelect: 3, maxSize: 1024 * 1024 },
      { name: "created", type: "autodate", onCreate: true },
    ],
    listRule: `${own} || public = true`,
    viewRule: `${own} || public = true`,
    createRule: `@request.auth.id != "" && ${own}`,
    updateRule: own,
    deleteRule: own,
  });
  return name;
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
