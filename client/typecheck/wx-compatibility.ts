// Compile-time only: WeChat's own typings of `wx` must satisfy the SDK's WxApi. Not exported.
import type { WxApi } from "../src/wx";

export type RealWxFitsWxApi = WechatMiniprogram.Wx extends WxApi ? true : never;
export const realWxFitsWxApi: RealWxFitsWxApi = true;
