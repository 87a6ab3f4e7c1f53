// What ops get in a release: one version number everywhere, a CHANGELOG section of its own, and an
// archive (scripts/pack.mjs) that carries every document its documents link to.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import semver from "semver";
import { parse } from "yaml";
import { stage } from "../../scripts/pack.mjs";
import { projectRoot } from "../../scripts/pocketbase.mjs";

const read = (file: string) => readFileSync(join(projectRoot, file), "utf8");
const version: string = JSON.parse(read("package.json")).version;

describe("the version", () => {
  it("is package.json's in the SDK, both lockfiles and the contract", () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(JSON.parse(read("client/package.json")).version).toBe(version);
    for (const lockfile of ["package-lock.json", "client/package-lock.json"]) {
      const lock = JSON.parse(read(lockfile));
      expect([lockfile, lock.version, lock.packages[""].version]).toEqual([lockfile, version, version]);
    }
    expect(parse(read("spec/openapi.yaml")).info.version).toBe(version);
  });

  it("is the newest dated section of the CHANGELOG, below an [Unreleased] one on top", () => {
    const headings = [...read("CHANGELOG.md").matchAll(/^## (.*)$/gm)].map(([, heading]) => heading);
    expect(headings[0]).toBe("[Unreleased]");
    expect(headings[1]).toMatch(new RegExp(`^\\[${version.replaceAll(".", "\\.")}\\] - \\d{4}-\\d{2}-\\d{2}$`));
    const released = headings.slice(1);
    for (const heading of released) expect(heading).toMatch(/^\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$/);
    const dates = released.map((heading) => heading.slice(-10));
    expect(dates).toEqual([...dates].sort().reverse());
  });
});

describe("the Node.js version README states", () => {
  const stated = /Node\.js ≥ (\d+\.\d+)/.exec(read("README.md"))?.[1];

  it("is package.json's engines", () => {
    expect(stated).toBeDefined();
    expect(JSON.parse(read("package.json")).engines.node).toBe(`>=${stated}`);
  });

  // npm leaves out an optional package whose engines a Node.js does not meet (npm's Chromium
  // needs 22.17); every other one must accept the oldest Node.js README allows.
  it("is accepted by every package npm installs", () => {
    const refusing: string[] = [];
    for (const lockfile of ["package-lock.json", "client/package-lock.json"]) {
      for (const [path, entry] of Object.entries<{ engines?: { node?: string }; optional?: boolean }>(JSON.parse(read(lockfile)).packages)) {
        const range = entry.engines?.node;
        if (range && !entry.optional && !semver.satisfies(`${stated}.0`, range)) refusing.push(`${lockfile}: ${path} wants Node.js ${range}`);
      }
    }
    expect(refusing).toEqual([]);
  });
});

describe("the release archive", () => {
  let staged: string;
  beforeAll(() => {
    staged = mkdtempSync(join(tmpdir(), "bai-release-"));
    stage(staged);
  });
  afterAll(() => rmSync(staged, { recursive: true, force: true }));

  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));

  it("carries every file its Markdown documents link to", () => {
    const documents = files(staged).filter((file) => file.endsWith(".md"));
    expect(documents.map((file) => relative(staged, file))).toEqual(expect.arrayContaining(["DEPLOY.md", "docs/capacity.md", "docs/security.md"]));
    const broken: string[] = [];
    for (const document of documents) {
      for (const [, target] of readFileSync(document, "utf8").matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
        const path = join(dirname(document), decodeURIComponent(target.split("#")[0]));
        if (relative(staged, path).startsWith("..") || !existsSync(path)) broken.push(`${relative(staged, document)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("covers backups, in the capacity page DEPLOY.md links to", () => {
    expect(readFileSync(join(staged, "DEPLOY.md"), "utf8")).toContain("](docs/capacity.md)");
    expect(readFileSync(join(staged, "docs/capacity.md"), "utf8")).toContain("## Backups");
  });
});
