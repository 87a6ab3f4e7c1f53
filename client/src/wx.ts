// The part of WeChat's `wx` object the SDK uses, declared here so the published types need nothing else.
// wx-compatibility.ts proves at compile time that the real `wx` (miniprogram-api-typings) fits it;
// unit tests pass a fake and the end-to-end tests a Node shim that does real HTTP.

export interface WxFailure {
  errMsg: string;
}

export interface WxRequestOptions {
  url: string;
  // wx.request has no PATCH.
  method?: "GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS";
  data?: string;
  header?: Record<string, string>;
  timeout?: number;
  dataType?: string;
  responseType?: "text" | "arraybuffer";
  /** Base library 2.20.2+: the answer arrives in pieces through the task's onChunkReceived. */
  enableChunked?: boolean;
  success?(result: { statusCode: number; data: unknown; header: Record<string, string> }): void;
  fail?(failure: WxFailure): void;
}

export interface WxRequestTask {
  abort(): void;
  /** Base library 2.20.1+. */
  onChunkReceived?(listener: (result: { data: ArrayBuffer }) => void): void;
}

export interface WxUploadFileOptions {
  url: string;
  filePath: string;
  name: string;
  header?: Record<string, string>;
  /** Other fields of the multipart form, beside the file. */
  formData?: Record<string, string>;
  timeout?: number;
  success?(result: { statusCode: number; data: string }): void;
  fail?(failure: WxFailure): void;
}

export interface WxLoginOptions {
  timeout?: number;
  success?(result: { code: string }): void;
  fail?(failure: WxFailure): void;
}

export interface WxApi {
  request(options: WxRequestOptions): WxRequestTask;
  uploadFile(options: WxUploadFileOptions): unknown;
  login(options: WxLoginOptions): unknown;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
  removeStorageSync(key: string): void;
  /** Used only when realtime is asked to pause while the mini-program is in the background. */
  onAppHide?(listener: () => void): void;
  onAppShow?(listener: () => void): void;
}
