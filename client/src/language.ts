// The Accept-Language the SDK sends, so that BAI answers its messages in the language the user set
// in WeChat: BAI speaks zh-CN (its default) and en, and picks by this header.

/** WeChat's language as an Accept-Language value, `""` when WeChat does not say. */
export function wechatAcceptLanguage(wx: { getAppBaseInfo?(): { language?: string }; getSystemInfoSync?(): { language?: string } }): string {
  const language = languageFrom(() => wx.getAppBaseInfo && wx.getAppBaseInfo().language) || languageFrom(() => wx.getSystemInfoSync && wx.getSystemInfoSync().language);
  return acceptLanguageOf(language);
}

/** WeChat spells its languages `zh_CN`, `zh_TW`, `en`; a language tag (BCP 47) spells them `zh-CN`, `zh-TW`, `en`. */
export function acceptLanguageOf(wechatLanguage: string): string {
  const tag = wechatLanguage.trim().replace(/_/g, "-");
  return /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag) ? tag : "";
}

function languageFrom(read: () => unknown): string {
  try {
    const language = read();
    return typeof language === "string" ? language : "";
  } catch {
    return "";
  }
}
