// Every lookup our routes make, and the filters staff type into the admin UI all day, use an
// index: at a million users a scan costs a login hundreds of milliseconds. A probe route asks
// SQLite for the plan of the very SQL PocketBase builds for each lookup (EXPLAIN QUERY PLAN),
// on an instance of its own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPocketBase, type PocketBaseInstance } from "../support/pocketbase";

// [collection, field]: PocketBase's findFirstRecordByData(collection, field, value), which our code
// calls, and the admin UI's filter `field = "value"`, which builds the same WHERE.
const LOOKUPS: Array<[string, string]> = [
  ["tbl_auth_users", "openid"], // every login
  ["tbl_auth_users", "users_id"], // every registration (a taken id is skipped), and staff
  ["tbl_auth_users", "users_phone"], // staff
  ["tbl_auth_users", "unionid"],
  ["tbl_auth_users", "company_id"],
  ["tbl_auth_users", "users_status"], // staff's filter users_status = "待审核"
  ["tbl_invite_codes", "code"], // a login that brings an invite
  ["tbl_company", "company_id"], // every answer of a user with a company, once a minute
  ["tbl_user_avatars", "trace_id"], // WeChat's media-check verdicts
  ["bai_revoked_tokens", "token_hash"],
  ["tbl_user_identities", "appid"], // every login, with openid (below)
  ["tbl_user_identities", "unionid"], // a new app's first login
  ["tbl_user_identities", "user"], // a user's identities, for them and for staff
  ["bai_audit_events", "users_id"], // staff's filter for one user's events, and my-data
  ["bai_consents", "user"], // every login's consents_required, and the consent routes
];

const PROBE = `routerAdd("GET", "/api/test/plan/{collection}/{field}", (e) => {
  const query = $app.recordQuery(e.request.pathValue("collection")).andWhere($dbx.hashExp({ [e.request.pathValue("field")]: "x" })).limit(1).build();
  const rows = arrayOf(new DynamicModel({ detail: "" }));
  $app.db().newQuery("EXPLAIN QUERY PLAN " + query.sql()).bind(query.params()).all(rows);
  return e.json(200, rows.map((row) => row.detail));
});
`;

let instance: PocketBaseInstance;

beforeAll(async () => {
  instance = await startPocketBase({ extraHooks: { "zz_test_query_plans.pb.js": PROBE } });
});

afterAll(async () => {
  await instance.stop();
  instance.remove();
});

describe("the query plan of each lookup", () => {
  it.each(LOOKUPS)("%s by %s searches an index", async (collection, field) => {
    const response = await fetch(`${instance.url}/api/test/plan/${collection}/${field}`);
    expect(response.status).toBe(200);
    const plan: string[] = await response.json();
    expect(plan.join(" | ")).toMatch(/^SEARCH \S+ USING (COVERING )?INDEX /);
  });
});
