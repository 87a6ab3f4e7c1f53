// The consent ledger's own answers. Both carry the current documents in `data.documents`
// ({document, title, version, url}), so that the client shows the text to agree to.
import { ApiFailure } from "../errors";
import type { ConsentDocument } from "./consent-config";

const current = (documents: readonly ConsentDocument[]) => ({ documents: documents.map(({ document, title, version, url }) => ({ document, title, version, url })) });

export const consentFailures = {
  staleVersion: (documents: readonly ConsentDocument[]) => new ApiFailure(409, "协议已更新,请阅读最新版本后再同意", current(documents), "consent_version_stale"),
  required: (documents: readonly ConsentDocument[]) => new ApiFailure(428, "请先阅读并同意最新的协议", current(documents), "consent_required"),
};
