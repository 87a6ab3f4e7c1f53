import { describe, expect, it } from "vitest";
import { asStore, MemoryStore } from "../test-doubles";
import { AVATAR_UPLOADS_PER_USER_PER_HOUR, claimAvatarUpload, releaseAvatarUpload, sweepAvatarUploadCounters } from "./upload-limits";

const HOUR = 60 * 60 * 1000;
const start = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);

describe("avatar upload limits", () => {
  it("allow a user so many uploads per clock hour, then refuse until the next hour", () => {
    const store = asStore(new MemoryStore());
    for (let i = 0; i < AVATAR_UPLOADS_PER_USER_PER_HOUR; i++) expect(claimAvatarUpload("u1", store, start + i)).toBe(true);
    expect(claimAvatarUpload("u1", store, start + HOUR - 1)).toBe(false);
    expect(claimAvatarUpload("u2", store, start + HOUR - 1)).toBe(true);
    expect(claimAvatarUpload("u1", store, start + HOUR)).toBe(true);
  });

  it("give a claim back when nothing was stored", () => {
    const store = asStore(new MemoryStore());
    for (let i = 0; i < AVATAR_UPLOADS_PER_USER_PER_HOUR; i++) claimAvatarUpload("u1", store, start);
    releaseAvatarUpload("u1", store, start);
    expect(claimAvatarUpload("u1", store, start)).toBe(true);
    expect(claimAvatarUpload("u1", store, start)).toBe(false);
  });

  it("sweep only the counters of past hours", () => {
    const memory = new MemoryStore();
    memory.set("bai.loginCode.x", 1);
    claimAvatarUpload("u1", asStore(memory), start);
    claimAvatarUpload("u2", asStore(memory), start + HOUR);
    sweepAvatarUploadCounters(asStore(memory), start + HOUR);
    expect(memory.keys()).toEqual(["bai.loginCode.x", `bai.avatarUploads.${start / HOUR + 1}.u2`]);
  });
});
