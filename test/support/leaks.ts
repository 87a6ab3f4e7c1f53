// What must never reach PocketBase's logs or console: the WeChat secret, session_key,
// access tokens, bearer tokens (JWTs) and full mainland phone numbers.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { PocketBaseInstance } from "./pocketbase";
import { WECHAT_SECRET } from "./wechat";

const JWT = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;
const MAINLAND_PHONE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/;

// Every log entry PocketBase wrote, read from its auxiliary.db once it has stopped
// (it writes logs in batches and flushes the last one on shutdown).
function storedLogs(dataDir: string): string {
  const script = "import sqlite3,sys,json; print(json.dumps(sqlite3.connect(sys.argv[1]).execute('SELECT message, data FROM _logs').fetchall(), ensure_ascii=False))";
  return execFileSync("python3", ["-c", script, join(dataDir, "auxiliary.db")], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

export function findLeaks(stoppedInstance: PocketBaseInstance, accessTokens: string[]): string[] {
  const places: Array<[string, string]> = [
    ["PocketBase's logs", storedLogs(stoppedInstance.dataDir)],
    ["PocketBase's console", stoppedInstance.output()],
  ];
  const leaks: string[] = [];
  for (const [where, text] of places) {
    if (text.includes(WECHAT_SECRET)) leaks.push(`${where} hold the WeChat secret`);
    if (/session_key/i.test(text)) leaks.push(`${where} mention session_key`);
    if (JWT.test(text)) leaks.push(`${where} hold a bearer token: ${JWT.exec(text)![0].slice(0, 20)}…`);
    if (MAINLAND_PHONE.test(text)) leaks.push(`${where} hold a full phone number: ${MAINLAND_PHONE.exec(text)![0].slice(0, 3)}…`);
    for (const token of accessTokens) if (text.includes(token)) leaks.push(`${where} hold a WeChat access token`);
  }
  return leaks;
}
