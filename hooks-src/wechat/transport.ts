// The one function that sends an HTTP request to WeChat. Tests pass their own.
import { WechatNetworkError } from "./errors";

export interface WechatHttpRequest {
  method: "GET" | "POST";
  url: string;
  body?: string;
  timeoutSeconds: number;
}

export interface WechatHttpResponse {
  statusCode: number;
  body: string;
}

export type SendWechatRequest = (request: WechatHttpRequest) => WechatHttpResponse;

// $http.send throws a Go error whose text holds the full URL, secret included:
// it is classified here and never rethrown or logged.
export function sendWithPocketBase(request: WechatHttpRequest): WechatHttpResponse {
  let response;
  try {
    response = $http.send({
      method: request.method,
      url: request.url,
      body: request.body ?? "",
      headers: request.body === undefined ? {} : { "content-type": "application/json" },
      timeout: request.timeoutSeconds,
    });
  } catch (error) {
    throw new WechatNetworkError(/deadline exceeded|timeout/i.test(String(error)));
  }
  return { statusCode: response.statusCode, body: toString(response.body) };
}
