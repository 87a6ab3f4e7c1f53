// The avatar feature's failures, in our envelope (rendered by http/responses.ts).
import { describeSize, failure, fieldProblem, type FieldProblem } from "../errors";
import type { FieldMessageKey } from "../languages/messages";

export const MAX_AVATAR_BYTES = 2 * 1024 * 1024;

// A problem of the field `file`: the failure's message is the field's.
const fileProblem = (error: "file_missing" | "file_empty" | "too_many_files" | "image_type_unsupported" | "image_unreadable" | "image_dimensions_exceeded", key: FieldMessageKey) =>
  failure(400, error, { file: fieldProblem(key) });

export const avatarFailures = {
  notMultipart: () => failure(415, "multipart_required"),
  malformedMultipart: () => failure(400, "malformed_multipart"),
  missingFile: () => fileProblem("file_missing", "validation_required.file_missing"),
  severalFiles: () => fileProblem("too_many_files", "validation_too_many_files"),
  emptyFile: () => fileProblem("file_empty", "validation_required.file_empty"),
  notAnImage: () => fileProblem("image_type_unsupported", "validation_invalid_image"),
  unreadableImage: () => fileProblem("image_unreadable", "validation_invalid_image.unreadable"),
  tooManyPixels: () => fileProblem("image_dimensions_exceeded", "validation_image_dimensions"),
  tooLarge: () => failure(413, "avatar_too_large", {}, { limit: describeSize(MAX_AVATAR_BYTES) }),
  tooFrequent: () => failure(429, "avatar_rate_limited"),
};

// users_picture under our own files path that is not a live avatar of this user.
export const avatarNotUsable = (): FieldProblem => fieldProblem("avatar_not_found");
