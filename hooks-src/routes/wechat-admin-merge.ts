import { audit } from "../audit/audit";
import { failures } from "../errors";
import { readJsonObjectBody } from "../http/request";
import { answer, sendOk } from "../http/responses";
import { mergeUsers } from "../identities/merge";
import { readMergeUsersRequest } from "../validation";

// Staff only: a superuser's token (the admin UI's), never a mini-program user's.
export function mergeUsersRoute(e: core.RequestEvent): void {
  answer(e, () => {
    if (!e.auth) throw failures.missingToken();
    if (!e.hasSuperuserAuth()) throw failures.staffOnly();
    const request = readMergeUsersRequest(readJsonObjectBody(e));
    const { into, movedIdentities, movedRelations } = mergeUsers(request);
    audit("users_merged", into, { by: "staff", ip: e.realIP(), staff: e.auth.id }, { from_pb_id: request.from, identities: movedIdentities, relations: movedRelations });
    sendOk(e, "合并成功", { into: into.id, from: request.from, moved_identities: movedIdentities, moved_relations: movedRelations });
  });
}
