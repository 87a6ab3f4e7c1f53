import { describe, expect, it } from "vitest";
import { servedUrl } from "./pocketbase-process.mjs";

const lan = {
  lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
  eth0: [
    { address: "fe80::1", family: "IPv6", internal: false },
    { address: "192.168.1.23", family: "IPv4", internal: false },
  ],
};

describe("servedUrl", () => {
  it.each([
    [[], "http://127.0.0.1:8090"],
    [["--http=127.0.0.1:8090", "--http=127.0.0.1:8091"], "http://127.0.0.1:8091"],
    [["--http", "localhost:9000", "--dir=/tmp/x"], "http://localhost:9000"],
    [["--http=0.0.0.0:8090"], "http://192.168.1.23:8090"],
    [["--http=:8090"], "http://192.168.1.23:8090"],
    [["--http=[::]:8090"], "http://192.168.1.23:8090"],
    [["--http=[::1]:8090"], "http://[::1]:8090"],
  ])("%j serves at %s", (args, url) => {
    expect(servedUrl(args, lan)).toBe(url);
  });

  it("falls back to loopback on a machine without a LAN", () => {
    expect(servedUrl(["--http=0.0.0.0:8090"], { lo: lan.lo })).toBe("http://127.0.0.1:8090");
  });
});
