// The two ways the SDK talks HTTP, each one promise over a wx callback API. A failure to get any
// answer rejects with a BaiClientError of status 0; every HTTP answer resolves, whatever its status.
import { BaiClientError } from "./errors";
import type { WxApi, WxFailure } from "./wx";

export interface HttpRequest {
  method: NonNullable<Parameters<WxApi["request"]>[0]["method"]>;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON when the answer was JSON, else the text. */
  body: unknown;
}

export function sendRequest(wx: WxApi, request: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  const headers = { ...request.headers };
  if (request.body !== undefined) headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    wx.request({
      url: request.url,
      method: request.method,
      header: headers,
      data: request.body === undefined ? undefined : JSON.stringify(request.body),
      timeout: timeoutMs,
      dataType: "json",
      success: (result) => resolve({ status: result.statusCode, body: result.data }),
      fail: (failure) => reject(networkError(request.url, failure)),
    });
  });
}

export interface UploadRequest {
  url: string;
  filePath: string;
  /** The form field the file is sent as. */
  fieldName: string;
  /** The form's other fields. */
  formData?: Record<string, string>;
  headers: Record<string, string>;
}

export function sendUpload(wx: WxApi, upload: UploadRequest, timeoutMs: number): Promise<HttpResponse> {
  const { url } = upload;
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url,
      filePath: upload.filePath,
      name: upload.fieldName,
      formData: upload.formData,
      header: upload.headers,
      timeout: timeoutMs,
      // wx.uploadFile hands back the body as text.
      success: (result) => resolve({ status: result.statusCode, body: parseJson(result.data) }),
      fail: (failure) => reject(networkError(url, failure)),
    });
  });
}

export function wxLoginCode(wx: WxApi, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      timeout: timeoutMs,
      success: (result) => {
        if (typeof result.code === "string" && result.code !== "") resolve(result.code);
        else reject(new BaiClientError({ url: "wx.login", status: 0, cause: result, message: "wx.login 未返回 code" }));
      },
      fail: (failure) => reject(new BaiClientError({ url: "wx.login", status: 0, cause: failure, message: `wx.login 失败: ${errMsgOf(failure)}` })),
    });
  });
}

export function networkError(url: string, failure: WxFailure): BaiClientError {
  return new BaiClientError({ url, status: 0, cause: failure, message: `网络请求失败: ${errMsgOf(failure)}` });
}

function errMsgOf(failure: WxFailure): string {
  return failure && typeof failure.errMsg === "string" ? failure.errMsg : "unknown";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
