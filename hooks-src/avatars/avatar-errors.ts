// The avatar feature's failures, in our envelope (rendered by http/responses.ts).
import { ApiFailure, describeSize, type FieldProblem } from "../errors";
import { MAX_AVATAR_ASPECT_RATIO, MAX_AVATAR_SIDE_PIXELS } from "./image-dimensions";

export const MAX_AVATAR_BYTES = 2 * 1024 * 1024;

const fileProblem = (code: string, message: string) => new ApiFailure(400, message, { file: { code, message } });

export const avatarFailures = {
  notMultipart: () => new ApiFailure(415, "请求体必须为 multipart/form-data(wx.uploadFile,name 为 file)"),
  malformedMultipart: () => new ApiFailure(400, "请求体不是合法的 multipart/form-data"),
  missingFile: () => fileProblem("validation_required", "缺少文件字段 file"),
  severalFiles: () => fileProblem("validation_too_many_files", "只能上传一个文件"),
  emptyFile: () => fileProblem("validation_required", "文件为空"),
  notAnImage: () => fileProblem("validation_invalid_image", "只支持 JPEG、PNG、WebP、GIF 图片"),
  unreadableImage: () => fileProblem("validation_invalid_image", "图片文件已损坏或不完整"),
  tooManyPixels: () =>
    fileProblem("validation_image_dimensions", `图片尺寸超出限制:每边最多 ${MAX_AVATAR_SIDE_PIXELS} 像素,长边不超过短边的 ${MAX_AVATAR_ASPECT_RATIO} 倍`),
  tooLarge: () => new ApiFailure(413, `头像文件过大,上限 ${describeSize(MAX_AVATAR_BYTES)}`),
  tooFrequent: () => new ApiFailure(429, "头像上传过于频繁,请稍后重试"),
};

// users_picture under our own files path that is not a live avatar of this user.
export const avatarNotUsable = (): FieldProblem => ({ code: "avatar_not_found", message: "头像不存在或已过期,请重新上传" });
