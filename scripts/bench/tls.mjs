// What TLS to WeChat costs a login under concurrency. In production WeChat is reached over
// HTTPS, and $http.send uses Go's http.DefaultClient, whose transport keeps at most 2 idle
// connections per host: with more logins in flight than that, most finished connections are
// closed and the next request pays a new TLS handshake.
//
// The simulator goes behind a TLS front (Node https, self-signed certificate that PocketBase
// trusts through SSL_CERT_FILE) that adds settings.tlsLatencyMs to every answer, as the
// distance to WeChat would. Logins of an existing user run at 1, 32 and 200 connections with a
// pool large enough not to limit them; the front counts new TLS handshakes (and resumed
// sessions). Then again with a front that offers HTTP/2, which Go's client uses when the
// server does: one connection carries every request.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createSecureServer } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TLS_POOL = 400;

export async function measureTls({ settings, log, start, simulator, runLoad, prepareWith }) {
  const dir = mkdtempSync(join(tmpdir(), "bai-bench-tls-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    const credentials = { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
    const rows = [];
    for (const protocol of ["HTTP/1.1", "HTTP/2"]) {
      const front = await startTlsFront(credentials, simulator.url, settings.tlsLatencyMs, protocol === "HTTP/2");
      const { scenarios } = await import("./scenarios.mjs");
      const instance = await start(TLS_POOL, undefined, { env: { WECHAT_API_BASE: front.url, SSL_CERT_FILE: join(dir, "cert.pem") } });
      const context = await prepareWith(instance, scenarios.loginExisting);
      for (const connections of settings.tlsConnections) {
        const before = { ...front.counts };
        const sample = await runLoad({ instance, scenarioKey: "loginExisting", context, connections }, settings.durationS);
        const logins = sample.statusCodes["200"] ?? 0;
        const handshakes = front.counts.handshakes - before.handshakes;
        const resumed = front.counts.resumed - before.resumed;
        const row = {
          protocol,
          connections,
          pool: TLS_POOL,
          latencyMs: settings.tlsLatencyMs,
          logins,
          errors: sample.non2xx + sample.socketErrors,
          rps: sample.requests / sample.durationS,
          handshakesPer1000: (handshakes / Math.max(1, logins)) * 1000,
          resumedPer1000: (resumed / Math.max(1, logins)) * 1000,
          cpuMsPerRequest: sample.cpuMs / Math.max(1, sample.requests),
        };
        rows.push(row);
        log(`  TLS ${protocol} c=${connections}: ${logins} logins, ${Math.round(row.handshakesPer1000)} new TLS handshakes per 1,000 logins, ${row.cpuMsPerRequest.toFixed(2)} ms CPU/login`);
      }
      await instance.stop();
      instance.remove();
      await front.close();
    }
    return { latencyMs: settings.tlsLatencyMs, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A TLS front for the simulator: delays each answer, forwards it, counts handshakes.
async function startTlsFront(credentials, targetUrl, latencyMs, http2) {
  const counts = { handshakes: 0, resumed: 0 };
  const handle = (req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      setTimeout(() => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !name.startsWith(":") && name !== "host" && name !== "connection"));
        const upstream = httpRequest(targetUrl + req.url, { method: req.method, headers }, (answer) => {
          const body = [];
          answer.on("data", (chunk) => body.push(chunk));
          answer.on("end", () => {
            res.writeHead(answer.statusCode, { "content-type": answer.headers["content-type"] ?? "text/plain" });
            res.end(Buffer.concat(body));
          });
        });
        upstream.on("error", () => {
          res.writeHead(502);
          res.end();
        });
        upstream.end(Buffer.concat(chunks));
      }, latencyMs);
    });
  };
  const server = http2 ? createSecureServer({ ...credentials, allowHTTP1: true }, handle) : createHttpsServer(credentials, handle);
  server.on("secureConnection", (socket) => {
    counts.handshakes++;
    if (socket.isSessionReused()) counts.resumed++;
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${server.address().port}`,
    counts,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
      setTimeout(resolve, 2000).unref();
    }),
  };
}
