// Staff merge user B ("from") into user A ("into"), in one transaction: B's identities and every
// relation that points at B (in any collection, staff's included) move to A; A's empty fields are
// filled from B; B is erased by the ordinary erasure (its status set to 已注销); both token keys
// rotate, so every session of either person signs in again. A refused merge writes nothing.
import { ACCOUNT_STATUS } from "../account/account-status";
import { failures } from "../errors";
import { isInfoComplete, USERS_TYPE_GUEST, USERS_TYPE_REGISTERED } from "../users/user-profile";
import { USERS_COLLECTION } from "../users/users";
import { REGISTRATIONS_COLLECTION } from "../registration/registration-facts";
import { IDENTITIES_COLLECTION } from "./identities";
import { MERGED_FIELDS, planMerge, type MergedField, type Winners } from "./merge-plan";

export interface MergeRequest {
  into: string;
  from: string;
  winners: Winners;
}

export interface MergeResult {
  into: core.Record;
  movedIdentities: number;
  movedRelations: number;
}

export function mergeUsers({ into, from, winners }: MergeRequest): MergeResult {
  if (into === from) throw failures.mergeSameUser();
  let result: MergeResult | undefined;
  $app.runInTransaction((txApp) => {
    const a = findUser(txApp, into);
    const b = findUser(txApp, from);
    for (const user of [a, b]) {
      const status = user.getString("users_status");
      if (status === ACCOUNT_STATUS.deletionPending || status === ACCOUNT_STATUS.deleted) throw failures.mergeRefusedStatus(status);
    }
    const plan = planMerge(mergedFieldsOf(a), mergedFieldsOf(b), winners);
    if (plan.conflicts.length > 0) throw failures.mergeConflict(plan.conflicts);
    const bType = b.getString("users_type");

    const movedIdentities = repoint(txApp, IDENTITIES_COLLECTION, "user", false, from, into);
    let movedRelations = 0;
    for (const { collection, field, multiple } of relationsToUsers(txApp)) movedRelations += repoint(txApp, collection, field, multiple, from, into);

    // Erased first: B's openid is unique and may be about to become A's.
    b.set("users_status", ACCOUNT_STATUS.deleted);
    txApp.save(b);

    for (const [field, value] of Object.entries(plan.changes)) a.set(field, value);
    if (a.getString("users_type") === USERS_TYPE_GUEST) {
      if (bType !== USERS_TYPE_GUEST && bType !== "") a.set("users_type", bType);
      else if (isInfoComplete({ users_name: a.getString("users_name"), users_phone: a.getString("users_phone"), users_picture: a.getString("users_picture") })) {
        a.set("users_type", USERS_TYPE_REGISTERED);
      }
    }
    a.refreshTokenKey();
    txApp.save(a);
    result = { into: a, movedIdentities, movedRelations };
  });
  return result!;
}

function findUser(txApp: CoreApp, id: string): core.Record {
  try {
    return txApp.findRecordById(USERS_COLLECTION, id);
  } catch {
    throw failures.userNotFound();
  }
}

function mergedFieldsOf(user: core.Record): Record<MergedField, string> {
  return Object.fromEntries(MERGED_FIELDS.map((field) => [field, user.getString(field)])) as Record<MergedField, string>;
}

// Every relation field of every collection that points at users, but the identities' own and the
// registrations': how B came in describes B, and stays with B, erased.
function relationsToUsers(txApp: CoreApp): Array<{ collection: string; field: string; multiple: boolean }> {
  const usersId = txApp.findCachedCollectionByNameOrId(USERS_COLLECTION).id;
  const found: Array<{ collection: string; field: string; multiple: boolean }> = [];
  for (const collection of txApp.findAllCollections()) {
    if (!collection || collection.name === IDENTITIES_COLLECTION || collection.name === REGISTRATIONS_COLLECTION || collection.isView()) continue;
    for (const field of collection.fields) {
      if (field.type() !== "relation") continue;
      const relation = field as unknown as { collectionId: string; isMultiple(): boolean; getName(): string };
      if (relation.collectionId === usersId) found.push({ collection: collection.name, field: relation.getName(), multiple: relation.isMultiple() });
    }
  }
  return found;
}

// SQL, so that no business hook takes the move for an edit; a multiple relation keeps its other
// ids and holds A once.
function repoint(txApp: CoreApp, collection: string, field: string, multiple: boolean, from: string, into: string): number {
  const table = `{{${collection}}}`;
  const column = `[[${field}]]`;
  const sql = multiple
    ? `UPDATE ${table} SET ${column} = (SELECT json_group_array(DISTINCT CASE WHEN value = {:from} THEN {:into} ELSE value END) FROM json_each(${column}))
       WHERE EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = {:from})`
    : `UPDATE ${table} SET ${column} = {:into} WHERE ${column} = {:from}`;
  const result = txApp.db().newQuery(sql).bind({ from, into }).execute();
  return Number(result.rowsAffected());
}
