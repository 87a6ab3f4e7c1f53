// The consent ledger's own answers. Both carry the current documents in `data.documents`
// ({document, title, version, url}), so that the client shows the text to agree to.
import { failure } from "../errors";
import type { ConsentDocument } from "./consent-config";

const current = (documents: readonly ConsentDocument[]) => ({ documents: documents.map(({ document, title, version, url }) => ({ document, title, version, url })) });

export const consentFailures = {
  staleVersion: (documents: readonly ConsentDocument[]) => failure(409, "consent_version_stale", current(documents)),
  required: (documents: readonly ConsentDocument[]) => failure(428, "consent_required", current(documents)),
};
